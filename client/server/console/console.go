// Package console holds the server's two web consoles, rendered on the
// server from html/template files embedded in the binary, Korean first with
// English labels beside:
//
//   - the clerk console (New, at /console/): the pages through which a clerk
//     at a 읍·면·동 office approves citizens in person, renews and revokes
//     their approvals, records a legal representative's or limited
//     guardian's consent, and hands over the initial password (R1-R4). It
//     needs no JavaScript.
//   - the officer console (NewOfficer, at /officer/): the pages through which
//     an officer of a recipient institution (수요기관) logs in with a password
//     and a one-time code, verifies a confirmation by issue number and name
//     (R10), prints the result, and sees their own lookups. One small script
//     file opens the print dialog; everything works without it.
//
// Security, for both: accounts are made by the admin command; the session
// lives in an HttpOnly, SameSite=Strict cookie which is Secure whenever the
// request came over TLS (or Config.ForceSecure says TLS ends in front of the
// server): browsers do not send Secure cookies over plain HTTP, so on a
// plain-HTTP development server the cookie cannot be Secure. Every form
// carries a CSRF token bound to the session, and a request whose Origin is
// another site is refused. A citizen is named in URLs and forms by a
// reference bound to the clerk's session, never by the resident registration
// number, which travels only in POST bodies; the officer console puts issue
// numbers and names in POST bodies only. Every page is sent with a strict
// Content-Security-Policy, X-Frame-Options DENY and Cache-Control no-store.
package console

import (
	"context"
	"crypto/subtle"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
)

// Backend is what the console needs from the issuance server; *server.Server
// implements it.
type Backend interface {
	Now() time.Time
	ClerkLogin(ctx context.Context, login, password string) (*approval.Clerk, string, error)
	ClerkSession(ctx context.Context, token string) (*approval.Clerk, error)
	ClerkLogout(ctx context.Context, token string) error
	CitizenID(ctx context.Context, rrn string) (int64, error)
	LookupID(ctx context.Context, id int64) (*approval.Record, error)
	Approve(ctx context.Context, req approval.Request) (*approval.Granted, error)
	Renew(ctx context.Context, by approval.Clerk, id int64) (*approval.Record, error)
	Revoke(ctx context.Context, by approval.Clerk, id int64, reason string) error
	RecordConsent(ctx context.Context, by approval.Clerk, id int64, limited bool, req approval.ConsentRequest) error
	ResetPassword(ctx context.Context, by approval.Clerk, id int64) (string, error)
}

// Config configures the console.
type Config struct {
	// ForceSecure marks cookies Secure even on plain-HTTP requests, for a
	// server behind a proxy that terminates TLS.
	ForceSecure bool
	// Key (32 bytes or more, secret, the same on every server of a
	// deployment) keys the CSRF tokens and the citizen references.
	Key []byte
	// Log receives the console's events; never personal data.
	Log *slog.Logger
}

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Limits of requests.
const (
	maxForm   = 16 << 10
	maxUpload = 1 << 20
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/console.css
var stylesheet []byte

type console struct {
	*web
	b Backend
}

// New returns the console's handler, to be mounted at Prefix.
func New(b Backend, cfg Config) http.Handler {
	c := &console{web: newWeb(Prefix, cfg, cspNoScript), b: b}
	c.parsePages(templateFS, "templates/layout.html", "templates/*.html")
	c.refuse = func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusForbidden, "message", &page{Title: "거부됨", Error: "다른 사이트에서 보낸 요청은 받지 않습니다. (Cross-site request refused.)"})
	}
	m := c.mux
	m.HandleFunc("GET /console/{$}", c.home)
	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.login)
	m.HandleFunc("POST /console/logout", c.withClerk(c.logout))
	m.HandleFunc("GET /console/search", c.withClerk(c.searchPage))
	m.HandleFunc("POST /console/search", c.withClerk(c.search))
	m.HandleFunc("GET /console/approve", c.withClerk(c.approvePage))
	m.HandleFunc("POST /console/approve", c.withClerk(c.approve))
	m.HandleFunc("GET /console/citizens/{ref}", c.withClerk(c.citizen))
	m.HandleFunc("POST /console/citizens/{ref}/renew", c.withClerk(c.renew))
	m.HandleFunc("POST /console/citizens/{ref}/revoke", c.withClerk(c.revoke))
	m.HandleFunc("POST /console/citizens/{ref}/consent", c.withClerk(c.consent))
	m.HandleFunc("POST /console/citizens/{ref}/password", c.withClerk(c.resetPassword))
	m.HandleFunc("GET /console/static/{name}", c.serveStatic)
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "message", &page{Title: "찾을 수 없음", Error: "찾는 페이지가 없습니다. (Not found.)"})
	})
	return c
}

