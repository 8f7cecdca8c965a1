package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// receiptScreen shows the receipt (발급증, R9) of the confirmation just issued
// and whether it is kept in the wallet.
type receiptScreen struct {
	ui       *UI
	receipt  api.Receipt
	saveErr  error
	onWallet func()
	onHome   func()

	wallet *button
}

func (s *receiptScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	saved := para(u.t(txtSaved))
	saved.Importance = widget.SuccessImportance
	if s.saveErr != nil {
		saved.SetText(u.tf(txtNotSaved, u.lang.errorText(s.saveErr, txtErrWallet)))
		saved.Importance = widget.DangerImportance
	}
	s.wallet = newPrimaryButton(u.t(txtOpenWallet), theme.FolderOpenIcon(), s.onWallet)
	home := newButton(u.t(txtHome), theme.HomeIcon(), s.onHome)
	p := page(u.t(txtReceiptTitle),
		u.steps(5),
		saved,
		widget.NewCard("", "", receiptView(u, s.receipt)),
		para(u.t(txtReceiptNote)),
	)
	return withFooter(p, container.NewHBox(s.wallet, home))
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
