package wallet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// zipEntry is one file of a hand-made archive.
type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode // 0 for a regular file
}

func makeZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(0o600)
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importBytes(t *testing.T, w *wallet.Wallet, archive []byte) (*wallet.ImportResult, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "import.bonsign")
	writeFile(t, p, archive)
	return w.Import(p)
}

func TestExportThenImportIntoAnotherWallet(t *testing.T) {
	is := wallettest.NewIssuer(t, 40)
	src := open(t, is)
	var all []string
	for i := range 4 {
		x := is.Issue(t, i)
		save(t, src, x)
		all = append(all, x.Receipt.IssueNumber)
	}
	slices.Sort(all)

	for _, form := range []string{"file", "folder"} {
		t.Run("through a "+form, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "export")
			var err error
			if form == "file" {
				path += wallet.Extension
				err = src.ExportFile(path)
			} else {
				err = src.ExportFolder(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			dst := open(t, is)
			res, err := dst.Import(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(slices.Values(res.Added)); !slices.Equal(got, all) || len(res.Refused) > 0 {
				t.Errorf("Import = %+v, want all four added", res)
			}
			for _, n := range all {
				a, _, _ := src.Files(n)
				b, _, _ := dst.Files(n)
				if !bytes.Equal(a, b) {
					t.Errorf("%s arrived changed", n)
				}
				if e := get(t, dst, n); e.Status != wallet.Verified {
					t.Errorf("%s: %v", n, e.Status)
				}
			}
			// Importing again adds nothing.
			res, err = dst.Import(path)
			if err != nil || len(res.Added) != 0 || len(res.Present) != 4 {
				t.Errorf("second Import = %+v, %v; want all four present", res, err)
			}
		})
	}
	t.Run("of one receipt", func(t *testing.T) {
		var buf bytes.Buffer
		if err := src.Export(&buf, all[1]); err != nil {
			t.Fatal(err)
		}
		zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if want := []string{all[1] + "/receipt.json", all[1] + "/receipt.p7s"}; !slices.Equal(names, want) {
			t.Errorf("archive holds %q, want %q", names, want)
		}
	})
}

func TestImportVerifiesEachReceipt(t *testing.T) {
	is := wallettest.NewIssuer(t, 41)
	forger := wallettest.NewIssuer(t, 41)
	good, edited, foreign := is.Issue(t, 0), is.Issue(t, 1), forger.Issue(t, 2)
	editedR := edited.Receipt
	editedR.Delegate = "박대리"
	archive := makeZip(t,
		zipEntry{name: "a/receipt.json", data: canonical(t, good.Receipt)},
		zipEntry{name: "a/receipt.p7s", data: good.Signature},
		zipEntry{name: "b/receipt.json", data: canonical(t, editedR)},
		zipEntry{name: "b/receipt.p7s", data: edited.Signature},
		zipEntry{name: "c/receipt.json", data: canonical(t, foreign.Receipt)},
		zipEntry{name: "c/receipt.p7s", data: foreign.Signature},
		zipEntry{name: "d/receipt.json", data: canonical(t, is.Issue(t, 3).Receipt)},
		zipEntry{name: "e/receipt.p7s", data: good.Signature},
		zipEntry{name: "notes/README.txt", data: []byte("ignored")},
	)
	w := open(t, is)
	res, err := importBytes(t, w, archive)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Added, []string{good.Receipt.IssueNumber}) {
		t.Errorf("Added = %q, want only the genuine receipt", res.Added)
	}
	want := map[string]error{"b": receipt.ErrAltered, "c": receipt.ErrForeign, "d": wallet.ErrUnsigned, "e": wallet.ErrNotFound}
	if len(res.Refused) != len(want) {
		t.Errorf("Refused = %v", res.Refused)
	}
	for _, r := range res.Refused {
		if !errors.Is(r.Err, want[r.Name]) {
			t.Errorf("%s refused with %v, want %v", r.Name, r.Err, want[r.Name])
		}
	}
	if l := list(t, w); len(l) != 1 {
		t.Errorf("the wallet holds %q", numbers(l))
	}
}

