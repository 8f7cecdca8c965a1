package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/internal/testpki"
)

// issueRaw issues a confirmation for name/rrn through a, signed by leaf.
func issueRaw(t *testing.T, a *rawAPI, leaf *testpki.Leaf, name, rrn string) (*api.IssueResponse, *api.Error) {
	t.Helper()
	conf := draft()
	conf.Citizen.Name, conf.Citizen.RRN = name, rrn
	var out api.IssueResponse
	e, _ := a.call("/v1/confirmations", api.IssueRequest{Confirmation: conf, Signature: sign(t, leaf, conf)}, &out)
	return &out, e
}

// TestPasswordFirstThenCertificate: the ID/password login with the initial
// password handed over at approval, its forced change, then the certificate.
func TestPasswordFirstThenCertificate(t *testing.T) {
	h := newHarness(t)
	leaf := h.ca.Issue(t, "박철수", testpki.Options{})
	g := h.approve(leaf, "박철수", "700707-1234567")
	a := h.raw()

	_, e := a.passwordLogin(g.LoginID, "not-the-password")
	wantAPICode(t, e, api.CodeLoginFailed)
	_, e = a.passwordLogin("nobody-here", g.InitialPassword)
	wantAPICode(t, e, api.CodeLoginFailed)

	pl, e := a.passwordLogin(g.LoginID, g.InitialPassword)
	if e != nil {
		t.Fatal(e)
	}
	if !pl.PasswordChangeRequired || pl.Next != "change_password" {
		t.Fatalf("password login %+v", pl)
	}
	pending := a.token
	// Until the initial password is changed, nothing else.
	_, e = a.certLogin(leaf, "", nil)
	wantAPICode(t, e, api.CodePasswordChangeRequired)
	a.token = pending
	e, _ = a.call("/v1/identity/code", struct{}{}, nil)
	wantAPICode(t, e, api.CodeLoginIncomplete)
	_, e = issueRaw(t, a, leaf, "박철수", "700707-1234567")
	wantAPICode(t, e, api.CodeIdentityRequired)

	for _, tc := range []struct {
		name      string
		cur, next string
		want      api.Code
	}{
		{"a weak new password", g.InitialPassword, "short1", api.CodeInvalidField},
		{"all letters", g.InitialPassword, "abcdefghijkl", api.CodeInvalidField},
		{"the same password", g.InitialPassword, g.InitialPassword, api.CodeInvalidField},
		{"a wrong current password", "wrong-wrong-1", "새비밀번호-2026!", api.CodeLoginFailed},
	} {
		e, _ = a.call("/v1/password", api.ChangePasswordRequest{CurrentPassword: tc.cur, NewPassword: tc.next}, nil)
		if e == nil || e.Code != tc.want {
			t.Fatalf("%s: %v, want %s", tc.name, e, tc.want)
		}
	}
	if e, _ = a.call("/v1/password", api.ChangePasswordRequest{CurrentPassword: g.InitialPassword, NewPassword: "새비밀번호-2026!"}, nil); e != nil {
		t.Fatal(e)
	}
	login, e := a.certLogin(leaf, "", nil)
	if e != nil {
		t.Fatal(e)
	}
	if login.PasswordChangeRequired || a.token == pending || login.Name != "박철수" {
		t.Fatalf("certificate step: %+v", login)
	}
	// The password-stage token was replaced, not kept.
	old := &rawAPI{t: t, url: h.url, token: pending}
	e, _ = old.call("/v1/identity/code", struct{}{}, nil)
	wantAPICode(t, e, api.CodeUnauthenticated)

	a.pass(h)
	if _, e := issueRaw(t, a, leaf, "박철수", "700707-1234567"); e != nil {
		t.Fatalf("issue: %v", e)
	}
	// The initial password is gone; the new one works.
	_, e = h.raw().passwordLogin(g.LoginID, g.InitialPassword)
	wantAPICode(t, e, api.CodeLoginFailed)
	if pl, e := h.raw().passwordLogin(g.LoginID, "새비밀번호-2026!"); e != nil || pl.Next != "certificate" {
		t.Fatalf("new password: %+v %v", pl, e)
	}
	hist := h.record("700707-1234567").History
	if last := hist[len(hist)-1]; last.Action != "password_change" || last.Actor != "citizen" {
		t.Fatalf("history ends with %+v", last)
	}
}