const (
	sessionCookie = "bonsign_console"
	preCookie     = "bonsign_console_pre" // before login: what the login form's CSRF token is bound to
)

// ref names citizen id for the clerk's session token; only that session can
// use it.
func (c *console) ref(token string, id int64) string {
	s := strconv.FormatInt(id, 10)
	return s + "." + c.mac("ref", token, s)
}

func (c *console) parseRef(token, ref string) (int64, bool) {
	s, _, ok := strings.Cut(ref, ".")
	id, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || subtle.ConstantTimeCompare([]byte(ref), []byte(c.ref(token, id))) != 1 {
		return 0, false
	}
	return id, true
}

// session is a logged-in clerk's request.
type session struct {
	clerk *approval.Clerk
	token string
}

type clerkHandler func(w http.ResponseWriter, r *http.Request, s *session)

// withClerk requires a logged-in clerk, and a valid CSRF token on a POST.
func (c *console) withClerk(next clerkHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := c.cookie(r, sessionCookie)
		var clerk *approval.Clerk
		if token != "" {
			var err error
			clerk, err = c.b.ClerkSession(r.Context(), token)
			if err != nil && !errors.Is(err, approval.ErrSessionEnded) {
				c.fail(w, r, err)
				return
			}
		}
		if clerk == nil {
			if token != "" {
				c.setCookie(w, r, sessionCookie, "", -1)
			}
			http.Redirect(w, r, Prefix+"login?ended=1", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			limit := int64(maxForm)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = maxUpload
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				if err := r.ParseMultipartForm(maxUpload); err != nil {
					c.render(w, r, http.StatusRequestEntityTooLarge, "message", &page{Title: "요청 오류", Error: "보낸 내용이 너무 크거나 읽을 수 없습니다. (The form is too large or malformed.)"})
					return
				}
			}
			if !c.checkCSRF(r, token) {
				c.render(w, r, http.StatusForbidden, "message", &page{Title: "거부됨", Clerk: clerk, CSRF: c.csrfToken(token),
					Error: "보안 확인(CSRF) 값이 맞지 않습니다. 페이지를 새로 열고 다시 시도하세요. (The form's security token is missing or wrong.)"})
				return
			}
		}
		next(w, r, &session{clerk: clerk, token: token})
	}
}

// page is what every template gets.
type page struct {
	Title  string
	Clerk  *approval.Clerk
	CSRF   string
	Flash  string
	Error  string
	Fields map[string]string // field -> message, Korean first
	Form   map[string]string
	Now    time.Time

	Record   *approval.Record
	Ref      string
	Granted  *approval.Granted
	Password string // an initial password, shown once
	Status   approval.Status
}

func (c *console) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.Now.IsZero() {
		p.Now = c.b.Now()
	}
	c.execute(w, status, name, p)
}

