package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// loginScreen lets the citizen pick a certificate, wherever it is kept (NPKI
// folders on disk or a USB stick, a PKCS#12 or PEM file, a security token),
// and logs in with it and its password or PIN (R5): the first way in, or the
// second step after the ID and password. An NPKI certificate is bound to its
// holder by the VID in it: on the first way in the citizen also types their
// resident registration number, which goes with R from the key to the server.
// The secret and the number are kept only in their entries, never in the
// session.
type loginScreen struct {
	ui             *UI
	sess           *session
	onLoggedIn     func()
	onBack         func()
	onPasswordPath func()

	paths     *widget.RadioGroup
	list      *widget.List
	searching *widget.Label
	notice    *widget.Label
	rekey     *button
	rrnBox    *fyne.Container // the number's label and entry
	vidNote   *widget.Label   // why the number is asked for
	secretRow *fyne.Container // the number, when asked for, beside the password
	pwBox     *fyne.Container
	rrn       *widget.Entry
	secretLbl *widget.Label
	password  *widget.Entry
	addFile   *button
	addFolder *button
	refresh   *button
	login     *button
	back      *button
	errMsg    *widget.Label
	busy      *busy
	cancel    context.CancelFunc

	// searchRunning: the certificates are being listed again, which
	// replaces the token modules a login would be using.
	searchRunning bool
	// picking is set while the screen itself selects a certificate, so
	// that a message the citizen has not read yet stays.
	picking bool
}

func (s *loginScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.searching = para("")
	s.searching.Hide()
	s.list = u.certList(s.entries, s.choose)
	s.notice = newMessage(widget.WarningImportance)
	s.rekey = newButton(u.t(txtRekeyButton), theme.ViewRefreshIcon(), s.showRekey)
	s.rekey.Hide()
	s.rrn = widget.NewPasswordEntry()
	s.rrn.PlaceHolder = u.t(txtRRNPlaceholder)
	s.rrn.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.rrnBox = container.NewVBox(fieldLabel(u.t(txtVIDLabel)), s.rrn)
	s.rrnBox.Hide()
	s.vidNote = para(u.t(txtVIDIntro))
	s.vidNote.Hide()
	s.secretLbl = fieldLabel(u.t(txtCertPassword))
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.submit() }
	s.addFile = newButton(u.t(txtCertAddFile), theme.FileIcon(), s.chooseFile)
	s.addFolder = newButton(u.t(txtCertAddFolder), theme.FolderOpenIcon(), s.chooseFolder)
	s.refresh = newButton(u.t(txtCertRefresh), theme.ViewRefreshIcon(), func() { s.search(true) })
	s.login = newPrimaryButton(u.t(txtLoginButton), theme.LoginIcon(), s.submit)
	s.back = newButton(u.t(txtBack), theme.NavigateBackIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	s.pwBox = container.NewVBox(s.secretLbl, s.password)
	s.secretRow = container.NewGridWithColumns(1, s.pwBox)
	listBox := container.New(minHeightLayout{130}, s.list)
	// The list's actions beside its label, to keep the password in view
	// at 800x600.
	choose := widget.NewLabelWithStyle(u.t(txtCertChoose), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	choose.Truncation = fyne.TextTruncateEllipsis
	listHead := container.NewBorder(nil, nil, nil, container.NewHBox(s.addFile, s.addFolder, s.refresh), choose)
	title, intro := txtLoginTitle, txtLoginIntro
	body := []fyne.CanvasObject{u.steps(1)}
	if s.sess.passwordOK {
		title, intro = txtCertStepTitle, txtCertStepIntro
		if s.sess.pwChanged {
			done := para(u.t(txtPasswordChanged))
			done.Importance = widget.SuccessImportance
			body = append(body, done)
		}
	} else {
		s.paths = u.loginPaths(0, s.onPasswordPath)
		body = append(body, s.paths)
	}
	body = append(body,
		para(u.t(intro)),
		listHead,
		s.searching,
		listBox,
		s.notice,
		container.NewHBox(s.rekey),
		s.secretRow,
		s.vidNote,
	)
	s.showChoice()
	return withFooter(page(u.t(title), body...), s.errMsg, s.busy.box, container.NewHBox(s.back, s.login))
}

// loginPaths is the choice between the two ways in (R5), current (0: the
// certificate, 1: ID and password) chosen; choosing the other calls other.
func (u *UI) loginPaths(current int, other func()) *widget.RadioGroup {
	names := []string{u.t(txtPathCert), u.t(txtPathPassword)}
	r := widget.NewRadioGroup(names, nil)
	r.Horizontal = true
	r.Required = true
	r.Selected = names[current]
	r.OnChanged = func(choice string) {
		if choice != "" && choice != names[current] {
			other()
		}
	}
	return r
}

// certList is the picker's list of the certificates entries returns, each
// with its holder, issuer, use, expiry or why it cannot be used, and where it
// is kept; onSelected gets the index of the one chosen.
func (u *UI) certList(entries func() []certs.Entry, onSelected func(widget.ListItemID)) *widget.List {
	l := widget.NewList(
		func() int { return len(entries()) },
		func() fyne.CanvasObject {
			icon := widget.NewIcon(theme.StorageIcon())
			holder := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			line := widget.NewLabel("")
			line.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, icon, nil, container.NewVBox(holder, line))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			es := entries()
			if id >= len(es) {
				return
			}
			e := &es[id]
			c := o.(*fyne.Container)
			text, usable := u.entryLine(e, u.now())
			vbox := c.Objects[0].(*fyne.Container)
			holder, line := vbox.Objects[0].(*widget.Label), vbox.Objects[1].(*widget.Label)
			holder.SetText(e.Holder())
			line.SetText(text)
			if usable {
				holder.Importance, line.Importance = widget.MediumImportance, widget.MediumImportance
			} else {
				holder.Importance, line.Importance = widget.LowImportance, widget.LowImportance
			}
			holder.Refresh()
			line.Refresh()
			c.Objects[1].(*widget.Icon).SetResource(storageIcon(e.Storage))
		},
	)
	l.OnSelected = onSelected
	return l
}

