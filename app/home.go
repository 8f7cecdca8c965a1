package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
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
	renewal      *widget.Label // the renewal reminder, when shown
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

	var body []fyne.CanvasObject
	s.renewal = nil
	if st := u.status; st != nil {
		body = append(body, s.statusCard(st))
	}
	body = append(body,
		para(u.t(txtHomeIntro)),
		actions,
		para(u.t(txtWalletNote)),
	)
	if d := u.cfg.Demo; d != nil {
		body = append(body, s.demoBox())
	}
	body = append(body,
		subheading(u.t(txtHomeStepsTitle)),
		para(u.t(txtHomeStepsIdentity)),
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
	if d.LoginID != "" {
		form.AppendItem(infoRow(u.t(txtDemoLoginID), d.LoginID))
		form.AppendItem(infoRow(u.t(txtDemoInitialPw), d.InitialPassword))
	}
	hint := para(u.t(txtDemoCodeHint))
	card := widget.NewCard("", "", container.NewVBox(para(u.t(txtDemoIntro)), form, hint))
	title := widget.NewLabelWithStyle("  "+u.t(txtDemoTitle)+"  ", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	return container.NewVBox(container.NewHBox(widget.NewIcon(theme.InfoIcon()), title), card)
}

func (s *homeScreen) focus() fyne.Focusable { return s.issue }

// approvalStatus is the citizen's approval as their last login in this run
// reported it (R1, R2, R4), for the home screen. It holds no full resident
// registration number and is not kept on disk.
type approvalStatus struct {
	name, maskedRRN string
	until           time.Time // when the approval ends (midnight KST)
	renewableFrom   time.Time // when its renewal window opens (R2)
	consent         *api.GuardianConsent
}

// newApprovalStatus reads the approval from a login response; nil without one.
func newApprovalStatus(l *api.LoginResponse) *approvalStatus {
	if l == nil {
		return nil
	}
	st := &approvalStatus{name: l.Name, maskedRRN: l.MaskedRRN, consent: l.GuardianConsent}
	st.until, _ = time.Parse(time.RFC3339, l.ApprovalUntil)
	st.renewableFrom, _ = time.Parse(time.RFC3339, l.RenewableFrom)
	if st.until.IsZero() {
		return nil
	}
	return st
}

// lastDay is the last day, in Korea Standard Time, on which t is still ahead:
// an approval ending at midnight is valid through the day before.
func lastDay(t time.Time) string {
	return t.Add(-time.Nanosecond).In(api.KST).Format("2006-01-02")
}

// statusCard shows the approval: until when it is valid, the reminder once
// its renewal window has opened, and the guardian's consent, if any.
func (s *homeScreen) statusCard(st *approvalStatus) fyne.CanvasObject {
	u := s.ui
	now := u.now()
	title := widget.NewLabelWithStyle(u.t(txtStatusTitle)+" · "+u.tf(txtStatusWho, st.name, st.maskedRRN),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title)
	until := u.tf(txtStatusUntil, lastDay(st.until))
	switch {
	case !now.Before(st.until):
		msg := para(u.t(txtStatusExpired))
		msg.Importance = widget.DangerImportance
		box.Add(msg)
	case !st.renewableFrom.IsZero() && !now.Before(st.renewableFrom):
		box.Add(para(until))
		msg := widget.NewLabelWithStyle(u.t(txtStatusRenew), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = widget.WarningImportance
		s.renewal = msg
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, msg))
	case !st.renewableFrom.IsZero():
		box.Add(para(until + " · " + u.tf(txtStatusRenewFrom, st.renewableFrom.In(api.KST).Format("2006-01-02"))))
	default:
		box.Add(para(until))
	}
	if c := st.consent; c != nil {
		kind := txtConsentLegal
		if c.Kind == "limited_guardian" {
			kind = txtConsentLimited
		}
		box.Add(para(u.t(kind) + ": " + u.tf(txtConsentLine, c.Name, c.Relation, c.MaskedRRN, c.Document, u.lang.date(c.RecordedAt))))
	}
	return widget.NewCard("", "", box)
}
