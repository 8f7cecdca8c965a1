package app

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// BenchmarkWalletScreen10000 is the time from pressing 문서지갑 on the first
// screen of a freshly started app to the list of 10,000 receipts shown and
// the newest one verified, on Fyne's test driver: the screen, the wallet's
// index and one verification, without the GPU's painting.
func BenchmarkWalletScreen10000(b *testing.B) {
	is := wallettest.NewIssuer(b, 10)
	dir := filepath.Join(b.TempDir(), "wallet")
	is.Fill(b, dir, 10_000)
	w, err := wallet.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	w.Pin(is.Certificate())
	if l, err := w.List(); err != nil || len(l) != 10_000 { // the index, built once
		b.Fatalf("List: %d, %v", len(l), err)
	}
	a := test.NewTempApp(b)
	for b.Loop() {
		b.StopTimer()
		win := a.NewWindow("")
		win.Resize(fyne.NewSize(960, 700))
		queue := make(chan func(), 4096)
		u := newUI(a, win, offline(dir), func(f func()) { queue <- f })
		home := u.current.(*homeScreen)
		b.StartTimer()
		test.Tap(home.walletButton)
		ws := u.current.(*walletScreen)
		for !ws.loaded || ws.current == nil {
			(<-queue)()
		}
		b.StopTimer()
		if ws.list.Length() != 10_000 || ws.current.Status != wallet.Verified {
			b.Fatalf("%d receipts listed, the newest %v", ws.list.Length(), ws.current.Status)
		}
		u.Close()
		win.Close()
		b.StartTimer()
	}
}