// entries are the certificates found so far.
func (s *loginScreen) entries() []certs.Entry {
	if s.ui.certs == nil {
		return nil
	}
	return s.ui.certs.Entries
}

// enter looks for certificates the first time the screen is shown.
func (s *loginScreen) enter() {
	if s.ui.certs == nil {
		s.search(false)
	} else {
		s.reselect()
	}
}

func (s *loginScreen) focus() fyne.Focusable {
	if s.rrnBox.Visible() && s.rrn.Text == "" {
		return s.rrn
	}
	return s.password
}

// search lists the certificates again, off the UI goroutine (token modules
// can take a moment to answer).
func (s *loginScreen) search(again bool) {
	u := s.ui
	if s.searchRunning {
		return
	}
	say(s.searching, u.t(txtCertSearching))
	s.searchRunning = true
	s.login.Disable()
	u.searchCertificates(func() {
		s.searchRunning = false
		if !s.busy.running() {
			s.login.Enable()
		}
		if len(s.entries()) == 0 {
			say(s.searching, u.t(txtCertNone))
		} else {
			say(s.searching, "")
		}
		s.list.UnselectAll()
		s.list.Refresh()
		s.reselect()
	})
	s.list.Refresh()
}

// certWaiter is a screen waiting for a certificate search: gen is the show
// it belongs to.
type certWaiter struct {
	gen  int
	done func()
}

// searchCertificates lists the certificates again, off the UI goroutine,
// and then calls done on the UI goroutine unless the screen that asked has
// been left. One search runs at a time; asking during one waits for it.
//
// The old list is closed before the new one is made, and u.certs is nil in
// between: a PKCS#11 module is initialised once per process, by the first
// list that opens it, and closing that list finalises it under any newer
// list's feet (pkcs11token.Module.Close).
func (u *UI) searchCertificates(done func()) {
	u.certWaiters = append(u.certWaiters, certWaiter{gen: u.gen, done: done})
	if u.certSearching {
		return
	}
	u.certSearching = true
	old := u.certs
	u.certs = nil
	go func() {
		if old != nil {
			old.Close()
		}
		found := u.findCertificates()
		u.do(func() {
			u.certs, u.certSearching = found, false
			ws := u.certWaiters
			u.certWaiters = nil
			for _, w := range ws {
				if w.gen == u.gen {
					w.done()
				}
			}
		})
	}()
}

