// Package directory is the list of institutions a confirmation may be
// addressed to (수요기관, rule R7 of the design; see docs/directory.md), and
// the search citizens pick one with.
//
// The list is data: files in the format of File, bundled in assets/ and
// updated from public exports by the import command. Each entry says what the
// institution is (Category, Kind), where it sits (Parent, Region), from when
// to when it exists (From, Until: local governments are merged, split and
// renamed on fixed days) and where the data comes from (Source). Codes are the
// administrative standard institution codes (행정표준기관코드) where they could
// be established; the others are bonsign-local codes, which always start with
// "bs-" (see IsLocalCode).
//
// The package does no I/O and holds no global state: the server and the desktop
// app both load the same bytes into a Directory, which is immutable and safe
// for concurrent use.
package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Category is the kind of eligible institution, one of those the procedure
// lists (R7).
type Category string

// The categories, in the order the procedure names them.
const (
	Central     Category = "central"      // 중앙행정기관
	Local       Category = "local"        // 지방자치단체
	Agency      Category = "agency"       // 중앙행정기관·지방자치단체의 소속기관
	Public      Category = "public"       // 공공기관 (공공기관의 운영에 관한 법률)
	LocalPublic Category = "local_public" // 지방공사·지방공단
	Special     Category = "special"      // 특수법인
	School      Category = "school"       // 각급학교 (초·중·고·대학)
)

// Categories returns every category, in the procedure's order.
func Categories() []Category {
	return []Category{Central, Local, Agency, Public, LocalPublic, Special, School}
}

// Valid reports whether c is one of the eligible categories.
func (c Category) Valid() bool { return slices.Contains(Categories(), c) }

// Kind refines a Category. The directory knows the kinds below; other values
// are kept as they are.
type Kind string

// Kinds of institution.
const (
	KindProvince     Kind = "province"     // 광역자치단체: 특별시·광역시·특별자치시·도·특별자치도
	KindMunicipality Kind = "municipality" // 기초자치단체: 자치구·시·군
	KindCityAdmin    Kind = "city_admin"   // 행정시 (제주시, 서귀포시): not autonomous

	KindMinistry   Kind = "ministry"   // 부
	KindOffice     Kind = "office"     // 처
	KindService    Kind = "service"    // 청
	KindCommission Kind = "commission" // 위원회

	KindElementary Kind = "elementary" // 초등학교
	KindMiddle     Kind = "middle"     // 중학교
	KindHigh       Kind = "high"       // 고등학교
	KindSpecialEd  Kind = "special_ed" // 특수학교
	KindUniversity Kind = "university" // 대학·대학교·전문대학·대학원대학
	KindOtherSch   Kind = "other"      // 각종학교 and the like
)

// Entry is one institution.
type Entry struct {
	// Code identifies the institution in confirmations; it never changes once
	// published. A 행정표준기관코드 (seven digits or capital letters) or a
	// bonsign-local code starting with "bs-".
	Code string `json:"code"`
	// Name is the full official name, as the confirmation carries it:
	// "서울특별시 종로구", not "종로구".
	Name     string   `json:"name"`
	Category Category `json:"category"`
	Kind     Kind     `json:"kind,omitempty"`
	// Parent is the code of the institution this one belongs to: a district's
	// province, a service's ministry. As of the file's date.
	Parent string `json:"parent,omitempty"`
	// Region is the code of the province-level local government the
	// institution is in, or "" for a national one. As of the file's date.
	Region string `json:"region,omitempty"`
	// From is the first day the institution exists under this code and name,
	// Until the last (both YYYY-MM-DD, inclusive, Korean days). Empty: since
	// before the data's history / still in force.
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
	// Aliases are other names people search with ("국민연금", "LH"). They are
	// never valid in a confirmation.
	Aliases []string `json:"aliases,omitempty"`
	// StdCode is the 행정표준기관코드 of an institution whose published Code is
	// a bonsign-local one, when it became known later.
	StdCode string `json:"std_code,omitempty"`
	// Source is the ID of the File.Sources entry the data comes from.
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// InForce reports whether e exists on day. On the zero Day it is always true.
func (e *Entry) InForce(day Day) bool {
	if day == 0 {
		return true
	}
	from, until := e.span()
	return from <= day && day <= until
}

// span returns the validity of e; New has checked the dates.
func (e *Entry) span() (from, until Day) {
	from, _ = ParseDay(e.From)
	until = dayMax
	if e.Until != "" {
		until, _ = ParseDay(e.Until)
	}
	return from, until
}

// localCodePrefix starts every bonsign-local code.
const localCodePrefix = "bs-"

// IsLocalCode reports whether code is a bonsign-local code rather than an
// official one.
func IsLocalCode(code string) bool { return strings.HasPrefix(code, localCodePrefix) }

var (
	// stdCodeRE is the shape of a 행정표준기관코드: seven digits, or capital
	// letters and digits (B552015) for institutions outside government.
	stdCodeRE   = regexp.MustCompile(`^[0-9A-Z]{7}$`)
	localCodeRE = regexp.MustCompile(`^bs-[a-z0-9]+(-[a-z0-9]+)*$`)
)

// ValidCode reports whether code has the shape of a 행정표준기관코드 or of a
// bonsign-local code.
func ValidCode(code string) bool {
	return stdCodeRE.MatchString(code) || localCodeRE.MatchString(code)
}

// Source says where entries come from.
type Source struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
	// Date is the day the data was published or retrieved (YYYY-MM-DD), or a
	// year when only that is known.
	Date string `json:"date"`
	Note string `json:"note,omitempty"`
}

