package wallet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Exports and imports. A .bonsign file is a ZIP archive holding, for each
// receipt, the two files of its wallet folder under its issue number:
//
//	1234-5678-9012-3452/receipt.json
//	1234-5678-9012-3452/receipt.p7s
//
// An exported folder has the same layout. Import also takes a single
// receipt's folder (receipt.json and receipt.p7s directly inside), or an
// archive with the two files at its top.
//
// Import trusts nothing in what it reads: every receipt is verified against
// the wallet's pinned certificates before it is accepted, the folder it goes
// to is named by the verified receipt's issue number and never by a name in
// the archive, and an archive or folder with a name that could point outside
// (an absolute path, "..", a backslash, a drive letter, a symbolic link) is
// refused whole, before anything is written.

// Extension is the file name extension of an exported wallet archive.
const Extension = ".bonsign"

// Limits on what Import reads, against archives made to exhaust memory or
// disk: a wallet of a lifetime holds far fewer receipts.
const (
	maxImportEntries  = 100_000
	maxImportReceipts = 20_000
)

// ErrUnsafeName is returned, and nothing imported, when an archive or folder
// contains a name that could make a careless program write outside its
// destination.
var ErrUnsafeName = errors.New("wallet: the archive contains a file name that points outside it")

// ErrNotArchive is returned for an import file that is not a .bonsign archive.
var ErrNotArchive = errors.New("wallet: not a bonsign archive")

// ImportResult reports what Import did with each receipt it found.
type ImportResult struct {
	Added   []string  // issue numbers of the receipts added
	Present []string  // issue numbers of receipts the wallet already held
	Refused []Refusal // receipts that were not imported, and why
}

// Refusal is a receipt Import did not accept.
type Refusal struct {
	Name string // where it was in the archive or folder
	Err  error  // wraps receipt.ErrAltered, ErrForeign, ErrMalformed, ErrExists...
}

// Export writes the receipts numbered issueNumbers (all receipts when none is
// given) as a .bonsign archive to out.
func (w *Wallet) Export(out io.Writer, issueNumbers ...string) error {
	recs, err := w.exportSet(issueNumbers)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	for _, rec := range recs {
		for _, f := range rec.files() {
			h := &zip.FileHeader{Name: rec.number + "/" + f.name, Method: zip.Deflate, Modified: rec.modified}
			h.SetMode(0o600)
			fw, err := zw.CreateHeader(h)
			if err != nil {
				return fmt.Errorf("wallet: export: %w", err)
			}
			if _, err := fw.Write(f.data); err != nil {
				return fmt.Errorf("wallet: export: %w", err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("wallet: export: %w", err)
	}
	return nil
}

// ExportFile writes a .bonsign archive to path, atomically, replacing a file
// that is there (the citizen chose the name in a save dialog).
func (w *Wallet) ExportFile(path string, issueNumbers ...string) error {
	var buf bytes.Buffer
	if err := w.Export(&buf, issueNumbers...); err != nil {
		return err
	}
	return w.writeFile(path, buf.Bytes())
}

// ExportFolder writes each receipt's folder into dir (created if needed). A
// receipt already exported there is left as it is; a different one under the
// same number is ErrExists.
func (w *Wallet) ExportFolder(dir string, issueNumbers ...string) error {
	recs, err := w.exportSet(issueNumbers)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wallet: export: %w", err)
	}
	for _, rec := range recs {
		dst := filepath.Join(dir, rec.number)
		if _, err := os.Lstat(dst); err == nil {
			old, _ := readFile(filepath.Join(dst, ReceiptFile))
			if !bytes.Equal(old, rec.content) {
				return fmt.Errorf("wallet: export to %s: %w", dst, ErrExists)
			}
			continue
		}
		if err := w.writeFolder(dst, map[string][]byte{ReceiptFile: rec.content, SignatureFile: rec.sig}, false); err != nil {
			return fmt.Errorf("wallet: export: %w", err)
		}
	}
	return nil
}

type exported struct {
	number       string
	content, sig []byte
	modified     time.Time
}

type namedData struct {
	name string
	data []byte
}

func (r exported) files() []namedData {
	return []namedData{{ReceiptFile, r.content}, {SignatureFile, r.sig}}
}

// exportSet reads the files of the receipts to export, all when numbers is
// empty, in the index's order.
func (w *Wallet) exportSet(numbers []string) ([]exported, error) {
	if len(numbers) == 0 {
		all, err := w.List()
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			numbers = append(numbers, e.Receipt.IssueNumber)
		}
	}
	var out []exported
	for _, typed := range numbers {
		n, dir, err := w.folder(typed)
		if err != nil {
			return nil, err
		}
		content, sig, err := w.Files(n)
		if err != nil {
			return nil, err
		}
		rec := exported{number: n, content: content, sig: sig}
		if fi, err := os.Stat(filepath.Join(dir, ReceiptFile)); err == nil {
			rec.modified = fi.ModTime()
		}
		out = append(out, rec)
	}
	return out, nil
}

// Import adds the receipts in a .bonsign archive or a folder at path. It
// verifies each before accepting it; those that fail are listed in the
// result and the others imported. An archive or folder with an unsafe name
// is ErrUnsafeName, and nothing is imported from it.
func (w *Wallet) Import(path string) (*ImportResult, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("wallet: import: %w", err)
	}
	var found []candidate
	if fi.IsDir() {
		// The folder the citizen chose may be reached through a link;
		// links inside it are refused.
		if path, err = filepath.EvalSymlinks(path); err != nil {
			return nil, fmt.Errorf("wallet: import: %w", err)
		}
		found, err = readImportFolder(path)
	} else {
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return nil, fmt.Errorf("wallet: import: %w", err)
		}
		defer f.Close()
		found, err = readArchive(f, fi.Size())
	}
	if err != nil {
		return nil, err
	}
	return w.importAll(found)
}