// reselect selects the certificate chosen before, or the only usable one.
func (s *loginScreen) reselect() {
	s.picking = true
	defer func() { s.picking = false }()
	es := s.entries()
	usable := -1
	for i := range es {
		if s.sess.cert != nil && es[i].Path == s.sess.certPath && sameToken(&es[i], s.sess.cert) {
			s.list.Select(i)
			return
		}
		if _, ok := s.ui.entryLine(&es[i], s.ui.now()); ok {
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
}

func sameToken(a, b *certs.Entry) bool {
	if a.Token == nil || b.Token == nil {
		return a.Token == b.Token
	}
	return a.Token.Slot == b.Token.Slot && string(a.Token.ID) == string(b.Token.ID)
}

// choose makes entry id the certificate to log in with.
func (s *loginScreen) choose(id widget.ListItemID) {
	es := s.entries()
	if id >= len(es) {
		return
	}
	e := es[id]
	s.sess.cert, s.sess.certPath = &e, e.Path
	s.showChoice()
	if !s.picking {
		say(s.errMsg, "")
	}
	s.ui.win.Canvas().Focus(s.focus())
}

// showChoice adapts the screen to the chosen certificate: a PIN for a token,
// with the state the token reports; the offer to re-encrypt an old NPKI key.
func (s *loginScreen) showChoice() {
	u := s.ui
	e := s.sess.cert
	s.secretLbl.SetText(u.t(txtCertPassword))
	s.rekey.Hide()
	say(s.notice, "")
	if s.needsRRN(e) {
		s.rrnBox.Show()
		s.vidNote.Show()
		s.secretRow.Layout = layout.NewGridLayoutWithColumns(2)
		s.secretRow.Objects = []fyne.CanvasObject{s.rrnBox, s.pwBox}
	} else {
		s.rrnBox.Hide()
		s.vidNote.Hide()
		s.secretRow.Layout = layout.NewGridLayoutWithColumns(1)
		s.secretRow.Objects = []fyne.CanvasObject{s.pwBox}
	}
	s.secretRow.Refresh()
	if e == nil {
		return
	}
	switch {
	case e.Kind == certs.KindToken:
		s.secretLbl.SetText(u.t(txtTokenPIN))
		if ko, en := e.Token.PIN.Notice(); ko != "" {
			say(s.notice, u.lang.pick(ko, en))
		}
	case e.WeakKeyProtection:
		say(s.notice, u.t(txtWeakKey))
		s.rekey.Show()
	}
}

// needsRRN reports whether logging in with e needs the citizen's resident
// registration number: an NPKI certificate with a VID, on the first way in
// (after the password step the server knows whose login it is).
func (s *loginScreen) needsRRN(e *certs.Entry) bool {
	return e != nil && e.Kind == certs.KindNPKI && e.Certificate != nil && hasVID(e.Certificate) && !s.sess.passwordOK
}

// hasVID reports whether cert carries an NPKI VID (identifyData).
func hasVID(cert *x509.Certificate) bool {
	_, _, _, err := npki.VID(cert)
	return err == nil
}

// chooseFile adds a certificate file (.p12, .pfx, .pem) to the list.
func (s *loginScreen) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.ui.addPickedFile(r.URI().Path())
		s.search(true)
	}, s.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx", ".pem", ".crt"}))
	d.Show()
}

// chooseFolder adds an NPKI folder (a certificate folder, or one holding
// NPKI) to the list.
func (s *loginScreen) chooseFolder() {
	dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		s.ui.addPickedFile(l.Path())
		s.search(true)
	}, s.ui.win).Show()
}

// submit opens the certificate and logs in, off the UI goroutine.
func (s *loginScreen) submit() {
	u := s.ui
	if s.busy.running() || s.searchRunning {
		return
	}
	e := s.sess.cert
	switch {
	case e == nil:
		say(s.errMsg, u.t(txtCertPickFirst))
		return
	case !usableNow(u, e):
		say(s.errMsg, u.t(txtCertNotUsable))
		return
	}
	var rrn string
	if s.needsRRN(e) {
		typed := strings.TrimSpace(s.rrn.Text)
		r, err := api.ParseRRN(typed)
		switch {
		case typed == "":
			say(s.errMsg, u.t(txtVIDNeedRRN))
		case err != nil:
			say(s.errMsg, u.t(txtVIDBadRRN))
		}
		if err != nil {
			u.win.Canvas().Focus(s.rrn)
			return
		}
		rrn = r.Formatted()
	}
	switch {
	case s.password.Text == "" && e.Kind == certs.KindToken:
		say(s.errMsg, u.t(txtNeedPIN))
		u.win.Canvas().Focus(s.password)
		return
	case s.password.Text == "":
		say(s.errMsg, u.t(txtNeedPassword))
		u.win.Canvas().Focus(s.password)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	password := s.password.Text
	var resp *api.LoginResponse
	s.cancel = u.run(func(ctx context.Context) error {
		id, err := s.sess.openCertificate(password)
		if err != nil {
			return err
		}
		defer id.Close()
		var opts []client.LoginOption
		// R never leaves this function but in the login's body.
		if r := signer.RandomNum(id); r != nil {
			if rrn != "" && errors.Is(npki.CheckVID(id.Certificate, rrn, r), npki.ErrVIDMismatch) {
				return errNotYourVID
			}
			opts = append(opts, client.WithVID(rrn, r))
		}
		resp, err = u.client.Login(ctx, id.SignCMS, opts...)
		return err
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			msg := u.lang.errorText(err, txtErrUnknown)
			if errors.Is(err, errNotYourVID) {
				msg = u.t(txtVIDNotYours)
			}
			say(s.errMsg, msg)
			s.password.SetText("")
			u.win.Canvas().Focus(s.password)
			if e.Kind == certs.KindToken {
				s.search(true) // the token's PIN state has changed
			}
			return
		}
		s.sess.login = resp
		if rrn != "" && s.sess.draft.citizen.RRN == "" {
			s.sess.draft.citizen.RRN = rrn
		}
		s.rrn.SetText("")
		s.password.SetText("")
		s.onLoggedIn()
	})
}

