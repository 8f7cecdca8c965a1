package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// passwordLoginScreen is the first step of the second way in (R5): the login
// ID and password the office handed over at approval. The certificate step
// follows, after the initial password has been changed at first use. The
// password is kept only in its entry.
type passwordLoginScreen struct {
	ui         *UI
	sess       *session
	onCertPath func()
	// onDone goes on with the password typed, for the change that must
	// come first when mustChange is true.
	onDone func(current string, mustChange bool)
	onBack func()

	paths    *widget.RadioGroup
	loginID  *widget.Entry
	password *widget.Entry
	next     *button
	back     *button
	errMsg   *widget.Label
	busy     *busy
	cancel   context.CancelFunc
}

func (s *passwordLoginScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.paths = u.loginPaths(1, s.onCertPath)
	s.loginID = boundEntry(&s.sess.loginID, "")
	s.loginID.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.submit() }
	s.next = newPrimaryButton(u.t(txtNext), theme.NavigateNextIcon(), s.submit)
	s.back = newButton(u.t(txtBack), theme.NavigateBackIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	p := page(u.t(txtPwLoginTitle),
		u.steps(1),
		s.paths,
		para(u.t(txtPwLoginIntro)),
		fieldLabel(u.t(txtLoginID)),
		s.loginID,
		fieldLabel(u.t(txtPassword)),
		s.password,
		para(u.t(txtPwLoginFirst)),
	)
	return withFooter(p, s.errMsg, s.busy.box, container.NewHBox(s.back, s.next))
}

func (s *passwordLoginScreen) focus() fyne.Focusable {
	if s.loginID.Text == "" {
		return s.loginID
	}
	return s.password
}

// submit checks the ID and password with the server, off the UI goroutine.
func (s *passwordLoginScreen) submit() {
	u := s.ui
	if s.busy.running() {
		return
	}
	id, pw := strings.TrimSpace(s.loginID.Text), s.password.Text
	switch {
	case id == "":
		say(s.errMsg, u.t(txtNeedLoginID))
		u.win.Canvas().Focus(s.loginID)
		return
	case pw == "":
		say(s.errMsg, u.t(txtNeedPw))
		u.win.Canvas().Focus(s.password)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	var resp *api.PasswordLoginResponse
	s.cancel = u.run(func(ctx context.Context) (err error) {
		resp, err = u.client.PasswordLogin(ctx, id, pw)
		return err
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			s.password.SetText("")
			u.win.Canvas().Focus(s.password)
			return
		}
		s.sess.loginID = id
		s.sess.passwordOK = true
		s.password.SetText("")
		s.onDone(pw, resp.PasswordChangeRequired || resp.Next == "change_password")
	})
}

func (s *passwordLoginScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtCheckingPw))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.paths, s.loginID, s.password, s.next, s.back)
}

// changePasswordScreen makes the citizen replace the initial password the
// office handed over before anything else (the server allows nothing else
// until then). The rules are shown, and ticked off as the citizen types.
type changePasswordScreen struct {
	ui      *UI
	sess    *session
	current string // the initial password, typed on the screen before
	onDone  func()
	onBack  func()

	rules  []*widget.Label
	newPW  *widget.Entry
	again  *widget.Entry
	change *button
	back   *button
	errMsg *widget.Label
	busy   *busy
	cancel context.CancelFunc
}

// pwRule is one rule of a new password: what it says and whether pw keeps it.
type pwRule struct {
	say  text
	kept func(pw, loginID, current string) bool
}

// passwordRules mirror the server's (docs/operations.md, "ID/password
// login"), so that the citizen sees at once what is missing; the server
// decides.
var passwordRules = []pwRule{
	{txtPwRuleLength, func(pw, _, _ string) bool { return utf8.RuneCountInString(pw) >= 10 }},
	{txtPwRuleMix, func(pw, _, _ string) bool { return passwordClasses(pw) >= 2 }},
	{txtPwRuleNoID, func(pw, id, _ string) bool {
		return id == "" || !strings.Contains(strings.ToLower(pw), strings.ToLower(id))
	}},
	{txtPwRuleNew, func(pw, _, current string) bool { return pw != "" && pw != current }},
}

// passwordClasses counts the kinds of character in pw among letters (any
// non-ASCII letter counts as one, so Hangul does), digits and symbols.
func passwordClasses(pw string) int {
	var letter, digit, other bool
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f:
			letter = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{letter, digit, other} {
		if b {
			n++
		}
	}
	return n
}

func (s *changePasswordScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.rules = nil
	rules := container.NewGridWithColumns(2)
	for range passwordRules {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		s.rules = append(s.rules, l)
		rules.Add(l)
	}
	s.newPW = widget.NewPasswordEntry()
	s.newPW.OnChanged = func(string) { s.showRules() }
	s.newPW.OnSubmitted = func(string) { u.win.Canvas().Focus(s.again) }
	s.again = widget.NewPasswordEntry()
	s.again.OnSubmitted = func(string) { s.submit() }
	s.change = newPrimaryButton(u.t(txtChangePwButton), theme.ConfirmIcon(), s.submit)
	s.back = newButton(u.t(txtHome), theme.HomeIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	s.showRules()
	p := page(u.t(txtChangePwTitle),
		u.steps(1),
		para(u.t(txtChangePwIntro)),
		widget.NewCard("", "", container.NewVBox(fieldLabel(u.t(txtPwRulesTitle)), rules)),
		fieldLabel(u.t(txtNewPassword)),
		s.newPW,
		fieldLabel(u.t(txtNewPasswordAgain)),
		s.again,
	)
	return withFooter(p, s.errMsg, s.busy.box, container.NewHBox(s.back, s.change))
}

func (s *changePasswordScreen) focus() fyne.Focusable { return s.newPW }

// showRules ticks off the rules the new password keeps.
func (s *changePasswordScreen) showRules() {
	pw := s.newPW.Text
	for i, r := range passwordRules {
		l := s.rules[i]
		if pw != "" && r.kept(pw, s.sess.loginID, s.current) {
			l.SetText("✓ " + s.ui.t(r.say))
			l.Importance = widget.SuccessImportance
		} else {
			l.SetText("• " + s.ui.t(r.say))
			l.Importance = widget.MediumImportance
		}
		l.Refresh()
	}
}

// submit changes the password on the server, off the UI goroutine.
func (s *changePasswordScreen) submit() {
	u := s.ui
	if s.busy.running() {
		return
	}
	pw := s.newPW.Text
	for _, r := range passwordRules {
		if !r.kept(pw, s.sess.loginID, s.current) {
			say(s.errMsg, u.t(txtPwRulesUnmet))
			u.win.Canvas().Focus(s.newPW)
			return
		}
	}
	if s.again.Text != pw {
		say(s.errMsg, u.t(txtPwMismatch))
		s.again.SetText("")
		u.win.Canvas().Focus(s.again)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	current := s.current
	s.cancel = u.run(func(ctx context.Context) error {
		return u.client.ChangePassword(ctx, current, pw)
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			u.win.Canvas().Focus(s.newPW)
			return
		}
		s.current = ""
		s.sess.pwChanged = true
		s.onDone()
	})
}

func (s *changePasswordScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtChangingPw))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.newPW, s.again, s.change, s.back)
}
