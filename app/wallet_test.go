package app

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// offline is a Config whose server cannot be reached: the wallet must not need it.
func offline(dir string) Config {
	return Config{ServerURL: "http://127.0.0.1:1", WalletDir: dir}
}

// filledWallet makes a wallet folder of count receipts signed by is and
// pinned to it, as if issued over the months.
func filledWallet(t *testing.T, is *wallettest.Issuer, count int) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "wallet")
	nums := is.Fill(t, dir, count)
	w, err := wallet.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Pin(is.Certificate()); err != nil {
		t.Fatal(err)
	}
	return dir, nums
}

// openWallet starts the app and goes to the wallet from the first screen.
func openWallet(t *testing.T, cfg Config) (*harness, *walletScreen) {
	t.Helper()
	h := newHarness(t, test.NewTempApp(t), cfg)
	test.Tap(screenOf[*homeScreen](h).walletButton)
	ws := screenOf[*walletScreen](h)
	h.waitFor("the wallet to be read", func() bool { return ws.loaded })
	h.waitFor("the first receipt to be checked", func() bool { return ws.current != nil || len(ws.entries) == 0 })
	return h, ws
}

func listed(ws *walletScreen) []string {
	var out []string
	for _, e := range ws.entries {
		out = append(out, e.Receipt.IssueNumber)
	}
	return out
}

// search types q into the search box, replacing what was there.
func (h *harness) search(ws *walletScreen, q string) {
	h.t.Helper()
	ws.search.SetText("")
	test.Type(ws.search, q)
	h.waitFor("the search "+q, func() bool { return ws.listedQuery == q })
}

func TestTheWalletListsFindsAndSortsWithoutANetwork(t *testing.T) {
	is := wallettest.NewIssuer(t, 1)
	dir, nums := filledWallet(t, is, 25)
	h, ws := openWallet(t, offline(dir))

	newest := slices.Clone(nums)
	slices.Reverse(newest)
	if got := listed(ws); !slices.Equal(got, newest) || ws.list.Length() != 25 {
		t.Fatalf("the list shows %d receipts %q, want all 25 newest first", ws.list.Length(), got)
	}
	if !h.shows(txtWalletCount.ko[:len("발급증")]) || ws.status.Text != korean.tf(txtWalletCount, 25) {
		t.Errorf("status = %q", ws.status.Text)
	}
	if ws.current.Receipt.IssueNumber != newest[0] || !h.shows(txtStatusVerified.ko) {
		t.Errorf("the newest receipt is not shown as genuine; the window shows:\n%s", strings.Join(h.texts(), "\n"))
	}
	if h.win.Canvas().Focused() != ws.search {
		t.Error("the search box should have the focus")
	}

	// Initial consonants find the real-estate receipts (every fifth).
	h.search(ws, "ㅂㄷㅅ")
	var want []string
	for i := len(nums) - 1; i >= 0; i-- {
		if i%len(wallettest.Purposes) == 0 {
			want = append(want, nums[i])
		}
	}
	if got := listed(ws); !slices.Equal(got, want) {
		t.Errorf("search ㅂㄷㅅ lists %q, want %q", got, want)
	}
	if ws.status.Text != korean.tf(txtWalletFound, 25, len(want)) {
		t.Errorf("status = %q", ws.status.Text)
	}
	// By issue number, typed without hyphens.
	h.search(ws, strings.ReplaceAll(nums[3], "-", ""))
	if got := listed(ws); !slices.Equal(got, []string{nums[3]}) {
		t.Errorf("search by number lists %q", got)
	}
	h.waitFor("the found receipt to be shown", func() bool { return ws.current != nil && ws.current.Receipt.IssueNumber == nums[3] })
	h.search(ws, "한국전력")
	if len(ws.entries) != 0 || ws.status.Text != txtWalletNoMatch.ko {
		t.Errorf("a search that finds nothing: %d entries, status %q", len(ws.entries), ws.status.Text)
	}

	// Oldest first, then back.
	h.search(ws, "")
	test.Tap(ws.sort)
	h.waitFor("the order to change", func() bool { return slices.Equal(listed(ws), nums) })
	if ws.sort.Text != txtWalletOldest.ko {
		t.Errorf("sort button says %q", ws.sort.Text)
	}
	test.Tap(ws.sort)
	h.waitFor("the order to change back", func() bool { return slices.Equal(listed(ws), newest) })
}