// TestPasswordLockout: five wrong passwords lock the account for 30 minutes,
// even against the right one.
func TestPasswordLockout(t *testing.T) {
	h := newHarness(t)
	g := h.approve(h.ca.Issue(t, "박철수", testpki.Options{}), "박철수", "700707-1234567")
	a := h.raw()
	for i := 1; i <= 5; i++ {
		_, e := a.passwordLogin(g.LoginID, "wrong-password-1")
		want := api.CodeLoginFailed
		if i == 5 {
			want = api.CodeAccountLocked
		}
		wantAPICode(t, e, want)
	}
	_, e := a.passwordLogin(g.LoginID, g.InitialPassword)
	wantAPICode(t, e, api.CodeAccountLocked)
	h.advance(30 * time.Minute)
	if _, e := a.passwordLogin(g.LoginID, g.InitialPassword); e != nil {
		t.Fatalf("after the lock: %v", e)
	}
}

// TestCertificateOfAnotherPerson: the certificate must be the approved
// citizen's: by VID for NPKI certificates, by registration otherwise.
func TestCertificateOfAnotherPerson(t *testing.T) {
	const rrnX, rrnY = "881212-1234563", "770707-2345674"
	h := newHarness(t)
	// X is approved with no certificate: an NPKI certificate, bound by its VID.
	gx := h.approve(nil, "윤서준", rrnX)
	mine, r := npkiLeaf(t, h.ca, "윤서준", rrnX)
	theirs, rTheirs := npkiLeaf(t, h.ca, "윤서준", rrnY) // same name, another person's number

	t.Run("an NPKI certificate with another person's VID", func(t *testing.T) {
		_, e := h.raw().certLogin(theirs, rrnX, rTheirs)
		wantAPICode(t, e, api.CodeCertMismatch)
	})
	t.Run("the right certificate with a wrong R", func(t *testing.T) {
		bad := append([]byte(nil), r...)
		bad[0] ^= 1
		_, e := h.raw().certLogin(mine, rrnX, bad)
		wantAPICode(t, e, api.CodeCertMismatch)
	})
	t.Run("an NPKI certificate without R", func(t *testing.T) {
		_, e := h.raw().certLogin(mine, rrnX, nil)
		if e == nil || e.Code != api.CodeInvalidField || e.Fields[0].Field != "random_num" {
			t.Fatalf("got %+v", e)
		}
	})
	t.Run("an NPKI certificate of a number never approved", func(t *testing.T) {
		_, e := h.raw().certLogin(theirs, rrnY, rTheirs)
		wantAPICode(t, e, api.CodeNotApproved)
	})
	t.Run("an NPKI certificate with neither number nor password login", func(t *testing.T) {
		_, e := h.raw().certLogin(mine, "", r)
		wantAPICode(t, e, api.CodeNotApproved)
	})
	t.Run("the citizen's own NPKI certificate", func(t *testing.T) {
		login, e := h.raw().certLogin(mine, rrnX, r)
		if e != nil || login.Name != "윤서준" || login.MaskedRRN != "881212-1******" {
			t.Fatalf("login %+v %v", login, e)
		}
	})
	t.Run("a renewed NPKI certificate still works: the VID binds the person", func(t *testing.T) {
		renewed, r2 := npkiLeaf(t, h.ca, "윤서준", rrnX)
		if _, e := h.raw().certLogin(renewed, rrnX, r2); e != nil {
			t.Fatal(e)
		}
	})
	t.Run("password first, then the NPKI certificate: no number needed", func(t *testing.T) {
		a := h.raw()
		if _, e := a.passwordLogin(gx.LoginID, gx.InitialPassword); e != nil {
			t.Fatal(e)
		}
		if e, _ := a.call("/v1/password", api.ChangePasswordRequest{CurrentPassword: gx.InitialPassword, NewPassword: "윤서준-비밀번호-1"}, nil); e != nil {
			t.Fatal(e)
		}
		pending := a.token
		_, e := a.certLogin(theirs, "", rTheirs)
		wantAPICode(t, e, api.CodeCertMismatch)
		a.token = pending
		if _, e := a.certLogin(mine, "", r); e != nil {
			t.Fatal(e)
		}
	})
	t.Run("another approved citizen's registered certificate, with this citizen's number", func(t *testing.T) {
		other := h.ca.Issue(t, "박철수", testpki.Options{})
		h.approve(other, "박철수", "700707-1234567")
		_, e := h.raw().certLogin(other, citizenRRN, nil)
		wantAPICode(t, e, api.CodeCertMismatch)
	})
	t.Run("a certificate other than the registered one after the password", func(t *testing.T) {
		g := h.approve(h.ca.Issue(t, "한가람", testpki.Options{}), "한가람", "850505-1234560")
		a := h.raw()
		if _, e := a.passwordLogin(g.LoginID, g.InitialPassword); e != nil {
			t.Fatal(e)
		}
		if e, _ := a.call("/v1/password", api.ChangePasswordRequest{CurrentPassword: g.InitialPassword, NewPassword: "한가람-비밀번호-1"}, nil); e != nil {
			t.Fatal(e)
		}
		_, e := a.certLogin(h.citizen, "", nil) // 김민서's registered certificate
		wantAPICode(t, e, api.CodeCertMismatch)
	})
}

