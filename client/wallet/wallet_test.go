package wallet_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// open opens a fresh wallet that trusts is.
func open(t testing.TB, is *wallettest.Issuer) *wallet.Wallet {
	t.Helper()
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	if is != nil {
		if err := w.Pin(is.Certificate()); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// reopen opens the same folder again, as the app does when it restarts.
func reopen(t testing.TB, w *wallet.Wallet) *wallet.Wallet {
	t.Helper()
	w2, err := wallet.Open(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

func save(t testing.TB, w *wallet.Wallet, x wallettest.Issued) {
	t.Helper()
	if _, err := w.Save(x.Receipt, x.Signature, x.Confirmation); err != nil {
		t.Fatalf("Save(%s): %v", x.Receipt.IssueNumber, err)
	}
}

func get(t testing.TB, w *wallet.Wallet, n string) *wallet.Entry {
	t.Helper()
	e, err := w.Get(n)
	if err != nil {
		t.Fatalf("Get(%s): %v", n, err)
	}
	return e
}

func list(t testing.TB, w *wallet.Wallet) []wallet.Entry {
	t.Helper()
	l, err := w.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return l
}

func numbers(es []wallet.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Receipt.IssueNumber)
	}
	return out
}

// tree lists every file and folder under dir with its contents, to show that
// an operation changed nothing.
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case d.IsDir():
			out[rel+"/"] = ""
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			out[rel] = "-> " + target
		default:
			b, err := os.ReadFile(path)
			out[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func canonical(t testing.TB, r api.Receipt) []byte {
	t.Helper()
	b, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSaveThenGetAndListGiveTheReceiptBack(t *testing.T) {
	is := wallettest.NewIssuer(t, 1)
	w := open(t, is)
	x := is.Issue(t, 0)
	e, err := w.Save(x.Receipt, x.Signature, x.Confirmation)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != wallet.Verified || e.Receipt != x.Receipt {
		t.Errorf("Save = %+v, want the verified receipt", e)
	}
	n := x.Receipt.IssueNumber

	if e := get(t, w, n); e.Receipt != x.Receipt || e.Status != wallet.Verified || e.Err != nil {
		t.Errorf("Get = %+v, want the receipt, verified", e)
	}
	content, sig, err := w.Files(n)
	if err != nil || !bytes.Equal(content, canonical(t, x.Receipt)) || !bytes.Equal(sig, x.Signature) {
		t.Errorf("Files = %q, %v; want the canonical JSON and the server's signature as they were", content, err)
	}
	if l := list(t, w); len(l) != 1 || l[0].Receipt != x.Receipt || l[0].Status != wallet.Verified {
		t.Errorf("List = %+v, want the one receipt, verified", l)
	}

	// The app restarted: the same folder, nothing in memory, the pin read back.
	w2 := reopen(t, w)
	if e := get(t, w2, n); e.Status != wallet.Verified {
		t.Errorf("after reopening: Get = %+v", e)
	}
}

func TestSaveVerifiesFirstAndWritesNothingWhenItFails(t *testing.T) {
	is := wallettest.NewIssuer(t, 2)
	other := wallettest.NewIssuer(t, 2)
	x := is.Issue(t, 0)
	edited := x.Receipt
	edited.Purpose = "부동산 매수"
	for _, tc := range []struct {
		name   string
		pin    *wallettest.Issuer
		r      api.Receipt
		sig    []byte
		conf   []byte
		wantIs error
	}{
		{"a receipt edited after it was signed", is, edited, x.Signature, x.Confirmation, receipt.ErrAltered},
		{"a receipt signed by a key that is not pinned", is, x.Receipt, other.Sign(t, x.Receipt), x.Confirmation, receipt.ErrForeign},
		{"any receipt when nothing is pinned", nil, x.Receipt, x.Signature, x.Confirmation, wallet.ErrNotPinned},
		{"a truncated signature", is, x.Receipt, x.Signature[:len(x.Signature)/2], x.Confirmation, receipt.ErrMalformed},
		{"no signature", is, x.Receipt, nil, x.Confirmation, receipt.ErrMalformed},
		{"a receipt for another confirmation", is, x.Receipt, x.Signature, wallettest.Confirmation(99), wallet.ErrWrongConfirmation},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			w := open(t, tc.pin)
			before := tree(t, w.Dir())
			if _, err := w.Save(tc.r, tc.sig, tc.conf); !errors.Is(err, tc.wantIs) {
				t.Fatalf("Save: %v, want %v", err, tc.wantIs)
			}
			if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
				t.Errorf("the refused Save changed the wallet: %v", after)
			}
			if _, err := w.Get(x.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNotFound) {
				t.Errorf("Get after the refused Save: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestTheWalletHoldsNoFullResidentRegistrationNumber: the confirmation the
// citizen signed holds full numbers; the wallet keeps only the receipt.
func TestTheWalletHoldsNoFullResidentRegistrationNumber(t *testing.T) {
	is := wallettest.NewIssuer(t, 3)
	w := open(t, is)
	var confs [][]byte
	for i := range 3 {
		x := is.Issue(t, i)
		save(t, w, x)
		confs = append(confs, x.Confirmation)
	}
	exported := filepath.Join(t.TempDir(), "all.bonsign")
	if err := w.ExportFile(exported); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(exported)
	files := tree(t, w.Dir())
	files["(the exported archive)"] = string(raw)
	for name, data := range files {
		for _, rrn := range []string{wallettest.CitizenRRN, wallettest.DelegateRRN, strings.ReplaceAll(wallettest.CitizenRRN, "-", "")} {
			if strings.Contains(data, rrn) {
				t.Errorf("%s holds the full resident registration number %s", name, rrn)
			}
		}
		for _, c := range confs {
			if len(data) > 0 && strings.Contains(data, string(c)) {
				t.Errorf("%s holds the citizen's confirmation", name)
			}
		}
		if filepath.Base(name) == "confirmation.p7s" {
			t.Errorf("%s: the wallet keeps the confirmation", name)
		}
	}
}

func TestGetAcceptsTheNumberAsTheCitizenTypesIt(t *testing.T) {
	is := wallettest.NewIssuer(t, 4)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	n := x.Receipt.IssueNumber
	digits := strings.ReplaceAll(n, "-", "")
	for _, typed := range []string{n, digits, strings.ReplaceAll(n, "-", " "), " " + n + " "} {
		if e, err := w.Get(typed); err != nil || e.Receipt.IssueNumber != n {
			t.Errorf("Get(%q) = %+v, %v; want %s", typed, e, err, n)
		}
	}
}

func TestListAndSearchSortByIssueTime(t *testing.T) {
	is := wallettest.NewIssuer(t, 5)
	w := open(t, is)
	// Saved in an order that is neither issue order nor number order.
	minutes := []int{30, 5, 24 * 60, 0, 61, 60 * 24 * 400, 59}
	byMinute := map[int]string{}
	for _, m := range minutes {
		conf := wallettest.Confirmation(m)
		r := wallettest.Receipt(is.Number(t), m, conf)
		save(t, w, wallettest.Issued{Receipt: r, Signature: is.Sign(t, r), Confirmation: conf})
		byMinute[m] = r.IssueNumber
	}
	sorted := slices.Sorted(slices.Values(minutes))
	var oldest []string
	for _, m := range sorted {
		oldest = append(oldest, byMinute[m])
	}
	newest := slices.Clone(oldest)
	slices.Reverse(newest)

	if got := numbers(list(t, w)); !slices.Equal(got, newest) {
		t.Errorf("List\n got %q\nwant %q (newest first)", got, newest)
	}
	if got, _ := w.Search("", wallet.OldestFirst); !slices.Equal(numbers(got), oldest) {
		t.Errorf("Search oldest first\n got %q\nwant %q", numbers(got), oldest)
	}
	if got, _ := w.Search("", wallet.NewestFirst); !slices.Equal(numbers(got), newest) {
		t.Errorf("Search newest first\n got %q\nwant %q", numbers(got), newest)
	}
}

func TestListOfAnEmptyWalletIsEmpty(t *testing.T) {
	w := open(t, nil)
	if l := list(t, w); len(l) != 0 {
		t.Errorf("List = %v; want nothing", l)
	}
}

func TestListSkipsWhatIsNotAReceiptFolder(t *testing.T) {
	is := wallettest.NewIssuer(t, 6)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	elsewhere := t.TempDir()
	is.Fill(t, elsewhere, 1)
	for path, data := range map[string]string{
		"notes.txt":                     "not a folder",
		"notes/receipt.json":            `{"issue_number":"x"}`,
		".hidden/receipt.json":          `{}`,
		"1234-5678-9012-3451/README.md": "a folder with a bad check digit",
		"1234567890123452/receipt.json": "a folder not in the grouped form",
	} {
		writeFile(t, filepath.Join(w.Dir(), filepath.FromSlash(path)), []byte(data))
	}
	// A link named like a receipt, to a folder outside the wallet.
	des, _ := os.ReadDir(elsewhere)
	if err := os.Symlink(filepath.Join(elsewhere, des[0].Name()), filepath.Join(w.Dir(), des[0].Name())); err != nil {
		t.Fatal(err)
	}
	l := list(t, reopen(t, w))
	if len(l) != 1 || l[0].Receipt.IssueNumber != x.Receipt.IssueNumber {
		t.Errorf("List = %v, want only %s", numbers(l), x.Receipt.IssueNumber)
	}
	if _, err := w.Get(des[0].Name()); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Get through a link: %v, want ErrNotFound", err)
	}
}

func TestSaveOfTheSameReceiptTwiceIsHarmless(t *testing.T) {
	is := wallettest.NewIssuer(t, 7)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	before := tree(t, w.Dir())
	save(t, w, x)
	// A retried issuance may come back signed again (ECDSA signatures differ
	// each time): the receipt already kept stays.
	resigned := x
	resigned.Signature = is.Sign(t, x.Receipt)
	save(t, w, resigned)
	if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
		t.Errorf("saving the same receipt again changed the wallet")
	}
	if l := list(t, w); len(l) != 1 {
		t.Errorf("List has %d entries, want 1", len(l))
	}
}

func TestSaveOfADifferentReceiptUnderTheSameNumberIsRefused(t *testing.T) {
	is := wallettest.NewIssuer(t, 8)
	x := is.Issue(t, 0)
	for _, tc := range []struct {
		name   string
		change func(r *api.Receipt)
	}{
		{"another purpose", func(r *api.Receipt) { r.Purpose = "근저당 설정" }},
		{"another issue time", func(r *api.Receipt) { r.IssuedAt = "2026-11-25T09:00:01+09:00" }},
		{"no delegate", func(r *api.Receipt) { r.Delegate = "" }},
	} {
		t.Run("a genuine receipt with "+tc.name+" is ErrExists and leaves the original", func(t *testing.T) {
			w := open(t, is)
			save(t, w, x)
			before := tree(t, w.Dir())
			r := x.Receipt
			tc.change(&r)
			if _, err := w.Save(r, is.Sign(t, r), x.Confirmation); !errors.Is(err, wallet.ErrExists) {
				t.Fatalf("Save: %v, want ErrExists", err)
			}
			if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
				t.Errorf("the refused Save changed the wallet")
			}
			if e := get(t, w, x.Receipt.IssueNumber); e.Receipt != x.Receipt || e.Status != wallet.Verified {
				t.Errorf("Get = %+v; want the original, verified", e)
			}
		})
	}
}

func TestAGenuineReceiptReplacesOneThatNoLongerVerifies(t *testing.T) {
	is := wallettest.NewIssuer(t, 9)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	n := x.Receipt.IssueNumber
	writeFile(t, filepath.Join(w.Dir(), n, "receipt.p7s"), []byte("damaged"))
	if e := get(t, w, n); e.Status != wallet.Damaged {
		t.Fatalf("Get = %v, want damaged", e.Status)
	}
	save(t, w, x) // from a backup, say
	if e := get(t, w, n); e.Status != wallet.Verified {
		t.Errorf("after saving the genuine receipt again: %v (%v)", e.Status, e.Err)
	}
	if l := list(t, w); len(l) != 1 || l[0].Status != wallet.Verified {
		t.Errorf("List = %+v", l)
	}
}

func TestAMalformedIssueNumberIsRefusedBeforeAnyPathIsBuilt(t *testing.T) {
	is := wallettest.NewIssuer(t, 10)
	for _, bad := range []string{
		"../../etc",
		"1234-5678-9012-345X",
		"1234-5678-9012-3451", // wrong check digit
		"../1234-5678-9012-3452",
		"1234-5678-9012-3452/../../x",
		"/etc/passwd",
		`..\..\Windows`,
		"",
		".",
		"..",
	} {
		t.Run(fmt.Sprintf("%q is refused", bad), func(t *testing.T) {
			root := t.TempDir()
			w, err := wallet.Open(filepath.Join(root, "a", "wallet"))
			if err != nil {
				t.Fatal(err)
			}
			w.Pin(is.Certificate())
			before := tree(t, root)
			x := is.Issue(t, 0)
			x.Receipt.IssueNumber = bad
			x.Signature = is.Sign(t, x.Receipt)
			if _, err := w.Save(x.Receipt, x.Signature, x.Confirmation); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Save: %v, want ErrIssueNumber", err)
			}
			if _, err := w.Get(bad); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Get: %v, want ErrIssueNumber", err)
			}
			if _, _, err := w.Files(bad); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Files: %v, want ErrIssueNumber", err)
			}
			if err := w.Delete(bad); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Delete: %v, want ErrIssueNumber", err)
			}
			if after := tree(t, root); !reflect.DeepEqual(after, before) {
				t.Errorf("files appeared: %v", after)
			}
		})
	}
}

