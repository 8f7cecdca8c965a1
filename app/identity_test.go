package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/internal/testpki"
)

var keyReturn = &fyne.KeyEvent{Name: fyne.KeyReturn}

// message waits until l shows a message and returns it.
func (h *harness) message(l *widget.Label) string {
	h.t.Helper()
	h.waitFor("a message", func() bool { return l.Visible() && l.Text != "" })
	return l.Text
}

// TestPasswordLoginWithForcedChange walks the second way in on the demo: ID
// and initial password, the forced change with its rules, the certificate,
// the phone code.
func TestPasswordLoginWithForcedChange(t *testing.T) {
	env := startDemo(t)
	cfg := demoConfig(env)
	cfg.Demo.LoginID, cfg.Demo.InitialPassword = env.LoginID, env.InitialPassword
	h := newHarness(t, test.NewTempApp(t), cfg)
	if !h.shows(env.LoginID) || !h.shows(env.InitialPassword) {
		t.Error("the demo box does not give the demo ID and initial password")
	}
	test.Tap(screenOf[*homeScreen](h).issue)
	login := screenOf[*loginScreen](h)
	if login.paths == nil || login.paths.Selected != txtPathCert.ko {
		t.Fatal("the login screen does not offer the two ways in, the certificate chosen")
	}
	login.paths.SetSelected(txtPathPassword.ko)

	pw := screenOf[*passwordLoginScreen](h)
	if h.win.Canvas().Focused() != pw.loginID {
		t.Error("the ID field should have the focus")
	}
	test.Tap(pw.next)
	if got := h.message(pw.errMsg); got != txtNeedLoginID.ko {
		t.Errorf("without an ID: %q", got)
	}
	test.Type(pw.loginID, env.LoginID)
	test.Type(pw.password, "not-the-password-1")
	test.Tap(pw.next)
	if got, want := h.message(pw.errMsg), api.NewError(api.CodeLoginFailed).MessageKo; got != want {
		t.Errorf("a wrong password says %q, want %q", got, want)
	}
	if pw.password.Text != "" {
		t.Error("the wrong password stays in its field")
	}
	test.Type(pw.password, env.InitialPassword)
	pw.password.TypedKey(keyReturn)

	ch := screenOf[*changePasswordScreen](h)
	for i, r := range passwordRules {
		if want := "• " + r.say.ko; ch.rules[i].Text != want {
			t.Errorf("rule %d reads %q, want %q", i, ch.rules[i].Text, want)
		}
	}
	test.Type(ch.newPW, "hong12345") // too short, and holds the ID
	if !strings.HasPrefix(ch.rules[0].Text, "•") || !strings.HasPrefix(ch.rules[1].Text, "✓") ||
		!strings.HasPrefix(ch.rules[2].Text, "•") || !strings.HasPrefix(ch.rules[3].Text, "✓") {
		t.Errorf("rules ticked for hong12345: %q", []string{ch.rules[0].Text, ch.rules[1].Text, ch.rules[2].Text, ch.rules[3].Text})
	}
	test.Tap(ch.change)
	if got := h.message(ch.errMsg); got != txtPwRulesUnmet.ko {
		t.Errorf("a weak password says %q", got)
	}
	ch.newPW.SetText("")
	test.Type(ch.newPW, "새비밀번호-2026!")
	test.Type(ch.again, "새비밀번호-2026?")
	test.Tap(ch.change)
	if got := h.message(ch.errMsg); got != txtPwMismatch.ko {
		t.Errorf("two different passwords say %q", got)
	}
	test.Type(ch.again, "새비밀번호-2026!")
	test.Tap(ch.change)

	login = screenOf[*loginScreen](h)
	if login.paths != nil || !h.shows(txtCertStepTitle.ko) || !h.shows(txtPasswordChanged.ko) {
		t.Fatalf("the certificate step shows:\n%s", strings.Join(h.texts(), "\n"))
	}
	h.demoCertChosen(env)
	test.Type(login.password, env.Password)
	test.Tap(login.login)

	code := screenOf[*codeScreen](h)
	test.Tap(code.send)
	h.waitFor("the code", func() bool { return h.ui.sess.code != nil })
	test.Type(code.entry, latestCode(t, env))
	test.Tap(code.confirm)
	screenOf[*draftScreen](h)
}

