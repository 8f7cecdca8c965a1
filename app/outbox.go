package app

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// outboxShown is how many of the latest demo messages the panel shows.
const outboxShown = 2

// outboxPanel is the demo phone: the development gateway's latest messages,
// at the bottom of the window in demo mode, so that the citizen can read the
// identity check code without a real phone.
type outboxPanel struct {
	ui   *UI
	msgs []string // newest last, as Outbox returns them

	lines *widget.Label
}

// start polls outbox every second for as long as the app runs.
func (p *outboxPanel) start(outbox func() []string) {
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-p.ui.rootCtx.Done():
				return
			case <-tick.C:
			}
			msgs := outbox()
			p.ui.later(p.ui.rootCtx, func() { p.set(msgs) })
		}
	}()
}

func (p *outboxPanel) buildUI() fyne.CanvasObject {
	u := p.ui
	title := widget.NewLabelWithStyle(u.t(txtOutboxTitle), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	p.lines = widget.NewLabel("")
	p.lines.Truncation = fyne.TextTruncateEllipsis
	p.show()
	head := container.NewHBox(widget.NewIcon(theme.MailComposeIcon()), title)
	return container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, head, nil, p.lines))
}

// set takes the gateway's messages and shows them if they changed.
func (p *outboxPanel) set(msgs []string) {
	if slices.Equal(msgs, p.msgs) {
		return
	}
	p.msgs = msgs
	p.show()
}

// show puts the latest messages, newest first, in the panel.
func (p *outboxPanel) show() {
	if p.lines == nil {
		return
	}
	if len(p.msgs) == 0 {
		p.lines.SetText(p.ui.t(txtOutboxEmpty))
		return
	}
	var latest []string
	for i := len(p.msgs) - 1; i >= 0 && len(latest) < outboxShown; i-- {
		latest = append(latest, p.msgs[i])
	}
	text := latest[0]
	for _, m := range latest[1:] {
		text += "\n" + m
	}
	p.lines.SetText(text)
}
