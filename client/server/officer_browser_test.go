package server_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestOfficerConsoleInABrowser drives the officer console in headless
// Chromium: an officer of 국민연금공단 logs in with a password and a one-time
// code, verifies a confirmation (and sees all of it), prints it, is refused
// the same number under another name, and reads their own lookups; the
// citizen then sees both lookups. Screenshots go to
// $BONSIGN_CONSOLE_SCREENSHOTS when set (docs/screenshots/officer-*.png were
// made so), else to a temporary directory.
func TestOfficerConsoleInABrowser(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	conf, issued := h.issue(h.loggedIn(h.citizen))
	number := issued.Receipt.IssueNumber
	kim := h.addOfficer(npsCode, "kim.nps", "김확인")
	shots := os.Getenv("BONSIGN_CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	bctx := browserTab(t)
	ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, "officer-"+name+".png"), png, 0o644)
		})
	}
	text := func(sel string, into *string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			*into, err = chromedp.Text(chromedp.CSS(sel))(ctx, tg)
			return err
		})
	}
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	var pdf []byte
	printPDF := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		pdf, err = chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4))(ctx, tg)
		return err
	})
	var who, rrn, purpose, delegate, status, refusal, history string
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.url+"/officer/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), kim.login),
		chromedp.SendKeys(chromedp.ID("password"), kim.pw),
		chromedp.SendKeys(chromedp.ID("code"), kim.code()),
		shot("login"),
		chromedp.Click(chromedp.ID("login-submit")),

		chromedp.WaitVisible(chromedp.ID("issue_number")),
		text("#who", &who),
		chromedp.SendKeys(chromedp.ID("issue_number"), number),
		chromedp.SendKeys(chromedp.ID("name"), citizenName),
		shot("verify"),
		chromedp.Click(chromedp.ID("verify-submit")),

		chromedp.WaitVisible(chromedp.ID("result")),
		chromedp.WaitVisible(chromedp.ID("print")), // shown by print.js: the script ran under the CSP
		text("#citizen-rrn", &rrn),
		text("#purpose", &purpose),
		text("#delegate-name", &delegate),
		text("#status", &status),
		shot("result"),
		media("print"),
		shot("print"),
		printPDF,
		media(""),

		chromedp.Click(chromedp.ID("verify-again")),
		chromedp.WaitVisible(chromedp.ID("issue_number")),
		chromedp.SendKeys(chromedp.ID("issue_number"), number),
		chromedp.SendKeys(chromedp.ID("name"), "김민수"),
		chromedp.Click(chromedp.ID("verify-submit")),
		chromedp.WaitVisible(chromedp.ID("error")),
		text("#error", &refusal),
		shot("not-found"),

		chromedp.Click(chromedp.ID("nav-history")),
		chromedp.WaitVisible(chromedp.ID("history")),
		text("#history", &history),
		shot("history"),
	)
	if err != nil {
		t.Fatalf("browser: %v (screenshots in %s)", err, shots)
	}
	if !strings.Contains(who, "국민연금공단") || !strings.Contains(who, "김확인") {
		t.Errorf("who: %q", who)
	}
	if rrn != citizenRRN || purpose != conf.Purpose || delegate != "김대리" || !strings.Contains(status, "발급됨") {
		t.Errorf("the result shows %q %q %q %q", rrn, purpose, delegate, status)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("printing gave %d bytes, not a PDF", len(pdf))
	}
	if !strings.Contains(refusal, "확인서가 없습니다") {
		t.Errorf("refusal %q", refusal)
	}
	if !strings.Contains(history, number) || !strings.Contains(history, "950315-2******") || strings.Count(history, number) != 2 ||
		strings.Contains(history, citizenRRN) {
		t.Errorf("history %q", history)
	}
	hist, err := client.New(h.url).LookupHistory(context.Background(), issued.HistoryToken)
	if err != nil || len(hist.Lookups) != 2 || hist.Lookups[0].Result != "wrong_name" || hist.Lookups[1].Result != "found" ||
		hist.Lookups[1].By != "김확인" || hist.Lookups[1].Channel != "console" {
		t.Fatalf("the citizen sees %+v, %v", hist, err)
	}
}
