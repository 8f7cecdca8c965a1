package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/institution"
)

// officerAccount is an officer the test made, with what the administrator
// handed over.
type officerAccount struct {
	h      *harness
	login  string
	pw     string
	secret string
	info   institution.Officer
}

// addOfficer creates an officer at institution code; the password is drawn.
func (h *harness) addOfficer(code, login, name string) *officerAccount {
	h.t.Helper()
	e, err := h.srv.AddOfficer(context.Background(), code, login, name, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return &officerAccount{h: h, login: login, pw: e.Password, secret: e.TOTPSecret, info: e.Officer}
}

// code is the officer's one-time code now, as their authenticator app shows it.
func (a *officerAccount) code() string {
	a.h.t.Helper()
	c, err := institution.TOTPCode(a.secret, institution.TOTPStep(a.h.clock()))
	if err != nil {
		a.h.t.Fatal(err)
	}
	return c
}

// issue issues a confirmation of the harness citizen to npsName, with a
// delegate, and returns the server's answer (with the history token).
func (h *harness) issue(c *client.Client) (*api.Confirmation, *api.IssueResponse) {
	h.t.Helper()
	conf := draft()
	conf.Delegate = &api.Person{Name: "김대리", RRN: "850315-2345678", Address: "서울특별시 마포구 월드컵북로 400"}
	resp, err := c.IssueSigned(context.Background(), conf, sign(h.t, h.citizen, conf))
	if err != nil {
		h.t.Fatal(err)
	}
	return &conf, resp
}

// rawVerify calls POST /v1/verify with an API key and returns the raw answer.
func (h *harness) rawVerify(key, number, name string) (int, http.Header, []byte) {
	h.t.Helper()
	body, _ := json.Marshal(api.VerifyRequest{IssueNumber: number, Name: name})
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/verify", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func errorCode(t *testing.T, body []byte) api.Code {
	t.Helper()
	var eb api.ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error == nil {
		t.Fatalf("not an error body: %s", body)
	}
	return eb.Error.Code
}

func TestTheRightInstitutionSeesEverything(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	conf, issued := h.issue(h.loggedIn(h.citizen))
	number := issued.Receipt.IssueNumber

	t.Run("its system, with an API key", func(t *testing.T) {
		got, err := client.New(h.url).Verify(ctx, h.npsKey, strings.ReplaceAll(number, "-", ""), " "+citizenName+" ")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "issued" || got.Confirmation.Citizen != conf.Citizen || *got.Confirmation.Delegate != *conf.Delegate ||
			got.Confirmation.Counterparty != conf.Counterparty || got.Receipt.IssueNumber != number {
			t.Fatalf("lookup returned %+v", got)
		}
	})
	t.Run("its officer, in the console's backend", func(t *testing.T) {
		kim := h.addOfficer(npsCode, "kim.nps", "김확인")
		v, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", number, citizenName)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != "issued" || v.Confirmation.Citizen.RRN != citizenRRN || v.Confirmation.Purpose != conf.Purpose ||
			v.Receipt.MaskedRRN != "950315-2******" || !v.IssuedAt.Truncate(time.Second).Equal(mustTime(t, issued.Receipt.IssuedAt)) {
			t.Fatalf("officer sees %+v", v)
		}
	})
	t.Run("a name typed as decomposed jamo (NFD) is the same name", func(t *testing.T) {
		nfd := "\u1100\u1175\u11b7\u1106\u1175\u11ab\u1109\u1165" // 김민서, as macOS files spell it
		if _, err := client.New(h.url).Verify(ctx, h.npsKey, number, nfd); err != nil {
			t.Fatal(err)
		}
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEveryRefusedLookupIsTheSameAnswer: a confirmation of another
// institution, a wrong name and an unknown number: byte for byte the same
// response, through the API and in the console.
func TestEveryRefusedLookupIsTheSameAnswer(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	_, issued := h.issue(h.loggedIn(h.citizen))
	number := issued.Receipt.IssueNumber
	unknown, _ := api.NewIssueNumber(nil)

	cases := []struct{ name, key, number, citizen string }{
		{"another institution", h.hugKey, number, citizenName},
		{"a wrong name", h.npsKey, number, "김민수"},
		{"an unknown number", h.npsKey, unknown, citizenName},
	}
	var first []byte
	var firstHeader http.Header
	for i, tc := range cases {
		status, hd, body := h.rawVerify(tc.key, tc.number, tc.citizen)
		if status != http.StatusNotFound || errorCode(t, body) != api.CodeNotFound {
			t.Fatalf("%s: %d %s", tc.name, status, body)
		}
		hd.Del("Date")
		if i == 0 {
			first, firstHeader = body, hd
			continue
		}
		if !bytes.Equal(body, first) {
			t.Errorf("%s answers\n%s\nbut %s answers\n%s", tc.name, body, cases[0].name, first)
		}
		if hd.Get("Content-Length") != firstHeader.Get("Content-Length") || hd.Get("Content-Type") != firstHeader.Get("Content-Type") {
			t.Errorf("%s: headers %v, %v", tc.name, hd, firstHeader)
		}
	}

	// The same in the console: one page, whatever the reason.
	kim := h.addOfficer(npsCode, "kim.nps", "김확인")
	lee := h.addOfficer(hugCode, "lee.hug", "이확인")
	errorRE := regexp.MustCompile(`id="error">([^<]*)<`)
	var pages []string
	for _, tc := range []struct {
		officer         *officerAccount
		number, citizen string
	}{{lee, number, citizenName}, {kim, number, "김민수"}, {kim, unknown, citizenName}} {
		c := newConsoleClient(t, h.url, nil)
		c.wantPage(c.officerLogin(tc.officer), http.StatusOK, "발급번호")
		c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {tc.number}, "name": {tc.citizen}}), http.StatusNotFound)
		m := errorRE.FindStringSubmatch(c.body)
		if m == nil {
			t.Fatalf("no error on the page:\n%s", c.body)
		}
		pages = append(pages, m[1])
		h.advance(institution.TOTPPeriod * time.Second) // each login needs a fresh code
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Fatalf("the console's answers differ:\n%s", strings.Join(pages, "\n"))
	}
}

// TestTheCitizenSeesEveryLookup: found, wrong name and other institution, by
// officers and by systems, each with who and when; nothing of attempts with
// numbers that are not theirs; no session needed, only the token.
func TestTheCitizenSeesEveryLookup(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	ctx := context.Background()
	citizen := h.loggedIn(h.citizen)
	conf, issued := h.issue(citizen)
	number := issued.Receipt.IssueNumber
	if !strings.HasPrefix(issued.HistoryToken, "bsh_") || len(issued.HistoryToken) != 47 {
		t.Fatalf("history token %q", issued.HistoryToken)
	}
	kim := h.addOfficer(npsCode, "kim.nps", "김확인")
	// A retried issuance answers with a token of its own; both read the
	// history.
	again, err := citizen.IssueSigned(ctx, *conf, sign(t, h.citizen, *conf))
	if err != nil || again.Receipt.IssueNumber != number || again.HistoryToken == issued.HistoryToken || again.HistoryToken == "" {
		t.Fatalf("retry: %+v, %v", again, err)
	}

	t0 := h.clock().Add(time.Hour).In(api.KST).Truncate(time.Minute)
	at := func(minutes int, layout string) string {
		return t0.Add(time.Duration(minutes) * time.Minute).Format(layout)
	}
	const iso, human = time.RFC3339, "2006-01-02 15:04"
	h.set(t0)
	if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", number, citizenName); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", number, "김민수"); !errors.Is(err, institution.ErrNotFound) {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	other, _ := api.NewIssueNumber(nil)
	h.rawVerify(h.npsKey, other, citizenName) // a number that is not this citizen's
	h.rawVerify(h.hugKey, number, citizenName)
	h.advance(time.Minute)
	h.rawVerify(h.npsKey, number, citizenName)

	// The wallet asks without any session: a fresh client, the token alone.
	hist, err := client.New(h.url).LookupHistory(ctx, issued.HistoryToken)
	if err != nil {
		t.Fatal(err)
	}
	if hist.IssueNumber != number {
		t.Fatalf("history of %s", hist.IssueNumber)
	}
	want := []api.LookupEntry{
		{At: at(3, iso), Institution: api.Institution{Code: npsCode, Name: npsName}, By: api.LookupSystemLabel, Channel: "api",
			Result: "found", ResultKo: "확인", MessageKo: "국민연금공단이 " + at(3, human) + "에 확인했습니다.",
			Message: "국민연금공단 checked it on " + at(3, human) + "."},
		{At: at(2, iso), Institution: api.Institution{Code: hugCode, Name: "주택도시보증공사"}, By: api.LookupSystemLabel, Channel: "api",
			Result: "other_institution", ResultKo: "제출기관 아님",
			MessageKo: "주택도시보증공사가 " + at(2, human) + "에 조회했으나 이 확인서의 제출기관이 아니어서 거절되었습니다.",
			Message:   "주택도시보증공사 looked it up on " + at(2, human) + ", but it is not addressed to them, and was refused."},
		{At: at(1, iso), Institution: api.Institution{Code: npsCode, Name: npsName}, By: "김확인", Channel: "console",
			Result: "wrong_name", ResultKo: "성명 불일치", MessageKo: "국민연금공단이 " + at(1, human) + "에 조회했으나 성명이 일치하지 않아 거절되었습니다.",
			Message: "국민연금공단 looked it up on " + at(1, human) + " with another name, and was refused."},
		{At: at(0, iso), Institution: api.Institution{Code: npsCode, Name: npsName}, By: "김확인", Channel: "console",
			Result: "found", ResultKo: "확인", MessageKo: "국민연금공단이 " + at(0, human) + "에 확인했습니다.",
			Message: "국민연금공단 checked it on " + at(0, human) + "."},
	}
	if len(hist.Lookups) != len(want) {
		t.Fatalf("%d lookups, want %d: %+v", len(hist.Lookups), len(want), hist.Lookups)
	}
	for i := range want {
		if hist.Lookups[i] != want[i] {
			t.Errorf("lookup %d:\n got %+v\nwant %+v", i, hist.Lookups[i], want[i])
		}
	}

	if h2, err := client.New(h.url).LookupHistory(ctx, again.HistoryToken); err != nil || len(h2.Lookups) != len(want) {
		t.Fatalf("the retry's token: %+v, %v", h2, err)
	}
	for _, bad := range []string{"", "bsh_" + strings.Repeat("A", 43), h.npsKey, issued.HistoryToken + "x"} {
		_, err := client.New(h.url).LookupHistory(ctx, bad)
		wantCode(t, err, api.CodeUnauthenticated)
	}
	// The token shows the lookups and nothing of the confirmation itself.
	req, _ := http.NewRequest(http.MethodGet, h.url+"/v1/lookups", nil)
	req.Header.Set("Authorization", "Bearer "+issued.HistoryToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, secret := range []string{citizenRRN, conf.Purpose, conf.Counterparty.Name, conf.Delegate.RRN, citizenName} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the history shows %q", secret)
		}
	}
}

