package server_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/chromedp/chromedp"
)

// browser is the one headless Chromium the tests of this package share:
// started at first use, one tab per test, stopped by TestMain.
var browser struct {
	once sync.Once
	ctx  context.Context // the first tab's: it owns the browser
	stop func()
	err  error
}

// browserTab opens a tab in the shared browser, starting it when this is the
// first; the tab closes when the test ends.
func browserTab(t *testing.T) context.Context {
	t.Helper()
	chromium := testpki.Tool(t, "chromium")
	browser.once.Do(func() {
		profile, err := os.MkdirTemp("", "bonsign-chromium-")
		if err != nil {
			browser.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromium),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox, // root in CI
			chromedp.DisableGPU,
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(1100, 1000),
			chromedp.Flag("lang", "ko-KR"),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelTab := chromedp.NewContext(actx)
		browser.ctx = bctx
		browser.stop = func() {
			cancelTab()
			cancelAlloc()
			os.RemoveAll(profile)
		}
		browser.err = chromedp.Do(bctx) // starts the browser, with no deadline
	})
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	tab, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	return tab
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.stop != nil {
		browser.stop()
	}
	os.Exit(code)
}