// TestEachEditedFieldIsDetected edits receipt.json on disk, keeping it valid
// canonical JSON, as a forger would.
func TestEachEditedFieldIsDetected(t *testing.T) {
	is := wallettest.NewIssuer(t, 11)
	edits := map[string]func(*api.Receipt){
		"issue number":        func(r *api.Receipt) { r.IssueNumber = "1234-5678-9012-3452" },
		"issue date-time":     func(r *api.Receipt) { r.IssuedAt = "2026-11-24T09:00:00+09:00" },
		"name":                func(r *api.Receipt) { r.Name = "홍길순" },
		"masked RRN":          func(r *api.Receipt) { r.MaskedRRN = "900101-2******" },
		"purpose":             func(r *api.Receipt) { r.Purpose = "부동산 매수" },
		"institution code":    func(r *api.Receipt) { r.Institution.Code = "bs-pub-hug" },
		"institution name":    func(r *api.Receipt) { r.Institution.Name = "주택도시보증공사" },
		"delegate":            func(r *api.Receipt) { r.Delegate = "박대리" },
		"delegate removed":    func(r *api.Receipt) { r.Delegate = "" },
		"confirmation digest": func(r *api.Receipt) { r.Digest = strings.Repeat("0", 64) },
	}
	for field, edit := range edits {
		t.Run("an edited "+field+" shows as altered", func(t *testing.T) {
			w := open(t, is)
			x := is.Issue(t, 0)
			save(t, w, x)
			n := x.Receipt.IssueNumber
			r := x.Receipt
			edit(&r)
			writeFile(t, filepath.Join(w.Dir(), n, "receipt.json"), canonical(t, r))

			e := get(t, w, n)
			if e.Status != wallet.Altered || !errors.Is(e.Err, receipt.ErrAltered) {
				t.Fatalf("Get = %v (%v), want altered", e.Status, e.Err)
			}
			// What Get found is recorded: the list shows it too, also
			// after a restart.
			if l := list(t, reopen(t, w)); len(l) != 1 || l[0].Status != wallet.Altered {
				t.Errorf("List = %+v, want the receipt, altered", l)
			}
		})
	}
	t.Run("the same values written in another JSON form show as altered", func(t *testing.T) {
		w := open(t, is)
		x := is.Issue(t, 0)
		save(t, w, x)
		pretty, _ := json.MarshalIndent(x.Receipt, "", "  ")
		writeFile(t, filepath.Join(w.Dir(), x.Receipt.IssueNumber, "receipt.json"), pretty)
		if e := get(t, w, x.Receipt.IssueNumber); e.Status != wallet.Altered {
			t.Errorf("Get = %v, want altered", e.Status)
		}
	})
}