// TestLockedAccountIsExplained: five wrong passwords lock the ID/password
// login, and the screen says so, even for the right password then.
func TestLockedAccountIsExplained(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	test.Tap(screenOf[*homeScreen](h).issue)
	screenOf[*loginScreen](h).paths.SetSelected(txtPathPassword.ko)
	pw := screenOf[*passwordLoginScreen](h)
	test.Type(pw.loginID, env.LoginID)
	locked := api.NewError(api.CodeAccountLocked).MessageKo
	for i := 1; i <= 5; i++ {
		test.Type(pw.password, "wrong-password-1")
		test.Tap(pw.next)
		h.waitFor("the answer", func() bool { return !pw.busy.running() && pw.errMsg.Visible() })
		if i == 5 && pw.errMsg.Text != locked {
			t.Fatalf("the fifth wrong password says %q, want %q", pw.errMsg.Text, locked)
		}
	}
	say(pw.errMsg, "")
	test.Type(pw.password, env.InitialPassword)
	test.Tap(pw.next)
	if got := h.message(pw.errMsg); got != locked {
		t.Fatalf("the right password on a locked account says %q", got)
	}
	if _, ok := h.ui.current.(*passwordLoginScreen); !ok {
		t.Fatal("a locked account went on")
	}
}

// TestCodeChannelsFollowThePhone: the code screen offers the channels the
// registered phone allows, the citizen's default chosen.
func TestCodeChannelsFollowThePhone(t *testing.T) {
	s := startIDServer(t)
	tests := []struct {
		name      string
		approval  server.Approval
		offered   []string // the radio's options; nil for none
		voiceOnly bool
	}{
		{"a mobile phone: text first, voice on request",
			server.Approval{Name: "김하나", RRN: "800101-1234561", IdentityMethod: server.MethodMobile},
			[]string{txtChannelSMS.ko, txtChannelVoice.ko}, false},
		{"a landline that takes text: voice first",
			server.Approval{Name: "김둘", RRN: "800102-1234561", IdentityMethod: server.MethodLandline, Phone: "02-2100-1234", TextCapable: true},
			[]string{txtChannelVoice.ko, txtChannelSMS.ko}, false},
		{"a citizen who cannot take a call chose text at approval",
			server.Approval{Name: "김셋", RRN: "800103-1234561", IdentityMethod: server.MethodLandline, Phone: "02-2100-1235", TextCapable: true, Channel: approval.ChannelSMS},
			[]string{txtChannelSMS.ko, txtChannelVoice.ko}, false},
		{"a landline that takes voice only",
			server.Approval{Name: "김넷", RRN: "800104-1234561", IdentityMethod: server.MethodLandline, Phone: "02-2100-1236"},
			nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _ := s.p12Citizen(t, tt.approval)
			h := newHarness(t, test.NewTempApp(t), idConfig(t, s, newTestClock(), []string{path}))
			h.certLogin(path, p12Password)
			code := screenOf[*codeScreen](h)
			switch {
			case tt.offered == nil && code.channels != nil:
				t.Fatalf("offered %v", code.channels.Options)
			case tt.offered != nil && (code.channels == nil || strings.Join(code.channels.Options, ",") != strings.Join(tt.offered, ",")):
				t.Fatalf("offered %v, want %v", code.channels, tt.offered)
			case tt.offered != nil && code.channels.Selected != tt.offered[0]:
				t.Fatalf("%q chosen, want the default %q", code.channels.Selected, tt.offered[0])
			}
			if h.shows(txtChannelVoiceOnly.ko) != tt.voiceOnly {
				t.Errorf("the voice-only note shown: %v", !tt.voiceOnly)
			}
			if len(s.outbox.Messages()) != 0 && h.ui.sess.code == nil {
				t.Error("a code was sent before the citizen chose how to receive it")
			}
			if h.win.Canvas().Focused() != code.send {
				t.Error("the send button should have the focus")
			}
		})
	}
}

