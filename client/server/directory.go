package server

import (
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/assets"
	"github.com/bonsign/bonsign/directory"
)

// Category is the kind of an eligible institution (R7); see package directory.
type Category = directory.Category

// The categories the procedure allows.
const (
	CategoryCentral     = directory.Central     // central administrative agencies
	CategoryLocal       = directory.Local       // local governments
	CategoryAgency      = directory.Agency      // their affiliated agencies
	CategoryPublic      = directory.Public      // public institutions
	CategoryLocalPublic = directory.LocalPublic // local public corporations
	CategorySpecial     = directory.Special     // special corporations
	CategorySchool      = directory.School      // schools, elementary to university
)

// Entry is one institution of the directory.
type Entry = directory.Entry

// Directory is the list of institutions a confirmation may be addressed to,
// with the days each is in force. Anything not in it, or not in force on the
// day of issue, is refused whatever a client sends.
type Directory struct {
	dir *directory.Directory
	// byCode has every code of the directory, whatever its dates.
	byCode map[string]struct{}
	// now is the clock Eligible reads; the server's when it has one.
	now func() time.Time
}

// ParseDirectory reads directory data files (see docs/directory.md): the
// directory is all of them together.
func ParseDirectory(files ...[]byte) (*Directory, error) {
	d, err := directory.Load(files...)
	if err != nil {
		return nil, err
	}
	return newDirectory(d), nil
}

// LoadDirectoryFS reads the directory from fsys laid out as assets/ is:
// institutions.json and any institutions/*.json. A deployment that imported
// the whole school list passes os.DirFS of its data folder.
func LoadDirectoryFS(fsys fs.FS) (*Directory, error) {
	main, err := fs.ReadFile(fsys, "institutions.json")
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	files := [][]byte{main}
	more, err := fs.Glob(fsys, "institutions/*.json")
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	slices.Sort(more)
	for _, name := range more {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("directory: %w", err)
		}
		files = append(files, b)
	}
	return ParseDirectory(files...)
}

func newDirectory(d *directory.Directory) *Directory {
	s := &Directory{dir: d, byCode: make(map[string]struct{}, d.Len()), now: time.Now}
	for _, e := range d.Entries(0) {
		s.byCode[e.Code] = struct{}{}
	}
	return s
}

// DefaultDirectory is the directory bundled in assets.
func DefaultDirectory() *Directory {
	files := [][]byte{assets.Institutions}
	more, _ := fs.Glob(assets.InstitutionFiles, "institutions/*.json")
	slices.Sort(more)
	for _, name := range more {
		b, err := assets.InstitutionFiles.ReadFile(name)
		if err != nil {
			panic("bundled directory: " + err.Error())
		}
		files = append(files, b)
	}
	d, err := ParseDirectory(files...)
	if err != nil {
		panic("bundled directory is invalid: " + err.Error())
	}
	return d
}

// WithClock returns a copy of d whose Eligible reads the time from now.
func (d *Directory) WithClock(now func() time.Time) *Directory {
	c := *d
	c.now = now
	return &c
}

// Data is the directory itself, for searches.
func (d *Directory) Data() *directory.Directory { return d.dir }

// Eligible reports whether inst may receive a confirmation issued now: it is in
// the directory under exactly that code and name and in force today, in
// Korea.
func (d *Directory) Eligible(inst api.Institution) bool {
	return d.EligibleOn(inst, d.now())
}

// EligibleOn reports whether inst may receive a confirmation issued at t.
func (d *Directory) EligibleOn(inst api.Institution, t time.Time) bool {
	return d.dir.Eligible(inst.Code, inst.Name, directory.DayOf(t))
}

// Institutions lists the institutions in force today for clients, by name.
func (d *Directory) Institutions() []api.Institution {
	entries := d.dir.Entries(directory.DayOf(d.now()))
	out := make([]api.Institution, len(entries))
	for i, e := range entries {
		out[i] = api.Institution{Code: e.Code, Name: e.Name}
	}
	return out
}