// errNotYourVID: the number typed and R from the key do not give the
// certificate's VID, found before anything is sent.
var errNotYourVID = fmt.Errorf("login: %w", npki.ErrVIDMismatch)

func usableNow(u *UI, e *certs.Entry) bool {
	_, ok := u.entryLine(e, u.now())
	return ok
}

func (s *loginScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtLoggingIn))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.rrn, s.password, s.addFile, s.addFolder, s.refresh, s.back)
	setEnabled(!on && !s.searchRunning, s.login)
	if s.paths != nil {
		setEnabled(!on, s.paths)
	}
}

// showRekey asks for the current and a new password and re-encrypts the
// chosen NPKI key as PBES2 with PBKDF2-HMAC-SHA256, keeping a backup.
func (s *loginScreen) showRekey() {
	u := s.ui
	e := s.sess.cert
	if e == nil || e.Kind != certs.KindNPKI {
		return
	}
	oldPW, newPW, again := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	msg := newMessage(widget.DangerImportance)
	intro := para(u.t(txtRekeyIntro))
	form := widget.NewForm(
		widget.NewFormItem(u.t(txtRekeyOld), oldPW),
		widget.NewFormItem(u.t(txtRekeyNew), newPW),
		widget.NewFormItem(u.t(txtRekeyAgain), again),
	)
	var d dialog.Dialog
	doRekey := func() {
		switch {
		case newPW.Text != again.Text:
			say(msg, u.t(txtRekeyMismatch))
			return
		case len([]rune(newPW.Text)) < 10:
			say(msg, u.t(txtRekeyShort))
			return
		}
		path := npkiKeyPath(e)
		o, n := oldPW.Text, newPW.Text
		u.run(func(context.Context) error {
			return npki.Rekey(path, []byte(o), []byte(n), npki.DefaultIterations)
		}, func(err error) {
			if err != nil {
				say(msg, u.lang.errorText(err, txtErrUnknown))
				return
			}
			d.Hide()
			dialog.ShowInformation(u.t(txtRekeyTitle), u.t(txtRekeyDone), u.win)
			s.search(true)
		})
	}
	cancel := newButton(u.t(txtCancel), theme.CancelIcon(), func() { d.Hide() })
	do := newPrimaryButton(u.t(txtRekeyDo), theme.ConfirmIcon(), doRekey)
	content := container.NewVBox(intro, form, msg, container.NewHBox(cancel, do))
	d = dialog.NewCustomWithoutButtons(u.t(txtRekeyTitle), content, u.win)
	d.Resize(fyne.NewSize(560, 380))
	d.Show()
	u.win.Canvas().Focus(oldPW)
}

// npkiKeyPath is the key file of an NPKI certificate folder.
func npkiKeyPath(e *certs.Entry) string { return filepath.Join(e.Path, npki.KeyFile) }

// isNPKIError reports errors of the NPKI key file that have their own sentence.
func isNPKIError(err error) bool {
	var ua *npki.UnsupportedAlgorithmError
	return errors.Is(err, npki.ErrDamaged) || errors.Is(err, npki.ErrKeyMismatch) || errors.As(err, &ua)
}

// storageIcon is the picker's icon for where a certificate is kept.
func storageIcon(s certs.Storage) fyne.Resource {
	switch s {
	case certs.StorageRemovable:
		return theme.UploadIcon()
	case certs.StorageToken:
		return theme.AccountIcon()
	}
	return theme.StorageIcon()
}
