package wallet_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// A wallet of 10,000 genuine receipts, made once for all benchmarks: the
// design asks that the wallet list 10,000 receipts without a stall (the app's
// list opens in under 200 ms).
var large struct {
	once sync.Once
	dir  string
	is   *wallettest.Issuer
	nums []string
}

const largeCount = 10_000

func largeWallet(b *testing.B) (*wallettest.Issuer, string, []string) {
	b.Helper()
	large.once.Do(func() {
		dir, err := os.MkdirTemp("", "bonsign-wallet-bench-")
		if err != nil {
			b.Fatal(err)
		}
		large.dir = filepath.Join(dir, "wallet")
		large.is = wallettest.NewIssuer(b, 99)
		large.nums = large.is.Fill(b, large.dir, largeCount)
		w, err := wallet.Open(large.dir, wallet.WithPinned(large.is.Certificate()))
		if err != nil {
			b.Fatal(err)
		}
		if l, err := w.List(); err != nil || len(l) != largeCount { // builds index.json
			b.Fatalf("List = %d entries, %v", len(l), err)
		}
	})
	if large.is == nil {
		b.Fatal("the large wallet could not be made")
	}
	return large.is, large.dir, large.nums
}

func TestMain(m *testing.M) {
	code := m.Run()
	if large.dir != "" {
		os.RemoveAll(filepath.Dir(large.dir))
	}
	os.Exit(code)
}

// BenchmarkWalletList10000 is what the wallet screen waits for when it opens:
// the wallet opened afresh (as at the app's start) and all 10,000 receipts
// listed from the index.
func BenchmarkWalletList10000(b *testing.B) {
	is, dir, _ := largeWallet(b)
	for b.Loop() {
		w, err := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
		if err != nil {
			b.Fatal(err)
		}
		if l, err := w.List(); err != nil || len(l) != largeCount {
			b.Fatalf("List = %d entries, %v", len(l), err)
		}
	}
}

// BenchmarkWalletListAgain10000 lists again with the index in memory, as
// when the citizen comes back to the wallet screen.
func BenchmarkWalletListAgain10000(b *testing.B) {
	is, dir, _ := largeWallet(b)
	w, _ := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
	w.List()
	for b.Loop() {
		if l, err := w.List(); err != nil || len(l) != largeCount {
			b.Fatalf("List = %d entries, %v", len(l), err)
		}
	}
}

// BenchmarkWalletSearch10000 is one keystroke in the search box.
func BenchmarkWalletSearch10000(b *testing.B) {
	is, dir, _ := largeWallet(b)
	w, _ := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
	w.Search("x", wallet.NewestFirst) // the first search folds every receipt once
	for b.Loop() {
		if l, err := w.Search("매도", wallet.OldestFirst); err != nil || len(l) != 2*largeCount/5 {
			b.Fatalf("Search = %d entries, %v", len(l), err)
		}
	}
}

// BenchmarkWalletGet10000 opens one receipt of the large wallet and verifies
// its signature, as the detail view does.
func BenchmarkWalletGet10000(b *testing.B) {
	is, dir, nums := largeWallet(b)
	w, _ := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
	w.List()
	for b.Loop() {
		if e, err := w.Get(nums[largeCount/2]); err != nil || e.Status != wallet.Verified {
			b.Fatalf("Get = %+v, %v", e, err)
		}
	}
}

// BenchmarkWalletRebuild10000 rebuilds a lost index: every receipt verified.
func BenchmarkWalletRebuild10000(b *testing.B) {
	is, dir, _ := largeWallet(b)
	for b.Loop() {
		os.Remove(filepath.Join(dir, "index.json"))
		w, _ := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
		if l, err := w.List(); err != nil || len(l) != largeCount {
			b.Fatalf("List = %d entries, %v", len(l), err)
		}
	}
}

// BenchmarkWalletSave10000 saves one more receipt into the large wallet
// (verification, the folder written and synced, the index rewritten), and
// deletes it again.
func BenchmarkWalletSave10000(b *testing.B) {
	is, dir, _ := largeWallet(b)
	w, _ := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
	w.List()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		x := is.Issue(b, largeCount+i)
		b.StartTimer()
		if _, err := w.Save(x.Receipt, x.Signature, x.Confirmation); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		w.Delete(x.Receipt.IssueNumber)
		b.StartTimer()
	}
}
