package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// harness drives a UI on Fyne's test driver. Work the UI hands back to the UI
// goroutine is queued and run by the test goroutine while it waits, so the
// test and the UI never touch widgets at the same time.
type harness struct {
	t     *testing.T
	app   fyne.App
	win   fyne.Window
	ui    *UI
	queue chan func()
}

func newHarness(t *testing.T, a fyne.App, cfg Config) *harness {
	t.Helper()
	w := a.NewWindow("")
	w.Resize(fyne.NewSize(960, 700))
	h := &harness{t: t, app: a, win: w, queue: make(chan func(), 4096)}
	h.ui = newUI(a, w, cfg, func(f func()) { h.queue <- f })
	t.Cleanup(func() {
		h.ui.Close()
		w.Close()
	})
	return h
}

// startDemo starts a demo server in a fresh directory, stopped at the end of
// the test.
func startDemo(t *testing.T) *demo.Env {
	t.Helper()
	env, err := demo.Start(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env
}

func demoConfig(env *demo.Env) Config {
	return Config{
		ServerURL: env.URL,
		WalletDir: env.WalletDir,
		Demo: &Demo{CertPath: env.CertPath, Password: env.Password, Name: env.Name,
			RRN: env.RRN, Address: env.Address, Outbox: env.Outbox},
		// Only the demo certificate: not whatever this machine holds.
		Certificates: certs.Options{NPKIRoots: []npki.Location{}, NoTokens: true},
	}
}

// demoCertChosen waits on the login screen until the certificate search has
// found the demo certificate and chosen it, as the only usable one.
func (h *harness) demoCertChosen(env *demo.Env) *loginScreen {
	h.t.Helper()
	login := screenOf[*loginScreen](h)
	h.waitFor("the demo certificate to be found and chosen", func() bool {
		return h.ui.sess.cert != nil && h.ui.sess.cert.Path == env.CertPath
	})
	return login
}

// waitFor runs the UI's queued work until cond holds, for at most 10 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for drained := false; !drained; {
			select {
			case f := <-h.queue:
				f()
			default:
				drained = true
			}
		}
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; the window shows:\n%s", what, strings.Join(h.texts(), "\n"))
		}
		select {
		case f := <-h.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// screen waits until the current screen is a T and returns it.
func screenOf[T screen](h *harness) T {
	h.t.Helper()
	var s T
	h.waitFor(fmt.Sprintf("screen %T", s), func() bool {
		var ok bool
		s, ok = h.ui.current.(T)
		return ok
	})
	return s
}

// texts is every text the window shows now.
func (h *harness) texts() []string {
	var out []string
	collectTexts(h.win.Canvas().Content(), &out)
	return out
}

func collectTexts(o fyne.CanvasObject, out *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *widget.Label:
		*out = append(*out, x.Text)
	case *canvas.Text:
		*out = append(*out, x.Text)
	case *fyne.Container:
		for _, c := range x.Objects {
			collectTexts(c, out)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			collectTexts(c, out)
		}
	}
}