func TestImportIntoAWalletThatTrustsAnotherServerRefusesEverything(t *testing.T) {
	is, other := wallettest.NewIssuer(t, 42), wallettest.NewIssuer(t, 43)
	src := open(t, is)
	save(t, src, is.Issue(t, 0))
	var buf bytes.Buffer
	if err := src.Export(&buf); err != nil {
		t.Fatal(err)
	}
	for name, pin := range map[string]*wallettest.Issuer{"another server": other, "no server yet": nil} {
		t.Run(name, func(t *testing.T) {
			w := open(t, pin)
			res, err := importBytes(t, w, buf.Bytes())
			if err != nil || len(res.Added) != 0 || len(res.Refused) != 1 || !errors.Is(res.Refused[0].Err, receipt.ErrForeign) {
				t.Errorf("Import = %+v, %v; want the receipt refused as foreign", res, err)
			}
		})
	}
}

// TestImportGoesByTheVerifiedNumberNotTheArchiveName: a genuine receipt in a
// folder named after another receipt lands in its own folder.
func TestImportGoesByTheVerifiedNumberNotTheArchiveName(t *testing.T) {
	is := wallettest.NewIssuer(t, 44)
	w := open(t, is)
	x, y := is.Issue(t, 0), is.Issue(t, 1)
	save(t, w, y)
	archive := makeZip(t,
		zipEntry{name: y.Receipt.IssueNumber + "/receipt.json", data: canonical(t, x.Receipt)},
		zipEntry{name: y.Receipt.IssueNumber + "/receipt.p7s", data: x.Signature},
	)
	res, err := importBytes(t, w, archive)
	if err != nil || !slices.Equal(res.Added, []string{x.Receipt.IssueNumber}) {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	for _, z := range []wallettest.Issued{x, y} {
		if e := get(t, w, z.Receipt.IssueNumber); e.Status != wallet.Verified || e.Receipt != z.Receipt {
			t.Errorf("%s: %+v", z.Receipt.IssueNumber, e)
		}
	}
}

// TestImportRefusesUnsafeNames: whatever the names, nothing is written
// outside the wallet; an archive with one unsafe name is refused whole.
func TestImportRefusesUnsafeNames(t *testing.T) {
	is := wallettest.NewIssuer(t, 45)
	x := is.Issue(t, 0)
	content, sig := canonical(t, x.Receipt), x.Signature
	for _, tc := range []struct {
		name string
		bad  zipEntry
	}{
		{"a parent folder", zipEntry{name: "../evil/receipt.json", data: content}},
		{"a parent folder deeper down", zipEntry{name: "a/../../receipt.json", data: content}},
		{"a parent folder as the last element", zipEntry{name: "a/..", data: content}},
		{"an absolute path", zipEntry{name: "/tmp/evil/receipt.json", data: content}},
		{"a network path", zipEntry{name: "//server/share/receipt.json", data: content}},
		{"a Windows drive letter", zipEntry{name: "C:/evil/receipt.json", data: content}},
		{"a Windows drive-relative path", zipEntry{name: "C:receipt.json", data: content}},
		{"backslashes", zipEntry{name: `..\..\evil\receipt.json`, data: content}},
		{"a backslash inside a name", zipEntry{name: `a\receipt.json`, data: content}},
		{"an NTFS stream", zipEntry{name: "a/receipt.json:evil", data: content}},
		{"a dot element", zipEntry{name: "./a/receipt.json", data: content}},
		{"an empty element", zipEntry{name: "a//receipt.json", data: content}},
		{"a control character", zipEntry{name: "a\n/receipt.json", data: content}},
		{"invalid UTF-8", zipEntry{name: "a\xff/receipt.json", data: content}},
		{"a symbolic link", zipEntry{name: "a/receipt.p7s", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}},
		{"a device", zipEntry{name: "a/receipt.p7s", data: nil, mode: fs.ModeDevice | 0o600}},
	} {
		t.Run("an archive with "+tc.name+" is refused", func(t *testing.T) {
			root := t.TempDir()
			w, err := wallet.Open(filepath.Join(root, "deep", "wallet"))
			if err != nil {
				t.Fatal(err)
			}
			w.Pin(is.Certificate())
			archive := makeZip(t,
				zipEntry{name: "ok/receipt.json", data: content},
				zipEntry{name: "ok/receipt.p7s", data: sig},
				tc.bad,
			)
			p := filepath.Join(t.TempDir(), "x.bonsign")
			writeFile(t, p, archive)
			before := tree(t, root)
			res, err := w.Import(p)
			if !errors.Is(err, wallet.ErrUnsafeName) {
				t.Fatalf("Import = %+v, %v; want ErrUnsafeName", res, err)
			}
			if after := tree(t, root); !reflect.DeepEqual(after, before) {
				t.Errorf("the refused import changed files: %v", after)
			}
		})
	}
}

func TestImportOfAFolderRefusesLinks(t *testing.T) {
	is := wallettest.NewIssuer(t, 46)
	for _, tc := range []struct {
		name string
		link func(t *testing.T, dir, outside string)
	}{
		{"a linked receipt file", func(t *testing.T, dir, outside string) {
			n := filepath.Join(dir, "r")
			os.Remove(filepath.Join(n, "receipt.p7s"))
			if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(n, "receipt.p7s")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a linked folder", func(t *testing.T, dir, outside string) {
			if err := os.Symlink(outside, filepath.Join(dir, "elsewhere")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			x := is.Issue(t, 0)
			dir, outside := t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(outside, "secret"), []byte("secret"))
			writeFile(t, filepath.Join(dir, "r", "receipt.json"), canonical(t, x.Receipt))
			writeFile(t, filepath.Join(dir, "r", "receipt.p7s"), x.Signature)
			tc.link(t, dir, outside)
			w := open(t, is)
			before := tree(t, w.Dir())
			if res, err := w.Import(dir); !errors.Is(err, wallet.ErrUnsafeName) {
				t.Fatalf("Import = %+v, %v; want ErrUnsafeName", res, err)
			}
			if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
				t.Errorf("the refused import changed the wallet")
			}
		})
	}
	t.Run("the chosen folder itself may be reached through a link", func(t *testing.T) {
		x := is.Issue(t, 0)
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "receipt.json"), canonical(t, x.Receipt))
		writeFile(t, filepath.Join(dir, "receipt.p7s"), x.Signature)
		link := filepath.Join(t.TempDir(), "link")
		if err := os.Symlink(dir, link); err != nil {
			t.Fatal(err)
		}
		w := open(t, is)
		if res, err := w.Import(link); err != nil || len(res.Added) != 1 {
			t.Errorf("Import = %+v, %v; want the receipt added", res, err)
		}
	})
}

