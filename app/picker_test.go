package app

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/directory"
)

// pickerOf logs in to the demo and returns the draft screen once its
// institution picker has the institutions.
func pickerOf(t *testing.T, h *harness, env *demo.Env) *draftScreen {
	t.Helper()
	d := h.logIn(env)
	h.waitFor("the institutions", func() bool { return len(d.institution.Options) > 0 })
	return d
}

// search types q into the picker's search box, as a person would.
func (p *institutionPicker) typeQuery(q string) {
	p.search.SetText("")
	test.Type(p.search, q)
}

func (p *institutionPicker) key(name fyne.KeyName) { p.search.TypedKey(&fyne.KeyEvent{Name: name}) }

func resultNames(p *institutionPicker) []string { return slices.Clone(p.Options) }

func TestPickerFindsByInitialsAndPicksWithTheKeyboard(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	d := pickerOf(t, h, env)
	p := d.institution

	p.typeQuery("ㄱㅁㅇㄱ")
	if p.Options[0] != "국민연금공단" {
		t.Fatalf("ㄱㅁㅇㄱ finds %v", p.Options)
	}
	p.key(fyne.KeyReturn)
	if got := h.ui.sess.draft.institution; got != (api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"}) {
		t.Fatalf("Enter picked %+v", got)
	}
	if !h.shows("선택한 기관: 국민연금공단") {
		t.Fatal("the pick is not shown")
	}

	// Mixed input; Down three times and Up once, then Enter: the second
	// result.
	p.typeQuery("서울특별시 ㅈ")
	if len(p.Options) < 3 {
		t.Fatalf("서울특별시 ㅈ finds %v", p.Options)
	}
	want := p.Options[1]
	p.key(fyne.KeyDown)
	p.key(fyne.KeyDown)
	p.key(fyne.KeyDown)
	p.key(fyne.KeyUp)
	if h.ui.sess.draft.institution.Name != "국민연금공단" {
		t.Fatal("moving the highlight picked something")
	}
	p.key(fyne.KeyEnter)
	if got := h.ui.sess.draft.institution.Name; got != want {
		t.Fatalf("picked %s, want the second result %s of %v", got, want, p.Options)
	}

	// Escape clears the search.
	p.key(fyne.KeyEscape)
	if p.search.Text != "" || len(p.Options) < 400 {
		t.Fatalf("after Escape: %q, %d results", p.search.Text, len(p.Options))
	}

	// Nothing found says so.
	p.typeQuery("카지노")
	if len(p.Options) != 0 || !h.shows(txtPickerNone.ko) {
		t.Fatalf("카지노 finds %v", p.Options)
	}
}

func TestPickerChipsAndRegionFilter(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	d := pickerOf(t, h, env)
	p := d.institution

	test.Tap(p.chips[directory.Special])
	if len(p.results) < 3 {
		t.Fatalf("special corporations: %v", p.Options)
	}
	for _, r := range p.results {
		if r.Entry.Category != directory.Special {
			t.Fatalf("%s (%s) under the 특수법인 chip", r.Entry.Name, r.Entry.Category)
		}
	}
	if !slices.Contains(p.Options, "한국은행") || !slices.Contains(p.Options, "새마을금고중앙회") {
		t.Fatalf("special corporations: %v", p.Options)
	}

	test.Tap(p.chips[directory.Local])
	p.typeQuery("중구")
	if len(p.Options) < 5 {
		t.Fatalf("중구 among local governments: %v", p.Options)
	}
	p.regionSel.SetSelected("부산광역시")
	if !slices.Equal(p.Options, []string{"부산광역시 중구"}) {
		t.Fatalf("중구 in 부산: %v", p.Options)
	}
	// Abolished on 2026-06-30: not offered.
	p.regionSel.SetSelected("인천광역시")
	if len(p.Options) != 0 {
		t.Fatalf("중구 in 인천: %v", p.Options)
	}

	test.Tap(p.chips[""])
	p.regionSel.SetSelectedIndex(0)
	p.typeQuery("ㅎㄱ")
	cats := map[directory.Category]bool{}
	for _, r := range p.results {
		cats[r.Entry.Category] = true
	}
	if len(cats) < 2 {
		t.Fatalf("전체 shows only %v", cats)
	}
}

func TestPickerShowsRecentPicksFirst(t *testing.T) {
	env := startDemo(t)
	a := test.NewTempApp(t)
	h := newHarness(t, a, demoConfig(env))
	d := pickerOf(t, h, env)
	p := d.institution
	for _, name := range []string{"한국은행", "서울특별시 종로구", "국민연금공단"} {
		p.typeQuery(name)
		p.key(fyne.KeyReturn)
	}
	if got := a.Preferences().StringList(prefRecentInstitutions); !slices.Equal(got, []string{"bs-pub-nps", "3000000", "bs-spc-bok"}) {
		t.Fatalf("recent picks %v", got)
	}

	// A new form: the recent picks come first, most recent first, marked.
	h.ui.goDraft()
	d = screenOf[*draftScreen](h)
	p = d.institution
	if p.query != "" || len(p.Options) < 400 {
		t.Fatalf("the new form's picker: %q, %d results", p.query, len(p.Options))
	}
	if got := p.Options[:3]; !slices.Equal(got, []string{"국민연금공단", "서울특별시 종로구", "한국은행"}) {
		t.Fatalf("first results %v", got)
	}
	if !h.shows(txtPickerRecent.ko) {
		t.Fatal("recent picks are not marked")
	}
	// Searching keeps the recent ones that match first: 한국은행 before the
	// shorter 한국마사회, which would otherwise come first.
	p.typeQuery("ㅎㄱ")
	if p.Options[0] != "한국은행" {
		t.Fatalf("ㅎㄱ: %v", p.Options[:5])
	}
	// A chip that excludes them leaves them out.
	test.Tap(p.chips[directory.School])
	if slices.Contains(p.Options, "한국은행") {
		t.Fatalf("한국은행 under 학교: %v", p.Options)
	}
}