func TestFlippedSignatureBytesAreDetected(t *testing.T) {
	is := wallettest.NewIssuer(t, 12)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	n := x.Receipt.IssueNumber
	p := filepath.Join(w.Dir(), n, "receipt.p7s")
	// Every byte, one bit each (client/receipt tests every bit).
	for i := range x.Signature {
		bad := slices.Clone(x.Signature)
		bad[i] ^= 1 << (i % 8)
		writeFile(t, p, bad)
		if e := get(t, w, n); e.Status == wallet.Verified {
			t.Fatalf("flipping bit %d of byte %d of receipt.p7s went unnoticed", i%8, i)
		}
	}
	writeFile(t, p, x.Signature)
	if e := get(t, w, n); e.Status != wallet.Verified {
		t.Errorf("the signature put back: %v (%v)", e.Status, e.Err)
	}
}

func TestAReceiptSignedByAnotherKeyIsForeign(t *testing.T) {
	is := wallettest.NewIssuer(t, 13)
	forger := wallettest.NewIssuer(t, 13)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	n := x.Receipt.IssueNumber
	r := x.Receipt
	r.Purpose = "근저당권 설정" // the forger signs what they like
	writeFile(t, filepath.Join(w.Dir(), n, "receipt.json"), canonical(t, r))
	writeFile(t, filepath.Join(w.Dir(), n, "receipt.p7s"), forger.Sign(t, r))
	if e := get(t, w, n); e.Status != wallet.Foreign || !errors.Is(e.Err, receipt.ErrForeign) {
		t.Errorf("Get = %v (%v), want foreign", e.Status, e.Err)
	}
}