func TestTheWalletShowsWhatVerifyingFound(t *testing.T) {
	is := wallettest.NewIssuer(t, 2)
	forger := wallettest.NewIssuer(t, 3)
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, folder string)
		status wallet.Status
		words  text
	}{
		{"an edited name shows as altered", func(t *testing.T, folder string) {
			b, _ := os.ReadFile(filepath.Join(folder, "receipt.json"))
			b = bytes.Replace(b, []byte("홍길동"), []byte("홍길순"), 1)
			os.WriteFile(filepath.Join(folder, "receipt.json"), b, 0o600)
		}, wallet.Altered, txtStatusAltered},
		{"a flipped signature byte shows as altered", func(t *testing.T, folder string) {
			b, _ := os.ReadFile(filepath.Join(folder, "receipt.p7s"))
			b[len(b)-1] ^= 1
			os.WriteFile(filepath.Join(folder, "receipt.p7s"), b, 0o600)
		}, wallet.Altered, txtStatusAltered},
		{"a receipt signed by another key shows as foreign", func(t *testing.T, folder string) {
			b, _ := os.ReadFile(filepath.Join(folder, "receipt.json"))
			os.WriteFile(filepath.Join(folder, "receipt.p7s"), forger.SignBytes(t, b), 0o600)
		}, wallet.Foreign, txtStatusForeign},
		{"a missing signature shows as damaged", func(t *testing.T, folder string) {
			os.Remove(filepath.Join(folder, "receipt.p7s"))
		}, wallet.Damaged, txtStatusDamaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, nums := filledWallet(t, is, 3)
			newest := nums[2]
			tc.damage(t, filepath.Join(dir, newest))
			h, ws := openWallet(t, offline(dir))
			if ws.current.Receipt.IssueNumber != newest || ws.current.Status != tc.status {
				t.Fatalf("shown: %s %v, want %s %v", ws.current.Receipt.IssueNumber, ws.current.Status, newest, tc.status)
			}
			if !h.shows(tc.words.ko) || h.shows(txtStatusVerified.ko) {
				t.Errorf("the window does not say %q, or still says genuine:\n%s", tc.words.ko, strings.Join(h.texts(), "\n"))
			}
			if !ws.pdf.Disabled() || !ws.print.Disabled() || !h.shows(txtOnlyGenuinePrint.ko) {
				t.Error("a receipt that does not verify can be printed")
			}
			if ws.entries[0].Status != tc.status {
				t.Errorf("the list row does not carry the finding: %v", ws.entries[0].Status)
			}
			// The others are fine.
			ws.list.Select(1)
			h.waitFor("the next receipt", func() bool { return ws.current != nil && ws.current.Receipt.IssueNumber == nums[1] })
			if !h.shows(txtStatusVerified.ko) || ws.pdf.Disabled() {
				t.Error("a genuine receipt is not shown as genuine")
			}
		})
	}
}

// overlayButton finds a button of the dialog on top of the window.
func (h *harness) overlayButton(label string) fyne.Tappable {
	h.t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no dialog is shown")
	}
	var found fyne.Tappable
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == label {
				found = x
			}
		case *button:
			if x.Text == label {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	if found == nil {
		h.t.Fatalf("the dialog has no button %q", label)
	}
	return found
}

func TestDeletingAReceiptAsksFirst(t *testing.T) {
	is := wallettest.NewIssuer(t, 4)
	dir, nums := filledWallet(t, is, 3)
	h, ws := openWallet(t, offline(dir))
	victim := nums[2]

	test.Tap(ws.del)
	if !strings.Contains(strings.Join(h.overlayTexts(), "\n"), victim) {
		t.Errorf("the confirmation does not name the receipt: %q", h.overlayTexts())
	}
	test.Tap(h.overlayButton(txtCancel.ko))
	if len(ws.entries) != 3 {
		t.Fatal("cancelling deleted the receipt")
	}
	w, _ := wallet.Open(dir)
	if _, err := w.Get(victim); err != nil {
		t.Fatalf("after cancelling: %v", err)
	}

	test.Tap(ws.del)
	test.Tap(h.overlayButton(txtDeleteButton.ko))
	h.waitFor("the receipt to go", func() bool { return len(ws.entries) == 2 })
	if slices.Contains(listed(ws), victim) {
		t.Errorf("the list still shows %s", victim)
	}
	if _, err := w.Get(victim); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("the wallet still holds it: %v", err)
	}
	if !h.shows(korean.tf(txtDeleted, victim)) {
		t.Error("the screen does not say the receipt was deleted")
	}
	h.waitFor("the next receipt", func() bool { return ws.current != nil })
	if ws.current.Receipt.IssueNumber != nums[1] {
		t.Errorf("after deleting, %s is shown, want %s", ws.current.Receipt.IssueNumber, nums[1])
	}
}

// overlayTexts is every text of the dialogs shown.
func (h *harness) overlayTexts() []string {
	var out []string
	for _, o := range h.win.Canvas().Overlays().List() {
		collectTexts(o, &out)
	}
	return out
}

