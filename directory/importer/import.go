// Package importer brings public exports of institution lists into directory
// data files: the 행정표준코드관리시스템 institution codes, the NEIS school
// list and ALIO's public institutions.
//
// An import reads a CSV export in whatever encoding Korean portals use
// (UTF-8, UTF-8 with a byte order mark, EUC-KR/CP949), maps its columns to
// entries through a Profile, and merges them into one data file: entries are
// matched by code, so a row imported twice changes nothing; an entry known
// only under a bonsign-local code is linked to the official code it is found
// under (its std_code), never renamed, because published codes never change.
// The Report lists what changed, so that a dry run shows it before anything is
// written. The package reads and writes no files: the bonsign-directory
// command does.
package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bonsign/bonsign/directory"
)

// Options are the settings of one import.
type Options struct {
	// Profile maps the export's columns.
	Profile *Profile
	// Columns overrides the profile's header names: field → header.
	Columns map[Field]string
	// Source describes the export. ID and Date are required; an empty Name or
	// URL takes the profile's.
	Source directory.Source
	// Base is the whole directory before the import: it resolves parents and
	// regions, and an entry it has in another file is not added again. May
	// be nil.
	Base *directory.Directory
	// Prune removes the target's entries of this source that the export no
	// longer has; without it they are only reported.
	Prune bool
}

// Change is one difference an import makes.
type Change struct {
	Op     Op
	Code   string
	Name   string
	Detail string // which fields changed, or why a row was skipped
}

// Op is the kind of a Change.
type Op string

// The kinds of change.
const (
	OpAdd     Op = "+" // a new entry
	OpUpdate  Op = "~" // an entry's fields changed
	OpLink    Op = "=" // a bonsign-local entry got its official code as std_code
	OpMissing Op = "?" // an entry of this source is no longer in the export
	OpRemove  Op = "-" // ... and was removed (Prune)
	OpSkip    Op = "!" // a row that cannot be imported
)

// Report is what an import did or, in a dry run, would do.
type Report struct {
	Encoding  string
	Delimiter string
	Rows      int // data rows in the export
	Unchanged int
	// Duplicates counts rows whose code an earlier row already had.
	Duplicates int
	Changes    []Change
}

