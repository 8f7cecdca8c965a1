package app

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// loginScreen lets the citizen pick a certificate, wherever it is kept (NPKI
// folders on disk or a USB stick, a PKCS#12 or PEM file, a security token),
// and logs in with it and its password or PIN (R5). The secret is kept only
// in its entry, never in the session.
type loginScreen struct {
	ui         *UI
	sess       *session
	onLoggedIn func()
	onBack     func()

	list      *widget.List
	searching *widget.Label
	notice    *widget.Label
	rekey     *button
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
}

func (s *loginScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.searching = para("")
	s.searching.Hide()
	s.list = widget.NewList(
		func() int { return len(s.entries()) },
		func() fyne.CanvasObject {
			icon := widget.NewIcon(theme.StorageIcon())
			holder := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			line := widget.NewLabel("")
			line.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, icon, nil, container.NewVBox(holder, line))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			es := s.entries()
			if id >= len(es) {
				return
			}
			e := &es[id]
			c := o.(*fyne.Container)
			text, usable := u.entryLine(e, time.Now())
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
	s.list.OnSelected = func(id widget.ListItemID) { s.choose(id) }
	s.notice = newMessage(widget.WarningImportance)
	s.rekey = newButton(u.t(txtRekeyButton), theme.ViewRefreshIcon(), s.showRekey)
	s.rekey.Hide()
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
	listBox := container.New(minHeightLayout{200}, s.list)
	p := page(u.t(txtLoginTitle),
		u.steps(1),
		para(u.t(txtLoginIntro)),
		fieldLabel(u.t(txtCertChoose)),
		s.searching,
		listBox,
		container.NewHBox(s.addFile, s.addFolder, s.refresh),
		s.notice,
		container.NewHBox(s.rekey),
		s.secretLbl,
		s.password,
	)
	s.showChoice()
	return withFooter(p, s.errMsg, s.busy.box, container.NewHBox(s.back, s.login))
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

func (s *loginScreen) focus() fyne.Focusable { return s.password }

// search lists the certificates again, off the UI goroutine (token modules
// can take a moment to answer).
func (s *loginScreen) search(again bool) {
	u := s.ui
	say(s.searching, u.t(txtCertSearching))
	var found *certs.List
	u.run(func(context.Context) error {
		found = u.findCertificates()
		return nil
	}, func(error) {
		if u.certs != nil {
			u.certs.Close()
		}
		u.certs = found
		if len(found.Entries) == 0 {
			say(s.searching, u.t(txtCertNone))
		} else {
			say(s.searching, "")
		}
		s.list.UnselectAll()
		s.list.Refresh()
		s.reselect()
	})
}

// reselect selects the certificate chosen before, or the only usable one.
func (s *loginScreen) reselect() {
	es := s.entries()
	usable := -1
	for i := range es {
		if s.sess.cert != nil && es[i].Path == s.sess.certPath && sameToken(&es[i], s.sess.cert) {
			s.list.Select(i)
			return
		}
		if _, ok := s.ui.entryLine(&es[i], time.Now()); ok {
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
	say(s.errMsg, "")
	s.showChoice()
	s.ui.win.Canvas().Focus(s.password)
}

// showChoice adapts the screen to the chosen certificate: a PIN for a token,
// with the state the token reports; the offer to re-encrypt an old NPKI key.
func (s *loginScreen) showChoice() {
	u := s.ui
	e := s.sess.cert
	s.secretLbl.SetText(u.t(txtCertPassword))
	s.rekey.Hide()
	say(s.notice, "")
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
	if s.busy.running() {
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
		resp, err = u.client.Login(ctx, id.SignCMS)
		return err
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			s.password.SetText("")
			u.win.Canvas().Focus(s.password)
			if e.Kind == certs.KindToken {
				s.search(true) // the token's PIN state has changed
			}
			return
		}
		s.sess.login = resp
		s.onLoggedIn()
	})
}

func usableNow(u *UI, e *certs.Entry) bool {
	_, ok := u.entryLine(e, time.Now())
	return ok
}

func (s *loginScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtLoggingIn))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.password, s.addFile, s.addFolder, s.refresh, s.login, s.back)
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