// TestSessionsEndWhenIdleAndAtTheirLifetime.
func TestSessionsEndWhenIdleAndAtTheirLifetime(t *testing.T) {
	ctx := context.Background()
	t.Run("idle for the timeout", func(t *testing.T) {
		h := newHarness(t)
		c := h.loggedIn(h.citizen)
		h.advance(server.SessionIdleTimeout - time.Second)
		if err := c.VerifyCode(ctx, "000000"); err == nil || !strings.Contains(err.Error(), "code") {
			t.Fatalf("just before the idle timeout: %v", err)
		}
		h.advance(server.SessionIdleTimeout)
		err := c.VerifyCode(ctx, "000000")
		if e := wantCode(t, err, api.CodeUnauthenticated); !strings.Contains(e.Detail, "idle") {
			t.Fatalf("detail %q", e.Detail)
		}
	})
	t.Run("used all along, up to its lifetime", func(t *testing.T) {
		h := newHarness(t)
		c := h.loggedIn(h.citizen)
		for range 2 {
			h.advance(10 * time.Minute)
			if err := c.VerifyCode(ctx, "000000"); err == nil || strings.Contains(err.Error(), "unauthenticated") {
				t.Fatalf("while in use: %v", err)
			}
		}
		h.advance(10 * time.Minute)
		err := c.VerifyCode(ctx, "000000")
		if e := wantCode(t, err, api.CodeUnauthenticated); !strings.Contains(e.Detail, "expired") {
			t.Fatalf("detail %q", e.Detail)
		}
	})
}

// TestTokenIdentityCheck: a citizen who chose the security token passes the
// extra check with a signature by the token's registered certificate.
func TestTokenIdentityCheck(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	login := h.ca.Issue(t, "오지훈", testpki.Options{})
	token := h.ca.Issue(t, "오지훈", testpki.Options{ECDSA: true})
	a := h.approval(login, "오지훈", "910909-1234565")
	a.IdentityMethod, a.TokenCertificate, a.Phone = server.MethodToken, token.Cert, ""
	if _, err := h.srv.Approve(ctx, a); err != nil {
		t.Fatal(err)
	}
	c := h.raw()
	resp, e := c.certLogin(login, "", nil)
	if e != nil {
		t.Fatal(e)
	}
	if resp.IdentityMethod != server.MethodToken || len(resp.Channels) != 0 {
		t.Fatalf("login %+v", resp)
	}
	e, _ = c.call("/v1/identity/code", struct{}{}, nil)
	wantAPICode(t, e, api.CodeIdentityMethodMismatch)

	check := func(leaf *testpki.Leaf, content func(string) []byte) *api.Error {
		nonce := c.nonce()
		sig, err := identity(leaf).SignCMS(content(nonce))
		if err != nil {
			t.Fatal(err)
		}
		e, _ := c.call("/v1/identity/token", api.TokenCheckRequest{Nonce: nonce, Signature: sig}, nil)
		return e
	}
	wantAPICode(t, check(login, api.IdentityContent), api.CodeCertMismatch)
	wantAPICode(t, check(token, api.LoginContent), api.CodeSignatureInvalid)
	if _, e := issueRaw(t, c, login, "오지훈", "910909-1234565"); e == nil || e.Code != api.CodeIdentityRequired {
		t.Fatalf("issue before the check: %v", e)
	}
	if e := check(token, api.IdentityContent); e != nil {
		t.Fatal(e)
	}
	if _, e := issueRaw(t, c, login, "오지훈", "910909-1234565"); e != nil {
		t.Fatalf("issue after the check: %v", e)
	}

	// A phone citizen cannot take the token check.
	pc := client.New(h.url)
	if _, err := pc.Login(ctx, identity(h.citizen).SignCMS); err != nil {
		t.Fatal(err)
	}
	p := &rawAPI{t: t, url: h.url, token: pc.Token()}
	nonce := p.nonce()
	sig, _ := identity(h.citizen).SignCMS(api.IdentityContent(nonce))
	e, _ = p.call("/v1/identity/token", api.TokenCheckRequest{Nonce: nonce, Signature: sig}, nil)
	wantAPICode(t, e, api.CodeIdentityMethodMismatch)
}
