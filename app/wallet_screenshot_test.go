package app

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// TestWalletScreenshots renders the wallet screen, with a genuine receipt
// shown and with an altered one, to PNG files in the folder named by
// BONSIGN_SCREENSHOTS (as TestScreenshots does), in Korean and in English.
//
//	BONSIGN_SCREENSHOTS=/tmp/shots go test ./app -run WalletScreenshots
func TestWalletScreenshots(t *testing.T) {
	dir := os.Getenv("BONSIGN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set BONSIGN_SCREENSHOTS to a folder to write screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	is := wallettest.NewIssuer(t, 9)
	wdir, nums := filledWallet(t, is, 12)
	b, _ := os.ReadFile(filepath.Join(wdir, nums[8], "receipt.json"))
	os.WriteFile(filepath.Join(wdir, nums[8], "receipt.json"), append([]byte(" "), b...), 0o600)
	for _, size := range []fyne.Size{{Width: 960, Height: 700}, {Width: 800, Height: 600}} {
		for _, lang := range []string{"ko", "en"} {
			a := test.NewTempApp(t)
			if lang == "en" {
				english.save(a.Preferences())
			}
			h := newHarness(t, a, offline(wdir))
			h.win.Resize(size)
			test.Tap(screenOf[*homeScreen](h).walletButton)
			ws := screenOf[*walletScreen](h)
			h.waitFor("the receipt", func() bool { return ws.current != nil })
			shot := func(name string) {
				f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%s-%.0fx%.0f.png", name, lang, size.Width, size.Height)))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				png.Encode(f, h.win.Canvas().Capture())
			}
			shot("wallet-genuine")
			ws.list.Select(3)
			h.waitFor("the altered receipt", func() bool { return ws.current != nil && ws.current.Receipt.IssueNumber == nums[8] })
			shot("wallet-altered")
			test.Tap(ws.del)
			shot("wallet-delete")
		}
	}
}
