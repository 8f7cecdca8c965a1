package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// codeLength is the number of digits of the phone code.
const codeLength = 6

// codeScreen is the extra identity check (R5): the server sends a code to the
// citizen's registered phone and the citizen types it in.
type codeScreen struct {
	ui         *UI
	sess       *session
	onVerified func()
	onBack     func()

	// notice is what the last request achieved, e.g. "a new code was sent".
	notice string

	sent      *widget.Label
	countdown *widget.Label
	codeRow   *fyne.Container
	entry     *widget.Entry
	confirm   *button
	resend    *button
	back      *button
	errMsg    *widget.Label
	busy      *busy
	cancel    context.CancelFunc
}

func (s *codeScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.sent = para("")
	s.countdown = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.entry = widget.NewEntry()
	s.entry.PlaceHolder = "000000"
	s.entry.OnSubmitted = func(string) { s.submit() }
	s.confirm = newPrimaryButton(u.t(txtCodeConfirm), theme.ConfirmIcon(), s.submit)
	s.resend = newButton(u.t(txtCodeResend), theme.MailSendIcon(), s.requestCode)
	s.back = newButton(u.t(txtHome), theme.HomeIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})

	s.codeRow = container.NewBorder(nil, nil, nil, s.countdown, s.entry)

	body := []fyne.CanvasObject{u.steps(2)}
	if l := s.sess.login; l != nil {
		body = append(body, para(u.tf(txtCodeLoggedInAs, l.Name)))
	}
	body = append(body, s.sent)
	if u.cfg.Demo != nil {
		hint := para(u.t(txtDemoCodeHint))
		hint.Importance = widget.WarningImportance
		body = append(body, hint)
	}
	body = append(body, fieldLabel(u.t(txtCodeLabel)), s.codeRow)
	s.refresh()
	return withFooter(page(u.t(txtCodeTitle), body...),
		s.errMsg, s.busy.box, container.NewHBox(s.back, s.resend, s.confirm))
}

func (s *codeScreen) focus() fyne.Focusable { return s.entry }

// enter asks for a code once, and keeps the countdown going.
func (s *codeScreen) enter() {
	if s.sess.code == nil {
		s.requestCode()
	}
	s.ui.every(s.ui.screenCtx, time.Second, s.refresh)
}

// refresh shows where the code went and how long it is still valid.
func (s *codeScreen) refresh() {
	u := s.ui
	c := s.sess.code
	if c == nil {
		s.sent.SetText("")
		s.countdown.SetText("")
		return
	}
	sent := u.tf(txtCodeSentSMS, c.Phone)
	if c.Channel == "voice" {
		sent = u.tf(txtCodeSentVoice, c.Phone)
	}
	if s.notice != "" {
		sent += " " + s.notice
	}
	s.sent.SetText(sent)
	exp, err := time.Parse(time.RFC3339, c.ExpiresAt)
	if err != nil {
		s.countdown.SetText("")
		return
	}
	left := time.Until(exp).Round(time.Second)
	if left <= 0 {
		s.countdown.SetText(u.tf(txtCodeRemaining, 0, 0))
		s.codeRow.Refresh()
		if s.errMsg.Text == "" {
			say(s.errMsg, u.t(txtCodeExpired))
		}
		return
	}
	secs := int(left / time.Second)
	s.countdown.SetText(u.tf(txtCodeRemaining, secs/60, secs%60))
	s.codeRow.Refresh() // the label may have grown: lay the row out again
}

// requestCode has the server send a (new) code.
func (s *codeScreen) requestCode() {
	u := s.ui
	if s.busy.running() {
		return
	}
	first := s.sess.code == nil
	say(s.errMsg, "")
	s.setBusy(true, txtCodeRequesting)
	var resp *api.CodeResponse
	s.cancel = u.run(func(ctx context.Context) (err error) {
		resp, err = u.client.RequestCode(ctx)
		return err
	}, func(err error) {
		s.setBusy(false, txtCodeRequesting)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			return
		}
		s.sess.code = resp
		s.notice = ""
		if !first {
			s.notice = u.t(txtCodeResent)
		}
		s.entry.SetText("")
		s.refresh()
		u.win.Canvas().Focus(s.entry)
	})
}

// submit checks the typed code with the server.
func (s *codeScreen) submit() {
	u := s.ui
	if s.busy.running() {
		return
	}
	code := strings.TrimSpace(s.entry.Text)
	if len(code) != codeLength || strings.Trim(code, "0123456789") != "" {
		say(s.errMsg, u.t(txtCodeNeedSix))
		u.win.Canvas().Focus(s.entry)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true, txtCodeVerifying)
	s.cancel = u.run(func(ctx context.Context) error {
		return u.client.VerifyCode(ctx, code)
	}, func(err error) {
		s.setBusy(false, txtCodeVerifying)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			s.entry.SetText("")
			u.win.Canvas().Focus(s.entry)
			return
		}
		s.onVerified()
	})
}

func (s *codeScreen) setBusy(on bool, status text) {
	if on {
		s.busy.start(s.ui.t(status))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.entry, s.confirm, s.resend, s.back)
}