// Limits of GET /v1/institutions.
const (
	directoryDefaultLimit = 50   // results of a search without a limit
	directoryMaxLimit     = 1000 // results of one request at most, searching
	directoryMaxQuery     = 100  // characters of q
)

// DirectoryItem is one institution in the answer of GET /v1/institutions. Its
// code and name are what a confirmation carries; the rest helps to choose.
type DirectoryItem struct {
	Code     string             `json:"code"`
	Name     string             `json:"name"`
	Category directory.Category `json:"category"`
	Kind     directory.Kind     `json:"kind,omitempty"`
	Parent   string             `json:"parent,omitempty"`
	Region   string             `json:"region,omitempty"`
	// Match says how a search matched; absent when listing.
	Match string `json:"match,omitempty"`
}

// DirectoryResponse answers GET /v1/institutions. It is a superset of
// api.InstitutionsResponse: clients that know only code and name still read it.
type DirectoryResponse struct {
	Institutions []DirectoryItem `json:"institutions"`
	// Total is how many institutions matched, before the limit.
	Total int `json:"total"`
	// Date is the day the institutions are in force on (YYYY-MM-DD, Korea).
	Date string `json:"date"`
	// AsOf is the date of the directory data.
	AsOf string `json:"as_of"`
}

// ServeDirectory is the handler of GET /v1/institutions: without parameters
// the whole directory in force today, by name; with q, category, region,
// date or limit, a search (docs/api.md, docs/directory.md).
func (s *Server) ServeDirectory(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	bad := func(format string, args ...any) {
		writeError(w, api.NewError(api.CodeBadRequest).WithDetail(format, args...))
	}
	for k := range v {
		if !slices.Contains([]string{"q", "category", "region", "date", "limit"}, k) {
			bad("unknown parameter %q (q, category, region, date, limit)", k)
			return
		}
	}
	d := s.institutions.dir
	q := directory.Query{Text: v.Get("q"), On: directory.DayOf(s.now())}
	if n := utf8.RuneCountInString(q.Text); n > directoryMaxQuery || !utf8.ValidString(q.Text) {
		bad("q: at most %d characters of UTF-8", directoryMaxQuery)
		return
	}
	if ds := v.Get("date"); ds != "" {
		day, err := directory.ParseDay(ds)
		if err != nil {
			bad("date: %q is not YYYY-MM-DD", ds)
			return
		}
		q.On = day
	}
	for _, cs := range v["category"] {
		for c := range strings.SplitSeq(cs, ",") {
			c := directory.Category(strings.TrimSpace(c))
			if !c.Valid() {
				bad("category: %q is not one of %v", c, directory.Categories())
				return
			}
			q.Categories = append(q.Categories, c)
		}
	}
	if rs := v.Get("region"); rs != "" {
		reg, ok := d.ResolveRegion(rs, q.On)
		if !ok {
			bad("region: %q is not a province-level local government on %s", rs, q.On)
			return
		}
		q.Region = reg.Code
	}
	searching := q.Text != "" || len(q.Categories) > 0 || q.Region != ""
	if ls := v.Get("limit"); ls != "" {
		n, err := strconv.Atoi(ls)
		if err != nil || n < 1 || n > directoryMaxLimit {
			bad("limit: %q is not a number from 1 to %d", ls, directoryMaxLimit)
			return
		}
		q.Limit = n
	} else if q.Text != "" {
		q.Limit = directoryDefaultLimit
	}
	results, total := d.Search(q)
	resp := DirectoryResponse{Institutions: make([]DirectoryItem, len(results)), Total: total, Date: q.On.String(), AsOf: d.AsOf()}
	for i, res := range results {
		e := res.Entry
		resp.Institutions[i] = DirectoryItem{Code: e.Code, Name: e.Name, Category: e.Category, Kind: e.Kind, Parent: e.Parent, Region: e.Region}
		if searching && res.Match != directory.MatchAll {
			resp.Institutions[i].Match = res.Match.String()
		}
	}
	writeJSON(w, http.StatusOK, resp)
}
