package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/assets"
)

// Category is the kind of an eligible institution (R7).
type Category string

// The categories the procedure allows.
const (
	CategoryCentral Category = "central" // central administrative agencies
	CategoryLocal   Category = "local"   // local governments
	CategoryAgency  Category = "agency"  // their affiliated agencies
	CategoryPublic  Category = "public"  // public institutions, local public corporations
	CategorySpecial Category = "special" // special corporations
	CategorySchool  Category = "school"  // schools, elementary to university
)

// Entry is one institution of the directory.
type Entry struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Category Category `json:"category"`
	Parent   string   `json:"parent"`
}

// Directory is the list of institutions a confirmation may be addressed to.
// Anything not in it is refused, whatever a client sends.
type Directory struct {
	Source  string  `json:"source"`
	AsOf    string  `json:"as_of"`
	Entries []Entry `json:"institutions"`
	byCode  map[string]Entry
}

// ParseDirectory reads a directory file (see assets/institutions.json).
func ParseDirectory(data []byte) (*Directory, error) {
	var d Directory
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	d.byCode = make(map[string]Entry, len(d.Entries))
	for _, e := range d.Entries {
		switch e.Category {
		case CategoryCentral, CategoryLocal, CategoryAgency, CategoryPublic, CategorySpecial, CategorySchool:
		default:
			return nil, fmt.Errorf("directory: %s: category %q is not eligible", e.Code, e.Category)
		}
		if _, dup := d.byCode[e.Code]; dup || e.Code == "" || e.Name == "" {
			return nil, fmt.Errorf("directory: entry %q is duplicated or incomplete", e.Code)
		}
		d.byCode[e.Code] = e
	}
	return &d, nil
}

// DefaultDirectory is the directory bundled in assets.
func DefaultDirectory() *Directory {
	d, err := ParseDirectory(assets.Institutions)
	if err != nil {
		panic("bundled institutions.json is invalid: " + err.Error())
	}
	return d
}

// Eligible reports whether inst is in the directory under exactly that name.
func (d *Directory) Eligible(inst api.Institution) bool {
	e, ok := d.byCode[inst.Code]
	return ok && e.Name == inst.Name
}

// Institutions lists the directory for clients, by name.
func (d *Directory) Institutions() []api.Institution {
	out := make([]api.Institution, 0, len(d.Entries))
	for _, e := range d.Entries {
		out = append(out, api.Institution{Code: e.Code, Name: e.Name})
	}
	slices.SortFunc(out, func(a, b api.Institution) int { return strings.Compare(a.Name, b.Name) })
	return out
}
