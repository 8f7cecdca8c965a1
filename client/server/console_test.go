package server_test

import (
	"bytes"
	"encoding/pem"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/internal/testpki"
)

// consoleClient is a browser without a screen: cookies, redirects, forms.
type consoleClient struct {
	t    testing.TB
	base string
	hc   *http.Client
	resp *http.Response // the last final response
	body string
}

func newConsoleClient(t testing.TB, base string, hc *http.Client) *consoleClient {
	if hc == nil {
		hc = &http.Client{}
	}
	jar, _ := cookiejar.New(nil)
	hc.Jar = jar
	return &consoleClient{t: t, base: base, hc: hc}
}

func (c *consoleClient) do(req *http.Request) int {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.resp, c.body = resp, string(b)
	return resp.StatusCode
}

func (c *consoleClient) get(path string) int {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// post sends a form; a "csrf" of "" takes the token of the last page.
func (c *consoleClient) post(path string, form url.Values) int {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postFiles sends a multipart form with files, as the approval form is sent.
func (c *consoleClient) postFiles(path string, form map[string]string, files map[string][]byte) int {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf())
	for k, v := range form {
		mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".pem")
		fw.Write(v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// noAddressLimit lifts the per-address request limit: a test's browser and
// clients all come from 127.0.0.1, faster than any clerk.
var noAddressLimit = server.WithLimits(server.Limits{Expensive: 64, Wait: 2 * time.Second})

var (
	csrfRE     = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	passwordRE = regexp.MustCompile(`id="initial-password"[^>]*>([^<]+)<`)
	loginIDRE  = regexp.MustCompile(`id="login-id"[^>]*>([^<]+)<`)
	recordRE   = regexp.MustCompile(`href="(/console/citizens/[^"?]+)"`)
)

func (c *consoleClient) csrf() string {
	c.t.Helper()
	m := csrfRE.FindStringSubmatch(c.body)
	if m == nil {
		c.t.Fatalf("no CSRF token on the page (status %d):\n%s", c.resp.StatusCode, c.body)
	}
	return m[1]
}

func (c *consoleClient) login(login, password string) int {
	c.t.Helper()
	c.get("/console/login")
	return c.post("/console/login", url.Values{"login": {login}, "password": {password}})
}

func (c *consoleClient) wantPage(status, want int, contains ...string) {
	c.t.Helper()
	if status != want {
		c.t.Fatalf("status %d, want %d:\n%s", status, want, c.body)
	}
	for _, s := range contains {
		if !strings.Contains(c.body, s) {
			c.t.Fatalf("the page lacks %q:\n%s", s, c.body)
		}
	}
}

func pemOf(l *testpki.Leaf) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.Cert.Raw})
}

// approveThroughConsole fills the approval form as a clerk does and returns
// the login ID, the initial password and the record's path.
func approveThroughConsole(c *consoleClient, form map[string]string, leaf *testpki.Leaf) (string, string, string) {
	c.t.Helper()
	c.get("/console/approve")
	files := map[string][]byte{}
	if leaf != nil {
		files["certificate"] = pemOf(leaf)
	}
	c.wantPage(c.postFiles("/console/approve", form, files), http.StatusOK, "초기 비밀번호")
	return loginIDRE.FindStringSubmatch(c.body)[1], passwordRE.FindStringSubmatch(c.body)[1], recordRE.FindStringSubmatch(c.body)[1]
}

