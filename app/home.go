package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// languageNames are the choices of the language switch, each in its own
// language, so they are never translated.
var languageNames = []string{"한국어", "English"}

// homeScreen explains what the app is for and lets the citizen start an
// issuance or open the wallet, which needs neither a login nor a network.
type homeScreen struct {
	ui       *UI
	onIssue  func()
	onWallet func()

	issue        *button
	walletButton *button
	langs        *widget.RadioGroup
}

func (s *homeScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.langs = widget.NewRadioGroup(languageNames, func(choice string) {
		if choice == languageNames[1] {
			u.setLang(english)
		} else if choice == languageNames[0] {
			u.setLang(korean)
		}
	})
	s.langs.Horizontal = true
	s.langs.Required = true
	s.langs.Selected = languageNames[u.lang]
	langRow := container.NewHBox(layout.NewSpacer(), widget.NewLabel(u.t(txtLanguage)), s.langs)

	s.issue = newPrimaryButton(u.t(txtIssueButton), theme.DocumentCreateIcon(), s.onIssue)
	s.walletButton = newButton(u.t(txtWalletButton), theme.FolderOpenIcon(), s.onWallet)
	actions := container.NewGridWithColumns(2, s.issue, s.walletButton)

	body := []fyne.CanvasObject{
		para(u.t(txtHomeIntro)),
		actions,
		para(u.t(txtWalletNote)),
	}
	if d := u.cfg.Demo; d != nil {
		body = append(body, s.demoBox())
	}
	body = append(body,
		subheading(u.t(txtHomeStepsTitle)),
		para(u.t(txtHomeSteps)),
		para(u.t(txtHomeApproval)),
	)
	p := page(u.t(txtHomeTitle), body...)
	return container.NewBorder(langRow, nil, nil, nil, p)
}

// demoBox tells a newcomer what to type in demo mode.
func (s *homeScreen) demoBox() fyne.CanvasObject {
	u, d := s.ui, s.ui.cfg.Demo
	form := widget.NewForm(
		infoRow(u.t(txtDemoCert), d.CertPath),
		infoRow(u.t(txtDemoPassword), d.Password),
		infoRow(u.t(txtDemoName), d.Name),
		infoRow(u.t(txtDemoRRN), d.RRN),
		infoRow(u.t(txtDemoAddress), d.Address),
	)
	hint := para(u.t(txtDemoCodeHint))
	card := widget.NewCard("", "", container.NewVBox(para(u.t(txtDemoIntro)), form, hint))
	title := widget.NewLabelWithStyle("  "+u.t(txtDemoTitle)+"  ", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	return container.NewVBox(container.NewHBox(widget.NewIcon(theme.InfoIcon()), title), card)
}

func (s *homeScreen) focus() fyne.Focusable { return s.issue }
