package app

import (
	"io/fs"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/assets"
	"github.com/bonsign/bonsign/directory"
)

// prefRecentInstitutions is the Preferences key of the codes of the
// institutions the citizen picked last, most recent first.
const prefRecentInstitutions = "institutions.recent"

// Limits of the picker.
const (
	maxRecent     = 8   // recent picks remembered
	pickerResults = 100 // results listed for a search
	pickerRows    = 4   // rows the list shows without scrolling
)

// institutionPicker chooses the recipient institution (R7): a search that
// finds as Koreans type (initial consonants too), category chips, a region
// choice, and the results with the citizen's recent picks first. Up and Down
// move in the results, Enter picks.
//
// Its state outlives its widgets, which build makes again when the screen is
// rebuilt (after a language switch). It mirrors widget.Select where that helps
// callers: Options are the names offered, SetSelected picks by name.
type institutionPicker struct {
	ui *UI
	// chosen is where the pick goes: the draft's institution.
	chosen *api.Institution
	// onPick runs after a pick, for the form to clear its message.
	onPick func()

	dir      *directory.Directory // nil until the institutions are loaded
	query    string
	category directory.Category // "" for all
	region   string             // a province's code, "" for all
	results  []directory.Result
	total    int
	recent   map[string]bool
	cursor   int // the highlighted result, -1 for none

	// Options are the names of the institutions offered now, in order.
	Options []string

	search    *pickerEntry
	chips     map[directory.Category]*button
	regionSel *widget.Select
	list      *widget.List
	hint      *widget.Label
	picked    *widget.Label
	empty     *widget.Label
	// moving is set while the keyboard moves the highlight, so that the
	// list's selection callback does not take it for a click.
	moving bool
}

func newInstitutionPicker(u *UI, chosen *api.Institution, onPick func()) *institutionPicker {
	return &institutionPicker{ui: u, chosen: chosen, onPick: onPick, cursor: -1}
}

// pickerEntry is the search box: Up, Down and Enter act on the results.
type pickerEntry struct {
	widget.Entry
	p *institutionPicker
}

func newPickerEntry(p *institutionPicker) *pickerEntry {
	e := &pickerEntry{p: p}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey moves the highlight with Up and Down, clears the search with
// Escape, and leaves the rest to the entry.
func (e *pickerEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyDown:
		e.p.move(1)
	case fyne.KeyUp:
		e.p.move(-1)
	case fyne.KeyPageDown:
		e.p.move(pickerRows)
	case fyne.KeyPageUp:
		e.p.move(-pickerRows)
	case fyne.KeyEscape:
		e.SetText("")
	default:
		e.Entry.TypedKey(ev)
	}
}

