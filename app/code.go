package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/client"
)

// codeLength is the number of digits of the phone code.
const codeLength = 6

// The phone channels of the code (api.CodeRequest).
const (
	channelSMS   = "sms"
	channelVoice = "voice"
)

// codeScreen is the extra identity check by phone (R5): the citizen chooses
// how to receive the code, a text message or a voice call, among what their
// registered phone allows (a citizen who cannot take a call chooses text),
// has it sent, and types it in. The code's validity and the server's resend
// limit count down on the app's clock.
type codeScreen struct {
	ui         *UI
	sess       *session
	onVerified func()
	onBack     func()

	// notice is what the last request achieved, e.g. "a new code was sent".
	notice string

	channels  *widget.RadioGroup // nil when the phone allows one channel only
	send      *button
	sendRow   *fyne.Container
	sent      *widget.Label
	countdown *widget.Label
	codeRow   *fyne.Container
	entry     *widget.Entry
	confirm   *button
	back      *button
	errMsg    *widget.Label
	busy      *busy
	cancel    context.CancelFunc
}

// allowedChannels are the channels the citizen may choose, their default
// first; nil when the server did not say (it then uses the default).
func (s *codeScreen) allowedChannels() []string {
	if s.sess.login == nil {
		return nil
	}
	return s.sess.login.Channels
}

// channelName is how a channel is called on the screen.
func channelName(ch string) text {
	if ch == channelVoice {
		return txtChannelVoice
	}
	return txtChannelSMS
}

func (s *codeScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	chans := s.allowedChannels()
	if s.sess.channel == "" && len(chans) > 0 {
		s.sess.channel = chans[0]
	}
	s.sent = newMessage(widget.MediumImportance)
	s.countdown = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.entry = widget.NewEntry()
	s.entry.PlaceHolder = "000000"
	s.entry.OnSubmitted = func(string) { s.submit() }
	s.send = newButton(u.t(txtCodeSend), theme.MailSendIcon(), s.requestCode)
	s.confirm = newPrimaryButton(u.t(txtCodeConfirm), theme.ConfirmIcon(), s.submit)
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
		body = append(body, para(u.tf(txtCodeLoggedInAs, l.Name)+" "+u.tf(txtCodePhone, l.Phone)))
	}
	s.channels = nil
	switch {
	case len(chans) > 1:
		names := make([]string, len(chans))
		for i, ch := range chans {
			names[i] = u.t(channelName(ch))
		}
		s.channels = widget.NewRadioGroup(names, nil)
		s.channels.Horizontal = true
		s.channels.Required = true
		for i, ch := range chans {
			if ch == s.sess.channel {
				s.channels.Selected = names[i]
			}
		}
		s.channels.OnChanged = func(choice string) {
			for i, n := range names {
				if n == choice {
					s.sess.channel = chans[i]
				}
			}
		}
		body = append(body, fieldLabel(u.t(txtChannelLabel)), s.channels, para(u.t(txtChannelHint)))
	case len(chans) == 1 && chans[0] == channelVoice:
		body = append(body, para(u.t(txtChannelVoiceOnly)))
	}
	s.sendRow = container.NewHBox(s.send)
	body = append(body, s.sendRow, s.sent)
	if u.cfg.Demo != nil {
		hint := para(u.t(txtDemoCodeHint))
		hint.Importance = widget.WarningImportance
		body = append(body, hint)
	}
	body = append(body, fieldLabel(u.t(txtCodeLabel)), s.codeRow)
	s.refresh()
	return withFooter(page(u.t(txtCodeTitle), body...),
		s.errMsg, s.busy.box, container.NewHBox(s.back, s.confirm))
}

func (s *codeScreen) focus() fyne.Focusable {
	if s.sess.code == nil {
		return s.send
	}
	return s.entry
}

// enter keeps the countdowns going. No code is sent before the citizen has
// chosen how to receive it.
func (s *codeScreen) enter() {
	s.ui.every(s.ui.screenCtx, time.Second, s.refresh)
}

// wholeSeconds is d in seconds, rounded up: a countdown shows 0:00 only
// when the time is up.
func wholeSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// refresh shows where the code went, how long it is still valid, and whether
// another may be asked for yet.
func (s *codeScreen) refresh() {
	u := s.ui
	now := u.now()
	c := s.sess.code

	label := u.t(txtCodeSend)
	if c != nil {
		label = u.t(txtCodeResend)
	}
	wait := wholeSeconds(s.sess.resendAt.Sub(now))
	if wait > 0 {
		label = u.tf(txtCodeResendWait, wait/60, wait%60)
	}
	if s.send.Text != label {
		s.send.SetText(label)
		if s.sendRow != nil {
			s.sendRow.Refresh() // the button's width follows its label
		}
	}
	if wait > 0 || s.busy.running() {
		s.send.Disable()
	} else {
		s.send.Enable()
	}

	if c == nil {
		say(s.sent, "")
		s.countdown.SetText("")
		return
	}
	sent := u.tf(txtCodeSentSMS, c.Phone)
	if c.Channel == channelVoice {
		sent = u.tf(txtCodeSentVoice, c.Phone)
	}
	if s.notice != "" {
		sent += " " + s.notice
	}
	say(s.sent, sent)
	if s.sess.codeEnds.IsZero() {
		s.countdown.SetText("")
		return
	}
	left := wholeSeconds(s.sess.codeEnds.Sub(now))
	s.countdown.SetText(u.tf(txtCodeRemaining, left/60, left%60))
	s.codeRow.Refresh() // the label may have grown: lay the row out again
	if left == 0 && s.errMsg.Text == "" {
		say(s.errMsg, u.t(txtCodeExpired))
	}
}

// requestCode has the server send a (new) code by the chosen channel.
func (s *codeScreen) requestCode() {
	u := s.ui
	if s.busy.running() {
		return
	}
	first := s.sess.code == nil
	ch := s.sess.channel
	say(s.errMsg, "")
	s.setBusy(true, txtCodeRequesting)
	var sent client.CodeSent
	s.cancel = u.run(func(ctx context.Context) (err error) {
		sent, err = u.client.SendCode(ctx, ch)
		return err
	}, func(err error) {
		now := u.now()
		if sent.ResendIn > 0 {
			// Also when refused for the limit: Retry-After says how long.
			s.sess.resendAt = now.Add(sent.ResendIn)
		}
		s.setBusy(false, txtCodeRequesting)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			return
		}
		s.sess.code = sent.Code
		s.sess.codeEnds = time.Time{}
		if sent.ValidFor > 0 {
			s.sess.codeEnds = now.Add(sent.ValidFor)
		}
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
	if s.sess.code == nil {
		say(s.errMsg, u.t(txtCodeSendFirst))
		u.win.Canvas().Focus(s.send)
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
	setEnabled(!on, s.entry, s.confirm, s.back)
	if s.channels != nil {
		setEnabled(!on, s.channels)
	}
	if on {
		s.send.Disable()
	} else {
		s.refresh()
	}
}
