package app

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// loginScreen logs the citizen in with a certificate file and its password
// (R5). The password is kept only in its entry, never in the session.
type loginScreen struct {
	ui         *UI
	sess       *session
	onLoggedIn func()
	onBack     func()

	path     *widget.Entry
	password *widget.Entry
	browse   *button
	login    *button
	back     *button
	errMsg   *widget.Label
	busy     *busy
	cancel   context.CancelFunc
}

func (s *loginScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.path = boundEntry(&s.sess.certPath, u.t(txtCertFileHint))
	s.path.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.browse = newButton(u.t(txtBrowse), theme.FolderOpenIcon(), s.chooseFile)
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.submit() }
	s.login = newPrimaryButton(u.t(txtLoginButton), theme.LoginIcon(), s.submit)
	s.back = newButton(u.t(txtBack), theme.NavigateBackIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})

	p := page(u.t(txtLoginTitle),
		u.steps(1),
		para(u.t(txtLoginIntro)),
		fieldLabel(u.t(txtCertFile)),
		container.NewBorder(nil, nil, nil, s.browse, s.path),
		fieldLabel(u.t(txtCertPassword)),
		s.password,
	)
	return withFooter(p, s.errMsg, s.busy.box, container.NewHBox(s.back, s.login))
}

func (s *loginScreen) focus() fyne.Focusable {
	if s.sess.certPath == "" {
		return s.path
	}
	return s.password
}

// chooseFile lets the citizen pick the certificate file.
func (s *loginScreen) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.path.SetText(r.URI().Path())
		s.ui.win.Canvas().Focus(s.password)
	}, s.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx"}))
	if s.sess.certPath != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(s.sess.certPath))); err == nil {
			d.SetLocation(dir)
		}
	}
	d.Show()
}

// submit opens the certificate and logs in, off the UI goroutine.
func (s *loginScreen) submit() {
	u := s.ui
	if s.busy.running() {
		return
	}
	switch {
	case s.sess.certPath == "":
		say(s.errMsg, u.t(txtNeedCertFile))
		u.win.Canvas().Focus(s.path)
		return
	case s.password.Text == "":
		say(s.errMsg, u.t(txtNeedPassword))
		u.win.Canvas().Focus(s.password)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	path, password := s.sess.certPath, s.password.Text
	var resp *api.LoginResponse
	s.cancel = u.run(func(ctx context.Context) error {
		id, err := openCertificate(path, password)
		if err != nil {
			return err
		}
		resp, err = u.client.Login(ctx, id.SignCMS)
		return err
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			s.password.SetText("")
			u.win.Canvas().Focus(s.password)
			return
		}
		s.sess.login = resp
		s.onLoggedIn()
	})
}

func (s *loginScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtLoggingIn))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.path, s.password, s.browse, s.login, s.back)
}
