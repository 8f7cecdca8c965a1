package wallet_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/wallet"
)

// numbers is a reproducible source of issue numbers.
type numbers struct{ r *rand.ChaCha8 }

func newNumbers(seed byte) *numbers {
	var s [32]byte
	s[0] = seed
	return &numbers{rand.NewChaCha8(s)}
}

func (n *numbers) next(t testing.TB) string {
	t.Helper()
	s, err := api.NewIssueNumber(n.r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// receipt is a receipt for the signature sig, issued at the given minute after
// 2026-11-25 09:00 KST.
func receipt(t testing.TB, number string, minute int, sig []byte) api.Receipt {
	t.Helper()
	sum := sha256.Sum256(sig)
	issued := time.Date(2026, 11, 25, 9, 0, 0, 0, api.KST).Add(time.Duration(minute) * time.Minute)
	return api.Receipt{
		IssueNumber: number,
		IssuedAt:    issued.Format(time.RFC3339),
		Name:        "홍길동",
		MaskedRRN:   "900101-1******",
		Purpose:     "부동산 매도",
		Institution: api.Institution{Code: "1100000", Name: "서울특별시 종로구청"},
		Delegate:    "김대리",
		Digest:      hex.EncodeToString(sum[:]),
	}
}

// signature stands in for a CMS: the wallet stores bytes and checks their digest.
func signature(i int) []byte {
	return fmt.Appendf(nil, "0\x82\x01\x00 CMS SignedData #%d %s", i, strings.Repeat("\xa0", 64))
}

func open(t testing.TB) *wallet.Wallet {
	t.Helper()
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func save(t testing.TB, w *wallet.Wallet, r api.Receipt, sig []byte) {
	t.Helper()
	if err := w.Save(r, sig); err != nil {
		t.Fatalf("Save(%s): %v", r.IssueNumber, err)
	}
}

// tree lists every file and folder under dir with its contents, to show that an
// operation changed nothing.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSaveThenGetAndListGiveTheReceiptBack(t *testing.T) {
	w := open(t)
	n := newNumbers(1).next(t)
	sig := signature(1)
	want := receipt(t, n, 0, sig)
	save(t, w, want, sig)

	e, err := w.Get(n)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !reflect.DeepEqual(e.Receipt, want) {
		t.Errorf("Get = %+v\nwant %+v", e.Receipt, want)
	}
	if !e.Intact {
		t.Errorf("a receipt just saved is not intact")
	}

	got, err := w.Signature(n)
	if err != nil || !bytes.Equal(got, sig) {
		t.Errorf("Signature = %q, %v; want the saved bytes", got, err)
	}

	list, err := w.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 1 || !reflect.DeepEqual(list[0].Receipt, want) || !list[0].Intact {
		t.Errorf("List = %+v, want the one receipt, intact", list)
	}

	// Another wallet opened on the same folder (the app restarted) sees it too.
	w2, err := wallet.Open(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if e, err := w2.Get(n); err != nil || !e.Intact {
		t.Errorf("after reopening: Get = %+v, %v", e, err)
	}
}

func TestGetAcceptsTheNumberAsTheCitizenTypesIt(t *testing.T) {
	w := open(t)
	n := newNumbers(2).next(t)
	sig := signature(1)
	save(t, w, receipt(t, n, 0, sig), sig)
	digits := strings.ReplaceAll(n, "-", "")
	for _, typed := range []string{n, digits, strings.ReplaceAll(n, "-", " "), " " + n + " "} {
		if e, err := w.Get(typed); err != nil || e.Receipt.IssueNumber != n {
			t.Errorf("Get(%q) = %+v, %v; want %s", typed, e, err, n)
		}
	}
}

func TestListIsNewestFirst(t *testing.T) {
	w := open(t)
	nums := newNumbers(3)
	// Saved in an order that is neither issue order nor number order.
	minutes := []int{30, 5, 24 * 60, 0, 61, 60 * 24 * 400, 59}
	var want []string
	byMinute := map[int]string{}
	for i, m := range minutes {
		n := nums.next(t)
		byMinute[m] = n
		sig := signature(i)
		save(t, w, receipt(t, n, m, sig), sig)
	}
	sorted := slices.Clone(minutes)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	for _, m := range sorted {
		want = append(want, byMinute[m])
	}

	list, err := w.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Receipt.IssueNumber)
		if !e.Intact {
			t.Errorf("%s is not intact", e.Receipt.IssueNumber)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("List order\n got %q\nwant %q (newest first)", got, want)
	}
}

func TestListOfAnEmptyWalletIsEmpty(t *testing.T) {
	w := open(t)
	list, err := w.List()
	if err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; want nothing", list, err)
	}
}

func TestListSkipsWhatIsNotAReceipt(t *testing.T) {
	w := open(t)
	n := newNumbers(4).next(t)
	sig := signature(1)
	save(t, w, receipt(t, n, 0, sig), sig)

	other := newNumbers(5).next(t)
	for path, data := range map[string]string{
		"notes.txt":                     "not a folder",
		"notes/receipt.json":            `{"issue_number":"x"}`,
		".hidden/receipt.json":          `{}`,
		other + "/receipt.json":         "{not json",
		other + "/confirmation.p7s":     "sig",
		"1234-5678-9012-3451/README.md": "a folder with a bad check digit",
	} {
		p := filepath.Join(w.Dir(), filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	list, err := w.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Receipt.IssueNumber != n {
		t.Errorf("List = %+v, want only %s", list, n)
	}
}

func TestSaveOfTheSameReceiptTwiceIsHarmless(t *testing.T) {
	w := open(t)
	n := newNumbers(6).next(t)
	sig := signature(1)
	r := receipt(t, n, 0, sig)
	save(t, w, r, sig)
	before := tree(t, w.Dir())
	save(t, w, r, sig)
	if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
		t.Errorf("the second Save changed the wallet:\n%v\n%v", before, after)
	}
	if list, _ := w.List(); len(list) != 1 {
		t.Errorf("List has %d entries, want 1", len(list))
	}
}

func TestSaveOfADifferentReceiptUnderTheSameNumberIsRefused(t *testing.T) {
	n := newNumbers(7).next(t)
	sig := signature(1)
	orig := receipt(t, n, 0, sig)
	for _, tc := range []struct {
		name   string
		change func(r *api.Receipt) []byte // returns the signature to save with
	}{
		{"another signature", func(r *api.Receipt) []byte {
			s := signature(2)
			sum := sha256.Sum256(s)
			r.Digest = hex.EncodeToString(sum[:])
			return s
		}},
		{"another purpose", func(r *api.Receipt) []byte { r.Purpose = "근저당 설정"; return sig }},
		{"another issue time", func(r *api.Receipt) []byte { r.IssuedAt = "2026-11-25T09:00:01+09:00"; return sig }},
		{"no delegate", func(r *api.Receipt) []byte { r.Delegate = ""; return sig }},
	} {
		t.Run("a receipt with "+tc.name+" is ErrExists and leaves the original", func(t *testing.T) {
			w := open(t)
			save(t, w, orig, sig)
			before := tree(t, w.Dir())

			r := orig
			s := tc.change(&r)
			if err := w.Save(r, s); !errors.Is(err, wallet.ErrExists) {
				t.Fatalf("Save: %v, want ErrExists", err)
			}
			if after := tree(t, w.Dir()); !reflect.DeepEqual(after, before) {
				t.Errorf("the refused Save changed the wallet")
			}
			e, err := w.Get(n)
			if err != nil || !reflect.DeepEqual(e.Receipt, orig) || !e.Intact {
				t.Errorf("Get = %+v, %v; want the original, intact", e, err)
			}
			if got, _ := w.Signature(n); !bytes.Equal(got, sig) {
				t.Errorf("the stored signature changed")
			}
		})
	}
}

func TestSaveRefusesASignatureThatDoesNotMatchTheDigest(t *testing.T) {
	n := newNumbers(8).next(t)
	sig := signature(1)
	for _, tc := range []struct {
		name string
		r    func() api.Receipt
		sig  []byte
	}{
		{"another signature", func() api.Receipt { return receipt(t, n, 0, sig) }, signature(2)},
		{"a signature one bit off", func() api.Receipt { return receipt(t, n, 0, sig) }, append(slices.Clone(sig[:len(sig)-1]), sig[len(sig)-1]^1)},
		{"a truncated signature", func() api.Receipt { return receipt(t, n, 0, sig) }, sig[:len(sig)-1]},
		{"no signature", func() api.Receipt { return receipt(t, n, 0, sig) }, nil},
		{"an empty digest", func() api.Receipt { r := receipt(t, n, 0, sig); r.Digest = ""; return r }, sig},
	} {
		t.Run(tc.name+" is refused and nothing is stored", func(t *testing.T) {
			w := open(t)
			if err := w.Save(tc.r(), tc.sig); err == nil {
				t.Fatal("Save accepted it")
			}
			if _, err := w.Get(n); !errors.Is(err, wallet.ErrNotFound) {
				t.Errorf("Get after the refused Save: %v, want ErrNotFound", err)
			}
			if got := tree(t, w.Dir()); len(got) != 1 {
				t.Errorf("the wallet holds %v, want nothing", got)
			}
		})
	}
}

func TestGetOfAnUnknownNumberIsErrNotFound(t *testing.T) {
	w := open(t)
	nums := newNumbers(9)
	n := nums.next(t)
	sig := signature(1)
	save(t, w, receipt(t, n, 0, sig), sig)
	unknown := nums.next(t)
	if _, err := w.Get(unknown); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Get(%s): %v, want ErrNotFound", unknown, err)
	}
	// A folder holding only the signature (a crash before the receipt was
	// renamed into place) is not a receipt either.
	if err := os.MkdirAll(filepath.Join(w.Dir(), unknown), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir(), unknown, "confirmation.p7s"), sig, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Get(unknown); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("Get of a folder without a receipt: %v, want ErrNotFound", err)
	}
}