func TestImportRefusesWhatIsNotAnArchive(t *testing.T) {
	is := wallettest.NewIssuer(t, 47)
	x := is.Issue(t, 0)
	for name, data := range map[string][]byte{
		"a text file":    []byte("hello"),
		"an empty file":  nil,
		"a receipt.json": canonical(t, x.Receipt),
		"an inflating bomb": makeZip(t,
			zipEntry{name: "a/receipt.json", data: bytes.Repeat([]byte(" "), 10<<20)},
		),
	} {
		t.Run(name, func(t *testing.T) {
			w := open(t, is)
			if res, err := importBytes(t, w, data); !errors.Is(err, wallet.ErrNotArchive) {
				t.Errorf("Import = %+v, %v; want ErrNotArchive", res, err)
			}
		})
	}
}

func TestExportFolderNeverOverwritesADifferentReceipt(t *testing.T) {
	is := wallettest.NewIssuer(t, 48)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	dir := t.TempDir()
	if err := w.ExportFolder(dir); err != nil {
		t.Fatal(err)
	}
	if err := w.ExportFolder(dir); err != nil {
		t.Errorf("exporting the same receipt again: %v", err)
	}
	writeFile(t, filepath.Join(dir, x.Receipt.IssueNumber, "receipt.json"), []byte("mine"))
	if err := w.ExportFolder(dir); !errors.Is(err, wallet.ErrExists) {
		t.Errorf("ExportFolder over a different file: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, x.Receipt.IssueNumber, "receipt.json")); string(b) != "mine" {
		t.Errorf("the file there was overwritten")
	}
}

func TestExportOfAnUnknownReceiptFails(t *testing.T) {
	is := wallettest.NewIssuer(t, 49)
	w := open(t, is)
	var buf bytes.Buffer
	if err := w.Export(&buf, is.Number(t)); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Export: %v, want ErrNotFound", err)
	}
	if err := w.Export(&buf, "not-a-number"); err == nil || !strings.Contains(fmt.Sprint(err), "issue number") {
		t.Errorf("Export: %v, want an issue number error", err)
	}
}