// TestLookupRateLimits: per key, per officer and per client address, each
// with its own bucket; the clock refills them.
func TestLookupRateLimits(t *testing.T) {
	slow := server.LookupLimits{PerOfficer: 1.0 / 60, OfficerBurst: 3, PerKey: 1.0 / 60, KeyBurst: 3, PerAddress: 1.0 / 60, AddressBurst: 1000,
		MaxMisses: 100, MissWindow: time.Minute, Lockout: time.Minute}
	ctx := context.Background()

	t.Run("per key", func(t *testing.T) {
		h := newHarness(t, noAddressLimit, server.WithLookupLimits(slow))
		_, issued := h.issue(h.loggedIn(h.citizen))
		for range 3 {
			if status, _, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName); status != http.StatusOK {
				t.Fatalf("%d %s", status, body)
			}
		}
		status, hd, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName)
		if status != http.StatusTooManyRequests || errorCode(t, body) != api.CodeRateLimited || hd.Get("Retry-After") == "" {
			t.Fatalf("the 4th lookup: %d %v %s", status, hd, body)
		}
		if status, _, _ := h.rawVerify(h.hugKey, issued.Receipt.IssueNumber, citizenName); status != http.StatusNotFound {
			t.Fatalf("another key is limited too: %d", status)
		}
		h.advance(time.Minute)
		if status, _, _ := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName); status != http.StatusOK {
			t.Fatalf("a minute on: %d", status)
		}
	})
	t.Run("per officer", func(t *testing.T) {
		h := newHarness(t, noAddressLimit, server.WithLookupLimits(slow))
		_, issued := h.issue(h.loggedIn(h.citizen))
		kim, park := h.addOfficer(npsCode, "kim.nps", "김확인"), h.addOfficer(npsCode, "park.nps", "박확인")
		for range 3 {
			if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName); !errors.Is(err, institution.ErrRateLimited) {
			t.Fatalf("the 4th lookup: %v", err)
		}
		if _, err := h.srv.OfficerVerify(ctx, park.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName); err != nil {
			t.Fatalf("another officer is limited too: %v", err)
		}
		// And in the console, the officer reads why.
		c := newConsoleClient(t, h.url, nil)
		c.officerLogin(kim)
		c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {issued.Receipt.IssueNumber}, "name": {citizenName}}),
			http.StatusTooManyRequests, "조회가 너무 잦습니다")
	})
	t.Run("per client address", func(t *testing.T) {
		perAddress := slow
		perAddress.AddressBurst, perAddress.KeyBurst, perAddress.OfficerBurst = 3, 1000, 1000
		h := newHarness(t, noAddressLimit, server.WithLookupLimits(perAddress))
		_, issued := h.issue(h.loggedIn(h.citizen))
		kim := h.addOfficer(npsCode, "kim.nps", "김확인")
		h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName)
		h.rawVerify(h.hugKey, issued.Receipt.IssueNumber, citizenName)
		if _, err := h.srv.OfficerVerify(ctx, kim.info, "127.0.0.1", issued.Receipt.IssueNumber, citizenName); err != nil {
			t.Fatal(err)
		}
		// Keys and officers together: the address has used its three.
		if status, _, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName); status != http.StatusTooManyRequests ||
			errorCode(t, body) != api.CodeRateLimited {
			t.Fatalf("the 4th lookup from 127.0.0.1: %d %s", status, body)
		}
		if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.7", issued.Receipt.IssueNumber, citizenName); err != nil {
			t.Fatalf("another address is limited too: %v", err)
		}
	})
}