func TestDamagedReceiptsShowAsDamaged(t *testing.T) {
	is := wallettest.NewIssuer(t, 14)
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, folder string)
		wantIs error
	}{
		{"receipt.p7s deleted", func(t *testing.T, f string) { os.Remove(filepath.Join(f, "receipt.p7s")) }, wallet.ErrUnsigned},
		{"receipt.p7s emptied", func(t *testing.T, f string) { writeFile(t, filepath.Join(f, "receipt.p7s"), nil) }, receipt.ErrMalformed},
		{"receipt.json deleted", func(t *testing.T, f string) { os.Remove(filepath.Join(f, "receipt.json")) }, receipt.ErrMalformed},
		{"receipt.json truncated", func(t *testing.T, f string) {
			b, _ := os.ReadFile(filepath.Join(f, "receipt.json"))
			writeFile(t, filepath.Join(f, "receipt.json"), b[:len(b)-5])
		}, receipt.ErrMalformed},
		{"receipt.json replaced by a link", func(t *testing.T, f string) {
			target := filepath.Join(t.TempDir(), "receipt.json")
			b, _ := os.ReadFile(filepath.Join(f, "receipt.json"))
			writeFile(t, target, b)
			os.Remove(filepath.Join(f, "receipt.json"))
			if err := os.Symlink(target, filepath.Join(f, "receipt.json")); err != nil {
				t.Fatal(err)
			}
		}, receipt.ErrMalformed},
		{"receipt.json made huge", func(t *testing.T, f string) {
			writeFile(t, filepath.Join(f, "receipt.json"), bytes.Repeat([]byte(" "), 1<<20))
		}, receipt.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := open(t, is)
			x := is.Issue(t, 0)
			save(t, w, x)
			n := x.Receipt.IssueNumber
			tc.damage(t, filepath.Join(w.Dir(), n))
			e := get(t, w, n)
			if e.Status != wallet.Damaged || !errors.Is(e.Err, tc.wantIs) {
				t.Errorf("Get = %v (%v), want damaged, %v", e.Status, e.Err, tc.wantIs)
			}
			if e.Receipt.IssueNumber != n {
				t.Errorf("a damaged receipt lost its issue number: %+v", e.Receipt)
			}
		})
	}
}

