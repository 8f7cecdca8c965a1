package client_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/npki"
)

// idServer is a real issuance server on 127.0.0.1 with a SQLite file, a test
// CA, a clerk and a clock the test moves: for the citizens the demo does not
// have (an NPKI certificate bound by its VID, a security token).
type idServer struct {
	url    string
	srv    *server.Server
	ca     *testpki.CA
	outbox *phone.Outbox
	clerk  *approval.Clerk

	mu  sync.Mutex
	now time.Time
}

func startIDServer(t *testing.T) *idServer {
	t.Helper()
	s := &idServer{now: time.Now(), outbox: &phone.Outbox{}, ca: testpki.NewCA(t, "test CA")}
	db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "bonsign.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, err := pii.New(pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	s.srv = server.New(db, sealer, s.ca.Pool(), server.WithClock(s.clock), server.WithPhoneGateway(s.outbox))
	ts := httptest.NewServer(s.srv.Handler())
	t.Cleanup(ts.Close)
	s.url = ts.URL
	if s.clerk, err = s.srv.AddClerk(context.Background(), "clerk-1", "김담당", "청운효자동 행정복지센터", "clerk-pass-1234"); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *idServer) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// approve approves a citizen as a clerk would; the request is filled in with
// an address, the clerk and, for phone methods, a phone number.
func (s *idServer) approve(t *testing.T, a server.Approval) *approval.Granted {
	t.Helper()
	if a.Address == "" {
		a.Address = "서울특별시 종로구 세종대로 209"
	}
	if a.IdentityMethod == "" {
		a.IdentityMethod = server.MethodMobile
	}
	if a.IdentityMethod != server.MethodToken && a.Phone == "" {
		a.Phone = "010-2222-3333"
	}
	a.Office, a.Clerk = s.clerk.Office, s.clerk.Login
	g, err := s.srv.Approve(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// npkiIdentity makes an NPKI certificate of ca whose VID binds it to rrn,
// writes it as an NPKI folder and opens it the way the app does.
func npkiIdentity(t *testing.T, ca *testpki.CA, name, rrn string) *signer.Identity {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 20)
	rand.Read(r)
	key, err := npki.NewKey(priv, r)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := npki.MakeIdentifyDataExtension(name, rrn, r, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	leaf := ca.Issue(t, name+"()0010041", testpki.Options{Key: priv, Extensions: []pkix.Extension{ext}})
	dir := filepath.Join(t.TempDir(), "NPKI", "yessign", "USER", "cn="+name)
	enc, err := npki.EncryptKey(key, []byte("npki-pw"), 2048)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, npki.CertFile), leaf.Cert.Raw)
	writeFile(t, filepath.Join(dir, npki.KeyFile), enc)
	id, _, err := npki.Open(dir, []byte("npki-pw"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func identityOf(l *testpki.Leaf) *signer.Identity {
	return &signer.Identity{Key: l.Key, Certificate: l.Cert, Chain: l.Chain}
}

// apiCode fails the test unless err is an *api.Error with code.
func apiCode(t *testing.T, err error, code api.Code) *api.Error {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v, want the server's %s", err, code)
	}
	return e
}

// TestPasswordLoginChangeAndCertificate walks the ID/password path on the
// demo: the initial password, its forced change, then the certificate.
func TestPasswordLoginChangeAndCertificate(t *testing.T) {
	env := startDemo(t)
	ctx := context.Background()
	c := client.New(env.URL)
	id, err := signer.OpenPKCS12(env.CertPath, env.Password)
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.PasswordLogin(ctx, env.LoginID, "not-the-password-1")
	apiCode(t, err, api.CodeLoginFailed)
	if c.Token() != "" {
		t.Fatal("a refused password login left a token")
	}

	pl, err := c.PasswordLogin(ctx, env.LoginID, env.InitialPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !pl.PasswordChangeRequired || pl.Next != "change_password" || c.Token() != pl.Token {
		t.Fatalf("password login = %+v", pl)
	}
	_, err = c.Login(ctx, id.SignCMS)
	apiCode(t, err, api.CodePasswordChangeRequired)

	e := apiCode(t, c.ChangePassword(ctx, env.InitialPassword, "short1"), api.CodeInvalidField)
	if len(e.Fields) != 1 || e.Fields[0].Field != "new_password" || e.Fields[0].MessageKo == "" {
		t.Fatalf("a weak password is refused with %+v", e)
	}
	apiCode(t, c.ChangePassword(ctx, "wrong-current-1", "새비밀번호-2026!"), api.CodeLoginFailed)
	if err := c.ChangePassword(ctx, env.InitialPassword, "새비밀번호-2026!"); err != nil {
		t.Fatal(err)
	}

	login, err := c.Login(ctx, id.SignCMS)
	if err != nil {
		t.Fatalf("the certificate step: %v", err)
	}
	if login.Token == pl.Token || c.Token() != login.Token || login.Name != env.Name {
		t.Fatalf("certificate step = %+v", login)
	}
	if login.ApprovalUntil == "" || login.RenewableFrom == "" || login.IdleTimeoutSeconds != 15*60 {
		t.Fatalf("the login response lacks the approval's dates: %+v", login)
	}

	// The new password is the one now.
	if pl, err := client.New(env.URL).PasswordLogin(ctx, env.LoginID, "새비밀번호-2026!"); err != nil || pl.Next != "certificate" {
		t.Fatalf("with the new password: %+v, %v", pl, err)
	}
}

// TestSendCodeByChannelAndItsResendLimit: the channel asked for is used, the
// answer says for how long the code holds and when another may be asked for,
// and a refused resend says how long to wait (Retry-After).
func TestSendCodeByChannelAndItsResendLimit(t *testing.T) {
	env := startDemo(t)
	ctx := context.Background()
	c := client.New(env.URL)
	id, err := signer.OpenPKCS12(env.CertPath, env.Password)
	if err != nil {
		t.Fatal(err)
	}
	login, err := c.Login(ctx, id.SignCMS)
	if err != nil {
		t.Fatal(err)
	}
	if len(login.Channels) != 2 || login.Channels[0] != "sms" || login.IdentityMethod != "mobile" {
		t.Fatalf("a mobile phone's channels = %v (%s)", login.Channels, login.IdentityMethod)
	}

	e := apiCode(t, func() error { _, err := c.SendCode(ctx, "fax"); return err }(), api.CodeInvalidField)
	if e.Fields[0].Field != "channel" {
		t.Fatalf("unknown channel: %+v", e)
	}

	sent, err := c.SendCode(ctx, "voice")
	if err != nil {
		t.Fatal(err)
	}
	if sent.Code.Channel != "voice" || sent.Code.Phone != "010-****-1234" {
		t.Fatalf("sent = %+v", sent.Code)
	}
	if sent.ValidFor < 2*time.Minute+50*time.Second || sent.ValidFor > 3*time.Minute+time.Second {
		t.Errorf("the code is valid for %v, want about 3 minutes", sent.ValidFor)
	}
	if sent.ResendIn < 25*time.Second || sent.ResendIn > 31*time.Second {
		t.Errorf("another code in %v, want about 30 s", sent.ResendIn)
	}
	msgs := env.Outbox()
	if len(msgs) != 1 || !containsAll(msgs[0], "인증번호를 알려 드립니다", "다시 한 번") {
		t.Fatalf("the voice message reads %q", msgs)
	}

	again, err := c.SendCode(ctx, "sms")
	apiCode(t, err, api.CodeRateLimited)
	if again.Code != nil || again.ResendIn < 25*time.Second || again.ResendIn > 31*time.Second {
		t.Fatalf("a refused resend = %+v, want a wait of about 30 s", again)
	}
	if len(env.Outbox()) != 1 {
		t.Fatal("a refused resend still sent a code")
	}
	// A call reads the digits one by one: "4, 8, 1, 5, 9, 2".
	spoken := regexp.MustCompile(`\d(, \d){5}`).FindString(msgs[0])
	if err := c.VerifyCode(ctx, strings.ReplaceAll(spoken, ", ", "")); err != nil {
		t.Fatalf("the voice code %q: %v", spoken, err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestNPKILoginSendsTheVID: an NPKI certificate is bound to its holder by the
// VID: R from its key and the number the citizen types.
func TestNPKILoginSendsTheVID(t *testing.T) {
	const name, rrn = "윤서준", "881212-1234563"
	s := startIDServer(t)
	g := s.approve(t, server.Approval{Name: name, RRN: rrn}) // no certificate: the VID binds it
	id := npkiIdentity(t, s.ca, name, rrn)
	r := signer.RandomNum(id)
	if len(r) == 0 {
		t.Fatal("the NPKI key has no R")
	}
	ctx := context.Background()

	_, err := client.New(s.url).Login(ctx, id.SignCMS)
	apiCode(t, err, api.CodeNotApproved)
	_, err = client.New(s.url).Login(ctx, id.SignCMS, client.WithVID("770707-2345674", r))
	apiCode(t, err, api.CodeNotApproved)
	e := apiCode(t, func() error {
		_, err := client.New(s.url).Login(ctx, id.SignCMS, client.WithVID(rrn, nil))
		return err
	}(), api.CodeInvalidField)
	if e.Fields[0].Field != "random_num" {
		t.Fatalf("without R: %+v", e)
	}
	wrongR := append([]byte(nil), r...)
	wrongR[0] ^= 1
	_, err = client.New(s.url).Login(ctx, id.SignCMS, client.WithVID(rrn, wrongR))
	e = apiCode(t, err, api.CodeCertMismatch)
	for _, secret := range []string{rrn, "881212", string(r)} {
		if containsAll(err.Error(), secret) || containsAll(e.Detail, secret) {
			t.Fatalf("the error %q gives away a secret", err)
		}
	}

	login, err := client.New(s.url).Login(ctx, id.SignCMS, client.WithVID(rrn, r))
	if err != nil {
		t.Fatal(err)
	}
	if login.Name != name || login.MaskedRRN != "881212-1******" {
		t.Fatalf("login = %+v", login)
	}

	// After the password step the number is not needed: R is.
	c := client.New(s.url)
	if _, err := c.PasswordLogin(ctx, g.LoginID, g.InitialPassword); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePassword(ctx, g.InitialPassword, "윤서준-비밀번호-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, id.SignCMS, client.WithVID("", r)); err != nil {
		t.Fatalf("NPKI certificate after the password: %v", err)
	}
}

// TestCheckTokenPassesTheExtraCheck: a citizen who chose the security token
// passes the extra check with its registered certificate, and only with it.
func TestCheckTokenPassesTheExtraCheck(t *testing.T) {
	const name, rrn = "오지훈", "910909-1234565"
	s := startIDServer(t)
	loginLeaf := s.ca.Issue(t, name, testpki.Options{})
	tokenLeaf := s.ca.Issue(t, name, testpki.Options{ECDSA: true})
	s.approve(t, server.Approval{Name: name, RRN: rrn, IdentityMethod: server.MethodToken,
		Certificate: loginLeaf.Cert, TokenCertificate: tokenLeaf.Cert})
	ctx := context.Background()
	c := client.New(s.url)
	login, err := c.Login(ctx, identityOf(loginLeaf).SignCMS)
	if err != nil {
		t.Fatal(err)
	}
	if login.IdentityMethod != "token" || len(login.Channels) != 0 {
		t.Fatalf("login = %+v", login)
	}
	_, err = c.SendCode(ctx, "")
	apiCode(t, err, api.CodeIdentityMethodMismatch)
	apiCode(t, c.CheckToken(ctx, identityOf(loginLeaf).SignCMS), api.CodeCertMismatch)
	failing := func([]byte) ([]byte, error) { return nil, errors.New("token removed") }
	if err := c.CheckToken(ctx, failing); err == nil || errors.As(err, new(*api.Error)) {
		t.Fatalf("a signature that failed here: %v", err)
	}
	if err := c.CheckToken(ctx, identityOf(tokenLeaf).SignCMS); err != nil {
		t.Fatal(err)
	}

	// The session may issue now.
	conf := api.Confirmation{
		Version:      api.ConfirmationVersion,
		ID:           newID(t),
		CreatedAt:    time.Now().In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: name, RRN: rrn, Address: "서울특별시 종로구 세종대로 209"},
		Purpose:      "자동차 매도",
		Counterparty: api.Counterparty{Name: "이영희", ID: "800101-2345678", Address: "부산광역시 해운대구 센텀로 1"},
		Institution:  api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
	}
	content, _ := conf.Canonical()
	sig, err := identityOf(loginLeaf).SignCMS(content)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Issue(ctx, conf, sig); err != nil {
		t.Fatalf("issue after the token check: %v", err)
	}
}