// TestMissesLockTheCallerOut: ten lookups that find nothing within ten
// minutes lock that key or officer out for fifteen, with a clear code, even
// for a lookup that would find something; others go on.
func TestMissesLockTheCallerOut(t *testing.T) {
	ctx := context.Background()
	t.Run("an API key", func(t *testing.T) {
		h := newHarness(t, noAddressLimit)
		_, issued := h.issue(h.loggedIn(h.citizen))
		number := issued.Receipt.IssueNumber
		for i := range 10 {
			wrong := []string{"김민수", "이민서", "박민서"}[i%3]
			if status, _, body := h.rawVerify(h.npsKey, number, wrong); status != http.StatusNotFound {
				t.Fatalf("miss %d: %d %s", i+1, status, body)
			}
		}
		status, hd, body := h.rawVerify(h.npsKey, number, citizenName)
		if status != http.StatusTooManyRequests || errorCode(t, body) != api.CodeLookupLocked || hd.Get("Retry-After") != "900" {
			t.Fatalf("after ten misses: %d %v %s", status, hd, body)
		}
		if status, _, _ := h.rawVerify(h.hugKey, number, citizenName); status != http.StatusNotFound {
			t.Fatalf("another key: %d", status)
		}
		h.advance(14 * time.Minute)
		if status, _, _ := h.rawVerify(h.npsKey, number, citizenName); status != http.StatusTooManyRequests {
			t.Fatalf("14 minutes on: %d", status)
		}
		h.advance(time.Minute)
		if status, _, body := h.rawVerify(h.npsKey, number, citizenName); status != http.StatusOK {
			t.Fatalf("15 minutes on: %d %s", status, body)
		}
		// Locked attempts were refused before any lookup: the citizen sees
		// the ten misses and the two found, not the refusals.
		hist, err := client.New(h.url).LookupHistory(ctx, issued.HistoryToken)
		if err != nil || len(hist.Lookups) != 12 {
			t.Fatalf("history: %d lookups, %v", len(hist.Lookups), err)
		}
	})
	t.Run("an officer, misses of unknown numbers included", func(t *testing.T) {
		h := newHarness(t, noAddressLimit, server.WithLookupLimits(server.LookupLimits{MaxMisses: 10, MissWindow: 10 * time.Minute, Lockout: 15 * time.Minute}))
		_, issued := h.issue(h.loggedIn(h.citizen))
		kim, park := h.addOfficer(npsCode, "kim.nps", "김확인"), h.addOfficer(npsCode, "park.nps", "박확인")
		for i := range 9 {
			n, _ := api.NewIssueNumber(nil)
			if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", n, citizenName); !errors.Is(err, institution.ErrNotFound) {
				t.Fatalf("miss %d: %v", i+1, err)
			}
		}
		// A lookup that finds the confirmation is no miss.
		if _, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName); err != nil {
			t.Fatal(err)
		}
		h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", issued.Receipt.IssueNumber, "김민수")
		_, err := h.srv.OfficerVerify(ctx, kim.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName)
		var locked *institution.LookupLockedError
		if !errors.As(err, &locked) || !locked.Until.Equal(h.clock().Add(15*time.Minute).Truncate(time.Millisecond)) {
			t.Fatalf("after ten misses: %v", err)
		}
		if _, err := h.srv.OfficerVerify(ctx, park.info, "192.0.2.1", issued.Receipt.IssueNumber, citizenName); err != nil {
			t.Fatalf("another officer: %v", err)
		}
		c := newConsoleClient(t, h.url, nil)
		c.officerLogin(kim)
		c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {issued.Receipt.IssueNumber}, "name": {citizenName}}),
			http.StatusTooManyRequests, "조회가 차단되었습니다")
	})
	t.Run("misses spread beyond the window lock nothing", func(t *testing.T) {
		h := newHarness(t, noAddressLimit)
		_, issued := h.issue(h.loggedIn(h.citizen))
		for i := range 20 {
			if status, _, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, "김민수"); status != http.StatusNotFound {
				t.Fatalf("miss %d: %d %s", i+1, status, body)
			}
			h.advance(70 * time.Second) // nine in any ten minutes
		}
	})
}

