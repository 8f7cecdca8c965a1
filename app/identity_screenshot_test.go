package app

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/internal/testpki"
)

// TestIdentityScreenshots renders the screens of the two ways in, the extra
// identity check and the approval status at 800x600, the smallest window the
// app is laid out for, with the real theme and font, to PNG files in the
// folder named by BONSIGN_SCREENSHOTS (docs/screenshots 01-03 and 10-*).
// BONSIGN_SCREENSHOT_LANG=en renders English.
//
//	BONSIGN_SCREENSHOTS=/tmp/shots go test ./app -run IdentityScreenshots
func TestIdentityScreenshots(t *testing.T) {
	dir := os.Getenv("BONSIGN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set BONSIGN_SCREENSHOTS to a folder to write screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	newApp := func() fyne.App {
		a := test.NewTempApp(t)
		if os.Getenv("BONSIGN_SCREENSHOT_LANG") == "en" {
			english.save(a.Preferences())
		}
		return a
	}
	shot := func(h *harness, name string) {
		t.Helper()
		h.waitFor("the screen to settle", func() bool { return true })
		// Lay everything out again, as the real driver does before each
		// frame: a message shown since the last layout has its place then.
		h.win.Content().Refresh()
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	size := fyne.NewSize(800, 600)

	t.Run("demo", func(t *testing.T) {
		// A short, steady path for the demo box to show.
		env, err := demo.Start(filepath.Join(os.TempDir(), "bsdocs", "demo"), true)
		if err != nil {
			t.Fatal(err)
		}
		defer env.Close()
		cfg := demoConfig(env)
		cfg.Demo.LoginID, cfg.Demo.InitialPassword = env.LoginID, env.InitialPassword
		h := newHarness(t, newApp(), cfg)
		h.win.Resize(size)

		test.Tap(screenOf[*homeScreen](h).issue)
		login := h.demoCertChosen(env)
		test.Type(login.password, env.Password)
		shot(h, "02-login.png")
		test.Tap(login.login)

		code := screenOf[*codeScreen](h)
		shot(h, "10-code-channel.png")
		test.Tap(code.send)
		h.waitFor("the code to be sent", func() bool { return h.ui.sess.code != nil })
		h.waitFor("the demo phone to show it", func() bool { return h.shows(latestCode(t, env)) })
		test.Type(code.entry, latestCode(t, env))
		shot(h, "03-code.png")

		test.Tap(code.back)
		screenOf[*homeScreen](h)
		shot(h, "01-home.png")

		test.Tap(screenOf[*homeScreen](h).issue)
		screenOf[*loginScreen](h).paths.SetSelected(h.ui.t(txtPathPassword))
		pw := screenOf[*passwordLoginScreen](h)
		test.Type(pw.loginID, env.LoginID)
		test.Type(pw.password, env.InitialPassword)
		shot(h, "10-password-login.png")
		test.Tap(pw.next)

		ch := screenOf[*changePasswordScreen](h)
		test.Type(ch.newPW, "bonsign-2026")
		shot(h, "10-password-change.png")
	})

	t.Run("a voice call", func(t *testing.T) {
		env := startDemo(t)
		h := newHarness(t, newApp(), demoConfig(env))
		h.win.Resize(size)
		test.Tap(screenOf[*homeScreen](h).issue)
		login := h.demoCertChosen(env)
		test.Type(login.password, env.Password)
		test.Tap(login.login)
		code := screenOf[*codeScreen](h)
		code.channels.SetSelected(h.ui.t(txtChannelVoice))
		test.Tap(code.send)
		h.waitFor("the call", func() bool { return len(env.Outbox()) == 1 })
		h.waitFor("the demo phone to show it", func() bool { return h.shows(env.Outbox()[0]) })
		shot(h, "10-code-voice.png")
	})

	t.Run("token", func(t *testing.T) {
		module := testpki.SoftToken(t)
		s := startIDServer(t)
		token := s.ca.Issue(t, "오지훈", testpki.Options{ECDSA: true})
		testpki.ImportLeaf(t, module, token, "01")
		loginLeaf := s.ca.Issue(t, "오지훈", testpki.Options{})
		s.approve(t, server.Approval{Name: "오지훈", RRN: "910909-1234565", IdentityMethod: server.MethodToken,
			Certificate: loginLeaf.Cert, TokenCertificate: token.Cert})
		path := loginLeaf.WriteP12(t, t.TempDir(), p12Password)
		h := newHarness(t, newApp(), idConfig(t, s, newTestClock(), []string{path}, module))
		h.win.Resize(size)
		h.certLogin(path, p12Password)
		tc := screenOf[*tokenCheckScreen](h)
		h.waitFor("the token to be chosen", func() bool { return h.ui.sess.tokenCert != nil })
		test.Type(tc.pin, "0000")
		test.Tap(tc.confirm)
		h.waitFor("the wrong PIN", func() bool { return !tc.busy.running() && !tc.searching && tc.errMsg.Visible() })
		shot(h, "10-token-check.png")
	})

	t.Run("NPKI and a minor near renewal", func(t *testing.T) {
		const name, rrn = "홍길동", "900101-1234568"
		s := startIDServer(t)
		s.approve(t, server.Approval{Name: name, RRN: rrn})
		npkiDir := npkiFolder(t, s.ca, name, testpki.Options{}, 0)
		h := newHarness(t, newApp(), idConfig(t, s, newTestClock(), []string{npkiDir}))
		h.win.Resize(size)
		test.Tap(screenOf[*homeScreen](h).issue)
		login := h.chooseCert(npkiDir)
		test.Type(login.rrn, rrn)
		test.Type(login.password, "pw")
		shot(h, "10-login-npki.png")

		minor := time.Now().AddDate(-15, 0, 0).Format("060102") + "-3234567"
		path, _ := s.p12Citizen(t, server.Approval{Name: "이소년", RRN: minor, Consent: &approval.ConsentRequest{
			Kind: approval.ConsentLegalRepresentative, Name: "이보호", Relation: "모", RRN: "750101-2345678",
			Document: "가족관계증명서 2026-0001"}})
		clock := newTestClock()
		h2 := newHarness(t, newApp(), idConfig(t, s, clock, []string{path}))
		h2.win.Resize(size)
		h2.certLogin(path, p12Password)
		renew, _ := time.Parse(time.RFC3339, h2.ui.sess.login.RenewableFrom)
		clock.advance(renew.Sub(clock.now()) + 3*24*time.Hour)
		h2.ui.goHome()
		shot(h2, "10-home-renewal.png")
	})
}
