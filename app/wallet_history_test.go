package app

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// labelsWith returns the visible labels whose text contains s.
func labelsWith(o fyne.CanvasObject, s string) []*widget.Label {
	if o == nil || !o.Visible() {
		return nil
	}
	switch x := o.(type) {
	case *widget.Label:
		if strings.Contains(x.Text, s) {
			return []*widget.Label{x}
		}
	case *fyne.Container:
		var out []*widget.Label
		for _, c := range x.Objects {
			out = append(out, labelsWith(c, s)...)
		}
		return out
	case fyne.Widget:
		var out []*widget.Label
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, labelsWith(c, s)...)
		}
		return out
	}
	return nil
}

// TestTheWalletShowsWhoLookedTheConfirmationUp issues a confirmation on a
// real server, has the institution look it up with the right name and then
// with a wrong one, and checks that the wallet shows both lookups, the
// refused one flagged, and later, with the server gone, the cached history
// with when it was fetched.
func TestTheWalletShowsWhoLookedTheConfirmationUp(t *testing.T) {
	env := startDemo(t)
	a := test.NewTempApp(t)
	h := newHarness(t, a, demoConfig(env))
	rs := h.issueOne(env)
	r := rs.receipt

	ctx := context.Background()
	inst := client.New(env.URL)
	if _, err := inst.Verify(ctx, env.APIKey, r.IssueNumber, env.Name); err != nil {
		t.Fatalf("lookup with the right name: %v", err)
	}
	var ae *api.Error
	if _, err := inst.Verify(ctx, env.APIKey, r.IssueNumber, "김철수"); !errors.As(err, &ae) || ae.Code != api.CodeNotFound {
		t.Fatalf("lookup with a wrong name: %v, want not_found", err)
	}

	test.Tap(rs.wallet)
	ws := screenOf[*walletScreen](h)
	h.waitFor("the lookup history", func() bool {
		return ws.history != nil && !ws.history.fetching && ws.history.cached != nil
	})
	if ws.history.err != nil || len(ws.history.cached.Lookups) != 2 {
		t.Fatalf("history: %+v, %v; want two lookups", ws.history.cached, ws.history.err)
	}
	content := h.win.Canvas().Content()
	found := labelsWith(content, "에 확인했습니다")
	refused := labelsWith(content, "성명이 일치하지 않아 거절되었습니다")
	if len(found) != 1 || !strings.HasPrefix(found[0].Text, "국민연금공단이 ") {
		t.Errorf("the found lookup shows as %d lines; the window shows:\n%s", len(found), strings.Join(h.texts(), "\n"))
	}
	if len(refused) != 1 {
		t.Fatalf("the wrong-name lookup shows as %d lines; the window shows:\n%s", len(refused), strings.Join(h.texts(), "\n"))
	}
	if refused[0].Importance != widget.WarningImportance || found[0].Importance == widget.WarningImportance {
		t.Errorf("importance: refused %v, found %v; want only the refused one flagged", refused[0].Importance, found[0].Importance)
	}
	if !h.shows("조회자: "+api.LookupSystemLabel) || !h.shows(txtHistoryRefused.ko) {
		t.Error("the lookups do not say who made them, or that one was refused")
	}

	if dir := os.Getenv("BONSIGN_SCREENSHOTS"); dir != "" {
		// The history section at the top of the detail pane.
		ws.scroll.Offset = fyne.NewPos(0, ws.historyBox.Position().Y)
		ws.scroll.Refresh()
		f, err := os.Create(filepath.Join(dir, "11-wallet-history.png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, h.win.Canvas().Capture())
		f.Close()
	}

	// Offline: a fresh app with the server stopped shows what it last
	// fetched, and says so.
	h.ui.Close()
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, a, Config{ServerURL: env.URL, WalletDir: env.WalletDir})
	test.Tap(screenOf[*homeScreen](h2).walletButton)
	ws = screenOf[*walletScreen](h2)
	h2.waitFor("the fetch to fail", func() bool {
		return ws.history != nil && !ws.history.fetching && ws.history.err != nil
	})
	for _, want := range []string{"에 확인했습니다", "거절되었습니다", "마지막 확인: ", txtHistoryStale.ko} {
		if !h2.shows(want) {
			t.Errorf("offline, the wallet does not show %q; it shows:\n%s", want, strings.Join(h2.texts(), "\n"))
		}
	}
}

// TestAReceiptWithoutATokenSaysSo: receipts imported or kept before history
// tokens existed have no history, and the detail says why, without a network.
func TestAReceiptWithoutATokenSaysSo(t *testing.T) {
	is := wallettest.NewIssuer(t, 66)
	dir, _ := filledWallet(t, is, 1)
	h, ws := openWallet(t, offline(dir))
	h.waitFor("the receipt", func() bool { return ws.history != nil })
	if ws.history.hasToken || !h.shows(txtHistoryNoToken.ko) {
		t.Errorf("a receipt without a token: the window shows:\n%s", strings.Join(h.texts(), "\n"))
	}
}