// TestCodeResendCountsDown: the resend button waits out the server's limit
// with its own countdown, from resend_after and, when the app's clock runs
// ahead of the server's, from Retry-After; the code's validity counts down
// and an expired code is said to be so, by the app and by the server.
func TestCodeResendCountsDown(t *testing.T) {
	s := startIDServer(t)
	path, _ := s.p12Citizen(t, server.Approval{Name: "박철수", RRN: "700707-1234567"})
	clock := newTestClock()
	h := newHarness(t, test.NewTempApp(t), idConfig(t, s, clock, []string{path}))
	h.certLogin(path, p12Password)
	code := screenOf[*codeScreen](h)

	// A citizen who cannot take a call can still choose; this one wants one.
	code.channels.SetSelected(txtChannelVoice.ko)
	test.Tap(code.send)
	h.waitFor("the code", func() bool { return h.ui.sess.code != nil })
	if m := s.lastMessage(t); m.Channel != "voice" {
		t.Fatalf("the code went by %s", m.Channel)
	}
	if !h.shows("전화를 걸어 인증번호 6자리를 알려 드립니다") {
		t.Error("the screen does not say a call reads the code out")
	}
	want := func(label string, disabled bool) {
		t.Helper()
		code.refresh()
		if code.send.Text != label || code.send.Disabled() != disabled {
			t.Fatalf("send button %q (disabled %v), want %q (disabled %v)", code.send.Text, code.send.Disabled(), label, disabled)
		}
	}
	want("인증번호 다시 받기 (0:30 후)", true)
	if code.countdown.Text != "남은 시간 3:00" {
		t.Errorf("no 3-minute countdown: %q", code.countdown.Text)
	}
	clock.advance(10 * time.Second)
	want("인증번호 다시 받기 (0:20 후)", true)
	if code.countdown.Text != "남은 시간 2:50" {
		t.Errorf("countdown %q", code.countdown.Text)
	}
	clock.advance(20 * time.Second)
	want(txtCodeResend.ko, false)

	// The app's clock ran ahead: the server still refuses, and says for how
	// long (Retry-After).
	code.channels.SetSelected(txtChannelSMS.ko)
	test.Tap(code.send)
	limited := api.NewError(api.CodeRateLimited).MessageKo
	if got := h.message(code.errMsg); got != limited {
		t.Fatalf("a refused resend says %q", got)
	}
	want("인증번호 다시 받기 (0:30 후)", true)
	s.clock.advance(30 * time.Second)
	clock.advance(30 * time.Second)
	want(txtCodeResend.ko, false)
	test.Tap(code.send)
	h.waitFor("the new code", func() bool { return s.lastMessage(t).Channel == "sms" })
	h.waitFor("the screen to say so", func() bool { return h.shows(txtCodeResent.ko) })

	// The code expires after 3 minutes: the app says so when its clock is
	// up, the server when the code comes too late.
	clock.advance(3 * time.Minute)
	code.refresh()
	if code.countdown.Text != "남은 시간 0:00" || code.errMsg.Text != txtCodeExpired.ko {
		t.Fatalf("at expiry: %q, %q", code.countdown.Text, code.errMsg.Text)
	}
	s.clock.advance(3 * time.Minute)
	test.Type(code.entry, s.lastMessage(t).Code)
	say(code.errMsg, "")
	test.Tap(code.confirm)
	if got, want := h.message(code.errMsg), api.NewError(api.CodeCodeExpired).MessageKo; got != want {
		t.Fatalf("a late code says %q, want %q", got, want)
	}
	if _, ok := h.ui.current.(*codeScreen); !ok {
		t.Fatal("an expired code let the citizen on")
	}
}