func TestAMalformedIssueNumberIsRefusedBeforeAnyPathIsBuilt(t *testing.T) {
	for _, bad := range []string{
		"../../etc",
		"1234-5678-9012-345X",
		"1234-5678-9012-3451", // wrong check digit
		"../1234-5678-9012-3450",
		"1234-5678-9012-3450/../../x",
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
			before := tree(t, root)
			sig := signature(1)
			if err := w.Save(receipt(t, bad, 0, sig), sig); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Save: %v, want ErrIssueNumber", err)
			}
			if _, err := w.Get(bad); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Get: %v, want ErrIssueNumber", err)
			}
			if _, err := w.Signature(bad); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("Signature: %v, want ErrIssueNumber", err)
			}
			if after := tree(t, root); !reflect.DeepEqual(after, before) {
				t.Errorf("files appeared: %v", after)
			}
		})
	}
}

// TestAReceiptSaveAcceptsIsIntactWhenReadBack covers the forms in which a
// receipt's issue number may be written: Save must either refuse a form or
// store it so that Get finds the receipt intact.
func TestAReceiptSaveAcceptsIsIntactWhenReadBack(t *testing.T) {
	n := newNumbers(10).next(t)
	for _, form := range []string{n, strings.ReplaceAll(n, "-", ""), strings.ReplaceAll(n, "-", " "), " " + n} {
		t.Run(fmt.Sprintf("a receipt numbered %q", form), func(t *testing.T) {
			w := open(t)
			sig := signature(1)
			if err := w.Save(receipt(t, form, 0, sig), sig); err != nil {
				return // refusing a non-canonical number is fine
			}
			e, err := w.Get(n)
			if err != nil {
				t.Fatalf("Get(%s) after Save: %v", n, err)
			}
			if !e.Intact {
				t.Errorf("Save accepted the receipt, and Get reports it as not intact (issue number %q in folder %s)", e.Receipt.IssueNumber, n)
			}
		})
	}
}