func TestPickerFitsAnEightHundredBySixHundredWindow(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	h.win.Resize(fyne.NewSize(800, 600))
	d := pickerOf(t, h, env)
	p := d.institution
	p.typeQuery("ㄱ")
	h.win.Resize(fyne.NewSize(800, 600))
	if s := p.list.Size(); s.Height < 150 || s.Width < 400 {
		t.Fatalf("the result list is %v", s)
	}
	// Every chip is inside the picker's width, none on top of another.
	var prev fyne.CanvasObject
	width := p.search.Size().Width + p.regionSel.Size().Width
	for _, c := range append([]directory.Category{""}, directory.Categories()...) {
		b := p.chips[c]
		pos, size := b.Position(), b.Size()
		if pos.X+size.Width > width+1 || size.Width < b.MinSize().Width {
			t.Errorf("chip %q at %v size %v, the picker is %v wide", b.Text, pos, size, width)
		}
		if prev != nil && prev.Position().Y == pos.Y && prev.Position().X+prev.Size().Width > pos.X {
			t.Errorf("chip %q overlaps the one before", b.Text)
		}
		prev = b
	}
}

func TestPickerDirectoryFollowsTheServer(t *testing.T) {
	bundled, err := bundledDirectory()
	if err != nil {
		t.Fatal(err)
	}
	offered := []api.Institution{
		{Code: "bs-pub-nps", Name: "국민연금공단"},
		{Code: "6110000", Name: "서울특별시"},
		{Code: "3000000", Name: "서울특별시 종로구"},
		{Code: "7999001", Name: "bonsign시험초등학교"}, // imported on the server only
		{Code: "6260000", Name: "부산 (renamed on the server)"},
		{Code: "not a code", Name: "x"},
	}
	d, err := pickerDirectory(offered, bundled)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 5 {
		t.Fatalf("%d entries", d.Len())
	}
	if e, _ := d.Lookup("3000000"); e.Region != "6110000" || e.Category != directory.Local {
		t.Errorf("종로구 lost what the app knows: %+v", e)
	}
	if e, _ := d.Lookup("7999001"); e.Category != directory.School {
		t.Errorf("an unknown school is %s", e.Category)
	}
	// The server's name wins: the confirmation carries it.
	if e, _ := d.Lookup("6260000"); e.Name != "부산 (renamed on the server)" {
		t.Errorf("%+v", e)
	}
	if _, ok := d.Lookup("6290000"); ok {
		t.Error("an institution the server does not offer is offered")
	}
}

// TestPickerScreenshots renders the draft form scrolled to the institution
// picker, with a choice made, and the picker with initials typed, to PNG
// files in BONSIGN_SCREENSHOTS (see TestScreenshots).
//
//	BONSIGN_SCREENSHOTS=/tmp/shots BONSIGN_SCREENSHOT_SIZE=800x600 go test ./app -run PickerScreenshots
func TestPickerScreenshots(t *testing.T) {
	dir := os.Getenv("BONSIGN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set BONSIGN_SCREENSHOTS to a folder to write screenshots")
	}
	size := fyne.NewSize(800, 600)
	if s := os.Getenv("BONSIGN_SCREENSHOT_SIZE"); s != "" {
		if _, err := fmt.Sscanf(s, "%fx%f", &size.Width, &size.Height); err != nil {
			t.Fatal(err)
		}
	}
	env := startDemo(t)
	a := test.NewTempApp(t)
	if os.Getenv("BONSIGN_SCREENSHOT_LANG") == "en" {
		english.save(a.Preferences())
	}
	h := newHarness(t, a, demoConfig(env))
	h.win.Resize(size)
	d := pickerOf(t, h, env)
	shot := func(name string) {
		t.Helper()
		h.waitFor("the screen", func() bool { return true })
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	// The picker ends the form: scrolled to the end, nothing lies below the
	// fold for the test painter to draw over the footer.
	scrollTo := func(d *draftScreen) {
		d.scroll.Offset.Y = max(0, d.scroll.Content.MinSize().Height-d.scroll.Size().Height)
		d.scroll.Refresh()
	}
	d.institution.remember("6110000")
	d.fillExample()
	d = screenOf[*draftScreen](h)
	scrollTo(d)
	shot("04-draft.png")

	d.institution.typeQuery("ㄱㅁ")
	d.institution.key(fyne.KeyDown)
	scrollTo(d)
	shot("09-institution-picker.png")
}