// Count returns how many changes of kind op there are.
func (r *Report) Count(op Op) int {
	n := 0
	for _, c := range r.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Summary is a one-line account of the report.
func (r *Report) Summary() string {
	return fmt.Sprintf("%d rows (%s, %s-separated): %d added, %d updated, %d linked, %d unchanged, %d duplicate rows, %d skipped, %d missing, %d removed",
		r.Rows, r.Encoding, r.Delimiter, r.Count(OpAdd), r.Count(OpUpdate), r.Count(OpLink), r.Unchanged,
		r.Duplicates, r.Count(OpSkip), r.Count(OpMissing), r.Count(OpRemove))
}

// Import merges the export into target and returns the merged file, which
// the caller checks with directory.New along with the other files, and a
// report. target is not modified.
func Import(target *directory.File, export []byte, opt Options) (*directory.File, *Report, error) {
	p := opt.Profile
	if p == nil {
		return nil, nil, fmt.Errorf("import: no profile")
	}
	if opt.Source.ID == "" || opt.Source.Date == "" {
		return nil, nil, fmt.Errorf("import: the source needs an id and a date")
	}
	day, err := directory.ParseDay(opt.Source.Date)
	if err != nil {
		return nil, nil, fmt.Errorf("import: source date: %w", err)
	}
	t, err := ReadTable(export)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Encoding: t.Encoding, Delimiter: map[rune]string{',': "comma", '\t': "tab"}[t.Delimiter], Rows: len(t.Rows)}

	cols := map[Field]int{}
	for f, names := range p.Columns {
		cols[f] = t.column(names)
	}
	for f, h := range opt.Columns {
		i := t.column([]string{h})
		if i < 0 {
			return nil, nil, fmt.Errorf("import: no column %q for %s; the columns are: %s", h, f, strings.Join(t.Header, ", "))
		}
		cols[f] = i
	}
	for _, f := range p.Required {
		if cols[f] < 0 {
			return nil, nil, fmt.Errorf("import: profile %s needs a %s column (one of %s; or -map %s=HEADER); the columns are: %s",
				p.Name, f, strings.Join(p.Columns[f], ", "), f, strings.Join(t.Header, ", "))
		}
	}

	src := opt.Source
	if src.Name == "" {
		src.Name = p.Source.Name
	}
	if src.URL == "" {
		src.URL = p.Source.URL
	}
	ctx := &context{base: opt.Base, day: day}

	// Read the rows; the first row of a code wins.
	var imported []directory.Entry
	seen := map[string]int{}
	for _, rec := range t.Rows {
		r := row{get: func(f Field) string {
			if i, ok := cols[f]; ok && i >= 0 {
				return rec[i]
			}
			return ""
		}}
		e, skip := p.build(r, ctx)
		if skip != "" {
			rep.Changes = append(rep.Changes, Change{Op: OpSkip, Code: e.Code, Name: e.Name, Detail: skip})
			continue
		}
		if e.Name == "" {
			rep.Changes = append(rep.Changes, Change{Op: OpSkip, Code: e.Code, Detail: "no name"})
			continue
		}
		e.Source = src.ID
		if i, dup := seen[e.Code]; dup {
			rep.Duplicates++
			if imported[i].Name != e.Name {
				rep.Changes = append(rep.Changes, Change{Op: OpSkip, Code: e.Code, Name: e.Name,
					Detail: fmt.Sprintf("code already used by an earlier row for %q", imported[i].Name)})
			}
			continue
		}
		seen[e.Code] = len(imported)
		imported = append(imported, e)
	}

	// Merge.
	out := &directory.File{AsOf: max(target.AsOf, src.Date), Sources: slices.Clone(target.Sources)}
	entries := slices.Clone(target.Institutions)
	byCode := map[string]int{}
	byName := map[string][]int{} // bonsign-local entries by category and name
	for i, e := range entries {
		byCode[e.Code] = i
		if directory.IsLocalCode(e.Code) {
			k := string(e.Category) + "\x00" + e.Name
			byName[k] = append(byName[k], i)
		}
	}
	touched := map[int]bool{}
	for _, e := range imported {
		if i, ok := byCode[e.Code]; ok {
			touched[i] = true
			old := entries[i]
			merged, diff := update(old, e)
			if len(diff) == 0 {
				rep.Unchanged++
				continue
			}
			entries[i] = merged
			rep.Changes = append(rep.Changes, Change{Op: OpUpdate, Code: e.Code, Name: e.Name, Detail: strings.Join(diff, "; ")})
			continue
		}
		// An entry known under a bonsign-local code, with the same name: the
		// same institution. Its code stays; an official code is recorded.
		if ks := byName[string(e.Category)+"\x00"+e.Name]; len(ks) == 1 {
			i := ks[0]
			touched[i] = true
			if directory.IsLocalCode(e.Code) || entries[i].StdCode == e.Code {
				rep.Unchanged++
				continue
			}
			entries[i].StdCode = e.Code
			rep.Changes = append(rep.Changes, Change{Op: OpLink, Code: entries[i].Code, Name: e.Name, Detail: "std_code " + e.Code})
			continue
		}
		if opt.Base != nil {
			if other, ok := opt.Base.Lookup(e.Code); ok {
				rep.Changes = append(rep.Changes, Change{Op: OpSkip, Code: e.Code, Name: e.Name,
					Detail: fmt.Sprintf("already in another data file as %q", other.Name)})
				continue
			}
		}
		byCode[e.Code] = len(entries)
		touched[len(entries)] = true
		entries = append(entries, e)
		rep.Changes = append(rep.Changes, Change{Op: OpAdd, Code: e.Code, Name: e.Name, Detail: describe(e)})
	}
	var kept []directory.Entry
	for i, e := range entries {
		if !touched[i] && e.Source == src.ID {
			if opt.Prune {
				rep.Changes = append(rep.Changes, Change{Op: OpRemove, Code: e.Code, Name: e.Name})
				continue
			}
			rep.Changes = append(rep.Changes, Change{Op: OpMissing, Code: e.Code, Name: e.Name, Detail: "not in the export; kept"})
		}
		kept = append(kept, e)
	}
	out.Institutions = kept

	if i := slices.IndexFunc(out.Sources, func(s directory.Source) bool { return s.ID == src.ID }); i >= 0 {
		out.Sources[i] = src
	} else {
		out.Sources = append(out.Sources, src)
	}
	return out, rep, nil
}

// update applies an imported entry to the one the file has: the export wins
// for what it knows; aliases, notes and a known std_code stay.
func update(old, e directory.Entry) (directory.Entry, []string) {
	n := old
	var diff []string
	set := func(field string, dst *string, v string) {
		if v != "" && *dst != v {
			diff = append(diff, fmt.Sprintf("%s %q → %q", field, *dst, v))
			*dst = v
		}
	}
	set("name", &n.Name, e.Name)
	cat, kind := string(n.Category), string(n.Kind)
	set("category", &cat, string(e.Category))
	set("kind", &kind, string(e.Kind))
	n.Category, n.Kind = directory.Category(cat), directory.Kind(kind)
	set("parent", &n.Parent, e.Parent)
	set("region", &n.Region, e.Region)
	set("from", &n.From, e.From)
	set("until", &n.Until, e.Until)
	if len(diff) > 0 || n.Source != e.Source {
		n.Source = e.Source
	}
	return n, diff
}

func describe(e directory.Entry) string {
	parts := []string{string(e.Category)}
	if e.Kind != "" {
		parts = append(parts, string(e.Kind))
	}
	for _, kv := range []struct{ k, v string }{{"parent", e.Parent}, {"region", e.Region}, {"from", e.From}, {"until", e.Until}} {
		if kv.v != "" {
			parts = append(parts, kv.k+" "+kv.v)
		}
	}
	return strings.Join(parts, ", ")
}

// Help describes the profile's column mapping, one field a line.
func (p *Profile) Help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s)\n", p.Name, p.Source.Name, p.Source.URL)
	for _, f := range slices.Sorted(maps.Keys(p.Columns)) {
		fmt.Fprintf(&b, "  %-8s ← %s\n", f, strings.Join(p.Columns[f], " | "))
	}
	return b.String()
}
