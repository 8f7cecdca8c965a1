package wallet_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// indexed reads index.json as a map from issue number to status.
func indexed(t *testing.T, w *wallet.Wallet) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.Dir(), "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version  int
		Receipts []struct {
			Receipt struct {
				IssueNumber string `json:"issue_number"`
			}
			Status string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	out := map[string]string{}
	for _, r := range doc.Receipts {
		out[r.Receipt.IssueNumber] = r.Status
	}
	return out
}

func TestTheIndexIsWrittenOnSaveDeleteAndImport(t *testing.T) {
	is := wallettest.NewIssuer(t, 30)
	w := open(t, is)
	a, b := is.Issue(t, 0), is.Issue(t, 1)
	save(t, w, a)
	save(t, w, b)
	want := map[string]string{a.Receipt.IssueNumber: "verified", b.Receipt.IssueNumber: "verified"}
	if got := indexed(t, w); !mapsEqual(got, want) {
		t.Errorf("after Save: index = %v, want %v", got, want)
	}
	if err := w.Delete(a.Receipt.IssueNumber); err != nil {
		t.Fatal(err)
	}
	delete(want, a.Receipt.IssueNumber)
	if got := indexed(t, w); !mapsEqual(got, want) {
		t.Errorf("after Delete: index = %v, want %v", got, want)
	}
	src := open(t, is)
	c := is.Issue(t, 2)
	save(t, src, c)
	dir := filepath.Join(t.TempDir(), "export")
	if err := src.ExportFolder(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Import(dir); err != nil {
		t.Fatal(err)
	}
	want[c.Receipt.IssueNumber] = "verified"
	if got := indexed(t, w); !mapsEqual(got, want) {
		t.Errorf("after Import: index = %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestListReadsTheIndexNotTheFolders: with every receipt file garbled behind
// the wallet's back, List still answers from the index; Get reads the files.
func TestListReadsTheIndexNotTheFolders(t *testing.T) {
	is := wallettest.NewIssuer(t, 31)
	w := open(t, is)
	var want []string
	for i := range 4 {
		x := is.Issue(t, i)
		save(t, w, x)
		want = append([]string{x.Receipt.IssueNumber}, want...)
	}
	for _, n := range want {
		writeFile(t, filepath.Join(w.Dir(), n, "receipt.json"), []byte("garbled"))
	}
	l := list(t, reopen(t, w))
	if !slices.Equal(numbers(l), want) || l[0].Status != wallet.Verified || l[0].Receipt.Purpose == "" {
		t.Fatalf("List = %+v, want the indexed receipts as they were", l)
	}
	if e := get(t, w, want[0]); e.Status != wallet.Damaged {
		t.Errorf("Get = %v, want damaged", e.Status)
	}
}

func TestTheIndexIsRebuiltWhenMissingOrDamaged(t *testing.T) {
	is := wallettest.NewIssuer(t, 32)
	for name, damage := range map[string][]byte{
		"missing":                nil,
		"not JSON":               []byte("{garbled"),
		"of another version":     []byte(`{"version":99,"receipts":[]}`),
		"with a bad entry":       []byte(`{"version":1,"receipts":[{"receipt":{"issue_number":"../x"},"status":"verified"}]}`),
		"listing nothing":        []byte(`{"version":1,"receipts":[]}`),
		"with an unknown status": []byte(`{"version":1,"receipts":[{"receipt":{"issue_number":"1234-5678-9012-3452"},"status":"fine"}]}`),
	} {
		t.Run("an index "+name+" is rebuilt from the folders", func(t *testing.T) {
			w := open(t, is)
			nums := is.Fill(t, w.Dir(), 5)
			// One of them no longer verifies: the rebuild finds it.
			writeFile(t, filepath.Join(w.Dir(), nums[2], "receipt.p7s"), []byte("x"))
			list(t, w)
			p := filepath.Join(w.Dir(), "index.json")
			if damage == nil {
				os.Remove(p)
			} else {
				writeFile(t, p, damage)
			}
			l := list(t, reopen(t, w))
			slices.Reverse(nums)
			if !slices.Equal(numbers(l), nums) {
				t.Fatalf("List = %q, want %q", numbers(l), nums)
			}
			for _, e := range l {
				want := wallet.Verified
				if e.Receipt.IssueNumber == nums[2] {
					want = wallet.Damaged
				}
				if e.Status != want {
					t.Errorf("%s: %v, want %v", e.Receipt.IssueNumber, e.Status, want)
				}
			}
			if got := indexed(t, w); len(got) != 5 {
				t.Errorf("index.json was not rewritten: %v", got)
			}
		})
	}
}

func TestTheIndexCatchesUpWithFoldersAddedOrRemovedBehindItsBack(t *testing.T) {
	is := wallettest.NewIssuer(t, 33)
	w := open(t, is)
	a := is.Issue(t, 0)
	save(t, w, a)
	list(t, w)

	// Another process (or the citizen, by hand) adds a folder and removes one.
	added := is.Fill(t, w.Dir(), 1)[0]
	if l := list(t, w); !slices.Contains(numbers(l), added) || len(l) != 2 {
		t.Errorf("List = %q, want the added receipt too", numbers(l))
	}
	if err := os.RemoveAll(filepath.Join(w.Dir(), a.Receipt.IssueNumber)); err != nil {
		t.Fatal(err)
	}
	if l := list(t, w); !slices.Equal(numbers(l), []string{added}) {
		t.Errorf("List = %q, want only %s", numbers(l), added)
	}
	if got := indexed(t, w); len(got) != 1 || got[added] != "verified" {
		t.Errorf("index.json = %v", got)
	}
}

func TestSearch(t *testing.T) {
	is := wallettest.NewIssuer(t, 34)
	w := open(t, is)
	nums := is.Fill(t, w.Dir(), 20)
	// Fill cycles through 5 purposes and 4 institutions; every third receipt
	// has no delegate.
	purposeOf := func(i int) string { return wallettest.Purposes[i%len(wallettest.Purposes)] }
	instOf := func(i int) string { return wallettest.Institutions[i%len(wallettest.Institutions)].Name }
	where := func(keep func(i int) bool) []string {
		var out []string
		for i := len(nums) - 1; i >= 0; i-- {
			if keep(i) {
				out = append(out, nums[i])
			}
		}
		return out
	}
	first := nums[7]
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"an issue number as printed", first, []string{first}},
		{"an issue number without hyphens", strings.ReplaceAll(first, "-", ""), []string{first}},
		{"an issue number with spaces", strings.ReplaceAll(first, "-", " "), []string{first}},
		{"part of an issue number across a hyphen", first[2:7], where(func(i int) bool {
			return strings.Contains(strings.ReplaceAll(nums[i], "-", ""), strings.ReplaceAll(first[2:7], "-", ""))
		})},
		{"a Hangul word inside the purpose", "매도", where(func(i int) bool { return strings.Contains(purposeOf(i), "매도") })},
		{"the purpose without its spaces", "부동산매도", where(func(i int) bool { return strings.HasPrefix(purposeOf(i), "부동산 매도") })},
		{"an institution", "주택도시", where(func(i int) bool { return instOf(i) == "주택도시보증공사" })},
		{"an institution with a space typed inside", "국민 연금", where(func(i int) bool { return instOf(i) == "국민연금공단" })},
		{"Latin letters in another case", "LOAN", where(func(i int) bool { return strings.HasPrefix(purposeOf(i), "Loan") })},
		{"initial consonants", "ㅂㄷㅅ", where(func(i int) bool { return strings.HasPrefix(purposeOf(i), "부동산") })},
		{"initial consonants of an institution", "ㄱㅁㅇㄱ", where(func(i int) bool { return instOf(i) == "국민연금공단" })},
		{"decomposed Hangul as macOS writes it", norm.NFD.String("종로구"), where(func(i int) bool {
			return instOf(i) == "서울특별시 종로구" || strings.Contains(purposeOf(i), "종로구")
		})},
		{"the delegate's name", "김대리", where(func(i int) bool { return i%3 != 0 })},
		{"a car number in the purpose", "12가", where(func(i int) bool { return strings.Contains(purposeOf(i), "12가") })},
		{"nothing that matches", "한국전력", nil},
		{"nothing at all", "", where(func(int) bool { return true })},
		{"only spaces", "   ", where(func(int) bool { return true })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.Search(tc.query, wallet.NewestFirst)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), tc.want) {
				t.Errorf("Search(%q)\n got %q\nwant %q", tc.query, numbers(got), tc.want)
			}
		})
	}
}

// TestTheIndexKeepsWhatAReceiptSaidWhenItLastVerified: after an edit, the
// list still finds the receipt by what it said when it was saved, flagged.
func TestTheIndexKeepsWhatAReceiptSaidWhenItLastVerified(t *testing.T) {
	is := wallettest.NewIssuer(t, 35)
	w := open(t, is)
	x := is.Issue(t, 0)
	save(t, w, x)
	r := x.Receipt
	r.Purpose = "근저당권 말소"
	writeFile(t, filepath.Join(w.Dir(), r.IssueNumber, "receipt.json"), canonical(t, r))
	if e := get(t, w, r.IssueNumber); e.Status != wallet.Altered || e.Receipt.Purpose != r.Purpose {
		t.Fatalf("Get = %v %q, want altered, with what the file says", e.Status, e.Receipt.Purpose)
	}
	l := list(t, reopen(t, w))
	if len(l) != 1 || l[0].Status != wallet.Altered || l[0].Receipt != x.Receipt {
		t.Errorf("List = %+v, want the receipt as saved, flagged altered", l)
	}
	if found, _ := w.Search("말소", wallet.NewestFirst); len(found) != 0 {
		t.Errorf("the search finds the altered purpose")
	}
}