// ImportArchive adds the receipts in a .bonsign archive read from r, as
// Import does.
func (w *Wallet) ImportArchive(r io.ReaderAt, size int64) (*ImportResult, error) {
	found, err := readArchive(r, size)
	if err != nil {
		return nil, err
	}
	return w.importAll(found)
}

// candidate is a receipt found in an archive or folder, not yet verified.
type candidate struct {
	name         string // its folder in the archive, for messages
	content, sig []byte
}

func (w *Wallet) importAll(found []candidate) (*ImportResult, error) {
	res := &ImportResult{}
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := false
	for _, c := range found {
		switch {
		case c.content == nil:
			res.Refused = append(res.Refused, Refusal{c.name, fmt.Errorf("wallet: %s is missing: %w", ReceiptFile, ErrNotFound)})
			continue
		case c.sig == nil:
			res.Refused = append(res.Refused, Refusal{c.name, ErrUnsigned})
			continue
		}
		e, added, err := w.store(c.content, c.sig, nil)
		switch {
		case err != nil:
			res.Refused = append(res.Refused, Refusal{c.name, err})
		case added:
			res.Added = append(res.Added, e.Receipt.IssueNumber)
			changed = true
		default:
			res.Present = append(res.Present, e.Receipt.IssueNumber)
		}
	}
	if changed {
		if err := w.writeIndex(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// checkName refuses an archive entry name that is not a plain relative path
// with forward slashes: absolute ("/x", "C:/x", "C:x", "//host/x"), with ".."
// or "." or empty elements, with a backslash (a separator on Windows), a
// colon (drive letters, NTFS streams), control characters or invalid UTF-8.
func checkName(name string) error {
	trimmed := strings.TrimSuffix(name, "/") // a folder entry
	bad := trimmed == "" || !utf8.ValidString(name) ||
		strings.ContainsAny(name, `\:`) || strings.HasPrefix(name, "/") ||
		strings.ContainsFunc(name, unicode.IsControl)
	if !bad {
		for _, elem := range strings.Split(trimmed, "/") {
			if elem == "" || elem == "." || elem == ".." {
				bad = true
			}
		}
	}
	if bad || !filepath.IsLocal(filepath.FromSlash(trimmed)) {
		return fmt.Errorf("%w: %q", ErrUnsafeName, name)
	}
	return nil
}

// readArchive reads every receipt in a .bonsign archive, refusing the whole
// archive for one unsafe name or a symbolic link.
func readArchive(r io.ReaderAt, size int64) ([]candidate, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotArchive, err)
	}
	if len(zr.File) > maxImportEntries {
		return nil, fmt.Errorf("%w: more than %d files", ErrNotArchive, maxImportEntries)
	}
	// Every name is checked before anything is read.
	for _, f := range zr.File {
		if err := checkName(f.Name); err != nil {
			return nil, err
		}
		if m := f.Mode(); m&fs.ModeSymlink != 0 || !m.IsRegular() && !m.IsDir() {
			return nil, fmt.Errorf("%w: %q is a link or a special file", ErrUnsafeName, f.Name)
		}
	}
	g := newGrouper()
	for _, f := range zr.File {
		if f.Mode().IsDir() {
			continue
		}
		dir, base := path.Split(f.Name)
		if base != ReceiptFile && base != SignatureFile {
			continue // anything else (notes, an old confirmation.p7s) is ignored
		}
		data, err := readZipFile(f)
		if err != nil {
			return nil, err
		}
		if err := g.add(strings.TrimSuffix(dir, "/"), base, data); err != nil {
			return nil, err
		}
	}
	return g.result(), nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotArchive, f.Name, err)
	}
	defer rc.Close()
	// The header's size is not trusted: the limit applies to what inflates.
	data, err := io.ReadAll(io.LimitReader(rc, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotArchive, f.Name, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrNotArchive, f.Name, maxFileSize)
	}
	return data, nil
}

