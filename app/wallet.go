package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/wallet"
)

// walletScreen lists the receipts kept on this computer, finds them, and
// shows the chosen one with what verifying it found. It reads local files
// only: it works without a login or a network.
//
// The list reads the wallet's index, so that thousands of receipts list at
// once, and the list widget builds only the rows in view. The chosen receipt
// is verified again (its signature against the pinned certificate) each time
// it is shown.
type walletScreen struct {
	ui       *UI
	selected string // issue number of the receipt shown, "" for the first
	onHome   func()
	// openFile shows a file in the system's viewer; nil means
	// printout.Open. Tests replace it.
	openFile func(path string) error

	// State, kept outside the widgets so that the screen can be built again.
	loaded  bool
	entries []wallet.Entry // the receipts listed: the search's result, in order
	total   int            // the receipts in the wallet
	loadErr error
	query   string
	order   wallet.Order
	// listedQuery is the query whose result the list shows.
	listedQuery string
	searchGen   int           // counts searches, so that a slow one cannot undo a newer one
	current     *wallet.Entry // the selected receipt as Get found it; nil while checking
	pins        []string      // fingerprints of the pinned receipt certificates
	detailGen   int
	history     *lookupHistory    // the selected receipt's lookup history; nil while checking
	note        string            // what the last action did
	noteImp     widget.Importance // and whether it went well
	selecting   bool              // the list's selection is being set by the screen, not the citizen

	list      *widget.List
	search    *widget.Entry
	sort      *button
	importB   *button
	exportAll *button
	status    *widget.Label
	notice    *widget.Label
	detail    *fyne.Container   // the receipt, scrolling
	actions   *fyne.Container   // what can be done with it, always in view
	right     *fyne.Container   // the two above
	scroll    *container.Scroll // the detail's
	// historyBox holds the lookup history section, rebuilt alone when a
	// fetch ends.
	historyBox *fyne.Container
	home       *button
	pdf        *button
	print      *button
	export     *button
	del        *button
}

func (s *walletScreen) buildUI() fyne.CanvasObject {
	u := s.ui
	s.home = newButton(u.t(txtHome), theme.HomeIcon(), s.onHome)
	s.status = para("")
	s.notice = newMessage(s.noteImp)
	say(s.notice, s.note)
	s.detail = container.NewVBox()
	s.actions = container.NewVBox()

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(u.t(txtWalletSearch))
	s.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.search.SetText(s.query)
	s.search.OnChanged = func(q string) {
		s.query = q
		s.refresh()
	}
	s.sort = newButton("", nil, s.toggleOrder)
	s.showOrder()
	s.importB = newButton(u.t(txtWalletImport), theme.DownloadIcon(), s.chooseImport)
	s.exportAll = newButton(u.t(txtWalletExportAll), theme.UploadIcon(), func() { s.chooseExport(nil) })
	if u.wallet == nil {
		setEnabled(false, s.importB, s.exportAll)
	}

	s.list = widget.NewList(
		func() int { return len(s.entries) },
		s.newRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.entries) {
				s.updateRow(s.entries[id], o)
			}
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		if s.selecting || id >= len(s.entries) {
			return
		}
		s.selected = s.entries[id].Receipt.IssueNumber
		s.note = ""
		say(s.notice, "")
		s.loadDetail()
	}

	tools := container.NewHBox(s.sort, s.importB, s.exportAll)
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(s.home), heading(u.t(txtWalletTitle))),
		para(u.t(txtWalletIntro)),
		container.NewBorder(nil, nil, nil, tools, s.search),
		s.status,
		s.notice,
	)
	s.scroll = container.NewVScroll(container.NewPadded(s.detail))
	s.right = container.NewBorder(nil, s.actions, nil, nil, s.scroll)
	split := container.NewHSplit(s.list, s.right)
	split.Offset = 0.4
	s.showEntries()
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
}

func (s *walletScreen) focus() fyne.Focusable { return s.search }

// newRow is a list row: the issue number, the date and institution, the
// purpose, and a warning for a receipt that did not verify when last checked.
func (s *walletScreen) newRow() fyne.CanvasObject {
	num := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	line := widget.NewLabel("")
	purpose := widget.NewLabel("")
	for _, l := range []*widget.Label{num, line, purpose} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	warn := widget.NewLabelWithStyle(s.ui.t(txtWalletRowWarning), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	warn.Importance = widget.DangerImportance
	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))
	flag := container.NewHBox(icon, warn)
	return container.NewBorder(nil, nil, nil, container.NewVBox(flag), container.NewVBox(num, line, purpose))
}