func TestAGenuineReceiptInAnotherReceiptsFolderIsAltered(t *testing.T) {
	is := wallettest.NewIssuer(t, 15)
	w := open(t, is)
	a, b := is.Issue(t, 0), is.Issue(t, 1)
	save(t, w, a)
	save(t, w, b)
	// Swap the two folders' contents.
	fa, fb := filepath.Join(w.Dir(), a.Receipt.IssueNumber), filepath.Join(w.Dir(), b.Receipt.IssueNumber)
	tmp := filepath.Join(w.Dir(), "swap")
	for _, mv := range [][2]string{{fa, tmp}, {fb, fa}, {tmp, fb}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{a.Receipt.IssueNumber, b.Receipt.IssueNumber} {
		if e := get(t, w, n); e.Status != wallet.Altered {
			t.Errorf("Get(%s) = %v, want altered", n, e.Status)
		}
	}
}

// TestAReceiptOfAnOlderWalletIsDamagedAndUnsigned: before receipts were
// signed, the wallet kept indented JSON beside confirmation.p7s.
func TestAReceiptOfAnOlderWalletIsDamagedAndUnsigned(t *testing.T) {
	is := wallettest.NewIssuer(t, 16)
	w := open(t, is)
	x := is.Issue(t, 0)
	old, _ := json.MarshalIndent(x.Receipt, "", "  ")
	folder := filepath.Join(w.Dir(), x.Receipt.IssueNumber)
	writeFile(t, filepath.Join(folder, "receipt.json"), old)
	writeFile(t, filepath.Join(folder, "confirmation.p7s"), x.Confirmation)
	l := list(t, w)
	if len(l) != 1 || l[0].Status != wallet.Damaged || l[0].Receipt.Purpose != x.Receipt.Purpose {
		t.Fatalf("List = %+v, want the old receipt, damaged, its fields readable", l)
	}
	if e := get(t, w, x.Receipt.IssueNumber); !errors.Is(e.Err, wallet.ErrUnsigned) {
		t.Errorf("Get: %v, want ErrUnsigned", e.Err)
	}
}

// crashAt runs f, stopping it with a simulated crash at the first write step
// named step, and reports whether it crashed.
func crashAt(t *testing.T, w *wallet.Wallet, step string, f func()) (crashed bool) {
	t.Helper()
	type crash struct{}
	wallet.SetCrash(w, func(s string) {
		if s == step {
			panic(crash{})
		}
	})
	defer func() {
		wallet.SetCrash(w, nil)
		if r := recover(); r != nil {
			if _, ok := r.(crash); !ok {
				panic(r)
			}
			crashed = true
		}
	}()
	f()
	return false
}

// receiptFiles lists the receipt files anywhere under dir, except in the
// temporary folders a crash leaves.
func receiptFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for path := range tree(t, dir) {
		base := filepath.Base(path)
		if (base == "receipt.json" || base == "receipt.p7s") && !strings.HasPrefix(path, ".tmp-") {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

func TestACrashBetweenWriteAndRenameLeavesNoPartialFile(t *testing.T) {
	is := wallettest.NewIssuer(t, 17)
	for _, step := range []string{wallet.StepPartial, wallet.StepRename} {
		t.Run("a crash at "+step+" leaves no receipt, and the next Save works", func(t *testing.T) {
			w := open(t, is)
			kept := is.Issue(t, 0)
			save(t, w, kept)
			x := is.Issue(t, 1)
			if !crashAt(t, w, step, func() { w.Save(x.Receipt, x.Signature, x.Confirmation) }) {
				t.Fatal("the write did not reach the step")
			}
			n := x.Receipt.IssueNumber
			want := []string{filepath.Join(kept.Receipt.IssueNumber, "receipt.json"), filepath.Join(kept.Receipt.IssueNumber, "receipt.p7s")}
			if got := receiptFiles(t, w.Dir()); !slices.Equal(got, want) {
				t.Errorf("receipt files after the crash: %q, want only the receipt kept before", got)
			}
			// The app starts again.
			w2 := reopen(t, w)
			if _, err := w2.Get(n); !errors.Is(err, wallet.ErrNotFound) {
				t.Errorf("Get: %v, want ErrNotFound", err)
			}
			if l := list(t, w2); !slices.Equal(numbers(l), []string{kept.Receipt.IssueNumber}) {
				t.Errorf("List = %q, want only the receipt kept before", numbers(l))
			}
			// Leftovers go once they are old enough not to be another
			// process's write in progress.
			later := time.Now().Add(wallet.StaleAfter + time.Minute)
			w3, err := wallet.Open(w.Dir(), func(w *wallet.Wallet) { wallet.SetNow(w, func() time.Time { return later }) })
			if err != nil {
				t.Fatal(err)
			}
			for path := range tree(t, w.Dir()) {
				if strings.Contains(path, ".tmp-") {
					t.Errorf("left behind after Open: %s", path)
				}
			}
			save(t, w3, x)
			if e := get(t, w3, n); e.Status != wallet.Verified {
				t.Errorf("after the retried Save: %v", e.Status)
			}
		})
	}
	t.Run("a crash before the index is written loses nothing", func(t *testing.T) {
		w := open(t, is)
		x := is.Issue(t, 2)
		if !crashAt(t, w, wallet.StepIndex, func() { w.Save(x.Receipt, x.Signature, x.Confirmation) }) {
			t.Fatal("the write did not reach the step")
		}
		if l := list(t, reopen(t, w)); len(l) != 1 || l[0].Status != wallet.Verified {
			t.Errorf("List = %+v, want the receipt whose folder was in place", l)
		}
	})
	t.Run("a crash while the index is written leaves the old index whole", func(t *testing.T) {
		w := open(t, is)
		a, b := is.Issue(t, 3), is.Issue(t, 4)
		save(t, w, a)
		indexBefore, _ := os.ReadFile(filepath.Join(w.Dir(), "index.json"))
		// The receipt's folder is written first (its own partial step);
		// the second partial step is the index's.
		partials := 0
		type crash struct{}
		wallet.SetCrash(w, func(s string) {
			if s == wallet.StepPartial {
				if partials++; partials == 3 { // receipt.json, receipt.p7s, index.json
					panic(crash{})
				}
			}
		})
		func() {
			defer func() { recover() }()
			w.Save(b.Receipt, b.Signature, b.Confirmation)
		}()
		if partials != 3 {
			t.Fatalf("the index write was not reached (%d partial steps)", partials)
		}
		if got, _ := os.ReadFile(filepath.Join(w.Dir(), "index.json")); !bytes.Equal(got, indexBefore) {
			t.Errorf("index.json changed by the crashed write")
		}
		if l := list(t, reopen(t, w)); len(l) != 2 {
			t.Errorf("List = %q, want both receipts", numbers(l))
		}
	})
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	is := wallettest.NewIssuer(t, 18)
	w := open(t, is)
	for i := range 5 {
		save(t, w, is.Issue(t, i))
	}
	if err := w.Delete(list(t, w)[0].Receipt.IssueNumber); err != nil {
		t.Fatal(err)
	}
	for path := range tree(t, w.Dir()) {
		if strings.Contains(path, ".tmp-") || strings.Contains(path, ".trash-") {
			t.Errorf("left behind: %s", path)
		}
	}
}

func TestFilesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix mode bits; the user profile's ACL protects the wallet")
	}
	is := wallettest.NewIssuer(t, 19)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	n := x.Receipt.IssueNumber
	for path := range tree(t, w.Dir()) {
		fi, err := os.Lstat(filepath.Join(w.Dir(), path))
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = os.ModeDir | 0o700
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	for _, p := range []string{"index.json", "trusted/", n + "/receipt.json", n + "/receipt.p7s"} {
		if _, ok := tree(t, w.Dir())[filepath.FromSlash(p)]; !ok {
			t.Errorf("%s is missing from the wallet", p)
		}
	}
}

func TestOpenCreatesNestedFolders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "wallet")
	w, err := wallet.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", w.Dir(), dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("the folder was not created: %v", err)
	}
}

