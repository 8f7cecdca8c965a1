package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/signer/certs"
)

// tokenCheckScreen is the extra identity check of a citizen who chose the
// security token (보안토큰) at approval (R3, R5): they pick the token's
// certificate, the one registered at approval, among the certificates found,
// and enter its PIN; the token signs the server's fresh challenge. The PIN is
// kept only in its entry.
type tokenCheckScreen struct {
	ui         *UI
	sess       *session
	onVerified func()
	onBack     func()

	list    *widget.List
	status  *widget.Label
	notice  *widget.Label
	pin     *widget.Entry
	refresh *button
	confirm *button
	back    *button
	errMsg  *widget.Label
	busy    *busy
	cancel  context.CancelFunc

	tokens    []certs.Entry // the token certificates among those found
	searching bool          // a search is under way: the modules are being replaced
	// picking is set while the screen itself selects a certificate, so
	// that a message the citizen has not read yet stays.
	picking bool
}

func (s *tokenCheckScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.status = para("")
	s.status.Hide()
	s.tokens = s.tokenEntries()
	s.list = u.certList(func() []certs.Entry { return s.tokens }, s.choose)
	s.notice = newMessage(widget.WarningImportance)
	s.pin = widget.NewPasswordEntry()
	s.pin.OnSubmitted = func(string) { s.submit() }
	s.refresh = newButton(u.t(txtCertRefresh), theme.ViewRefreshIcon(), s.search)
	s.confirm = newPrimaryButton(u.t(txtTokenConfirm), theme.ConfirmIcon(), s.submit)
	s.back = newButton(u.t(txtHome), theme.HomeIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	choose := widget.NewLabelWithStyle(u.t(txtTokenChoose), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	choose.Truncation = fyne.TextTruncateEllipsis
	body := []fyne.CanvasObject{u.steps(2)}
	if l := s.sess.login; l != nil {
		body = append(body, para(u.tf(txtCodeLoggedInAs, l.Name)))
	}
	body = append(body,
		para(u.t(txtTokenIntro)),
		container.NewBorder(nil, nil, nil, s.refresh, choose),
		s.status,
		container.New(minHeightLayout{130}, s.list),
		s.notice,
		fieldLabel(u.t(txtTokenPIN)),
		s.pin,
	)
	s.showChoice()
	return withFooter(page(u.t(txtTokenTitle), body...), s.errMsg, s.busy.box, container.NewHBox(s.back, s.confirm))
}

// tokenEntries are the certificates on security tokens among those found.
func (s *tokenCheckScreen) tokenEntries() []certs.Entry {
	var out []certs.Entry
	if s.ui.certs != nil {
		for _, e := range s.ui.certs.Entries {
			if e.Kind == certs.KindToken {
				out = append(out, e)
			}
		}
	}
	return out
}

func (s *tokenCheckScreen) focus() fyne.Focusable { return s.pin }

// enter looks for tokens if the login did not, and chooses one.
func (s *tokenCheckScreen) enter() {
	if s.ui.certs == nil {
		s.search()
		return
	}
	s.reselect()
}

// search lists the certificates again, off the UI goroutine: the citizen may
// have just plugged the token in.
func (s *tokenCheckScreen) search() {
	u := s.ui
	if s.searching {
		return
	}
	say(s.status, u.t(txtCertSearching))
	s.searching = true
	s.enable()
	u.searchCertificates(func() {
		s.searching = false
		s.enable()
		s.tokens = s.tokenEntries()
		if len(s.tokens) == 0 {
			say(s.status, u.t(txtTokenNone))
		} else {
			say(s.status, "")
		}
		s.list.UnselectAll()
		s.list.Refresh()
		s.reselect()
	})
	s.tokens = nil
	s.list.Refresh()
}

// reselect selects the token certificate chosen before, or the only usable
// one.
func (s *tokenCheckScreen) reselect() {
	s.picking = true
	defer func() { s.picking = false }()
	usable := -1
	for i := range s.tokens {
		if s.sess.tokenCert != nil && sameToken(&s.tokens[i], s.sess.tokenCert) {
			s.list.Select(i)
			return
		}
		if usableNow(s.ui, &s.tokens[i]) {
			if usable == -1 {
				usable = i
			} else {
				usable = -2
			}
		}
	}
	if usable >= 0 {
		s.list.Select(usable)
	}
	if len(s.tokens) == 0 {
		say(s.status, s.ui.t(txtTokenNone))
	}
}

// choose makes token certificate id the one to check with.
func (s *tokenCheckScreen) choose(id widget.ListItemID) {
	if id >= len(s.tokens) {
		return
	}
	e := s.tokens[id]
	s.sess.tokenCert = &e
	s.showChoice()
	if !s.picking {
		say(s.errMsg, "")
	}
	s.ui.win.Canvas().Focus(s.pin)
}

// showChoice shows the PIN state the chosen token reports.
func (s *tokenCheckScreen) showChoice() {
	say(s.notice, "")
	if e := s.sess.tokenCert; e != nil && e.Token != nil {
		if ko, en := e.Token.PIN.Notice(); ko != "" {
			say(s.notice, s.ui.lang.pick(ko, en))
		}
	}
}

// submit signs the server's challenge with the token, off the UI goroutine.
func (s *tokenCheckScreen) submit() {
	u := s.ui
	if s.busy.running() || s.searching {
		return
	}
	e := s.sess.tokenCert
	switch {
	case e == nil:
		say(s.errMsg, u.t(txtCertPickFirst))
		return
	case !usableNow(u, e):
		say(s.errMsg, u.t(txtCertNotUsable))
		return
	case s.pin.Text == "":
		say(s.errMsg, u.t(txtNeedPIN))
		u.win.Canvas().Focus(s.pin)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	pin := s.pin.Text
	s.cancel = u.run(func(ctx context.Context) error {
		id, err := e.Open(pin)
		if err != nil {
			return err
		}
		defer id.Close()
		return u.client.CheckToken(ctx, id.SignCMS)
	}, func(err error) {
		s.setBusy(false)
		s.pin.SetText("")
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			u.win.Canvas().Focus(s.pin)
			s.search() // the token's PIN state may have changed
			return
		}
		s.onVerified()
	})
}

func (s *tokenCheckScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtTokenChecking))
	} else {
		s.busy.stop()
	}
	s.enable()
}

// enable lets the citizen act unless a check or a search is under way: a
// search closes the token modules a check would be using.
func (s *tokenCheckScreen) enable() {
	on := !s.busy.running() && !s.searching
	setEnabled(on, s.refresh, s.confirm)
	setEnabled(!s.busy.running(), s.pin, s.back)
}