func (s *walletScreen) updateRow(e wallet.Entry, o fyne.CanvasObject) {
	u := s.ui
	c := o.(*fyne.Container)
	texts := c.Objects[0].(*fyne.Container).Objects
	r := e.Receipt
	texts[0].(*widget.Label).SetText(r.IssueNumber)
	texts[1].(*widget.Label).SetText(joinNonEmpty(" · ", u.lang.date(r.IssuedAt), r.Institution.Name))
	texts[2].(*widget.Label).SetText(r.Purpose)
	flag := c.Objects[1].(*fyne.Container).Objects[0]
	if e.Status == wallet.Verified {
		flag.Hide()
	} else {
		flag.Show()
	}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// enter reads the wallet.
func (s *walletScreen) enter() { s.refresh() }

// refresh lists the receipts matching the query, off the UI goroutine: a
// wallet of many receipts takes a few milliseconds.
func (s *walletScreen) refresh() {
	u := s.ui
	if u.wallet == nil {
		s.loaded, s.loadErr = true, u.walletErr
		s.showEntries()
		return
	}
	s.searchGen++
	gen, q, order := s.searchGen, s.query, s.order
	var (
		found []wallet.Entry
		total int
	)
	u.run(func(context.Context) (err error) {
		if found, err = u.wallet.Search(q, order); err != nil {
			return err
		}
		total, err = u.wallet.Len()
		return err
	}, func(err error) {
		if gen != s.searchGen {
			return
		}
		s.loaded, s.entries, s.total, s.loadErr = true, found, total, err
		s.listedQuery = q
		s.showEntries()
	})
}

// showEntries shows the state of the wallet and selects the chosen receipt.
func (s *walletScreen) showEntries() {
	u := s.ui
	s.status.Importance = widget.MediumImportance
	switch {
	case !s.loaded:
		s.status.SetText(u.t(txtWalletLoading))
	case s.loadErr != nil:
		s.status.SetText(u.lang.errorText(s.loadErr, txtErrWallet))
		s.status.Importance = widget.DangerImportance
	case s.total == 0:
		s.status.SetText(u.t(txtWalletEmpty))
	case len(s.entries) == 0:
		s.status.SetText(u.t(txtWalletNoMatch))
	case strings.TrimSpace(s.query) != "":
		s.status.SetText(u.tf(txtWalletFound, s.total, len(s.entries)))
	default:
		s.status.SetText(u.tf(txtWalletCount, s.total))
	}
	s.status.Refresh()
	s.list.Refresh()
	sel := -1
	for i, e := range s.entries {
		if e.Receipt.IssueNumber == s.selected {
			sel = i
			break
		}
	}
	if sel < 0 && len(s.entries) > 0 {
		sel = 0
	}
	s.selecting = true
	if sel >= 0 {
		s.list.Select(sel)
		s.list.ScrollTo(sel)
	} else {
		s.list.UnselectAll()
	}
	s.selecting = false
	next := ""
	if sel >= 0 {
		next = s.entries[sel].Receipt.IssueNumber
	}
	if next != s.selected || s.current == nil || s.current.Receipt.IssueNumber != next {
		s.selected = next
		s.loadDetail()
	} else {
		s.showDetail()
	}
}

// loadDetail verifies the selected receipt, off the UI goroutine.
func (s *walletScreen) loadDetail() {
	u := s.ui
	s.current, s.history = nil, nil
	s.detailGen++
	s.showDetail()
	if s.selected == "" || u.wallet == nil {
		return
	}
	gen, n := s.detailGen, s.selected
	var (
		e    *wallet.Entry
		pins []string
		hist *lookupHistory
	)
	u.run(func(context.Context) (err error) {
		for _, c := range u.wallet.Pinned() {
			pins = append(pins, wallet.Fingerprint(c))
		}
		if e, err = u.wallet.Get(n); err == nil {
			hist = readHistory(u.wallet, n)
		}
		return err
	}, func(err error) {
		if gen != s.detailGen {
			return
		}
		if err != nil {
			// Gone behind our back (another window, a file manager).
			s.setNote(u.lang.errorText(err, txtErrWallet), widget.DangerImportance)
			s.selected = ""
			s.refresh()
			return
		}
		s.current, s.pins, s.history = e, pins, hist
		// What the check found now shows in the list too.
		for i := range s.entries {
			if s.entries[i].Receipt.IssueNumber == n && s.entries[i].Status != e.Status {
				s.entries[i].Status = e.Status
				s.list.RefreshItem(i)
			}
		}
		s.showDetail()
		// Who looked it up: the cached history shows at once, the fresh
		// one when the server answers.
		s.fetchHistory()
	})
}

// showDetail shows the selected receipt: first whether it is genuine, then
// its fields, then what can be done with it.
func (s *walletScreen) showDetail() {
	u := s.ui
	s.actions.Objects = nil
	switch {
	case s.selected == "" && len(s.entries) > 0:
		s.detail.Objects = []fyne.CanvasObject{para(u.t(txtWalletSelect))}
	case s.selected == "":
		s.detail.Objects = nil
	case s.current == nil:
		s.detail.Objects = []fyne.CanvasObject{para(u.t(txtWalletChecking))}
	default:
		e := s.current
		s.pdf = newButton(u.t(txtSavePDF), theme.DocumentSaveIcon(), func() { s.ui.savePDF(e.Receipt, s.setNote) })
		s.print = newButton(u.t(txtPrint), theme.DocumentPrintIcon(), func() { s.ui.printReceipt(e.Receipt, s.openFile, s.setNote) })
		s.export = newButton(u.t(txtExport), theme.UploadIcon(), func() { s.chooseExport([]string{e.Receipt.IssueNumber}) })
		s.del = newButton(u.t(txtDelete), theme.DeleteIcon(), func() { s.confirmDelete(e.Receipt.IssueNumber) })
		s.del.Importance = widget.DangerImportance
		actions := []fyne.CanvasObject{widget.NewSeparator()}
		if e.Status != wallet.Verified {
			// A printout of a receipt that does not verify would look as
			// genuine as any other on paper.
			setEnabled(false, s.pdf, s.print)
			actions = append(actions, para(u.t(txtOnlyGenuinePrint)))
		}
		actions = append(actions, container.NewGridWithColumns(2, s.pdf, s.print, s.export, s.del))
		s.actions.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(actions...))}
		s.historyBox = container.NewVBox()
		if s.history != nil {
			s.historyBox.Objects = []fyne.CanvasObject{historyView{u: u, h: s.history, onRefresh: s.fetchHistory}.build()}
		}
		s.detail.Objects = []fyne.CanvasObject{
			statusBanner(u, e),
			receiptView(u, e.Receipt),
			s.historyBox,
			s.technical(e),
		}
	}
	// The actions' height changed: the pane lays them out again.
	s.right.Refresh()
	// Twice: wrapped text learns its width in the first layout and only
	// then knows how many lines it needs; the second lays out with that.
	s.detail.Refresh()
	s.detail.Refresh()
}