func (c *console) home(w http.ResponseWriter, r *http.Request) {
	if token := c.cookie(r, sessionCookie); token != "" {
		if clerk, err := c.b.ClerkSession(r.Context(), token); err == nil && clerk != nil {
			http.Redirect(w, r, Prefix+"search", http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	pre := c.preToken(w, r, preCookie)
	p := &page{Title: "담당자 로그인", CSRF: c.csrfToken(pre)}
	if r.URL.Query().Get("ended") != "" {
		p.Flash = "로그인이 필요합니다. 세션이 끝났거나 로그아웃되었습니다. (Please log in.)"
	}
	c.render(w, r, http.StatusOK, "login", p)
}

func (c *console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	pre := c.cookie(r, preCookie)
	again := func(status int, msg string) {
		if pre == "" {
			pre = c.preToken(w, r, preCookie)
		}
		c.render(w, r, status, "login", &page{Title: "담당자 로그인", CSRF: c.csrfToken(pre), Error: msg,
			Form: map[string]string{"login": r.PostFormValue("login")}})
	}
	if !c.checkCSRF(r, pre) {
		again(http.StatusForbidden, "보안 확인 값이 맞지 않습니다. 다시 로그인하세요. (The form expired: please log in again.)")
		return
	}
	clerk, token, err := c.b.ClerkLogin(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"))
	var locked *approval.LockedError
	switch {
	case errors.As(err, &locked):
		again(http.StatusTooManyRequests, fmt.Sprintf("비밀번호를 여러 번 잘못 입력하여 계정이 %s까지 잠겼습니다. (Too many wrong passwords: the account is locked until then.)",
			locked.Until.In(api.KST).Format("2006-01-02 15:04")))
		return
	case errors.Is(err, approval.ErrLoginFailed):
		again(http.StatusUnauthorized, "로그인 ID 또는 비밀번호가 맞지 않습니다. (Wrong login or password.)")
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, preCookie, "", -1)
	c.setCookie(w, r, sessionCookie, token, 0)
	c.cfg.Log.Info("console login", "clerk", clerk.ID)
	http.Redirect(w, r, Prefix+"search", http.StatusSeeOther)
}

func (c *console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.b.ClerkLogout(r.Context(), s.token); err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

func (c *console) base(s *session, title string) *page {
	return &page{Title: title, Clerk: s.clerk, CSRF: c.csrfToken(s.token)}
}

func (c *console) searchPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "search", c.base(s, "승인 조회"))
}

// search finds a citizen's approval by number: to their record, or to the
// approval form with the number filled in when there is none.
func (c *console) search(w http.ResponseWriter, r *http.Request, s *session) {
	rrn := strings.TrimSpace(r.PostFormValue("rrn"))
	id, err := c.b.CitizenID(r.Context(), rrn)
	var inv *approval.InvalidError
	switch {
	case errors.As(err, &inv):
		p := c.base(s, "승인 조회")
		p.Error, p.Fields = invalidMessage(inv)
		c.render(w, r, http.StatusUnprocessableEntity, "search", p)
	case errors.Is(err, approval.ErrNotFound):
		p := c.base(s, "새 승인")
		p.Flash = "이 주민등록번호로 승인된 내역이 없습니다. 신분증을 확인하고 새로 승인하세요. (No approval for this number.)"
		p.Form = map[string]string{"rrn": rrn, "identity_method": approval.MethodMobile}
		c.render(w, r, http.StatusOK, "approve", p)
	case err != nil:
		c.fail(w, r, err)
	default:
		http.Redirect(w, r, Prefix+"citizens/"+c.ref(s.token, id), http.StatusSeeOther)
	}
}

func (c *console) approvePage(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.base(s, "새 승인")
	p.Form = map[string]string{"identity_method": approval.MethodMobile}
	c.render(w, r, http.StatusOK, "approve", p)
}

// formFields are the approval form's text fields, kept to fill the form
// again after an error.
var formFields = []string{"name", "rrn", "address", "phone", "identity_method", "channel", "text_capable", "login_id",
	"limited", "consent_kind", "consent_name", "consent_relation", "consent_rrn", "consent_document", "id_checked"}

func (c *console) approve(w http.ResponseWriter, r *http.Request, s *session) {
	form := map[string]string{}
	for _, f := range formFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	req := approval.Request{
		Name: form["name"], RRN: form["rrn"], Address: form["address"], Phone: form["phone"],
		IdentityMethod: form["identity_method"], Channel: form["channel"], TextCapable: form["text_capable"] != "",
		LimitedGuardianship: form["limited"] != "", LoginID: form["login_id"],
		Consent: &approval.ConsentRequest{Kind: form["consent_kind"], Name: form["consent_name"], Relation: form["consent_relation"],
			RRN: form["consent_rrn"], Document: form["consent_document"]},
		Office: s.clerk.Office, Clerk: s.clerk.Login,
	}
	fields := map[string]string{}
	var err error
	if req.Certificate, req.Intermediates, err = uploadedCert(r, "certificate"); err != nil {
		fields["certificate"] = "인증서 파일을 읽을 수 없습니다 (PEM 또는 DER). (The certificate file cannot be read.)"
	}
	var tokenChain []*x509.Certificate
	if req.TokenCertificate, tokenChain, err = uploadedCert(r, "token_certificate"); err != nil {
		fields["token_certificate"] = "보안토큰 인증서 파일을 읽을 수 없습니다 (PEM 또는 DER). (The token certificate cannot be read.)"
	}
	req.Intermediates = append(req.Intermediates, tokenChain...)
	if form["id_checked"] == "" {
		fields["id_checked"] = "신분증으로 본인임을 확인했는지 표시하세요. (Confirm the in-person ID check.)"
	}
	p := c.base(s, "새 승인")
	form["consent_rrn"] = "" // never echoed back into the page
	p.Form = form
	if len(fields) > 0 {
		p.Error, p.Fields = "입력 내용을 확인하세요. (Please check the marked fields.)", fields
		c.render(w, r, http.StatusUnprocessableEntity, "approve", p)
		return
	}
	g, err := c.b.Approve(r.Context(), req)
	if err != nil {
		status, msg, fields := c.explain(err)
		if status == http.StatusInternalServerError {
			c.fail(w, r, err)
			return
		}
		p.Error, p.Fields = msg, fields
		c.render(w, r, status, "approve", p)
		return
	}
	c.cfg.Log.Info("console approve", "clerk", s.clerk.ID, "citizen", g.ID)
	rec, err := c.b.LookupID(r.Context(), g.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p = c.base(s, "승인 완료")
	p.Granted, p.Record, p.Ref, p.Password = g, rec, c.ref(s.token, g.ID), g.InitialPassword
	c.render(w, r, http.StatusOK, "approved", p)
}

// uploadedCert reads a certificate file field: PEM (the first certificate is
// the citizen's, any others intermediates) or DER. No file is (nil, nil, nil).
func uploadedCert(r *http.Request, field string) (*x509.Certificate, []*x509.Certificate, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, nil, nil
	}
	fh := r.MultipartForm.File[field][0]
	if fh.Size == 0 {
		return nil, nil, nil
	}
	data, err := readFile(fh)
	if err != nil {
		return nil, nil, err
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, nil, err
		}
		certs = append(certs, c)
	}
	return certs[0], certs[1:], nil
}

func readFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxUpload))
}