// File is the format of a directory data file.
type File struct {
	// AsOf is the day the file was last brought up to date: Parent and Region
	// describe the institutions on that day.
	AsOf         string   `json:"as_of"`
	Sources      []Source `json:"sources"`
	Institutions []Entry  `json:"institutions"`
}

// ParseFile reads a data file. It checks only the JSON; New checks the rest.
func ParseFile(data []byte) (*File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	return &f, nil
}

// Marshal writes f as JSON with one institution a line, sorted by category and
// code, so that a change to the data reads as a small diff.
func (f *File) Marshal() ([]byte, error) {
	entries := slices.Clone(f.Institutions)
	order := func(c Category) int { return slices.Index(Categories(), c) }
	slices.SortStableFunc(entries, func(a, b Entry) int {
		if d := order(a.Category) - order(b.Category); d != 0 {
			return d
		}
		return strings.Compare(a.Code, b.Code)
	})
	var b bytes.Buffer
	enc := func(v any) error {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			return err
		}
		b.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		return nil
	}
	b.WriteString("{\n  \"as_of\": ")
	if err := enc(f.AsOf); err != nil {
		return nil, err
	}
	b.WriteString(",\n  \"sources\": [")
	for i, s := range f.Sources {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := enc(s); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n  ],\n  \"institutions\": [")
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := enc(e); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes(), nil
}

// Directory is a loaded, checked and indexed set of institutions. Build it
// with New or Load; it is immutable.
type Directory struct {
	asOf    string
	entries []Entry // in search order: shorter names first, then name, then code
	byCode  map[string]int
	byName  []int // entries in 가나다 order of Name, then code
	sources map[string]Source
	// The search index: hot holds what rules entries out, in a small
	// contiguous array the search runs through; index the rest.
	hot      []filter
	index    []item
	regionID map[string]uint16
}

// ErrInvalid is wrapped by every error about the content of the data.
var ErrInvalid = errors.New("invalid directory data")