// TestOfficersNeedTheOneTimeCode: the password alone does not log in; a
// wrong code looks like a wrong password; a code works once (RFC 6238
// section 5.2), the next one works; five failures lock the account.
func TestOfficersNeedTheOneTimeCode(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	kim := h.addOfficer(npsCode, "kim.nps", "김확인")
	if len(kim.pw) < 10 || kim.secret == "" {
		t.Fatalf("enrollment %+v", kim)
	}
	wrong := func(c string) string { return string('0'+(c[0]-'0'+1)%10) + c[1:] }

	for _, tc := range []struct{ name, login, pw, code string }{
		{"no code", "kim.nps", kim.pw, ""},
		{"a wrong code", "kim.nps", kim.pw, wrong(kim.code())},
		{"a wrong password with the right code", "kim.nps", "wrong-password-1", kim.code()},
		{"an unknown login", "nobody", kim.pw, kim.code()},
	} {
		if _, _, err := h.srv.OfficerLogin(ctx, tc.login, tc.pw, tc.code); !errors.Is(err, institution.ErrLoginFailed) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	o, token, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, kim.code())
	if err != nil || token == "" || o.InstitutionName != npsName || o.Name != "김확인" {
		t.Fatalf("login: %+v, %v", o, err)
	}
	// The same code again, within its 30 seconds (and within the skew after).
	code := kim.code()
	for _, d := range []time.Duration{0, 10 * time.Second, 30 * time.Second} {
		h.advance(d)
		if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, code); !errors.Is(err, institution.ErrLoginFailed) {
			t.Fatalf("the code replayed %s later: %v", d, err)
		}
	}
	if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, kim.code()); err != nil {
		t.Fatalf("the next code: %v", err)
	}
	// Three failures so far since the last success were reset by it; five
	// in a row now lock the account, and then even the right code is refused.
	for i := range 4 {
		if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, "000000"); !errors.Is(err, institution.ErrLoginFailed) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	var locked *institution.LockedError
	if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, "000000"); !errors.As(err, &locked) {
		t.Fatalf("the fifth failure: %v", err)
	}
	h.advance(time.Minute)
	if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, kim.code()); !errors.As(err, &locked) {
		t.Fatalf("locked, the right code: %v", err)
	}
	h.advance(server.OfficerLockout)
	if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, kim.code()); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	// A disabled officer's sessions end.
	if _, err := h.srv.OfficerSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.DisableOfficer(ctx, "kim.nps"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.OfficerSession(ctx, token); !errors.Is(err, institution.ErrSessionEnded) {
		t.Fatalf("a disabled officer's session: %v", err)
	}
	h.advance(time.Minute)
	if _, _, err := h.srv.OfficerLogin(ctx, "kim.nps", kim.pw, kim.code()); !errors.Is(err, institution.ErrLoginFailed) {
		t.Fatalf("a disabled officer logs in: %v", err)
	}
}

