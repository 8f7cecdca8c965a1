package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/client/wallet"
)

// walletScreen lists the receipts kept on this computer and shows the chosen
// one. It reads local files only: it works without a login or a network.
type walletScreen struct {
	ui       *UI
	selected string // issue number of the receipt shown, "" for the newest
	onHome   func()

	loaded  bool
	entries []wallet.Entry
	loadErr error

	list   *widget.List
	detail *fyne.Container
	status *widget.Label
	home   *button
}

func (s *walletScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.home = newButton(u.t(txtHome), theme.HomeIcon(), s.onHome)
	s.status = para("")
	s.detail = container.NewVBox()
	s.list = widget.NewList(
		func() int { return len(s.entries) },
		func() fyne.CanvasObject {
			num := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			line := widget.NewLabel("")
			purpose := widget.NewLabel("")
			for _, l := range []*widget.Label{num, line, purpose} {
				l.Truncation = fyne.TextTruncateEllipsis
			}
			purpose.Importance = widget.LowImportance
			return container.NewVBox(num, line, purpose)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.entries) {
				return
			}
			r := s.entries[id].Receipt
			labels := o.(*fyne.Container).Objects
			labels[0].(*widget.Label).SetText(r.IssueNumber)
			labels[1].(*widget.Label).SetText(u.lang.date(r.IssuedAt) + " · " + r.Institution.Name)
			labels[2].(*widget.Label).SetText(r.Purpose)
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.entries) {
			s.selected = s.entries[id].Receipt.IssueNumber
			s.showDetail()
		}
	}

	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(s.home), heading(u.t(txtWalletTitle))),
		para(u.t(txtWalletIntro)),
		s.status,
	)
	split := container.NewHSplit(s.list, container.NewVScroll(container.NewPadded(s.detail)))
	split.Offset = 0.4
	s.showEntries()
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
}

func (s *walletScreen) focus() fyne.Focusable { return s.list }

// enter reads the wallet, off the UI goroutine: it may hold many receipts.
func (s *walletScreen) enter() {
	u := s.ui
	if u.wallet == nil {
		s.loaded, s.loadErr = true, u.walletErr
		s.showEntries()
		return
	}
	var entries []wallet.Entry
	u.run(func(context.Context) (err error) {
		entries, err = u.wallet.List()
		return err
	}, func(err error) {
		s.loaded, s.entries, s.loadErr = true, entries, err
		s.showEntries()
	})
}

// showEntries shows the state of the wallet and selects the chosen receipt.
func (s *walletScreen) showEntries() {
	u := s.ui
	switch {
	case !s.loaded:
		s.status.SetText(u.t(txtWalletLoading))
	case s.loadErr != nil:
		s.status.SetText(u.lang.errorText(s.loadErr, txtErrWallet))
		s.status.Importance = widget.DangerImportance
	case len(s.entries) == 0:
		s.status.SetText(u.t(txtWalletEmpty))
	default:
		s.status.SetText(u.tf(txtWalletCount, len(s.entries)))
	}
	s.status.Refresh()
	s.list.Refresh()
	sel := -1
	for i, e := range s.entries {
		if e.Receipt.IssueNumber == s.selected {
			sel = i
		}
	}
	if sel < 0 && len(s.entries) > 0 {
		sel = 0
	}
	if sel >= 0 {
		s.selected = s.entries[sel].Receipt.IssueNumber
		s.list.Select(sel)
		s.list.ScrollTo(sel)
	}
	s.showDetail()
}

// showDetail shows the selected receipt and whether it is intact.
func (s *walletScreen) showDetail() {
	u := s.ui
	var e *wallet.Entry
	for i := range s.entries {
		if s.entries[i].Receipt.IssueNumber == s.selected {
			e = &s.entries[i]
		}
	}
	if e == nil {
		if len(s.entries) > 0 {
			s.detail.Objects = []fyne.CanvasObject{para(u.t(txtWalletSelect))}
		} else {
			s.detail.Objects = nil
		}
		s.detail.Refresh()
		return
	}
	intact := para(u.t(txtIntact))
	intact.Importance = widget.SuccessImportance
	if !e.Intact {
		intact.SetText(u.t(txtNotIntact))
		intact.Importance = widget.DangerImportance
	}
	// Two fixed lines rather than wrapping: a label wrapping by character
	// reports one character per line before it is first sized, which can
	// make the window grow.
	digest := widget.NewLabel(groupDigest(e.Receipt.Digest))
	digest.Selectable = true
	s.detail.Objects = []fyne.CanvasObject{
		receiptView(u, e.Receipt),
		widget.NewSeparator(),
		intact,
		fieldLabel(u.t(txtDigest)),
		digest,
	}
	s.detail.Refresh()
}

// groupDigest writes a hex digest in groups of 16 characters, two groups to a
// line, for reading it against another copy.
func groupDigest(d string) string {
	var b strings.Builder
	for i := 0; i < len(d); i += 16 {
		switch {
		case i == 0:
		case i%32 == 0:
			b.WriteByte('\n')
		default:
			b.WriteByte(' ')
		}
		b.WriteString(d[i:min(i+16, len(d))])
	}
	return b.String()
}
