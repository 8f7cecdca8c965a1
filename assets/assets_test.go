package assets

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io/fs"
	"maps"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/bonsign/bonsign/directory"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

var fonts = []struct {
	name, style, postscript string
	data                    []byte
}{
	{"FontRegular", "Regular", "BonsignGothic-Regular", FontRegular},
	{"FontBold", "Bold", "BonsignGothic-Bold", FontBold},
}

func TestFontsParse(t *testing.T) {
	for _, tc := range fonts {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(tc.data); n == 0 || n >= 2<<20 {
				t.Fatalf("size %d bytes, want 1..2 MiB", n)
			}
			if magic := string(tc.data[:4]); magic != "\x00\x01\x00\x00" {
				t.Fatalf("sfnt version %q, want TrueType 0x00010000", magic)
			}
			f, err := sfnt.Parse(tc.data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var buf sfnt.Buffer
			for id, want := range map[sfnt.NameID]string{
				sfnt.NameIDFamily:     "Bonsign Gothic",
				sfnt.NameIDSubfamily:  tc.style,
				sfnt.NameIDPostScript: tc.postscript,
				sfnt.NameIDLicenseURL: "https://openfontlicense.org",
			} {
				got, err := f.Name(&buf, id)
				if err != nil {
					t.Errorf("name %d: %v", id, err)
				} else if got != want {
					t.Errorf("name %d = %q, want %q", id, got, want)
				}
			}
			// The OFL reserves "Nanum": the renamed subset must not carry it anywhere
			// (name records are ASCII or UTF-16BE).
			for _, enc := range [][]byte{[]byte("Nanum"), utf16be("Nanum"), utf16be("나눔")} {
				if bytes.Contains(tc.data, enc) {
					t.Errorf("font still contains the reserved name %q", enc)
				}
			}
		})
	}
}

func TestFontsCoverage(t *testing.T) {
	runes := []rune("전자본인서명확인서힣가각AZaz09.,·※✓✔✗✘○●←→()₩ㄱㅎ")
	for _, tc := range fonts {
		t.Run(tc.name, func(t *testing.T) {
			f, err := sfnt.Parse(tc.data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var buf sfnt.Buffer
			for _, r := range runes {
				gi, err := f.GlyphIndex(&buf, r)
				if err != nil || gi == 0 {
					t.Errorf("no glyph for %q (U+%04X): index %d, %v", r, r, gi, err)
					continue
				}
				if r == ' ' {
					continue
				}
				segs, err := f.LoadGlyph(&buf, gi, fixed.I(16), nil)
				if err != nil || len(segs) == 0 {
					t.Errorf("glyph for %q has no outline: %d segments, %v", r, len(segs), err)
				}
			}
			// Every precomposed Hangul syllable is there.
			missing := 0
			for r := rune(0xAC00); r <= 0xD7A3; r++ {
				if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
					missing++
				}
			}
			if missing != 0 {
				t.Errorf("%d of 11172 Hangul syllables missing", missing)
			}
		})
	}
}

func TestFontLicense(t *testing.T) {
	s := string(FontLicense)
	for _, want := range []string{"SIL OPEN FONT LICENSE", "Version 1.1", "NAVER Corporation", "Reserved Font Name"} {
		if !strings.Contains(s, want) {
			t.Errorf("OFL.txt lacks %q", want)
		}
	}
}

func TestIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon is not a PNG: %v", err)
	}
	if cfg.Width != 512 || cfg.Height != 512 {
		t.Fatalf("icon is %dx%d, want 512x512", cfg.Width, cfg.Height)
	}
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("decode icon: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon bounds %v", b)
	}
	// Transparent corners, opaque centre.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %d, want 0", a)
	}
	if _, _, _, a := img.At(256, 256).RGBA(); a != 0xffff {
		t.Errorf("centre alpha %d, want opaque", a)
	}
}

func TestInstitutionsJSON(t *testing.T) {
	if !json.Valid(Institutions) {
		t.Fatalf("institutions.json is not valid JSON")
	}
}