func TestImportAddsGenuineReceiptsAndRefusesUnsafeArchives(t *testing.T) {
	is := wallettest.NewIssuer(t, 5)
	src, srcNums := filledWallet(t, is, 2)
	w, _ := wallet.Open(src)
	export := filepath.Join(t.TempDir(), "mine.bonsign")
	if err := w.ExportFile(export); err != nil {
		t.Fatal(err)
	}
	dir, nums := filledWallet(t, is, 1)
	h, ws := openWallet(t, offline(dir))

	ws.importFrom(export)
	h.waitFor("the import", func() bool { return len(ws.entries) == 3 })
	if !h.shows(korean.tf(txtImportDone, 2, 0)) {
		t.Errorf("the screen does not report the import:\n%s", strings.Join(h.texts(), "\n"))
	}
	if got := listed(ws); !slices.Contains(got, srcNums[0]) || !slices.Contains(got, nums[0]) {
		t.Errorf("listed %q", got)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("../../outside/receipt.json")
	f.Write([]byte("{}"))
	zw.Close()
	bad := filepath.Join(t.TempDir(), "bad.bonsign")
	os.WriteFile(bad, buf.Bytes(), 0o600)
	ws.importFrom(bad)
	h.waitFor("the refusal", func() bool { return ws.note == txtImportUnsafe.ko })
	if len(ws.entries) != 3 {
		t.Errorf("the refused import changed the list")
	}
}

func TestPrintOpensThePDFOfTheReceiptInTheViewer(t *testing.T) {
	is := wallettest.NewIssuer(t, 6)
	dir, nums := filledWallet(t, is, 1)
	h, ws := openWallet(t, offline(dir))
	opened := make(chan string, 1)
	ws.openFile = func(p string) error { opened <- p; return nil }
	test.Tap(ws.print)
	var path string
	h.waitFor("the viewer", func() bool {
		select {
		case path = <-opened:
			return true
		default:
			return false
		}
	})
	t.Cleanup(func() { os.Remove(path) })
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("the viewer got %s, not a PDF (%v)", path, err)
	}
	if !strings.Contains(filepath.Base(path), nums[0]) {
		t.Errorf("the file %s does not name the receipt", path)
	}
	h.waitFor("the notice", func() bool { return ws.note == txtPrintOpened.ko })
}

// TestTheListBuildsOnlyTheRowsInView: a wallet of thousands of receipts
// opens with a few dozen row widgets.
func TestTheListBuildsOnlyTheRowsInView(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a wallet of 1,000 receipts")
	}
	is := wallettest.NewIssuer(t, 7)
	dir, _ := filledWallet(t, is, 1000)
	h, ws := openWallet(t, offline(dir))
	if ws.list.Length() != 1000 {
		t.Fatalf("the list has %d items", ws.list.Length())
	}
	rows := 0
	for _, o := range test.WidgetRenderer(ws.list).Objects() {
		rows += countRows(o)
	}
	if rows == 0 || rows > 60 {
		t.Errorf("%d rows built for 1,000 receipts in a %v window", rows, h.win.Canvas().Size())
	}
}

// countRows counts the list's row containers (a Border holding the three labels).
func countRows(o fyne.CanvasObject) int {
	switch x := o.(type) {
	case *fyne.Container:
		if len(x.Objects) == 2 {
			if inner, ok := x.Objects[0].(*fyne.Container); ok && len(inner.Objects) == 3 {
				if _, ok := inner.Objects[0].(*widget.Label); ok {
					return 1
				}
			}
		}
		n := 0
		for _, c := range x.Objects {
			n += countRows(c)
		}
		return n
	case fyne.Widget:
		n := 0
		for _, c := range test.WidgetRenderer(x).Objects() {
			n += countRows(c)
		}
		return n
	}
	return 0
}