// citizenID reads the reference in the URL.
func (c *console) citizenID(w http.ResponseWriter, r *http.Request, s *session) (int64, bool) {
	id, ok := c.parseRef(s.token, r.PathValue("ref"))
	if !ok {
		p := c.base(s, "찾을 수 없음")
		p.Error = "이 링크는 지금 로그인한 세션에서 조회한 것이 아닙니다. 주민등록번호로 다시 조회하세요. (This link is not from your session: search again.)"
		c.render(w, r, http.StatusNotFound, "message", p)
	}
	return id, ok
}

var flashes = map[string]string{
	"renewed":  "승인을 갱신했습니다. (The approval was renewed.)",
	"revoked":  "승인을 취소했습니다. 이 사람의 로그인 세션은 모두 끝났습니다. (The approval was revoked; the citizen's sessions ended.)",
	"consent":  "동의를 기록했습니다. (The consent was recorded.)",
	"approved": "승인했습니다. (Approved.)",
}

func (c *console) citizen(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := c.citizenID(w, r, s)
	if !ok {
		return
	}
	c.showCitizen(w, r, s, id, http.StatusOK, flashes[r.URL.Query().Get("done")], "", nil)
}

func (c *console) showCitizen(w http.ResponseWriter, r *http.Request, s *session, id int64, status int, flash, errMsg string, fields map[string]string) {
	rec, err := c.b.LookupID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := c.base(s, "승인 내역")
	p.Record, p.Ref, p.Flash, p.Error, p.Fields = rec, c.ref(s.token, id), flash, errMsg, fields
	p.Status = rec.Status(c.b.Now())
	c.render(w, r, status, "citizen", p)
}

// act runs a change to citizen id and shows the record again: after a
// success through a redirect (so that reloading does not repeat it), after a
// refusal with the reason.
func (c *console) act(w http.ResponseWriter, r *http.Request, s *session, done string, f func(id int64) error) {
	id, ok := c.citizenID(w, r, s)
	if !ok {
		return
	}
	if err := f(id); err != nil {
		status, msg, fields := c.explain(err)
		if status == http.StatusInternalServerError {
			c.fail(w, r, err)
			return
		}
		c.showCitizen(w, r, s, id, status, "", msg, fields)
		return
	}
	c.cfg.Log.Info("console "+done, "clerk", s.clerk.ID, "citizen", id)
	http.Redirect(w, r, Prefix+"citizens/"+c.ref(s.token, id)+"?done="+done, http.StatusSeeOther)
}

func (c *console) renew(w http.ResponseWriter, r *http.Request, s *session) {
	c.act(w, r, s, "renewed", func(id int64) error {
		_, err := c.b.Renew(r.Context(), *s.clerk, id)
		return err
	})
}

func (c *console) revoke(w http.ResponseWriter, r *http.Request, s *session) {
	c.act(w, r, s, "revoked", func(id int64) error {
		return c.b.Revoke(r.Context(), *s.clerk, id, r.PostFormValue("reason"))
	})
}

func (c *console) consent(w http.ResponseWriter, r *http.Request, s *session) {
	c.act(w, r, s, "consent", func(id int64) error {
		return c.b.RecordConsent(r.Context(), *s.clerk, id, r.PostFormValue("limited") != "", approval.ConsentRequest{
			Kind: r.PostFormValue("consent_kind"), Name: r.PostFormValue("consent_name"), Relation: r.PostFormValue("consent_relation"),
			RRN: r.PostFormValue("consent_rrn"), Document: r.PostFormValue("consent_document"),
		})
	})
}

