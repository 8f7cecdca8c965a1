package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
)

// draftScreen is the form of the confirmation (R6). What is typed goes
// straight into the session's draft; api.Confirmation.Validate decides what is
// wrong, and each message is shown under its field.
type draftScreen struct {
	ui     *UI
	sess   *session
	onNext func()
	onBack func()

	// problems is the last validation's result, kept so a rebuilt form shows
	// it again.
	problems []api.FieldError
	// instErr is why the institutions could not be loaded, if so.
	instErr error

	scroll      *container.Scroll
	rows        map[string]*fieldRow
	summary     *widget.Label
	delegateBox *fyne.Container
	hasDelegate *widget.Check
	institution *institutionPicker
	next        *button
	instMsg     *widget.Label
	instRetry   *button
	first       fyne.Focusable
}

// fieldRow is one input with its label and the place for its message.
type fieldRow struct {
	focus fyne.Focusable
	msg   *widget.Label
	box   *fyne.Container
}

func (s *draftScreen) buildUI() fyne.CanvasObject {
	u, d := s.ui, &s.sess.draft
	s.rows = map[string]*fieldRow{}

	citizenName := s.entry("citizen.name", txtName, &d.citizen.Name, "")
	s.first = citizenName.focus
	citizen := container.NewVBox(
		citizenName.box,
		s.entry("citizen.rrn", txtRRN, &d.citizen.RRN, u.t(txtRRNPlaceholder)).box,
		s.entry("citizen.address", txtAddress, &d.citizen.Address, "").box,
	)

	purpose := widget.NewMultiLineEntry()
	purpose.Wrapping = fyne.TextWrapWord
	purpose.SetMinRowsVisible(3)
	purpose.SetText(d.purpose)
	purpose.PlaceHolder = u.t(txtPurposePlaceholder)
	purpose.OnChanged = func(v string) { d.purpose = v }
	purposeRow := s.row("purpose", txtPurposeLabel, purpose, purpose)

	counterparty := container.NewVBox(
		s.entry("counterparty.name", txtCounterpartyName, &d.counterparty.Name, "").box,
		s.entry("counterparty.id", txtCounterpartyID, &d.counterparty.ID, u.t(txtIDPlaceholder)).box,
		s.entry("counterparty.address", txtCounterpartyAddr, &d.counterparty.Address, "").box,
	)

	s.delegateBox = container.NewVBox(
		s.entry("delegate.name", txtName, &d.delegate.Name, "").box,
		s.entry("delegate.rrn", txtRRN, &d.delegate.RRN, u.t(txtRRNPlaceholder)).box,
		s.entry("delegate.address", txtAddress, &d.delegate.Address, "").box,
	)
	s.hasDelegate = widget.NewCheck(u.t(txtHasDelegate), func(on bool) {
		d.hasDelegate = on
		if on {
			s.delegateBox.Show()
		} else {
			s.delegateBox.Hide()
		}
	})
	s.hasDelegate.SetChecked(d.hasDelegate)
	if !d.hasDelegate {
		s.delegateBox.Hide()
	}

	if s.institution == nil {
		s.institution = newInstitutionPicker(u, &d.institution, func() { say(s.rows["institution.code"].msg, "") })
	}
	picker, pickerFocus := s.institution.build()
	s.instMsg = newMessage(widget.DangerImportance)
	s.instRetry = newButton(u.t(txtRetry), theme.ViewRefreshIcon(), s.loadInstitutions)
	s.instRetry.Hide()
	instRow := s.row("institution.code", txtInstitutionLabel, picker, pickerFocus)
	s.showInstitutions()

	s.summary = newMessage(widget.DangerImportance)
	s.next = newPrimaryButton(u.t(txtNextReview), theme.NavigateNextIcon(), s.submit)
	home := newButton(u.t(txtHome), theme.HomeIcon(), s.onBack)
	buttons := container.NewHBox(home, s.next)
	if u.cfg.Demo != nil {
		buttons.Add(newButton(u.t(txtFillExample), theme.ContentPasteIcon(), s.fillExample))
	}

	s.scroll = page(u.t(txtDraftTitle),
		u.steps(3),
		para(u.t(txtDraftIntro)),
		section(u.t(txtSecCitizen), citizen),
		section(u.t(txtSecPurpose), purposeRow.box),
		section(u.t(txtSecCounterparty), counterparty),
		section(u.t(txtSecDelegate), container.NewVBox(s.hasDelegate, s.delegateBox)),
		section(u.t(txtSecInstitution), container.NewVBox(instRow.box, s.instMsg, s.instRetry)),
	)
	s.showProblems()
	return withFooter(s.scroll, s.summary, buttons)
}

// section is a titled group of fields.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	return widget.NewCard("", "", container.NewVBox(subheading(title), content))
}

// entry makes a single-line input bound to *v, as a row for field.
func (s *draftScreen) entry(field string, label text, v *string, placeholder string) *fieldRow {
	e := boundEntry(v, placeholder)
	e.OnSubmitted = func(string) { s.submit() }
	return s.row(field, label, e, e)
}