func TestOfficersAreCreatedOnlyForDirectoryInstitutions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.srv.AddOfficer(ctx, "x-casino", "kim.casino", "김", ""); err == nil {
		t.Fatal("an officer of an institution not in the directory")
	}
	h.addOfficer(npsCode, "kim.nps", "김확인")
	if _, err := h.srv.AddOfficer(ctx, npsCode, "kim.nps", "김확인", ""); !errors.Is(err, institution.ErrLoginTaken) {
		t.Fatalf("the same login twice: %v", err)
	}
	if _, err := h.srv.AddOfficer(ctx, npsCode, "lee.nps", "이확인", "short"); err == nil {
		t.Fatal("a weak password")
	}
}

func TestRevokedKeysStopWorking(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	_, issued := h.issue(h.loggedIn(h.citizen))
	keys, err := h.srv.InstitutionKeys(ctx, npsCode)
	if err != nil || len(keys) != 1 || keys[0].ID != server.KeyID(h.npsKey) || keys[0].Label != "test" {
		t.Fatalf("keys %+v, %v", keys, err)
	}
	if err := h.srv.RevokeInstitutionKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	status, _, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, citizenName)
	if status != http.StatusUnauthorized || !strings.Contains(string(body), "revoked") {
		t.Fatalf("a revoked key: %d %s", status, body)
	}
}