// build makes the picker's widgets from its state. focus is the widget that
// takes the keyboard.
func (p *institutionPicker) build() (obj fyne.CanvasObject, focus fyne.Focusable) {
	u := p.ui
	p.search = newPickerEntry(p)
	p.search.PlaceHolder = u.t(txtPickerPlaceholder)
	p.search.SetText(p.query)
	p.search.OnChanged = func(s string) {
		p.query = s
		p.refresh()
	}
	p.search.OnSubmitted = func(string) {
		i := p.cursor
		if i < 0 && len(p.results) > 0 {
			i = 0
		}
		p.pick(i)
	}

	p.chips = map[directory.Category]*button{}
	var chipObjs []fyne.CanvasObject
	for _, c := range append([]directory.Category{""}, directory.Categories()...) {
		b := newButton(u.t(categoryText(c)), nil, func() { p.setCategory(c) })
		p.chips[c] = b
		chipObjs = append(chipObjs, b)
	}
	p.paintChips()

	p.regionSel = widget.NewSelect(nil, nil) // filled by fillRegions

	p.list = widget.NewList(
		func() int { return len(p.results) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("")
			detail.SizeName = theme.SizeNameCaptionText
			detail.Truncation = fyne.TextTruncateEllipsis
			icon := widget.NewIcon(theme.HistoryIcon())
			return container.NewBorder(nil, nil, icon, nil, container.New(tightVBox{}, name, detail))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(p.results) {
				return
			}
			r := p.results[id]
			row := o.(*fyne.Container)
			texts := row.Objects[0].(*fyne.Container).Objects
			texts[0].(*widget.Label).SetText(r.Entry.Name)
			texts[1].(*widget.Label).SetText(p.describe(r.Entry, true))
			// An icon without a resource keeps its place, so names align.
			icon := row.Objects[1].(*widget.Icon)
			if p.recent[r.Entry.Code] {
				icon.SetResource(theme.HistoryIcon())
			} else {
				icon.SetResource(nil)
			}
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		if p.moving {
			return
		}
		p.pick(id)
	}

	p.hint = widget.NewLabel("")
	p.hint.SizeName = theme.SizeNameCaptionText
	p.hint.Wrapping = fyne.TextWrapWord
	p.empty = newMessage(widget.MediumImportance)
	p.empty.Alignment = fyne.TextAlignCenter
	p.picked = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.picked.Wrapping = fyne.TextWrapWord

	// The list scrolls inside the page: give it the height of a few rows.
	rowH := p.list.CreateItem().MinSize().Height + theme.Padding()
	listBox := container.New(fixedHeight{pickerRows * rowH}, container.NewStack(p.list, container.NewPadded(container.NewVBox(p.empty))))

	top := container.NewBorder(nil, nil, nil, container.New(minWidthLayout{170}, p.regionSel), p.search)
	obj = container.NewVBox(p.picked, top, container.New(&flowLayout{}, chipObjs...), listBox, p.hint)
	p.refresh()
	p.showPicked()
	return obj, p.search
}

// setDirectory gives the picker the institutions to choose from.
func (p *institutionPicker) setDirectory(d *directory.Directory) {
	p.dir = d
	p.recent = map[string]bool{}
	if p.search != nil {
		p.refresh()
	}
}

// setEnabled makes the picker usable or not (while loading).
func (p *institutionPicker) setEnabled(on bool) {
	if p.search == nil {
		return
	}
	setEnabled(on, p.search, p.regionSel)
	for _, b := range p.chips {
		setEnabled(on, b)
	}
}

// today is the day institutions must be in force on.
func (p *institutionPicker) today() directory.Day { return directory.DayOf(time.Now()) }

// regions are the provinces offered in the region choice.
func (p *institutionPicker) regions() []directory.Entry {
	if p.dir == nil {
		return nil
	}
	return p.dir.Regions(p.today())
}

func (p *institutionPicker) setCategory(c directory.Category) {
	p.category = c
	p.paintChips()
	p.refresh()
}

func (p *institutionPicker) paintChips() {
	for c, b := range p.chips {
		if c == p.category {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
}

// refresh searches again and shows the results: the citizen's recent picks
// that match come first, then the rest, best match first.
func (p *institutionPicker) refresh() {
	u := p.ui
	if p.search == nil {
		return
	}
	if p.dir == nil {
		p.results, p.total, p.Options = nil, 0, nil
		p.list.Refresh()
		return
	}
	p.fillRegions()
	q := directory.Query{Text: p.query, Region: p.region, On: p.today()}
	if p.category != "" {
		q.Categories = []directory.Category{p.category}
	}
	if strings.TrimSpace(p.query) != "" {
		q.Limit = pickerResults
	}
	res, total := p.dir.Search(q)

	codes := u.app.Preferences().StringList(prefRecentInstitutions)
	p.recent = map[string]bool{}
	var first []directory.Result
	for _, code := range codes {
		i := slices.IndexFunc(res, func(r directory.Result) bool { return r.Entry.Code == code })
		if i < 0 && strings.TrimSpace(p.query) == "" {
			// Recent picks come first even when the list is cut short.
			if e, ok := p.dir.Lookup(code); ok && p.fits(e) {
				first = append(first, directory.Result{Entry: e, Match: directory.MatchAll})
				p.recent[code] = true
			}
			continue
		}
		if i >= 0 {
			first = append(first, res[i])
			res = slices.Delete(res, i, i+1)
			p.recent[code] = true
		}
	}
	p.results = append(first, res...)
	p.total = max(total, len(p.results))
	p.Options = make([]string, len(p.results))
	for i, r := range p.results {
		p.Options[i] = r.Entry.Name
	}

	p.cursor = -1
	if i := slices.IndexFunc(p.results, func(r directory.Result) bool { return r.Entry.Code == p.chosen.Code }); i >= 0 {
		p.cursor = i
	}
	p.moving = true
	p.list.UnselectAll()
	if p.cursor >= 0 {
		p.list.Select(p.cursor)
	}
	p.moving = false
	p.list.Refresh()
	p.list.ScrollToTop()

	if len(p.results) == 0 {
		say(p.empty, u.t(txtPickerNone))
	} else {
		say(p.empty, "")
	}
	shown := len(p.results)
	if shown < p.total {
		p.hint.SetText(u.tf(txtPickerCountMore, p.total, shown) + " · " + u.t(txtPickerKeys))
	} else {
		p.hint.SetText(u.tf(txtPickerCount, p.total) + " · " + u.t(txtPickerKeys))
	}
}

// fits reports whether e passes the chips and the region and is in force.
func (p *institutionPicker) fits(e directory.Entry) bool {
	return (p.category == "" || e.Category == p.category) && (p.region == "" || e.Region == p.region) && e.InForce(p.today())
}

// fillRegions puts the provinces in the region choice once.
func (p *institutionPicker) fillRegions() {
	if len(p.regionSel.Options) > 0 {
		return
	}
	opts := []string{p.ui.t(txtPickerAllRegions)}
	sel := 0
	for i, r := range p.regions() {
		opts = append(opts, r.Name)
		if r.Code == p.region {
			sel = i + 1
		}
	}
	p.regionSel.OnChanged, p.regionSel.Options = nil, opts
	p.regionSel.SetSelectedIndex(sel)
	p.regionSel.OnChanged = func(string) {
		i := p.regionSel.SelectedIndex()
		regions := p.regions()
		if i <= 0 || i > len(regions) {
			p.region = ""
		} else {
			p.region = regions[i-1].Code
		}
		p.refresh()
	}
}

// move moves the highlight by n results, without picking.
func (p *institutionPicker) move(n int) {
	if len(p.results) == 0 {
		return
	}
	i := p.cursor + n
	if p.cursor < 0 && n > 0 {
		i = 0
	}
	i = max(0, min(i, len(p.results)-1))
	p.cursor = i
	p.moving = true
	p.list.Select(i)
	p.moving = false
	p.list.ScrollTo(i)
}

// pick chooses result i.
func (p *institutionPicker) pick(i int) {
	if i < 0 || i >= len(p.results) {
		return
	}
	e := p.results[i].Entry
	*p.chosen = api.Institution{Code: e.Code, Name: e.Name}
	p.cursor = i
	p.remember(e.Code)
	p.showPicked()
	if p.onPick != nil {
		p.onPick()
	}
}

// SetSelected picks the institution in force named name, as widget.Select
// does.
func (p *institutionPicker) SetSelected(name string) {
	if i := slices.Index(p.Options, name); i >= 0 {
		p.pick(i)
		return
	}
	if p.dir == nil {
		return
	}
	res, _ := p.dir.Search(directory.Query{Text: name, On: p.today(), Limit: 1})
	if len(res) == 1 && res[0].Entry.Name == name {
		p.results = append([]directory.Result{res[0]}, p.results...)
		p.pick(0)
		p.refresh()
	}
}

// remember puts code first among the recent picks.
func (p *institutionPicker) remember(code string) {
	prefs := p.ui.app.Preferences()
	codes := slices.DeleteFunc(prefs.StringList(prefRecentInstitutions), func(c string) bool { return c == code })
	codes = append([]string{code}, codes...)
	if len(codes) > maxRecent {
		codes = codes[:maxRecent]
	}
	prefs.SetStringList(prefRecentInstitutions, codes)
}

// showPicked says which institution is chosen.
func (p *institutionPicker) showPicked() {
	if p.picked == nil {
		return
	}
	u := p.ui
	if p.chosen.Code == "" {
		p.picked.SetText(u.t(txtPickerNothingChosen))
		p.picked.TextStyle.Bold = false
		p.picked.Importance = widget.LowImportance
	} else {
		desc := ""
		if p.dir != nil {
			if e, ok := p.dir.Lookup(p.chosen.Code); ok {
				desc = " (" + p.describe(e, false) + ")"
			}
		}
		p.picked.SetText("✓ " + u.tf(txtPickerChosen, p.chosen.Name) + desc)
		p.picked.TextStyle.Bold = true
		p.picked.Importance = widget.SuccessImportance
	}
	p.picked.Refresh()
}

// describe is the second line of a result: what and where it is, and
// whether the citizen chose it recently.
func (p *institutionPicker) describe(e directory.Entry, withRecent bool) string {
	u := p.ui
	parts := []string{u.t(categoryText(e.Category))}
	switch {
	case e.Category == directory.Local && e.Kind == directory.KindProvince:
		parts[0] = u.t(txtKindProvince)
	case e.Region != "" && p.dir != nil:
		if r, ok := p.dir.Lookup(e.Region); ok {
			parts = append(parts, r.Name)
		}
	case e.Category == directory.Central || e.Category == directory.Public || e.Category == directory.Special:
		parts = append(parts, u.t(txtPickerNational))
	}
	if withRecent && p.recent[e.Code] {
		parts = append(parts, u.t(txtPickerRecent))
	}
	return strings.Join(parts, " · ")
}

// categoryText names a category; "" is every category.
func categoryText(c directory.Category) text {
	switch c {
	case directory.Central:
		return txtCatCentral
	case directory.Local:
		return txtCatLocal
	case directory.Agency:
		return txtCatAgency
	case directory.Public:
		return txtCatPublic
	case directory.LocalPublic:
		return txtCatLocalPublic
	case directory.Special:
		return txtCatSpecial
	case directory.School:
		return txtCatSchool
	}
	return txtPickerAll
}

// bundledDirectory is the directory bundled with the app: what it knows of
// each institution beyond its code and name.
func bundledDirectory() (*directory.Directory, error) {
	files := [][]byte{assets.Institutions}
	names, err := fs.Glob(assets.InstitutionFiles, "institutions/*.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := assets.InstitutionFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		files = append(files, b)
	}
	return directory.Load(files...)
}

// pickerDirectory is what the picker searches: exactly the institutions the
// server offers, described by the bundled directory where it knows them. The
// server decides what is eligible; an institution the app's data does not
// know yet (a school of a newer import) is still offered, its category
// guessed from its name.
func pickerDirectory(offered []api.Institution, bundled *directory.Directory) (*directory.Directory, error) {
	const src = "server"
	f := &directory.File{Sources: []directory.Source{{ID: src, Name: "issuance server"}}}
	if bundled != nil {
		f.Sources = append(f.Sources, bundled.Sources()...)
		f.AsOf = bundled.AsOf()
	}
	known := map[string]bool{}
	for _, in := range offered {
		if known[in.Code] || !directory.ValidCode(in.Code) || strings.TrimSpace(in.Name) != in.Name || in.Name == "" {
			continue
		}
		known[in.Code] = true
		e := directory.Entry{Code: in.Code, Name: in.Name, Category: guessCategory(in.Name), Source: src}
		if bundled != nil {
			if b, ok := bundled.Lookup(in.Code); ok && b.Name == in.Name {
				e = b
				e.From, e.Until = "", "" // the server offers it: it is in force
			}
		}
		f.Institutions = append(f.Institutions, e)
	}
	// Parents and regions the server does not offer are left out.
	for i := range f.Institutions {
		e := &f.Institutions[i]
		if !known[e.Parent] {
			e.Parent = ""
		}
		if !known[e.Region] {
			e.Region = ""
		}
	}
	return directory.New(f)
}

// guessCategory places an institution the app's data does not know by its
// name, for the chips only.
func guessCategory(name string) directory.Category {
	switch {
	case strings.HasSuffix(name, "학교") || strings.HasSuffix(name, "대학") || strings.HasSuffix(name, "대학원"):
		return directory.School
	case strings.HasSuffix(name, "공사") || strings.HasSuffix(name, "공단"):
		return directory.Public
	case strings.HasSuffix(name, "부") || strings.HasSuffix(name, "처") || strings.HasSuffix(name, "청") || strings.HasSuffix(name, "위원회"):
		return directory.Central
	}
	return directory.Agency
}

// flowLayout places its objects in rows, wrapping to the next row when the
// width is used up, like words in a line: the category chips.
type flowLayout struct {
	// width is the width of the last layout: MinSize cannot know the width
	// it will get, and guesses this one (or the narrowest window's) for the
	// number of rows.
	width float32
}

func (flowLayout) rows(objs []fyne.CanvasObject, width float32) (rows [][]fyne.CanvasObject) {
	pad := theme.Padding()
	var row []fyne.CanvasObject
	x := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if len(row) > 0 && x+pad+w > width {
			rows, row, x = append(rows, row), nil, 0
		}
		if len(row) > 0 {
			x += pad
		}
		row = append(row, o)
		x += w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	pad := theme.Padding()
	y := float32(0)
	for _, row := range l.rows(objs, size.Width) {
		x, h := float32(0), float32(0)
		for _, o := range row {
			ms := o.MinSize()
			o.Move(fyne.NewPos(x, y))
			o.Resize(ms)
			x += ms.Width + pad
			h = max(h, ms.Height)
		}
		y += h + pad
	}
}

// MinSize is the widest object's width (so that the layout can shrink) and
// the height of the rows at the width it last had.
func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	width := l.width
	if width <= 0 {
		width = minWindowWidth - 12*pad
	}
	rows := l.rows(objs, width)
	h := float32(0)
	for i, row := range rows {
		rh := float32(0)
		for _, o := range row {
			rh = max(rh, o.MinSize().Height)
		}
		if i > 0 {
			h += pad
		}
		h += rh
	}
	return fyne.NewSize(s.Width, h)
}

// fixedHeight gives its objects a fixed height and any width.
type fixedHeight struct{ h float32 }

func (l fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, l.h)
}

// tightVBox stacks labels so that their inner padding overlaps: the two
// lines of a result read as one item.
type tightVBox struct{}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - theme.InnerPadding()
	}
}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height -= theme.InnerPadding()
		}
	}
	return s
}
