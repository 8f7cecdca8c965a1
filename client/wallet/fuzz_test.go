package wallet_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// FuzzImportArchive: whatever a .bonsign file holds, importing it never
// panics, never writes outside the wallet, and never lets in a receipt that
// the pinned server did not sign.
func FuzzImportArchive(f *testing.F) {
	is := wallettest.NewIssuer(f, 1)
	src, err := wallet.Open(f.TempDir(), wallet.WithPinned(is.Certificate()))
	if err != nil {
		f.Fatal(err)
	}
	issued := is.Issue(f, 1)
	if _, err := src.Save(issued.Receipt, issued.Signature, issued.Confirmation); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Export(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "wallet")
		w, err := wallet.Open(dir, wallet.WithPinned(is.Certificate()))
		if err != nil {
			t.Fatal(err)
		}
		w.ImportArchive(bytes.NewReader(data), int64(len(data)))
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 || entries[0].Name() != "wallet" {
			t.Fatalf("the import wrote beside the wallet: %v", entries)
		}
		list, _ := w.List()
		for _, e := range list {
			content, sig := readReceipt(t, dir, e.Receipt.IssueNumber)
			if _, err := receipt.Verify(content, sig, is.Certificate()); err != nil {
				t.Fatalf("an imported receipt does not verify: %v", err)
			}
		}
	})
}

func readReceipt(t *testing.T, dir, number string) ([]byte, []byte) {
	t.Helper()
	content, _ := os.ReadFile(filepath.Join(dir, number, "receipt.json"))
	sig, _ := os.ReadFile(filepath.Join(dir, number, "receipt.p7s"))
	return content, sig
}

// FuzzReceiptVerify: arbitrary receipt bytes and signatures never verify
// against the pinned certificate unless that key signed them, and never panic.
func FuzzReceiptVerify(f *testing.F) {
	is := wallettest.NewIssuer(f, 2)
	issued := is.Issue(f, 1)
	content, _ := issued.Receipt.Canonical()
	f.Add(content, issued.Signature)
	f.Add([]byte("{}"), []byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, content, sig []byte) {
		r, err := receipt.Verify(content, sig, is.Certificate())
		if err == nil && !strings.Contains(string(content), r.IssueNumber) {
			t.Fatal("a receipt verified whose content does not hold its number")
		}
	})
}