func TestTamperingIsReportedAsNotIntact(t *testing.T) {
	nums := newNumbers(11)
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, folder string, r api.Receipt)
	}{
		{"a flipped byte in confirmation.p7s", func(t *testing.T, folder string, _ api.Receipt) {
			p := filepath.Join(folder, "confirmation.p7s")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a byte appended to confirmation.p7s", func(t *testing.T, folder string, _ api.Receipt) {
			f, err := os.OpenFile(filepath.Join(folder, "confirmation.p7s"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte{0})
			f.Close()
		}},
		{"confirmation.p7s emptied", func(t *testing.T, folder string, _ api.Receipt) {
			if err := os.WriteFile(filepath.Join(folder, "confirmation.p7s"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"confirmation.p7s deleted", func(t *testing.T, folder string, _ api.Receipt) {
			if err := os.Remove(filepath.Join(folder, "confirmation.p7s")); err != nil {
				t.Fatal(err)
			}
		}},
		{"the receipt's digest edited", func(t *testing.T, folder string, r api.Receipt) {
			r.Digest = strings.Repeat("0", 64)
			writeReceipt(t, folder, r)
		}},
		{"receipt.json edited to another issue number", func(t *testing.T, folder string, r api.Receipt) {
			r.IssueNumber = nums.next(t)
			writeReceipt(t, folder, r)
		}},
	} {
		t.Run(tc.name+" makes the entry not intact", func(t *testing.T) {
			w := open(t)
			n := nums.next(t)
			sig := signature(1)
			r := receipt(t, n, 0, sig)
			save(t, w, r, sig)
			tc.tamper(t, filepath.Join(w.Dir(), n), r)

			e, err := w.Get(n)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if e.Intact {
				t.Errorf("Get reports the tampered receipt as intact")
			}
			list, err := w.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Intact {
				t.Errorf("List = %+v, want one entry, not intact", list)
			}
		})
	}
}

func writeReceipt(t *testing.T, folder string, r api.Receipt) {
	t.Helper()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "receipt.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestALeftoverTemporaryFileIsIgnored simulates a crash between writing a
// temporary file and renaming it into place.
func TestALeftoverTemporaryFileIsIgnored(t *testing.T) {
	nums := newNumbers(12)
	t.Run("beside a complete receipt", func(t *testing.T) {
		w := open(t)
		n := nums.next(t)
		sig := signature(1)
		r := receipt(t, n, 0, sig)
		save(t, w, r, sig)
		other := receipt(t, n, 5, signature(2))
		half, _ := json.Marshal(other)
		if err := os.WriteFile(filepath.Join(w.Dir(), n, ".tmp-123456"), half[:len(half)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := w.Get(n)
		if err != nil || !reflect.DeepEqual(e.Receipt, r) || !e.Intact {
			t.Errorf("Get = %+v, %v; want the complete receipt, intact", e, err)
		}
		list, err := w.List()
		if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0].Receipt, r) {
			t.Errorf("List = %+v, %v; want the one receipt", list, err)
		}
	})
	t.Run("in a folder where the receipt was never renamed into place", func(t *testing.T) {
		w := open(t)
		n := nums.next(t)
		sig := signature(1)
		r := receipt(t, n, 0, sig)
		folder := filepath.Join(w.Dir(), n)
		if err := os.MkdirAll(folder, 0o700); err != nil {
			t.Fatal(err)
		}
		data, _ := json.MarshalIndent(r, "", "  ")
		for name, b := range map[string][]byte{"confirmation.p7s": sig, ".tmp-98765": data} {
			if err := os.WriteFile(filepath.Join(folder, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Get(n); !errors.Is(err, wallet.ErrNotFound) {
			t.Errorf("Get: %v, want ErrNotFound", err)
		}
		if list, err := w.List(); err != nil || len(list) != 0 {
			t.Errorf("List = %+v, %v; want nothing", list, err)
		}
		// Saving again (the app retries) completes the receipt.
		save(t, w, r, sig)
		if e, err := w.Get(n); err != nil || !e.Intact {
			t.Errorf("Get after the retried Save = %+v, %v", e, err)
		}
	})
	t.Run("a whole temporary folder at the top", func(t *testing.T) {
		w := open(t)
		n := nums.next(t)
		sig := signature(1)
		save(t, w, receipt(t, n, 0, sig), sig)
		if err := os.MkdirAll(filepath.Join(w.Dir(), ".tmp-1", n), 0o700); err != nil {
			t.Fatal(err)
		}
		if list, err := w.List(); err != nil || len(list) != 1 {
			t.Errorf("List = %+v, %v; want the one receipt", list, err)
		}
	})
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	w := open(t)
	nums := newNumbers(13)
	for i := range 5 {
		sig := signature(i)
		save(t, w, receipt(t, nums.next(t), i, sig), sig)
	}
	for path := range tree(t, w.Dir()) {
		if strings.Contains(path, ".tmp-") {
			t.Errorf("left behind: %s", path)
		}
	}
}

func TestFilesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix mode bits; the user profile's ACL protects the wallet")
	}
	w := open(t)
	n := newNumbers(14).next(t)
	sig := signature(1)
	save(t, w, receipt(t, n, 0, sig), sig)
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{
		{w.Dir(), os.ModeDir | 0o700},
		{filepath.Join(w.Dir(), n), os.ModeDir | 0o700},
		{filepath.Join(w.Dir(), n, "receipt.json"), 0o600},
		{filepath.Join(w.Dir(), n, "confirmation.p7s"), 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != tc.want {
			t.Errorf("%s: mode %v, want %v", tc.path, got, tc.want)
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
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := wallet.Open(p); err == nil {
		t.Error("Open of a regular file succeeded")
	}
}

// BenchmarkWalletList lists a wallet of 1,000 receipts.
func BenchmarkWalletList(b *testing.B) {
	w, err := wallet.Open(filepath.Join(b.TempDir(), "wallet"))
	if err != nil {
		b.Fatal(err)
	}
	nums := newNumbers(15)
	for i := range 1000 {
		sig := fmt.Appendf(bytes.Repeat([]byte{0xa0}, 2048), "%d", i) // about the size of a CMS with its certificate
		if err := w.Save(receipt(b, nums.next(b), i, sig), sig); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		list, err := w.List()
		if err != nil || len(list) != 1000 {
			b.Fatalf("List = %d entries, %v", len(list), err)
		}
	}
}