// TestIssuingPinsTheServerAndKeepsOnlyAVerifiedReceipt runs the citizen
// flow on the demo server: the receipt is verified against the certificate
// pinned at first contact, saved, and can be printed from the receipt screen.
func TestIssuingPinsTheServerAndKeepsOnlyAVerifiedReceipt(t *testing.T) {
	env := startDemo(t)
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	rs := h.issueOne(env)
	if rs.saveErr != nil || !h.shows(txtSavedVerified.ko) {
		t.Fatalf("the receipt was not verified and saved: %v", rs.saveErr)
	}
	pinned := h.ui.wallet.Pinned()
	want, err := wallet.ReadCertificateFile(filepath.Join(env.Dir, "receipt-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pinned) != 1 || !pinned[0].Equal(want[0]) {
		t.Errorf("pinned %d certificates, want the demo server's receipt certificate", len(pinned))
	}
	opened := make(chan string, 1)
	rs.openFile = func(p string) error { opened <- p; return nil }
	if rs.print.Disabled() || rs.pdf.Disabled() {
		t.Fatal("a verified receipt cannot be printed")
	}
	test.Tap(rs.print)
	var path string
	h.waitFor("the viewer", func() bool {
		select {
		case path = <-opened:
			return true
		default:
			return false
		}
	})
	os.Remove(path)

	// The wallet keeps the receipt, its signature and the history token
	// (issue 6), not the confirmation with the full resident registration
	// numbers.
	folder := filepath.Join(env.WalletDir, rs.receipt.IssueNumber)
	names, _ := os.ReadDir(folder)
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	if !slices.Equal(got, []string{"history.token", "receipt.json", "receipt.p7s"}) {
		t.Errorf("the receipt's folder holds %q", got)
	}
	filepath.WalkDir(env.WalletDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(env.RRN)) || bytes.Contains(b, []byte("850505-2345678")) {
				t.Errorf("%s holds a full resident registration number", p)
			}
		}
		return nil
	})
}

// TestAReceiptThatFailsVerificationIsNotSaved: the server's receipt is
// checked against the pinned certificate before it is kept; a receipt from a
// server the wallet does not trust is shown, with the reason, and not saved.
func TestAReceiptThatFailsVerificationIsNotSaved(t *testing.T) {
	env := startDemo(t)
	other := wallettest.NewIssuer(t, 8)
	w, err := wallet.Open(env.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Pin(other.Certificate()); err != nil { // pinned to some other server before
		t.Fatal(err)
	}
	h := newHarness(t, test.NewTempApp(t), demoConfig(env))
	rs := h.issueOne(env)
	if rs.saveErr == nil {
		t.Fatal("a receipt signed by a key the wallet does not trust was saved")
	}
	if !h.shows(korean.tf(txtNotSaved, txtWhyForeign.ko)) {
		t.Errorf("the receipt screen does not say why:\n%s", strings.Join(h.texts(), "\n"))
	}
	if !rs.print.Disabled() {
		t.Error("an unverified receipt can be printed")
	}
	if !h.shows(rs.receipt.IssueNumber) {
		t.Error("the issue number is not shown, to be written down")
	}
	if n, _ := w.Len(); n != 0 {
		t.Errorf("the wallet holds %d receipts", n)
	}
}

// TestSaveAsPDFWritesTheReceipt is what the save dialog's choice leads to.
func TestSaveAsPDFWritesTheReceipt(t *testing.T) {
	is := wallettest.NewIssuer(t, 9)
	dir, _ := filledWallet(t, is, 1)
	h, ws := openWallet(t, offline(dir))
	p := filepath.Join(t.TempDir(), "발급증.pdf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	h.ui.writePDF(ws.current.Receipt, f, ws.setNote)
	h.waitFor("the PDF", func() bool { return ws.note != "" })
	if ws.note != txtSavedPDF.ko {
		t.Fatalf("notice = %q", ws.note)
	}
	b, _ := os.ReadFile(p)
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Errorf("%s is not a whole PDF (%d bytes)", p, len(b))
	}
}

func TestExportAndImportOfferAFileOrAFolder(t *testing.T) {
	is := wallettest.NewIssuer(t, 11)
	dir, nums := filledWallet(t, is, 3)
	h, ws := openWallet(t, offline(dir))

	test.Tap(ws.importB)
	h.overlayButton(txtFromFile.ko)
	h.overlayButton(txtFromFolder.ko)
	test.Tap(h.overlayButton(txtCancel.ko))

	test.Tap(ws.export)
	h.overlayButton(txtAsFolder.ko)
	test.Tap(h.overlayButton(txtAsFile.ko)) // the choice closes; a file dialog opens
	if top := h.win.Canvas().Overlays().Top(); top == nil {
		t.Error("choosing a file opens no file dialog")
	}

	// What the file dialog's choice leads to: the selected receipt alone.
	p := filepath.Join(t.TempDir(), "one.bonsign")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	ws.exportTo(f, []string{ws.current.Receipt.IssueNumber})
	h.waitFor("the export", func() bool { return ws.note == korean.tf(txtExported, 1) })
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 2 || !strings.HasPrefix(zr.File[0].Name, nums[2]+"/") {
		t.Errorf("the archive holds %d files, first %q", len(zr.File), zr.File[0].Name)
	}
	// And everything, into a folder.
	out := t.TempDir()
	ws.exportToFolder(out, nil)
	h.waitFor("the export", func() bool { return ws.note == korean.tf(txtExported, 3) })
	for _, n := range nums {
		if _, err := os.Stat(filepath.Join(out, n, "receipt.p7s")); err != nil {
			t.Errorf("%s was not exported: %v", n, err)
		}
	}
}
