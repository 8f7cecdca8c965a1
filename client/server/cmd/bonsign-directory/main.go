// Command bonsign-directory maintains the directory of eligible institutions
// (assets/institutions.json and assets/institutions/*.json): it imports the
// public CSV exports, checks the data and rewrites files in canonical form.
//
//	bonsign-directory import -profile school -in 학교기본정보.csv -source-id neis-school-2026-11 -date 2026-11-20 -dry-run
//	bonsign-directory import -profile orgcode -in 기관코드.txt -source-id mois-orgcode-2026-12 -date 2026-12-01
//	bonsign-directory check -date 2026-07-01
//	bonsign-directory fmt assets/institutions.json
//
// See docs/directory.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bonsign/bonsign/directory"
	"github.com/bonsign/bonsign/directory/importer"
)

const usage = `usage: bonsign-directory <command> [flags]

commands:
  import   merge a public CSV export into a data file (-dry-run shows the changes)
  check    check the data files together and count the institutions
  fmt      rewrite data files in canonical form
  profiles describe the exports import reads

Run "bonsign-directory <command> -h" for a command's flags.
`

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bonsign-directory:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch cmd, args := args[0], args[1:]; cmd {
	case "import":
		return runImport(args, out)
	case "check":
		return runCheck(args, out)
	case "fmt":
		return runFmt(args)
	case "profiles":
		for _, p := range importer.Profiles() {
			fmt.Fprintln(out, p.Help())
		}
		return nil
	}
	return errUsage
}

// dataFiles lists the data files of the directory in dir: institutions.json
// and institutions/*.json, the layout assets/ uses.
func dataFiles(dir string) ([]string, error) {
	files := []string{filepath.Join(dir, "institutions.json")}
	more, err := filepath.Glob(filepath.Join(dir, "institutions", "*.json"))
	if err != nil {
		return nil, err
	}
	slices.Sort(more)
	return append(files, more...), nil
}

// loaded is a data file as read.
type loaded struct {
	path string
	file *directory.File
}

func loadAll(paths []string) ([]loaded, error) {
	var out []loaded
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f, err := directory.ParseFile(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, loaded{p, f})
	}
	return out, nil
}

func build(files []loaded) (*directory.Directory, error) {
	fs := make([]*directory.File, len(files))
	for i, f := range files {
		fs[i] = f.file
	}
	return directory.New(fs...)
}

func runImport(args []string, out io.Writer) error {
	fset := flag.NewFlagSet("import", flag.ContinueOnError)
	var (
		profile = fset.String("profile", "", "the export's kind: orgcode, school or alio (see the profiles command)")
		in      = fset.String("in", "", "the CSV export (UTF-8, UTF-8 with BOM or EUC-KR/CP949; comma or tab separated)")
		dataDir = fset.String("data", "assets", "folder of the directory's data files")
		target  = fset.String("out", "", "data file to merge into (default: institutions/schools.json for school, else institutions.json)")
		id      = fset.String("source-id", "", "ID of the source in the data file, e.g. neis-school-2026-11 (required)")
		date    = fset.String("date", "", "day the export was published or downloaded, YYYY-MM-DD (required)")
		name    = fset.String("source-name", "", "name of the source (default: the profile's)")
		url     = fset.String("source-url", "", "URL of the source (default: the profile's)")
		mapping = fset.String("map", "", "column overrides, field=HEADER,...; fields: code, name, type, parent, top, status, from, until, region, address, ministry, alt_code")
		prune   = fset.Bool("prune", false, "remove entries of this source that the export no longer has")
		dry     = fset.Bool("dry-run", false, "print what would change and write nothing")
		verbose = fset.Bool("v", false, "print every change, not the first 20 of each kind")
	)
	if err := fset.Parse(args); err != nil {
		return err
	}
	p, ok := importer.ProfileByName(*profile)
	if !ok {
		return fmt.Errorf("import: unknown profile %q", *profile)
	}
	if *in == "" || *id == "" || *date == "" {
		return errors.New("import: -in, -source-id and -date are required")
	}
	if _, err := time.Parse(time.DateOnly, *date); err != nil {
		return fmt.Errorf("import: -date %q is not YYYY-MM-DD", *date)
	}
	cols := map[importer.Field]string{}
	for kv := range strings.SplitSeq(*mapping, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		f, h, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("import: -map %q is not field=HEADER", kv)
		}
		cols[importer.Field(strings.TrimSpace(f))] = strings.TrimSpace(h)
	}
	if *target == "" {
		*target = filepath.Join(*dataDir, "institutions.json")
		if p.Name == "school" {
			*target = filepath.Join(*dataDir, "institutions", "schools.json")
		}
	}

	export, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	paths, err := dataFiles(*dataDir)
	if err != nil {
		return err
	}
	if !slices.Contains(paths, *target) {
		paths = append(paths, *target)
	}
	files, err := loadAll(paths)
	if err != nil {
		return err
	}
	base, err := build(files)
	if err != nil {
		return fmt.Errorf("the data before the import: %w", err)
	}
	i := slices.IndexFunc(files, func(f loaded) bool { return f.path == *target })
	if i < 0 {
		files = append(files, loaded{*target, &directory.File{}})
		i = len(files) - 1
	}
	merged, rep, err := importer.Import(files[i].file, export, importer.Options{
		Profile: p, Columns: cols, Base: base, Prune: *prune,
		Source: directory.Source{ID: *id, Date: *date, Name: *name, URL: *url},
	})
	if err != nil {
		return err
	}
	printReport(out, rep, *verbose)
	files[i].file = merged
	if _, err := build(files); err != nil {
		return fmt.Errorf("the data after the import would be invalid, nothing written: %w", err)
	}
	if *dry {
		fmt.Fprintf(out, "dry run: %s not written\n", *target)
		return nil
	}
	b, err := merged.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*target), 0o755); err != nil {
		return err
	}
	if err := writeFile(*target, b); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s\n", *target)
	return nil
}