// shows reports whether some text in the window contains s.
func (h *harness) shows(s string) bool {
	for _, t := range h.texts() {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// latestCode is the code in the newest message of the demo phone.
func latestCode(t *testing.T, env *demo.Env) string {
	t.Helper()
	msgs := env.Outbox()
	if len(msgs) == 0 {
		t.Fatal("the demo phone received no message")
	}
	code := codePattern.FindString(msgs[len(msgs)-1])
	if code == "" {
		t.Fatalf("no 6-digit code in the demo phone's newest message")
	}
	return code
}

// logIn goes from the home screen through the login and the identity check
// to the draft form.
func (h *harness) logIn(env *demo.Env) *draftScreen {
	h.t.Helper()
	test.Tap(screenOf[*homeScreen](h).issue)

	login := h.demoCertChosen(env)
	test.Type(login.password, env.Password)
	test.Tap(login.login)

	code := screenOf[*codeScreen](h)
	test.Tap(code.send)
	h.waitFor("the code to be sent", func() bool { return h.ui.sess.code != nil })
	if !h.shows(h.ui.sess.code.Phone) {
		h.t.Errorf("the code screen does not say where the code went (%s)", h.ui.sess.code.Phone)
	}
	test.Type(code.entry, latestCode(h.t, env))
	test.Tap(code.confirm)
	return screenOf[*draftScreen](h)
}

// fill types v into the draft's input for field.
func (d *draftScreen) fill(field, v string) {
	e := d.rows[field].focus.(*widget.Entry)
	e.SetText("")
	test.Type(e, v)
}

// issueOne runs the whole citizen flow and returns the receipt screen.
func (h *harness) issueOne(env *demo.Env) *receiptScreen {
	h.t.Helper()
	d := h.logIn(env)
	if got := d.rows["citizen.name"].focus.(*widget.Entry).Text; got != env.Name {
		h.t.Errorf("citizen name = %q, want it prefilled from the login", got)
	}
	d.fill("citizen.rrn", env.RRN)
	d.fill("citizen.address", env.Address)
	d.fill("purpose", "자동차 매도 (12가 3456)")
	d.fill("counterparty.name", "김철수")
	d.fill("counterparty.id", "2148612341") // typed without hyphens on purpose
	d.fill("counterparty.address", "부산광역시 해운대구 예시로 1")
	test.Tap(d.hasDelegate)
	d.fill("delegate.name", "이영희")
	d.fill("delegate.rrn", "850505-2345678")
	d.fill("delegate.address", "서울특별시 중구 예시대로 34")
	h.waitFor("the institutions", func() bool { return len(d.institution.Options) > 0 })
	d.institution.SetSelected("국민연금공단")
	test.Tap(d.next)

	s := screenOf[*signScreen](h)
	conf := h.ui.sess.conf
	if conf.Counterparty.ID != "214-86-12341" || conf.Delegate == nil || conf.Citizen.RRN != env.RRN {
		h.t.Errorf("confirmation to sign = %+v", conf)
	}
	if h.shows(env.RRN) {
		h.t.Error("the review shows the full resident registration number")
	}
	test.Type(s.password, env.Password)
	test.Tap(s.sign)
	return screenOf[*receiptScreen](h)
}

func TestCitizenIssuesAConfirmationAndKeepsTheReceipt(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	rs := h.issueOne(env)

	r := rs.receipt
	if _, err := api.ParseIssueNumber(r.IssueNumber); err != nil {
		t.Fatalf("receipt issue number %q: %v", r.IssueNumber, err)
	}
	for _, want := range []string{r.IssueNumber, "국민연금공단", "이영희", "자동차 매도 (12가 3456)", txtSaved.ko} {
		if !h.shows(want) {
			t.Errorf("the receipt screen does not show %q", want)
		}
	}
	w, err := wallet.Open(env.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := w.List()
	if err != nil || len(entries) != 1 || entries[0].Receipt.IssueNumber != r.IssueNumber || entries[0].Status != wallet.Verified {
		t.Fatalf("wallet holds %+v (%v), want the intact receipt %s", entries, err, r.IssueNumber)
	}

	test.Tap(rs.wallet)
	ws := screenOf[*walletScreen](h)
	h.waitFor("the wallet to be read", func() bool { return ws.loaded })
	if n := ws.list.Length(); n != 1 {
		t.Fatalf("wallet list has %d items, want 1", n)
	}
	h.waitFor("the receipt to be verified", func() bool { return ws.current != nil })
	if !h.shows(r.IssueNumber) || !h.shows(txtStatusVerified.ko) {
		t.Errorf("the wallet does not show the intact receipt; it shows:\n%s", strings.Join(h.texts(), "\n"))
	}
}

func TestWrongCertificatePasswordIsExplainedInKorean(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	test.Tap(screenOf[*homeScreen](h).issue)
	login := h.demoCertChosen(env)
	test.Type(login.password, "not-the-password")
	test.Tap(login.login)
	h.waitFor("the error", func() bool { return login.errMsg.Visible() })
	if login.errMsg.Text != txtErrWrongPassword.ko {
		t.Errorf("error = %q, want %q", login.errMsg.Text, txtErrWrongPassword.ko)
	}
	if _, ok := h.ui.current.(*loginScreen); !ok || login.password.Text != "" || login.password.Disabled() {
		t.Error("after a wrong password the login screen should stay, empty and ready")
	}
}

func TestInvalidRRNIsShownUnderItsField(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	d := h.logIn(env)
	d.fill("citizen.rrn", "901301-1234567") // there is no 13th month
	test.Tap(d.next)

	want := fieldMessage(t, "citizen.rrn", "901301-1234567")
	msg := d.rows["citizen.rrn"].msg
	if !msg.Visible() || !strings.Contains(msg.Text, want) {
		t.Errorf("RRN message = %q (visible %v), want %q", msg.Text, msg.Visible(), want)
	}
	if _, ok := h.ui.current.(*draftScreen); !ok {
		t.Error("an invalid draft must not go on to signing")
	}
	if h.win.Canvas().Focused() != d.rows["citizen.rrn"].focus {
		t.Error("the first wrong field should get the focus")
	}

	d.fill("citizen.rrn", env.RRN)
	test.Tap(d.next)
	if d.rows["citizen.rrn"].msg.Visible() {
		t.Error("the RRN message stays after the number was corrected")
	}
}

// fieldMessage is the Korean message api.Confirmation.Validate gives for
// field when the citizen's RRN is rrn.
func fieldMessage(t *testing.T, field, rrn string) string {
	t.Helper()
	c := api.Confirmation{Citizen: api.Person{RRN: rrn}}
	err := c.Validate()
	var ae *api.Error
	if !errors.As(err, &ae) {
		t.Fatalf("Validate = %v", err)
	}
	for _, f := range ae.Fields {
		if f.Field == field {
			return f.MessageKo
		}
	}
	t.Fatalf("Validate gives no message for %s", field)
	return ""
}

func TestWalletWorksWithTheServerStopped(t *testing.T) {
	env := startDemo(t)
	a := test.NewTempApp(t)
	h := newHarness(t, a, demoConfig(env))
	issued := h.issueOne(env).receipt
	h.ui.Close()
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}

	// Damage nothing yet: a fresh app, no server, straight to the wallet.
	h2 := newHarness(t, a, Config{ServerURL: env.URL, WalletDir: env.WalletDir})
	test.Tap(screenOf[*homeScreen](h2).walletButton)
	ws := screenOf[*walletScreen](h2)
	h2.waitFor("the wallet to be read", func() bool { return ws.loaded })
	if ws.loadErr != nil || ws.list.Length() != 1 {
		t.Fatalf("wallet: %d receipts, error %v", ws.list.Length(), ws.loadErr)
	}
	h2.waitFor("the receipt to be verified", func() bool { return ws.current != nil })
	for _, want := range []string{issued.IssueNumber, issued.Purpose, issued.MaskedRRN, txtStatusVerified.ko} {
		if !h2.shows(want) {
			t.Errorf("the wallet does not show %q", want)
		}
	}

	// A changed signature file shows as such.
	sig := filepath.Join(env.WalletDir, issued.IssueNumber, "receipt.p7s")
	data, err := os.ReadFile(sig)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if err := os.WriteFile(sig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	test.Tap(ws.home)
	test.Tap(screenOf[*homeScreen](h2).walletButton)
	ws = screenOf[*walletScreen](h2)
	h2.waitFor("the receipt to be checked again", func() bool { return ws.current != nil })
	if !h2.shows(txtStatusAltered.ko) {
		t.Error("a changed signature file is not flagged")
	}
}

func TestLanguageSwitchChangesTextsAndIsRemembered(t *testing.T) {
	env := startDemo(t)
	a := test.NewTempApp(t)
	h := newHarness(t, a, demoConfig(env))
	home := screenOf[*homeScreen](h)
	if !h.shows(txtIssueButton.ko) || h.win.Title() != txtWindowTitle.ko {
		t.Fatalf("the app does not start in Korean")
	}
	home.langs.SetSelected("English")
	for _, want := range []string{txtIssueButton.en, txtHomeIntro.en, txtOutboxTitle.en, txtDemoTitle.en} {
		if !h.shows(want) {
			t.Errorf("after switching to English the window does not show %q", want)
		}
	}
	if h.shows(txtIssueButton.ko) || h.win.Title() != txtWindowTitle.en {
		t.Error("Korean texts remain after switching to English")
	}

	// The next start remembers the choice, and so does the next screen.
	h2 := newHarness(t, a, demoConfig(env))
	test.Tap(screenOf[*homeScreen](h2).issue)
	screenOf[*loginScreen](h2)
	if !h2.shows(txtLoginTitle.en) {
		t.Error("the language choice was not remembered")
	}
}