// Load parses the data files and builds a Directory from all of them.
func Load(data ...[]byte) (*Directory, error) {
	files := make([]*File, 0, len(data))
	for _, d := range data {
		f, err := ParseFile(d)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return New(files...)
}

// New checks the files together and builds a Directory. Codes must be unique
// across all files; every entry needs a known source; parents and regions must
// be codes in the directory; dates must be well formed.
func New(files ...*File) (*Directory, error) {
	d := &Directory{byCode: map[string]int{}, sources: map[string]Source{}}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("directory: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	for _, f := range files {
		if f.AsOf > d.asOf {
			d.asOf = f.AsOf
		}
		for _, s := range f.Sources {
			if s.ID == "" || s.Name == "" {
				return nil, bad("source %q has no id or name", s.ID)
			}
			if old, dup := d.sources[s.ID]; dup && old != s {
				return nil, bad("source %q is defined twice, differently", s.ID)
			}
			d.sources[s.ID] = s
		}
	}
	for _, f := range files {
		for _, e := range f.Institutions {
			switch {
			case !ValidCode(e.Code):
				return nil, bad("code %q is neither a 행정표준기관코드 nor a bs- code", e.Code)
			case strings.TrimSpace(e.Name) != e.Name || e.Name == "":
				return nil, bad("%s: name %q is empty or has surrounding spaces", e.Code, e.Name)
			case !e.Category.Valid():
				return nil, bad("%s: category %q is not eligible", e.Code, e.Category)
			case e.StdCode != "" && !stdCodeRE.MatchString(e.StdCode):
				return nil, bad("%s: std_code %q is not a 행정표준기관코드", e.Code, e.StdCode)
			}
			if _, ok := d.sources[e.Source]; !ok {
				return nil, bad("%s: source %q is not in any file's sources", e.Code, e.Source)
			}
			from, err1 := ParseDay(e.From)
			until, err2 := ParseDay(e.Until)
			if err1 != nil || err2 != nil || (e.Until != "" && until < from) {
				return nil, bad("%s: from %q and until %q are not a span of days", e.Code, e.From, e.Until)
			}
			if _, dup := d.byCode[e.Code]; dup {
				return nil, bad("code %s is used twice", e.Code)
			}
			d.byCode[e.Code] = len(d.entries)
			d.entries = append(d.entries, e)
		}
	}
	for _, e := range d.entries {
		if e.Parent != "" {
			if _, ok := d.byCode[e.Parent]; !ok || e.Parent == e.Code {
				return nil, bad("%s: parent %q is not another institution of the directory", e.Code, e.Parent)
			}
		}
		if e.Region != "" {
			r, ok := d.Lookup(e.Region)
			if !ok || r.Category != Local || r.Kind != KindProvince {
				return nil, bad("%s: region %q is not a province-level local government", e.Code, e.Region)
			}
		}
	}
	d.sortAndIndex()
	return d, nil
}

// sortAndIndex puts the entries in search order and builds the search index.
func (d *Directory) sortAndIndex() {
	slices.SortFunc(d.entries, func(a, b Entry) int {
		if d := len([]rune(a.Name)) - len([]rune(b.Name)); d != 0 {
			return d
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	clear(d.byCode)
	d.byName = make([]int, len(d.entries))
	for i, e := range d.entries {
		d.byCode[e.Code] = i
		d.byName[i] = i
	}
	slices.SortFunc(d.byName, func(a, b int) int {
		if c := strings.Compare(d.entries[a].Name, d.entries[b].Name); c != 0 {
			return c
		}
		return strings.Compare(d.entries[a].Code, d.entries[b].Code)
	})
	d.index = make([]item, len(d.entries))
	d.hot = make([]filter, len(d.entries))
	d.regionID = map[string]uint16{}
	for i := range d.entries {
		e := &d.entries[i]
		d.index[i], d.hot[i] = newItem(e)
		if e.Region != "" {
			id, ok := d.regionID[e.Region]
			if !ok {
				id = uint16(len(d.regionID) + 1)
				d.regionID[e.Region] = id
			}
			d.hot[i].region = id
		}
	}
}

// AsOf is the latest as_of date of the files.
func (d *Directory) AsOf() string { return d.asOf }

// Len is the number of entries, whatever their dates.
func (d *Directory) Len() int { return len(d.entries) }

// Lookup returns the entry with code, whatever its dates.
func (d *Directory) Lookup(code string) (Entry, bool) {
	i, ok := d.byCode[code]
	if !ok {
		return Entry{}, false
	}
	return d.entries[i], true
}

// Source returns the source with id.
func (d *Directory) Source(id string) (Source, bool) {
	s, ok := d.sources[id]
	return s, ok
}

// Sources returns every source, by ID.
func (d *Directory) Sources() []Source {
	out := make([]Source, 0, len(d.sources))
	for _, s := range d.sources {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Source) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Eligible reports whether a confirmation issued on day may be addressed to
// the institution with code under exactly name: the institution is in the
// directory, with that name, and in force that day (R7). The zero day is not
// allowed: an institution abolished long ago is not eligible "at some time".
func (d *Directory) Eligible(code, name string, day Day) bool {
	i, ok := d.byCode[code]
	if !ok || day == 0 {
		return false
	}
	return d.entries[i].Name == name && d.inForce(i, day)
}

// Entries returns the entries in force on day (every entry on the zero Day),
// in 가나다 order of their names.
func (d *Directory) Entries(day Day) []Entry {
	out := make([]Entry, 0, len(d.entries))
	for _, i := range d.byName {
		if d.inForce(i, day) {
			out = append(out, d.entries[i])
		}
	}
	return out
}

// inForce is Entry.InForce for entry i, on the precomputed dates.
func (d *Directory) inForce(i int, day Day) bool {
	h := &d.hot[i]
	return day == 0 || (h.from <= day && day <= h.until)
}

// Regions returns the province-level local governments in force on day, in
// 가나다 order: the values a Region can take.
func (d *Directory) Regions(day Day) []Entry {
	var out []Entry
	for _, i := range d.byName {
		e := &d.entries[i]
		if e.Category == Local && e.Kind == KindProvince && d.inForce(i, day) {
			out = append(out, *e)
		}
	}
	return out
}

// ResolveRegion finds the province-level local government in force on day
// that s names: its code, its name or one of its aliases ("서울", "경기도").
func (d *Directory) ResolveRegion(s string, day Day) (Entry, bool) {
	if e, ok := d.Lookup(s); ok && e.Category == Local && e.Kind == KindProvince && e.InForce(day) {
		return e, true
	}
	want := normalize(s)
	if len(want) == 0 {
		return Entry{}, false
	}
	for _, r := range d.Regions(day) {
		if string(normalize(r.Name)) == string(want) {
			return r, true
		}
		for _, a := range r.Aliases {
			if string(normalize(a)) == string(want) {
				return r, true
			}
		}
	}
	return Entry{}, false
}