func TestOpenOfAFileFails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	writeFile(t, p, nil)
	if _, err := wallet.Open(p); err == nil {
		t.Error("Open of a regular file succeeded")
	}
}

func TestDeleteRemovesTheReceiptAndOnlyIt(t *testing.T) {
	is := wallettest.NewIssuer(t, 20)
	w := open(t, is)
	a, b := is.Issue(t, 0), is.Issue(t, 1)
	save(t, w, a)
	save(t, w, b)
	if err := w.Delete(strings.ReplaceAll(a.Receipt.IssueNumber, "-", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Get(a.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Get of the deleted receipt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(w.Dir(), a.Receipt.IssueNumber)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder is still there: %v", err)
	}
	if l := list(t, reopen(t, w)); !slices.Equal(numbers(l), []string{b.Receipt.IssueNumber}) {
		t.Errorf("List = %q, want the other receipt only", numbers(l))
	}
	if err := w.Delete(a.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Delete again: %v, want ErrNotFound", err)
	}
}

// TestALinkNamedLikeAReceiptIsNeverFollowed: a link planted under a
// receipt's number is not read through, and a genuine receipt replaces it.
func TestALinkNamedLikeAReceiptIsNeverFollowed(t *testing.T) {
	is := wallettest.NewIssuer(t, 21)
	w := open(t, is)
	x := is.Issue(t, 0)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "receipt.json"), canonical(t, x.Receipt))
	writeFile(t, filepath.Join(outside, "receipt.p7s"), x.Signature)
	link := filepath.Join(w.Dir(), x.Receipt.IssueNumber)
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Files(x.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Files through a link: %v, want ErrNotFound", err)
	}
	var buf bytes.Buffer
	if err := w.Export(&buf, x.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Export through a link: %v, want ErrNotFound", err)
	}
	save(t, w, x)
	if fi, err := os.Lstat(link); err != nil || !fi.IsDir() {
		t.Errorf("the receipt's folder is not a folder after Save: %v", err)
	}
	if before := tree(t, outside); len(before) != 3 {
		t.Errorf("the linked folder changed: %v", before)
	}
	if e := get(t, w, x.Receipt.IssueNumber); e.Status != wallet.Verified {
		t.Errorf("Get = %v", e.Status)
	}
}