// row puts label, input and message together and records them under field,
// the name api.FieldError uses.
func (s *draftScreen) row(field string, label text, input fyne.CanvasObject, focus fyne.Focusable) *fieldRow {
	r := &fieldRow{focus: focus, msg: newMessage(widget.DangerImportance)}
	r.box = container.NewVBox(fieldLabel(s.ui.t(label)), input, r.msg)
	s.rows[field] = r
	return r
}

func (s *draftScreen) focus() fyne.Focusable { return s.first }

// enter fetches the institutions once per run of the app.
func (s *draftScreen) enter() {
	if s.ui.institutions == nil {
		s.loadInstitutions()
	}
}

func (s *draftScreen) loadInstitutions() {
	u := s.ui
	s.instErr = nil
	s.instRetry.Hide()
	s.instMsg.Importance = widget.MediumImportance
	say(s.instMsg, u.t(txtInstLoading))
	s.institution.setEnabled(false)
	var list []api.Institution
	u.run(func(ctx context.Context) (err error) {
		list, err = u.client.Institutions(ctx)
		return err
	}, func(err error) {
		s.instErr = err
		if err == nil {
			u.institutions = list
		}
		s.showInstitutions()
	})
}

// showInstitutions puts the institutions, or why there are none, in the form.
func (s *draftScreen) showInstitutions() {
	u := s.ui
	switch {
	case s.instErr != nil:
		s.institution.setEnabled(false)
		s.instMsg.Importance = widget.DangerImportance
		say(s.instMsg, u.lang.errorText(s.instErr, txtErrUnknown))
		s.instRetry.Show()
	case u.institutions == nil:
		s.institution.setEnabled(false)
		s.instMsg.Importance = widget.MediumImportance
		say(s.instMsg, u.t(txtInstLoading))
	default:
		s.instMsg.Importance = widget.DangerImportance
		say(s.instMsg, "")
		s.instRetry.Hide()
		if s.institution.dir == nil {
			// The bundled data only describes; the server's list decides.
			bundled, _ := bundledDirectory()
			d, err := pickerDirectory(u.institutions, bundled)
			if err != nil {
				say(s.instMsg, u.lang.errorText(err, txtErrUnknown))
				return
			}
			s.institution.setDirectory(d)
		}
		s.institution.setEnabled(true)
		s.institution.refresh()
		s.institution.showPicked()
	}
}

// submit validates the draft and, if nothing is wrong, goes on to review it.
func (s *draftScreen) submit() {
	conf := s.sess.draft.confirmation(time.Now())
	s.problems = nil
	if err := conf.Validate(); err != nil {
		var ae *api.Error
		if !errors.As(err, &ae) {
			ae = &api.Error{Fields: []api.FieldError{{MessageKo: err.Error(), Message: err.Error()}}}
		}
		s.problems = ae.Fields
		s.showProblems()
		s.scrollToFirstProblem()
		return
	}
	s.showProblems()
	s.sess.conf = &conf
	s.onNext()
}

// showProblems puts each message of the last validation under its field, and
// the rest, with a count, above the buttons.
func (s *draftScreen) showProblems() {
	u := s.ui
	for _, r := range s.rows {
		say(r.msg, "")
	}
	var loose []string
	for _, p := range s.problems {
		msg := u.lang.pick(p.MessageKo, p.Message)
		if r, ok := s.rows[p.Field]; ok {
			if r.msg.Text != "" {
				msg = r.msg.Text + "\n" + msg
			}
			say(r.msg, msg)
		} else {
			loose = append(loose, msg)
		}
	}
	if len(s.problems) == 0 {
		say(s.summary, "")
		return
	}
	say(s.summary, strings.Join(append([]string{u.tf(txtFixFields, len(s.problems))}, loose...), "\n"))
}

// scrollToFirstProblem brings the first field with a message into view and
// gives it the focus.
func (s *draftScreen) scrollToFirstProblem() {
	for _, p := range s.problems {
		r, ok := s.rows[p.Field]
		if !ok {
			continue
		}
		drv := s.ui.app.Driver()
		y := drv.AbsolutePositionForObject(r.box).Y - drv.AbsolutePositionForObject(s.scroll.Content).Y
		s.scroll.Offset.Y = max(0, y-theme.Padding())
		s.scroll.Refresh()
		s.ui.win.Canvas().Focus(r.focus)
		return
	}
}

// exampleInstitution is the recipient of the example: the demo server's
// institution, whose API key it prints.
const exampleInstitution = "국민연금공단"

// fillExample fills the form with the demo citizen and an example
// transaction, for a quick try of the demo.
func (s *draftScreen) fillExample() {
	u, d := s.ui, &s.sess.draft
	demo := u.cfg.Demo
	d.citizen = api.Person{Name: demo.Name, RRN: demo.RRN, Address: demo.Address}
	d.purpose = u.t(txtExamplePurpose)
	d.counterparty = api.Counterparty{Name: u.t(txtExampleCounterparty), ID: "214-86-12341", Address: u.t(txtExampleCounterpartyAddr)}
	if d.institution == (api.Institution{}) {
		s.institution.SetSelected(exampleInstitution)
	}
	s.problems = nil
	u.render()
}