// statusBanner says, in colour, icon and words, what verifying the receipt
// found.
func statusBanner(u *UI, e *wallet.Entry) fyne.CanvasObject {
	var (
		title, body text
		colour      fyne.ThemeColorName
		icon        fyne.Resource
		imp         widget.Importance
	)
	switch e.Status {
	case wallet.Verified:
		title, body, colour, imp = txtStatusVerified, txtStatusVerifiedBody, theme.ColorNameSuccess, widget.SuccessImportance
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case wallet.Altered:
		title, body, colour, imp = txtStatusAltered, txtStatusAlteredBody, theme.ColorNameError, widget.DangerImportance
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
	case wallet.Foreign:
		title, body, colour, imp = txtStatusForeign, txtStatusForeignBody, theme.ColorNameError, widget.DangerImportance
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		if errors.Is(e.Err, wallet.ErrNotPinned) {
			body = txtStatusNotPinnedBody
		}
	default:
		title, body, colour, imp = txtStatusDamaged, txtStatusDamagedBody, theme.ColorNameWarning, widget.WarningImportance
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
		if errors.Is(e.Err, wallet.ErrUnsigned) {
			body = txtStatusUnsignedBody
		}
	}
	c := theme.Color(colour)
	r, g, b, _ := c.RGBA()
	bg := canvas.NewRectangle(rgba(r, g, b, 0x26))
	bg.StrokeColor = c
	bg.StrokeWidth = 2
	bg.CornerRadius = theme.InputRadiusSize()
	head := widget.NewLabelWithStyle(u.t(title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.SizeName = theme.SizeNameSubHeadingText
	head.Importance = imp
	head.Wrapping = fyne.TextWrapWord
	img := widget.NewIcon(icon)
	content := container.NewBorder(nil, nil, container.NewVBox(img), nil, container.NewVBox(head, para(u.t(body))))
	return container.NewStack(bg, container.NewPadded(content))
}

// technical shows what an expert compares with other copies: the digest of
// the signed confirmation, the pinned certificate, where the files are, and
// how to check them with openssl.
func (s *walletScreen) technical(e *wallet.Entry) fyne.CanvasObject {
	u := s.ui
	digest := widget.NewLabel(groupDigest(e.Receipt.Digest))
	digest.Selectable = true
	items := []fyne.CanvasObject{fieldLabel(u.t(txtDigest)), digest}
	if u.wallet != nil {
		for _, fingerprint := range s.pins {
			fp := widget.NewLabel(groupDigest(fingerprint))
			fp.Selectable = true
			items = append(items, fieldLabel(u.t(txtCertFingerprint)), fp)
		}
		where := para(filepath.Join(u.wallet.Dir(), e.Receipt.IssueNumber))
		where.Selectable = true
		items = append(items, fieldLabel(u.t(txtWalletFolder)), where)
	}
	how := para(u.t(txtVerifyHow))
	how.Selectable = true
	items = append(items, how)
	return widget.NewAccordion(widget.NewAccordionItem(u.t(txtTechDetails), container.NewVBox(items...)))
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

// toggleOrder switches between newest and oldest first.
func (s *walletScreen) toggleOrder() {
	if s.order == wallet.NewestFirst {
		s.order = wallet.OldestFirst
	} else {
		s.order = wallet.NewestFirst
	}
	s.showOrder()
	s.refresh()
}

func (s *walletScreen) showOrder() {
	if s.order == wallet.NewestFirst {
		s.sort.SetText(s.ui.t(txtWalletNewest))
		s.sort.SetIcon(theme.MoveDownIcon())
	} else {
		s.sort.SetText(s.ui.t(txtWalletOldest))
		s.sort.SetIcon(theme.MoveUpIcon())
	}
}

// setNote tells what the last action did, in the notice under the search.
func (s *walletScreen) setNote(msg string, imp widget.Importance) {
	s.note, s.noteImp = msg, imp
	s.notice.Importance = imp
	say(s.notice, msg)
}

// confirmDelete asks before deleting: there is no undo.
func (s *walletScreen) confirmDelete(n string) {
	u := s.ui
	d := dialog.NewConfirm(u.t(txtDeleteTitle), u.tf(txtDeleteConfirm, n), func(ok bool) {
		if ok {
			s.deleteNow(n)
		}
	}, u.win)
	d.SetConfirmText(u.t(txtDeleteButton))
	d.SetDismissText(u.t(txtCancel))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (s *walletScreen) deleteNow(n string) {
	u := s.ui
	u.run(func(context.Context) error { return u.wallet.Delete(n) }, func(err error) {
		if err != nil {
			s.setNote(u.walletErrorText(err), widget.DangerImportance)
		} else {
			s.setNote(u.tf(txtDeleted, n), widget.SuccessImportance)
		}
		s.selected = ""
		s.refresh()
	})
}

// walletErrorText is the sentence for a wallet error: why a receipt was not
// kept, imported or exported.
func (u *UI) walletErrorText(err error) string {
	switch {
	case errors.Is(err, wallet.ErrUnsafeName):
		return u.t(txtImportUnsafe)
	case errors.Is(err, wallet.ErrNotArchive):
		return u.t(txtImportNotArchive)
	case errors.Is(err, wallet.ErrWrongConfirmation):
		return u.t(txtWhyWrongConfirmation)
	case errors.Is(err, wallet.ErrExists):
		return u.t(txtWhyExists)
	case errors.Is(err, wallet.ErrNotPinned):
		return u.t(txtWhyNotPinned)
	case errors.Is(err, wallet.ErrUnsigned):
		return u.t(txtWhyUnsigned)
	case errors.Is(err, receipt.ErrAltered):
		return u.t(txtWhyAltered)
	case errors.Is(err, receipt.ErrForeign):
		return u.t(txtWhyForeign)
	case errors.Is(err, receipt.ErrMalformed):
		return u.t(txtWhyDamaged)
	case errors.Is(err, wallet.ErrNotFound):
		return u.t(txtWhyMissing)
	}
	return u.lang.errorText(err, txtErrWallet)
}
