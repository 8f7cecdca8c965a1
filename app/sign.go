package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/npki"
)

// signScreen shows the confirmation for a last read, asks for the certificate
// password again (R8), signs the confirmation here, submits it and keeps the
// receipt in the wallet.
type signScreen struct {
	ui       *UI
	sess     *session
	onIssued func()
	onBack   func()

	password *widget.Entry
	sign     *button
	back     *button
	errMsg   *widget.Label
	busy     *busy
	cancel   context.CancelFunc
}

func (s *signScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.submit() }
	s.sign = newPrimaryButton(u.t(txtSignButton), theme.DocumentSaveIcon(), s.submit)
	s.back = newButton(u.t(txtEdit), theme.NavigateBackIcon(), s.onBack)
	s.errMsg = newMessage(widget.DangerImportance)
	s.busy = newBusy(u.t(txtCancel), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	p := page(u.t(txtSignTitle),
		u.steps(4),
		para(u.t(txtSignIntro)),
		widget.NewCard("", "", s.review(*s.sess.conf)),
	)
	return withFooter(p,
		fieldLabel(u.t(txtSignPassword)),
		s.password,
		s.errMsg,
		s.busy.box,
		container.NewHBox(s.back, s.sign),
	)
}

// review is the confirmation as the citizen reads it: every field, the
// resident registration numbers masked.
func (s *signScreen) review(c api.Confirmation) fyne.CanvasObject {
	u := s.ui
	delegate := u.t(txtNone)
	if d := c.Delegate; d != nil {
		delegate = personLine(*d)
	}
	return widget.NewForm(
		infoRow(u.t(txtSecCitizen), personLine(c.Citizen)),
		infoRow(u.t(txtPurpose), c.Purpose),
		infoRow(u.t(txtCounterparty), c.Counterparty.Name+" ("+maskID(c.Counterparty.ID)+")\n"+c.Counterparty.Address),
		infoRow(u.t(txtDelegate), delegate),
		infoRow(u.t(txtInstitution), c.Institution.Name),
		infoRow(u.t(txtCreatedAt), u.lang.dateTime(c.CreatedAt)),
	)
}

// personLine is a person's name, masked number and address.
func personLine(p api.Person) string {
	return p.Name + " (" + maskID(p.RRN) + ")\n" + p.Address
}

// maskID masks a resident registration number; a business registration
// number is public and shown as it is.
func maskID(id string) string {
	if r, err := api.ParseRRN(id); err == nil {
		return r.Masked()
	}
	return id
}

func (s *signScreen) focus() fyne.Focusable { return s.password }

// submit signs, submits and saves, off the UI goroutine.
func (s *signScreen) submit() {
	u := s.ui
	if s.busy.running() {
		return
	}
	if s.password.Text == "" {
		say(s.errMsg, u.t(txtNeedPassword))
		u.win.Canvas().Focus(s.password)
		return
	}
	say(s.errMsg, "")
	s.setBusy(true)
	conf, password := *s.sess.conf, s.password.Text
	var (
		receipt *api.Receipt
		saveErr error
	)
	s.cancel = u.run(func(ctx context.Context) error {
		step := func(x text) { u.later(ctx, func() { s.busy.status.SetText(u.t(x)) }) }
		id, err := s.sess.openCertificate(password)
		if err != nil {
			return err
		}
		defer id.Close()
		if err := checkOwnCertificate(id, conf.Citizen.RRN); err != nil {
			return err
		}
		step(txtSigning)
		content, err := conf.Canonical()
		if err != nil {
			return err
		}
		cms, err := id.SignCMS(content)
		if err != nil {
			return err
		}
		step(txtSubmitting)
		// At the first contact the wallet pins the server's receipt
		// certificate, so that it can check the receipt before keeping
		// it. A failure here must not stop the issuance: it shows as
		// the receipt not being saved.
		pinErr := u.walletErr
		if u.wallet != nil {
			pinErr = u.wallet.PinAtFirstContact(ctx, u.client.ReceiptCertificate)
		}
		issued, err := u.client.IssueSigned(ctx, conf, cms)
		if err != nil {
			return err
		}
		receipt = &issued.Receipt
		// Issued: from here on nothing may cancel, the receipt must be kept.
		step(txtSaving)
		saveErr = pinErr
		if saveErr == nil {
			// Verified against the pinned certificate, and against the
			// CMS just signed, before it is written.
			// The history token, which reads who looks the
			// confirmation up, is kept with it (and nowhere else).
			_, saveErr = u.wallet.SaveIssued(issued.Receipt, issued.ReceiptSignature, cms, issued.HistoryToken)
		}
		return nil
	}, func(err error) {
		s.setBusy(false)
		if err != nil {
			say(s.errMsg, u.lang.errorText(err, txtErrUnknown))
			s.password.SetText("")
			u.win.Canvas().Focus(s.password)
			return
		}
		s.sess.receipt, s.sess.saveErr = receipt, saveErr
		s.sess.draft = draft{id: newConfirmationID()} // a new draft never reuses the ID
		s.onIssued()
	})
}

func (s *signScreen) setBusy(on bool) {
	if on {
		s.busy.start(s.ui.t(txtOpening))
	} else {
		s.busy.stop()
	}
	setEnabled(!on, s.password, s.sign, s.back)
}

// checkOwnCertificate refuses, before anything is signed, an NPKI certificate
// that is not the citizen's: its VID must be that of the resident
// registration number in the confirmation and the key's R. A certificate
// without a VID is left to the server's binding.
func checkOwnCertificate(id *signer.Identity, rrn string) error {
	r := signer.RandomNum(id)
	if r == nil {
		return nil
	}
	if err := npki.CheckVID(id.Certificate, rrn, r); err != nil && !errors.Is(err, npki.ErrNoVID) {
		return err
	}
	return nil
}