func (c *console) resetPassword(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := c.citizenID(w, r, s)
	if !ok {
		return
	}
	pw, err := c.b.ResetPassword(r.Context(), *s.clerk, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rec, err := c.b.LookupID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.cfg.Log.Info("console password reset", "clerk", s.clerk.ID, "citizen", id)
	p := c.base(s, "초기 비밀번호 재발급")
	p.Record, p.Ref, p.Password = rec, c.ref(s.token, id), pw
	c.render(w, r, http.StatusOK, "password", p)
}

// explain turns a registry error into an HTTP status and a message for the
// clerk, Korean first; 500 for anything unexpected.
func (c *console) explain(err error) (int, string, map[string]string) {
	var inv *approval.InvalidError
	var early *approval.RenewalTooEarlyError
	switch {
	case errors.As(err, &inv):
		msg, fields := invalidMessage(inv)
		return http.StatusUnprocessableEntity, msg, fields
	case errors.As(err, &early):
		return http.StatusConflict, fmt.Sprintf("갱신은 유효기간 만료 %d일 전부터 할 수 있습니다. 이 승인은 %s부터 갱신할 수 있습니다 (유효기간 %s까지). (Renewal is possible only in the %d days before expiry: from %s.)",
			approval.RenewalWindowDays, day(early.Opens), lastDay(early.Expires), approval.RenewalWindowDays, day(early.Opens)), nil
	case errors.Is(err, approval.ErrExpired):
		return http.StatusConflict, "유효기간이 지난 승인은 갱신할 수 없습니다. 신분증을 확인하고 새로 승인하세요. (The approval has expired: approve the citizen again in person.)", nil
	case errors.Is(err, approval.ErrRevoked):
		return http.StatusConflict, "취소된 승인입니다. 다시 이용하려면 신분증을 확인하고 새로 승인하세요. (The approval was revoked.)", nil
	case errors.Is(err, approval.ErrAlreadyApproved):
		return http.StatusConflict, "이미 유효한 승인이 있습니다. 조회하여 갱신하거나, 취소한 뒤 새로 승인하세요. (The citizen already has an approval in force.)", nil
	case errors.Is(err, approval.ErrConsentRequired):
		return http.StatusUnprocessableEntity, "미성년자와 피한정후견인은 법정대리인 또는 한정후견인의 동의를 기록해야 승인할 수 있습니다. (A minor or a person under limited guardianship needs their representative's consent.)",
			map[string]string{"consent_kind": "동의 내용을 입력하세요."}
	case errors.Is(err, approval.ErrCertificateTaken):
		return http.StatusConflict, "이 인증서는 다른 사람의 승인에 등록되어 있습니다. (The certificate is registered to someone else.)",
			map[string]string{"certificate": "다른 사람에게 등록된 인증서입니다."}
	case errors.Is(err, approval.ErrLoginIDTaken):
		return http.StatusConflict, "이미 쓰이는 로그인 ID입니다. 다른 ID를 정하세요. (The login ID is taken.)",
			map[string]string{"login_id": "이미 쓰이는 ID입니다."}
	case errors.Is(err, approval.ErrConflict):
		return http.StatusConflict, "다른 담당자가 같은 승인을 동시에 변경했습니다. 내용을 다시 확인하세요. (Changed by someone else meanwhile.)", nil
	case errors.Is(err, approval.ErrNotFound):
		return http.StatusNotFound, "승인 내역이 없습니다. (No such approval.)", nil
	}
	return http.StatusInternalServerError, "", nil
}

func invalidMessage(inv *approval.InvalidError) (string, map[string]string) {
	fields := map[string]string{}
	for _, f := range inv.Fields {
		key := strings.ReplaceAll(f.Field, ".", "_")
		fields[key] = f.MessageKo + " (" + f.Message + ")"
	}
	return "입력 내용을 확인하세요. (Please check the marked fields.)", fields
}

// fail logs an unexpected error (never with personal data: the errors of the
// server name records by id) and shows a plain page.
func (c *console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.cfg.Log.Error("console error", "path", r.URL.Path, "err", err.Error())
	c.render(w, r, http.StatusInternalServerError, "message", &page{Title: "오류",
		Error: "서버에 문제가 생겼습니다. 잠시 후 다시 시도하세요. (Something went wrong on the server.)"})
}