// TestConsoleApprovesRenewsAndRevokes: the clerk's work through the console's
// forms, with the rules' refusals shown on the page.
func TestConsoleApprovesRenewsAndRevokes(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	c := newConsoleClient(t, h.url, nil)
	c.wantPage(c.login("clerk-1", clerkPassword), http.StatusOK, "주민등록번호", "김담당")

	const rrn = "930303-2234561"
	c.wantPage(c.post("/console/search", url.Values{"rrn": {rrn}}), http.StatusOK, "승인된 내역이 없습니다", `value="930303-2234561"`)
	leaf := h.ca.Issue(t, "서지우", testpki.Options{NotAfter: time.Now().AddDate(3, 0, 0)})
	form := map[string]string{"name": "서지우", "rrn": rrn, "address": "서울특별시 종로구 자하문로 1", "phone": "010-5555-6666",
		"identity_method": "mobile"}
	c.wantPage(c.postFiles("/console/approve", form, map[string][]byte{"certificate": pemOf(leaf)}), http.StatusUnprocessableEntity, "신분증으로 본인임을 확인했는지")
	form["id_checked"] = "1"
	loginID, initial, record := approveThroughConsole(c, form, leaf)
	if !strings.Contains(c.body, "930303-2******") || strings.Contains(c.body, rrn) {
		t.Fatal("the approval page shows the number unmasked, or not at all")
	}
	if _, e := h.raw().passwordLogin(loginID, initial); e != nil {
		t.Fatalf("the password handed over does not work: %v", e)
	}

	c.wantPage(c.get(record), http.StatusOK, "유효 (valid)", "서지우", "010-****-6666")
	c.wantPage(c.post(record+"/renew", url.Values{}), http.StatusConflict, "갱신은 유효기간 만료 30일 전부터")
	expires := h.record(rrn).ExpiresAt
	h.set(expires.Add(-30 * 24 * time.Hour))
	// Two years on, the clerk logs in again and looks the citizen up again:
	// references live only as long as the session.
	c.wantPage(c.get(record), http.StatusOK, "로그인이 필요합니다")
	c.login("clerk-1", clerkPassword)
	c.wantPage(c.post("/console/search", url.Values{"rrn": {rrn}}), http.StatusOK, "갱신 가능 (renewable)")
	record = c.resp.Request.URL.Path
	c.wantPage(c.post(record+"/renew", url.Values{}), http.StatusOK, "승인을 갱신했습니다")
	if got := h.record(rrn).ExpiresAt; !got.Equal(expires.AddDate(2, 0, 0)) {
		t.Fatalf("renewed until %s", got)
	}

	a := h.raw()
	if _, e := a.certLogin(leaf, "", nil); e != nil {
		t.Fatal(e)
	}
	c.wantPage(c.post(record+"/revoke", url.Values{"reason": {""}}), http.StatusUnprocessableEntity, "취소 사유")
	c.wantPage(c.post(record+"/revoke", url.Values{"reason": {"본인 요청"}}), http.StatusOK, "승인을 취소했습니다", "취소됨 (revoked)", "본인 요청")
	if e, _ := a.call("/v1/identity/code", struct{}{}, nil); e == nil || e.Code != "unauthenticated" {
		t.Fatalf("the revoked citizen's session: %v", e)
	}
	c.wantPage(c.get(record), http.StatusOK, "승인 (approve)", "갱신 (renew)", "취소 (revoke)")
	c.wantPage(c.post(record+"/password", url.Values{}), http.StatusOK, "새 초기 비밀번호")
}