func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// loadDirectory builds the directory from every bundled data file.
func loadDirectory(t *testing.T) *directory.Directory {
	t.Helper()
	data := [][]byte{Institutions}
	more, err := fs.Glob(InstitutionFiles, "institutions/*.json")
	if err != nil || len(more) == 0 {
		t.Fatalf("no institutions/*.json embedded: %v", err)
	}
	for _, name := range more {
		b, err := InstitutionFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	d, err := directory.Load(data...)
	if err != nil {
		t.Fatalf("the bundled directory is invalid: %v", err)
	}
	return d
}

func day(t *testing.T, s string) directory.Day {
	t.Helper()
	d, err := directory.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDataFilesAreInCanonicalForm(t *testing.T) {
	files := map[string][]byte{"institutions.json": Institutions}
	more, _ := fs.Glob(InstitutionFiles, "institutions/*.json")
	for _, name := range more {
		files[name], _ = InstitutionFiles.ReadFile(name)
	}
	for name, b := range files {
		f, err := directory.ParseFile(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nb, _ := f.Marshal()
		if !bytes.Equal(nb, b) {
			t.Errorf("%s is not in canonical form: run bonsign-directory fmt %s", name, name)
		}
	}
}

func TestWellKnownInstitutionsArePresent(t *testing.T) {
	d := loadDirectory(t)
	on := day(t, "2026-11-25")
	byName := map[string]directory.Entry{}
	for _, e := range d.Entries(on) {
		if _, dup := byName[e.Name]; dup && e.Category != directory.School {
			t.Errorf("two institutions in force are both named %q", e.Name)
		}
		byName[e.Name] = e
	}
	for _, tc := range []struct {
		name string
		cat  directory.Category
	}{
		{"국민연금공단", directory.Public}, {"주택도시보증공사", directory.Public},
		{"국민건강보험공단", directory.Public}, {"한국토지주택공사", directory.Public},
		{"한국은행", directory.Special}, {"한국산업은행", directory.Special}, {"새마을금고중앙회", directory.Special},
		{"행정안전부", directory.Central}, {"국토교통부", directory.Central}, {"법무부", directory.Central},
		{"국세청", directory.Central}, {"재정경제부", directory.Central}, {"기후에너지환경부", directory.Central},
		{"서울특별시", directory.Local}, {"서울특별시 종로구", directory.Local}, {"경기도 수원시", directory.Local},
		{"강원특별자치도", directory.Local}, {"전북특별자치도", directory.Local}, {"대구광역시 군위군", directory.Local},
		{"서울주택도시공사", directory.LocalPublic}, {"서울대학교", directory.School},
		{"제주특별자치도 제주시", directory.Agency},
	} {
		e, ok := byName[tc.name]
		if !ok {
			t.Errorf("%s is not in force on %s", tc.name, on)
			continue
		}
		if e.Category != tc.cat {
			t.Errorf("%s is %s, want %s", tc.name, e.Category, tc.cat)
		}
	}
	// The codes the tests, the demo and issued confirmations already use.
	for code, name := range map[string]string{"bs-pub-nps": "국민연금공단", "bs-pub-hug": "주택도시보증공사", "1741000": "행정안전부", "6110000": "서울특별시"} {
		if !d.Eligible(code, name, on) {
			t.Errorf("%s %s is not eligible", code, name)
		}
	}
	for _, c := range directory.Categories() {
		if n, _ := d.Search(directory.Query{Categories: []directory.Category{c}, On: on}); n == nil {
			t.Errorf("no institution of category %s", c)
		}
	}
}

// provinceCounts is how many cities, counties and districts each
// province-level government has.
var provinceCounts = map[string]struct{ before, after int }{
	"서울특별시": {25, 25}, "부산광역시": {16, 16}, "대구광역시": {9, 9}, "인천광역시": {10, 11},
	"광주광역시": {5, -1}, "대전광역시": {5, 5}, "울산광역시": {5, 5}, "세종특별자치시": {0, 0},
	"경기도": {31, 31}, "강원특별자치도": {18, 18}, "충청북도": {11, 11}, "충청남도": {15, 15},
	"전북특별자치도": {14, 14}, "전라남도": {22, -1}, "경상북도": {22, 22}, "경상남도": {18, 18},
	"제주특별자치도": {0, 0}, "전남광주통합특별시": {-1, 27},
}

func TestEveryLocalGovernmentOnceUnderItsProvince(t *testing.T) {
	d := loadDirectory(t)
	for _, tc := range []struct {
		day                  string
		provinces, municipal int
		after                bool
	}{
		// 226 from 2023-07-01 (군위군 moves to 대구) to 2026-06-30.
		{"2026-06-30", 17, 226, false},
		// 인천: 중구·동구 → 제물포구·영종구, 서구 → 서해구 + 검단구; 광주광역시 and
		// 전라남도 merge into 전남광주통합특별시.
		{"2026-07-01", 16, 227, true},
		{"2026-11-25", 16, 227, true},
	} {
		t.Run(tc.day, func(t *testing.T) {
			on := day(t, tc.day)
			provinces := map[string]directory.Entry{}
			perProvince := map[string]int{}
			names := map[string]bool{}
			municipal := 0
			for _, e := range d.Entries(on) {
				if e.Category != directory.Local {
					continue
				}
				if names[e.Name] {
					t.Errorf("%s is in force twice", e.Name)
				}
				names[e.Name] = true
				switch e.Kind {
				case directory.KindProvince:
					provinces[e.Code] = e
					if e.Region != e.Code || e.Parent != "" {
						t.Errorf("%s: region %q parent %q, want itself and none", e.Name, e.Region, e.Parent)
					}
				case directory.KindMunicipality:
					municipal++
				default:
					t.Errorf("%s: kind %q", e.Name, e.Kind)
				}
			}
			for _, e := range d.Entries(on) {
				if e.Category != directory.Local || e.Kind != directory.KindMunicipality {
					continue
				}
				p, ok := provinces[e.Parent]
				if !ok {
					t.Errorf("%s: parent %s is not a province in force on %s", e.Name, e.Parent, tc.day)
					continue
				}
				if e.Region != p.Code || !strings.HasPrefix(e.Name, p.Name+" ") {
					t.Errorf("%s: region %s, want under %s", e.Name, e.Region, p.Name)
				}
				perProvince[p.Name]++
			}
			if len(provinces) != tc.provinces || municipal != tc.municipal {
				t.Errorf("%d provinces and %d municipalities, want %d and %d", len(provinces), municipal, tc.provinces, tc.municipal)
			}
			for name, want := range provinceCounts {
				n := want.before
				if tc.after {
					n = want.after
				}
				_, inForce := func() (directory.Entry, bool) {
					for _, p := range provinces {
						if p.Name == name {
							return p, true
						}
					}
					return directory.Entry{}, false
				}()
				if n < 0 {
					if inForce {
						t.Errorf("%s is in force on %s", name, tc.day)
					}
					continue
				}
				if !inForce {
					t.Errorf("%s is not in force on %s", name, tc.day)
				}
				if perProvince[name] != n {
					t.Errorf("%s has %d cities, counties and districts, want %d", name, perProvince[name], n)
				}
			}
		})
	}
}

func TestReorganisationsTakeEffectOnTheirDays(t *testing.T) {
	d := loadDirectory(t)
	for _, tc := range []struct {
		name, before, after string // in force on after, not on before
	}{
		{"강원특별자치도", "2023-06-10", "2023-06-11"},
		{"강원특별자치도 춘천시", "2023-06-10", "2023-06-11"},
		{"대구광역시 군위군", "2023-06-30", "2023-07-01"},
		{"전북특별자치도", "2024-01-17", "2024-01-18"},
		{"전북특별자치도 전주시", "2024-01-17", "2024-01-18"},
		{"인천광역시 제물포구", "2026-06-30", "2026-07-01"},
		{"인천광역시 영종구", "2026-06-30", "2026-07-01"},
		{"인천광역시 검단구", "2026-06-30", "2026-07-01"},
		{"인천광역시 서해구", "2026-06-30", "2026-07-01"},
		{"전남광주통합특별시", "2026-06-30", "2026-07-01"},
		{"성평등가족부", "2025-09-30", "2025-10-01"},
		{"재정경제부", "2026-01-01", "2026-01-02"},
		{"공소청", "2026-10-01", "2026-10-02"},
	} {
		in := func(s string) bool {
			for _, e := range d.Entries(day(t, s)) {
				if e.Name == tc.name {
					return true
				}
			}
			return false
		}
		if in(tc.before) || !in(tc.after) {
			t.Errorf("%s: in force on %s = %v, on %s = %v; want false, true", tc.name, tc.before, in(tc.before), tc.after, in(tc.after))
		}
	}
	for _, tc := range []struct{ name, last string }{
		{"강원도", "2023-06-10"}, {"경상북도 군위군", "2023-06-30"}, {"전라북도", "2024-01-17"},
		{"인천광역시 중구", "2026-06-30"}, {"인천광역시 동구", "2026-06-30"}, {"인천광역시 서구", "2026-06-30"},
		{"광주광역시", "2026-06-30"}, {"전라남도 목포시", "2026-06-30"},
		{"여성가족부", "2025-09-30"}, {"기획재정부", "2026-01-01"}, {"대검찰청", "2026-10-01"},
	} {
		var e directory.Entry
		for _, x := range d.Entries(0) {
			if x.Name == tc.name {
				e = x
			}
		}
		if e.Until != tc.last {
			t.Errorf("%s: last day %q, want %s", tc.name, e.Until, tc.last)
		}
	}
}

func TestCentralAgenciesAfterThe2025Reorganisation(t *testing.T) {
	d := loadDirectory(t)
	count := func(s string) map[directory.Kind]int {
		n := map[directory.Kind]int{}
		for _, e := range d.Entries(day(t, s)) {
			if e.Category == directory.Central {
				n[e.Kind]++
			}
		}
		return n
	}
	// 19부 3처 20청 6위원회 before, 19부 6처 19청 6위원회 once every part is in force.
	for _, tc := range []struct {
		day  string
		want map[directory.Kind]int
	}{
		{"2025-09-30", map[directory.Kind]int{directory.KindMinistry: 19, directory.KindOffice: 3, directory.KindService: 20, directory.KindCommission: 6}},
		{"2026-11-25", map[directory.Kind]int{directory.KindMinistry: 19, directory.KindOffice: 6, directory.KindService: 19, directory.KindCommission: 6}},
	} {
		if got := count(tc.day); !maps.Equal(got, tc.want) {
			t.Errorf("on %s: %v, want %v", tc.day, got, tc.want)
		}
	}
}

// TestCodesAreHonest: codes presented as 행정표준기관코드 come from a source
// that publishes them; what bonsign made up is a bs- code.
func TestCodesAreHonest(t *testing.T) {
	d := loadDirectory(t)
	for _, e := range d.Entries(0) {
		s, _ := d.Source(e.Source)
		if s.Date == "" {
			t.Errorf("%s: source %s has no date", e.Code, s.ID)
		}
		if strings.HasPrefix(s.ID, "bonsign-") && !directory.IsLocalCode(e.Code) {
			t.Errorf("%s %s: an official-looking code from bonsign's own list", e.Code, e.Name)
		}
	}
}
