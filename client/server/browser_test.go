package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/chromedp/chromedp"
)

// TestConsoleInABrowser drives the clerk console in headless Chromium: a
// clerk logs in, finds no approval for a number, approves the citizen with
// their certificate uploaded, reads the initial password (which then works
// for the citizen's ID/password login), and is refused a renewal two years
// too early. Screenshots go to $BONSIGN_CONSOLE_SCREENSHOTS when set (the
// ones in docs/screenshots were made so), else to a temporary directory.
func TestConsoleInABrowser(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	shots := os.Getenv("BONSIGN_CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	leaf := h.ca.Issue(t, "서지우", testpki.Options{})
	certFile := filepath.Join(t.TempDir(), "citizen.pem")
	if err := os.WriteFile(certFile, pemOf(leaf), 0o600); err != nil {
		t.Fatal(err)
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
			return os.WriteFile(filepath.Join(shots, "console-"+name+".png"), png, 0o644)
		})
	}
	text := func(id string, into *string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			*into, err = chromedp.Text(chromedp.ID(id))(ctx, tg)
			return err
		})
	}
	var flash, initial, loginID, refusal, status string
	const rrn = "930303-2234561"
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.url+"/console/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "clerk-1"),
		chromedp.SendKeys(chromedp.ID("password"), clerkPassword),
		shot("login"),
		chromedp.Click(chromedp.ID("login-submit")),

		chromedp.WaitVisible(chromedp.ID("rrn")),
		chromedp.SendKeys(chromedp.ID("rrn"), rrn),
		chromedp.Click(chromedp.ID("search-submit")),

		chromedp.WaitVisible(chromedp.ID("approve-form")),
		text("flash", &flash),
		chromedp.SendKeys(chromedp.ID("name"), "서지우"),
		chromedp.SendKeys(chromedp.ID("address"), "서울특별시 종로구 자하문로 1"),
		chromedp.SendKeys(chromedp.ID("phone"), "010-5555-6666"),
		chromedp.Click(chromedp.ID("id_checked")),
		chromedp.SetUploadFiles(chromedp.ID("certificate"), []string{certFile}),
		shot("approve"),
		chromedp.Click(chromedp.ID("approve-submit")),

		chromedp.WaitVisible(chromedp.ID("initial-password")),
		text("initial-password", &initial),
		text("login-id", &loginID),
		shot("approved"),
		chromedp.Click(chromedp.ID("to-record")),

		chromedp.WaitVisible(chromedp.ID("renew")),
		chromedp.Click(chromedp.ID("renew")),
		chromedp.WaitVisible(chromedp.ID("error")),
		text("error", &refusal),
		text("status", &status),
		shot("renewal-refused"),
	)
	if err != nil {
		t.Fatalf("browser: %v (screenshots in %s)", err, shots)
	}
	if !strings.Contains(flash, "승인된 내역이 없습니다") {
		t.Errorf("search flash %q", flash)
	}
	if !strings.Contains(refusal, "갱신은 유효기간 만료 30일 전부터") || !strings.Contains(status, "유효") {
		t.Errorf("renewal: %q, status %q", refusal, status)
	}
	rec := h.record(rrn)
	if rec.Name != "서지우" || rec.CertFingerprint == "" || rec.Clerk != "clerk-1" || len(rec.History) != 1 {
		t.Fatalf("the approval the browser made: %+v", rec)
	}
	// What the page showed the clerk is what the citizen logs in with.
	if _, e := h.raw().passwordLogin(strings.TrimSpace(loginID), strings.TrimSpace(initial)); e != nil {
		t.Fatalf("the initial password from the page: %v", e)
	}
	if _, e := h.raw().certLogin(leaf, "", nil); e != nil {
		t.Fatalf("the uploaded certificate does not log in: %v", e)
	}
}