// TestTokenCheckWithSoftHSM2: a citizen who chose the security token signs
// the server's challenge with the token registered at approval; a wrong PIN
// is explained.
func TestTokenCheckWithSoftHSM2(t *testing.T) {
	module := testpki.SoftToken(t)
	s := startIDServer(t)
	token := s.ca.Issue(t, "오지훈", testpki.Options{ECDSA: true})
	testpki.ImportLeaf(t, module, token, "01")
	loginLeaf := s.ca.Issue(t, "오지훈", testpki.Options{})
	s.approve(t, server.Approval{Name: "오지훈", RRN: "910909-1234565", IdentityMethod: server.MethodToken,
		Certificate: loginLeaf.Cert, TokenCertificate: token.Cert})
	path := loginLeaf.WriteP12(t, t.TempDir(), p12Password)

	h := newHarness(t, test.NewTempApp(t), idConfig(t, s, newTestClock(), []string{path}, module))
	h.certLogin(path, p12Password)
	tc := screenOf[*tokenCheckScreen](h)
	h.waitFor("the token to be chosen", func() bool { return h.ui.sess.tokenCert != nil })
	if len(tc.tokens) != 1 || !h.shows(txtTokenIntro.ko) || h.shows(txtCodeLabel.ko) {
		t.Fatalf("the token check shows:\n%s", strings.Join(h.texts(), "\n"))
	}
	test.Tap(tc.confirm)
	if got := h.message(tc.errMsg); got != txtNeedPIN.ko {
		t.Errorf("without a PIN: %q", got)
	}
	test.Type(tc.pin, "9999")
	test.Tap(tc.confirm)
	h.waitFor("the wrong PIN to be refused", func() bool { return !tc.busy.running() && tc.errMsg.Text != txtNeedPIN.ko })
	if tc.errMsg.Text != txtErrWrongPIN.ko {
		t.Fatalf("a wrong PIN says %q", tc.errMsg.Text)
	}
	h.waitFor("the token to be found again", func() bool { return !tc.searching && h.ui.sess.tokenCert != nil })
	if tc.errMsg.Text != txtErrWrongPIN.ko {
		t.Fatalf("the search after a wrong PIN hid its sentence: %q", tc.errMsg.Text)
	}
	test.Type(tc.pin, testpki.SoftPIN)
	test.Tap(tc.confirm)
	screenOf[*draftScreen](h)
}

// TestNPKILoginAsksForTheNumber: an NPKI certificate is bound by its VID, so
// the first way in asks for the resident registration number (checked here
// before anything is sent); after the password step it does not.
func TestNPKILoginAsksForTheNumber(t *testing.T) {
	const name, rrn = "홍길동", "900101-1234568" // npkiFolder's number
	s := startIDServer(t)
	g := s.approve(t, server.Approval{Name: name, RRN: rrn}) // no certificate: the VID binds it
	dir := npkiFolder(t, s.ca, name, testpki.Options{}, 0)

	h := newHarness(t, test.NewTempApp(t), idConfig(t, s, newTestClock(), []string{dir}))
	test.Tap(screenOf[*homeScreen](h).issue)
	login := h.chooseCert(dir)
	if !login.rrnBox.Visible() || h.win.Canvas().Focused() != login.rrn {
		t.Fatal("an NPKI certificate does not ask for the number")
	}
	test.Type(login.password, "pw")
	for _, tc := range []struct{ typed, says string }{
		{"", txtVIDNeedRRN.ko},
		{"900101-12345", txtVIDBadRRN.ko},
		{"881212-1234563", txtVIDNotYours.ko}, // a valid number, but not this certificate's
	} {
		login.rrn.SetText(tc.typed)
		if login.password.Text == "" {
			test.Type(login.password, "pw")
		}
		say(login.errMsg, "")
		test.Tap(login.login)
		if got := h.message(login.errMsg); got != tc.says {
			t.Errorf("number %q: %q, want %q", tc.typed, got, tc.says)
		}
	}
	login.rrn.SetText("9001011234568") // without the hyphen
	test.Type(login.password, "pw")
	test.Tap(login.login)
	screenOf[*codeScreen](h)
	if h.ui.sess.login.MaskedRRN != "900101-1******" || h.ui.sess.draft.citizen.RRN != rrn {
		t.Fatalf("logged in as %+v; the draft's number %q", h.ui.sess.login, h.ui.sess.draft.citizen.RRN)
	}

	// The second way in: the server knows whose login it is.
	h2 := newHarness(t, test.NewTempApp(t), idConfig(t, s, newTestClock(), []string{dir}))
	test.Tap(screenOf[*homeScreen](h2).issue)
	screenOf[*loginScreen](h2).paths.SetSelected(txtPathPassword.ko)
	pw := screenOf[*passwordLoginScreen](h2)
	test.Type(pw.loginID, g.LoginID)
	test.Type(pw.password, g.InitialPassword)
	test.Tap(pw.next)
	ch := screenOf[*changePasswordScreen](h2)
	test.Type(ch.newPW, "길동-비밀번호-2026")
	test.Type(ch.again, "길동-비밀번호-2026")
	test.Tap(ch.change)
	screenOf[*loginScreen](h2)
	login = h2.chooseCert(dir)
	if login.rrnBox.Visible() {
		t.Fatal("after the password the number is asked for again")
	}
	test.Type(login.password, "pw")
	test.Tap(login.login)
	screenOf[*codeScreen](h2)
}