// TestConsoleSecurity: headers, cookies, CSRF, origin, session-bound
// references, lockout, logout and idle sessions.
func TestConsoleSecurity(t *testing.T) {
	h := newHarness(t, noAddressLimit)

	t.Run("every page carries the security headers", func(t *testing.T) {
		c := newConsoleClient(t, h.url, nil)
		for _, path := range []string{"/console/login", "/console/nowhere"} {
			c.get(path)
			hd := c.resp.Header
			if !strings.Contains(hd.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				hd.Get("X-Frame-Options") != "DENY" || hd.Get("Cache-Control") != "no-store" || hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s: headers %v", path, hd)
			}
		}
	})
	cookieOf := func(resp *http.Response, suffix string) *http.Cookie {
		for _, ck := range resp.Cookies() {
			if strings.HasSuffix(ck.Name, suffix) {
				return ck
			}
		}
		return nil
	}
	t.Run("cookies are HttpOnly and SameSite=Strict; Secure over TLS or when configured", func(t *testing.T) {
		resp, err := http.Get(h.url + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ck := cookieOf(resp, "bonsign_console_pre")
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
			t.Fatalf("plain HTTP: %+v", ck)
		}
		tlsSrv := httptest.NewTLSServer(h.srv.Handler())
		defer tlsSrv.Close()
		c := newConsoleClient(t, tlsSrv.URL, tlsSrv.Client())
		c.wantPage(c.login("clerk-1", clerkPassword), http.StatusOK, "승인 조회")
		var session *http.Cookie
		for _, r := range []*http.Response{c.resp, c.resp.Request.Response} {
			if r != nil && cookieOf(r, "bonsign_console") != nil {
				session = cookieOf(r, "bonsign_console")
			}
		}
		if session == nil || session.Name != "__Host-bonsign_console" || !session.Secure || !session.HttpOnly || session.Path != "/" ||
			session.SameSite != http.SameSiteStrictMode {
			t.Fatalf("TLS: %+v", session)
		}
		forced := newHarness(t, server.WithSecureCookies(true))
		resp, err = http.Get(forced.url + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ck := cookieOf(resp, "bonsign_console_pre"); ck == nil || !ck.Secure {
			t.Fatalf("-secure-cookies on plain HTTP: %+v", ck)
		}
	})
	t.Run("forms without their CSRF token, or from another site, are refused", func(t *testing.T) {
		c := newConsoleClient(t, h.url, nil)
		c.get("/console/login")
		c.wantPage(c.post("/console/login", url.Values{"csrf": {"forged"}, "login": {"clerk-1"}, "password": {clerkPassword}}), http.StatusForbidden)
		c.wantPage(c.login("clerk-1", clerkPassword), http.StatusOK)
		c.wantPage(c.post("/console/search", url.Values{"csrf": {""}, "rrn": {citizenRRN}}), http.StatusForbidden, "CSRF")
		other := newConsoleClient(t, h.url, nil)
		other.login("clerk-1", clerkPassword)
		c.wantPage(c.post("/console/search", url.Values{"csrf": {other.csrf()}, "rrn": {citizenRRN}}), http.StatusForbidden)
		req, _ := http.NewRequest(http.MethodPost, h.url+"/console/search", strings.NewReader(url.Values{"csrf": {c.csrf()}, "rrn": {citizenRRN}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		c.wantPage(c.do(req), http.StatusForbidden, "다른 사이트")
	})
	t.Run("a citizen's reference works only in the session that looked them up", func(t *testing.T) {
		c := newConsoleClient(t, h.url, nil)
		c.login("clerk-1", clerkPassword)
		c.wantPage(c.post("/console/search", url.Values{"rrn": {citizenRRN}}), http.StatusOK, citizenName)
		record := c.resp.Request.URL.Path
		if strings.Contains(c.resp.Request.URL.String(), "950315") {
			t.Fatal("the number is in the URL")
		}
		other := newConsoleClient(t, h.url, nil)
		other.login("clerk-1", clerkPassword)
		other.wantPage(other.get(record), http.StatusNotFound, "다시 조회")
		id, _, _ := strings.Cut(strings.TrimPrefix(record, "/console/citizens/"), ".")
		other.wantPage(other.get("/console/citizens/"+id+".guess"), http.StatusNotFound)
	})
	t.Run("five wrong passwords lock the clerk for 15 minutes", func(t *testing.T) {
		if _, err := h.srv.AddClerk(t.Context(), "clerk-2", "이담당", "사직동", "clerk-two-pass-1"); err != nil {
			t.Fatal(err)
		}
		c := newConsoleClient(t, h.url, nil)
		for range 4 {
			c.wantPage(c.login("clerk-2", "wrong-password-1"), http.StatusUnauthorized, "맞지 않습니다")
		}
		c.wantPage(c.login("clerk-2", "wrong-password-1"), http.StatusTooManyRequests, "잠겼습니다")
		c.wantPage(c.login("clerk-2", "clerk-two-pass-1"), http.StatusTooManyRequests, "잠겼습니다")
		c.wantPage(c.login("nobody", "clerk-two-pass-1"), http.StatusUnauthorized, "맞지 않습니다")
		h.advance(15 * time.Minute)
		c.wantPage(c.login("clerk-2", "clerk-two-pass-1"), http.StatusOK, "이담당")
	})
	t.Run("logout and idle sessions end", func(t *testing.T) {
		c := newConsoleClient(t, h.url, nil)
		c.login("clerk-1", clerkPassword)
		c.wantPage(c.post("/console/logout", url.Values{}), http.StatusOK, "담당자 로그인")
		c.wantPage(c.get("/console/search"), http.StatusOK, "로그인이 필요합니다")
		c.login("clerk-1", clerkPassword)
		h.advance(server.ClerkSessionIdle)
		c.wantPage(c.get("/console/search"), http.StatusOK, "로그인이 필요합니다")
	})
}
