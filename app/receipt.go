package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// receiptScreen shows the receipt (발급증, R9) of the confirmation just issued,
// whether it was verified and kept in the wallet, and lets the citizen save it
// as PDF or print it.
type receiptScreen struct {
	ui       *UI
	receipt  api.Receipt
	saveErr  error
	onWallet func()
	onHome   func()
	// openFile shows a file in the system's viewer; nil means
	// printout.Open. Tests replace it.
	openFile func(path string) error

	wallet *button
	pdf    *button
	print  *button
	notice *widget.Label
}

func (s *receiptScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	saved := para(u.t(txtSaved))
	saved.Importance = widget.SuccessImportance
	checked := para(u.t(txtSavedVerified))
	if s.saveErr != nil {
		saved.SetText(u.tf(txtNotSaved, u.walletErrorText(s.saveErr)))
		saved.Importance = widget.DangerImportance
		checked.Hide()
	}
	s.wallet = newPrimaryButton(u.t(txtOpenWallet), theme.FolderOpenIcon(), s.onWallet)
	home := newButton(u.t(txtHome), theme.HomeIcon(), s.onHome)
	s.notice = newMessage(widget.SuccessImportance)
	note := func(msg string, imp widget.Importance) {
		s.notice.Importance = imp
		say(s.notice, msg)
	}
	s.pdf = newButton(u.t(txtSavePDF), theme.DocumentSaveIcon(), func() { u.savePDF(s.receipt, note) })
	s.print = newButton(u.t(txtPrint), theme.DocumentPrintIcon(), func() { u.printReceipt(s.receipt, s.openFile, note) })
	if s.saveErr != nil {
		// Only a receipt the wallet verified is printed.
		setEnabled(false, s.pdf, s.print)
	}
	p := page(u.t(txtReceiptTitle),
		u.steps(5),
		saved,
		checked,
		widget.NewCard("", "", receiptView(u, s.receipt)),
		para(u.t(txtReceiptNote)),
	)
	return withFooter(p, s.notice, container.NewHBox(s.wallet, s.pdf, s.print, home))
}

func (s *receiptScreen) focus() fyne.Focusable { return s.wallet }

// receiptView lays out the fields of a receipt, the issue number first and
// large, as the citizen will read it out or copy it.
func receiptView(u *UI, r api.Receipt) fyne.CanvasObject {
	kind := widget.NewLabel(u.t(txtReceiptKind))
	kind.Wrapping = fyne.TextWrapWord
	numLabel := fieldLabel(u.t(txtIssueNumber))
	num := widget.NewLabelWithStyle(r.IssueNumber, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	num.SizeName = theme.SizeNameHeadingText
	num.Selectable = true
	delegate := r.Delegate
	if delegate == "" {
		delegate = u.t(txtNone)
	}
	form := widget.NewForm(
		infoRow(u.t(txtIssuedAt), u.lang.dateTime(r.IssuedAt)),
		infoRow(u.t(txtName), r.Name),
		infoRow(u.t(txtRRN), r.MaskedRRN),
		infoRow(u.t(txtPurpose), r.Purpose),
		infoRow(u.t(txtInstitution), r.Institution.Name),
		infoRow(u.t(txtDelegate), delegate),
	)
	return container.NewVBox(kind, numLabel, num, widget.NewSeparator(), form)
}