// TestHomeShowsTheApproval: after a login the home screen shows until when
// the approval holds, the guardian's consent of a minor, and, once the
// renewal window has opened, the reminder to renew.
func TestHomeShowsTheApproval(t *testing.T) {
	s := startIDServer(t)
	minor := time.Now().AddDate(-15, 0, 0).Format("060102") + "-3234567"
	path, _ := s.p12Citizen(t, server.Approval{Name: "이소년", RRN: minor, Consent: &approval.ConsentRequest{
		Kind: approval.ConsentLegalRepresentative, Name: "이보호", Relation: "모", RRN: "750101-2345678",
		Document: "가족관계증명서 2026-0001"}})
	clock := newTestClock()
	h := newHarness(t, test.NewTempApp(t), idConfig(t, s, clock, []string{path}))
	if h.ui.status != nil || h.shows("유효기간:") {
		t.Fatal("the approval is shown before any login")
	}
	h.certLogin(path, p12Password)
	l := h.ui.sess.login
	if l.GuardianConsent == nil {
		t.Fatalf("the login carries no consent: %+v", l)
	}
	test.Tap(screenOf[*codeScreen](h).back)
	home := screenOf[*homeScreen](h)
	until, _ := time.Parse(time.RFC3339, l.ApprovalUntil)
	for _, want := range []string{
		txtStatusTitle.ko,
		"이소년 님 (" + l.MaskedRRN + ")",
		"유효기간: " + until.Add(-time.Second).In(api.KST).Format("2006-01-02") + "까지",
		txtConsentLegal.ko,
		"이보호 (모) · 750101-2****** · 가족관계증명서 2026-0001",
	} {
		if !h.shows(want) {
			t.Errorf("home does not show %q", want)
		}
	}
	if home.renewal != nil || h.shows(txtStatusRenew.ko) {
		t.Error("the renewal reminder is shown two years ahead")
	}
	if h.shows("750101-2345678") || h.shows(minor) {
		t.Error("home shows a full resident registration number")
	}

	renew, _ := time.Parse(time.RFC3339, l.RenewableFrom)
	clock.advance(renew.Sub(clock.now()) - time.Second)
	h.ui.goHome()
	if h.shows(txtStatusRenew.ko) {
		t.Error("the reminder comes a second early")
	}
	clock.advance(time.Second)
	h.ui.goHome()
	if !h.shows(txtStatusRenew.ko) {
		t.Errorf("no reminder once the window opened; home shows:\n%s", strings.Join(h.texts(), "\n"))
	}
	h.ui.setLang(english)
	if !h.shows(txtStatusRenew.en) {
		t.Error("no reminder in English")
	}
}