func printReport(out io.Writer, rep *importer.Report, verbose bool) {
	fmt.Fprintln(out, rep.Summary())
	shown := map[importer.Op]int{}
	for _, c := range rep.Changes {
		shown[c.Op]++
		if !verbose && shown[c.Op] > 20 {
			continue
		}
		fmt.Fprintf(out, "%s %s %s", c.Op, c.Code, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(out, " (%s)", c.Detail)
		}
		fmt.Fprintln(out)
	}
	for _, op := range []importer.Op{importer.OpAdd, importer.OpUpdate, importer.OpLink, importer.OpSkip, importer.OpMissing, importer.OpRemove} {
		if n := shown[op]; !verbose && n > 20 {
			fmt.Fprintf(out, "%s ... and %d more (-v shows all)\n", op, n-20)
		}
	}
}

// writeFile replaces path atomically, so that an interrupted write never
// leaves half a data file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bonsign-directory-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func runCheck(args []string, out io.Writer) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	dataDir := fset.String("data", "assets", "folder of the directory's data files")
	date := fset.String("date", "", "count the institutions in force that day (default: today in Korea)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	day := directory.DayOf(time.Now())
	if *date != "" {
		d, err := directory.ParseDay(*date)
		if err != nil {
			return err
		}
		day = d
	}
	paths, err := dataFiles(*dataDir)
	if err != nil {
		return err
	}
	files, err := loadAll(paths)
	if err != nil {
		return err
	}
	d, err := build(files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d entries in %d files, data as of %s; in force on %s:\n", d.Len(), len(files), d.AsOf(), day)
	type count struct{ all, local int }
	counts := map[string]*count{}
	var keys []string
	for _, e := range d.Entries(day) {
		k := string(e.Category)
		if e.Kind != "" && e.Category == directory.Local {
			k += "/" + string(e.Kind)
		}
		if counts[k] == nil {
			counts[k] = &count{}
			keys = append(keys, k)
		}
		counts[k].all++
		if directory.IsLocalCode(e.Code) {
			counts[k].local++
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "  %-24s %6d  (%d with bonsign-local codes)\n", k, counts[k].all, counts[k].local)
	}
	return nil
}

func runFmt(args []string) error {
	if len(args) == 0 {
		return errors.New("fmt: name the data files to rewrite")
	}
	for _, p := range args {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := directory.ParseFile(b)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		nb, err := f.Marshal()
		if err != nil {
			return err
		}
		if string(nb) != string(b) {
			if err := writeFile(p, nb); err != nil {
				return err
			}
		}
	}
	return nil
}