// officerLogin logs the console client in as an officer with a fresh code.
func (c *consoleClient) officerLogin(a *officerAccount) int {
	c.t.Helper()
	c.get("/officer/login")
	return c.post("/officer/login", url.Values{"login": {a.login}, "password": {a.pw}, "code": {a.code()}})
}

// TestOfficerConsole: the pages, through a browser without a screen; the
// security of the clerk console holds here too.
func TestOfficerConsole(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	_, issued := h.issue(h.loggedIn(h.citizen))
	number := issued.Receipt.IssueNumber
	kim := h.addOfficer(npsCode, "kim.nps", "김확인")

	c := newConsoleClient(t, h.url, nil)
	c.wantPage(c.get("/officer/"), http.StatusOK, "확인 담당자 로그인", `autocomplete="one-time-code"`)
	hd := c.resp.Header
	if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
		hd.Get("X-Frame-Options") != "DENY" || hd.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", hd)
	}
	c.wantPage(c.post("/officer/login", url.Values{"login": {"kim.nps"}, "password": {kim.pw}, "code": {""}}), http.StatusUnauthorized,
		"인증 코드가 맞지 않습니다")
	c.wantPage(c.post("/officer/login", url.Values{"csrf": {"forged"}, "login": {"kim.nps"}, "password": {kim.pw}, "code": {kim.code()}}),
		http.StatusForbidden)
	c.wantPage(c.officerLogin(kim), http.StatusOK, "국민연금공단 · 김확인", `id="verify-form"`)

	c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {number}, "name": {citizenName}}), http.StatusOK,
		"확인 결과", citizenRRN, "자동차 매도", "이영희", "800101-2345678", "김대리", "850315-2345678", "발급됨", number)
	if strings.Contains(c.resp.Request.URL.String(), strings.ReplaceAll(number, "-", "")[:8]) {
		t.Fatal("the number is in the address")
	}
	c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {"1234-5678-9012-3456"}, "name": {citizenName}}),
		http.StatusUnprocessableEntity, "틀린 숫자")
	c.wantPage(c.post("/officer/verify", url.Values{"issue_number": {number}, "name": {""}}), http.StatusUnprocessableEntity, "성명을 입력하세요")
	c.wantPage(c.post("/officer/verify", url.Values{"csrf": {""}, "issue_number": {number}, "name": {citizenName}}), http.StatusForbidden, "CSRF")
	req, _ := http.NewRequest(http.MethodPost, h.url+"/officer/verify", strings.NewReader(url.Values{"csrf": {c.csrf()}, "issue_number": {number},
		"name": {citizenName}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	c.wantPage(c.do(req), http.StatusForbidden, "다른 사이트")

	c.wantPage(c.get("/officer/history"), http.StatusOK, "내 조회 이력", "950315-2******", "확인")
	if strings.Contains(c.body, citizenRRN) {
		t.Fatal("the history shows the full number")
	}
	// The clerk's session opens nothing here, nor the officer's there.
	clerk := newConsoleClient(t, h.url, nil)
	clerk.login("clerk-1", clerkPassword)
	clerk.wantPage(clerk.get("/officer/verify"), http.StatusOK, "확인 담당자 로그인")
	c.wantPage(c.get("/console/search"), http.StatusOK, "담당자 로그인")

	c.wantPage(c.get("/officer/verify"), http.StatusOK)
	c.wantPage(c.post("/officer/logout", url.Values{}), http.StatusOK, "확인 담당자 로그인")
	c.wantPage(c.get("/officer/verify"), http.StatusOK, "로그인이 필요합니다")
	h.advance(time.Minute)
	c.officerLogin(kim)
	h.advance(server.OfficerSessionIdle)
	c.wantPage(c.get("/officer/verify"), http.StatusOK, "로그인이 필요합니다")
}

// BenchmarkLookup measures one institution lookup over HTTP on 127.0.0.1
// (plain net/http, no client library) that finds the confirmation: the key,
// the read, opening the sealed confirmation, the durable write of the log
// row, and signing the receipt.
func BenchmarkLookup(b *testing.B) {
	benchmarkLookup(b, citizenName)
}

// BenchmarkLookupMiss is BenchmarkLookup with a wrong name: the same work
// but the receipt's signature. Set beside BenchmarkLookup, it shows how alike
// the two cost (the lockout is off, so no misses are counted).
func BenchmarkLookupMiss(b *testing.B) {
	benchmarkLookup(b, "김민수")
}

func benchmarkLookup(b *testing.B, name string) {
	h := newHarness(b, server.WithLimits(server.Limits{}), server.WithLookupLimits(server.LookupLimits{}))
	_, issued := h.issue(h.loggedIn(h.citizen))
	want := http.StatusOK
	if name != citizenName {
		want = http.StatusNotFound
	}
	b.ResetTimer()
	for range b.N {
		if status, _, body := h.rawVerify(h.npsKey, issued.Receipt.IssueNumber, name); status != want {
			b.Fatalf("%d %s", status, body)
		}
	}
}