// readImportFolder reads the receipts in a folder: a single receipt's folder,
// a folder of receipt folders, or a wallet. It never follows a link; one is
// reason to refuse the folder.
func readImportFolder(root string) ([]candidate, error) {
	g := newGrouper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s is a link", ErrUnsafeName, rel)
		}
		if d.IsDir() {
			if strings.Count(filepath.ToSlash(rel), "/") >= 1 && rel != "." {
				return fs.SkipDir // receipts sit at most one folder down
			}
			return nil
		}
		base := d.Name()
		if base != ReceiptFile && base != SignatureFile {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s is not a regular file", ErrUnsafeName, rel)
		}
		data, err := readFile(p)
		if err != nil {
			return fmt.Errorf("wallet: import: %s: %w", rel, err)
		}
		return g.add(filepath.ToSlash(filepath.Dir(rel)), base, data)
	})
	if err != nil {
		if errors.Is(err, ErrUnsafeName) {
			return nil, err
		}
		return nil, fmt.Errorf("wallet: import: %w", err)
	}
	return g.result(), nil
}

// grouper pairs receipt.json and receipt.p7s by the folder they are in.
type grouper struct {
	byDir map[string]*candidate
	order []string
}

func newGrouper() *grouper { return &grouper{byDir: map[string]*candidate{}} }

func (g *grouper) add(dir, base string, data []byte) error {
	if dir == "" {
		dir = "."
	}
	c, ok := g.byDir[dir]
	if !ok {
		if len(g.order) >= maxImportReceipts {
			return fmt.Errorf("%w: more than %d receipts", ErrNotArchive, maxImportReceipts)
		}
		c = &candidate{name: dir}
		g.byDir[dir] = c
		g.order = append(g.order, dir)
	}
	if base == ReceiptFile {
		c.content = data
	} else {
		c.sig = data
	}
	return nil
}

func (g *grouper) result() []candidate {
	slices.Sort(g.order)
	out := make([]candidate, 0, len(g.order))
	for _, d := range g.order {
		out = append(out, *g.byDir[d])
	}
	return out
}
