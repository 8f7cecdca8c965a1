package wallet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

const testHistoryToken = "bsh_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"

// TestTheHistoryTokenIsKeptWithTheReceiptAndNeverLeavesIt saves a receipt
// with its history token and checks that the token reads back, sits
// owner-only in the receipt's folder, and is in neither the index nor an
// export (archive or folder).
func TestTheHistoryTokenIsKeptWithTheReceiptAndNeverLeavesIt(t *testing.T) {
	is := wallettest.NewIssuer(t, 61)
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"), wallet.WithPinned(is.Certificate()))
	if err != nil {
		t.Fatal(err)
	}
	with, without := is.Issue(t, 1), is.Issue(t, 2)
	if _, err := w.SaveIssued(with.Receipt, with.Signature, with.Confirmation, testHistoryToken); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Save(without.Receipt, without.Signature, without.Confirmation); err != nil {
		t.Fatal(err)
	}

	// A fresh Open reads it back from disk.
	w2, err := wallet.Open(w.Dir(), wallet.WithPinned(is.Certificate()))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w2.HistoryToken(with.Receipt.IssueNumber); err != nil || got != testHistoryToken {
		t.Fatalf("HistoryToken = %q, %v; want the token saved", got, err)
	}
	if _, err := w2.HistoryToken(without.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNoHistoryToken) {
		t.Errorf("a receipt saved without a token: err = %v, want ErrNoHistoryToken", err)
	}
	if _, err := w2.HistoryToken(is.Number(t)); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("an unknown receipt: err = %v, want ErrNotFound", err)
	}
	if e, err := w2.Get(with.Receipt.IssueNumber); err != nil || e.Status != wallet.Verified {
		t.Errorf("the receipt beside its token: %v, %v; want it verified", e, err)
	}

	path := filepath.Join(w.Dir(), with.Receipt.IssueNumber, wallet.HistoryTokenFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want owner-only", wallet.HistoryTokenFile, fi.Mode().Perm())
	}
	secret := testHistoryToken[len("bsh_"):]

	index, err := os.ReadFile(filepath.Join(w.Dir(), "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(index, []byte(secret)) {
		t.Error("index.json holds the history token")
	}

	var archive bytes.Buffer
	if err := w2.Export(&archive); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(archive.Bytes()), int64(archive.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "history") {
			t.Errorf("the export holds %s", f.Name)
		}
	}
	if bytes.Contains(archive.Bytes(), []byte(secret)) {
		t.Error("the export holds the history token") // stored uncompressed, it would show
	}
	out := filepath.Join(t.TempDir(), "exported")
	if err := w2.ExportFolder(out); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) || strings.Contains(d.Name(), "history") {
				t.Errorf("the exported folder holds %s", p)
			}
		}
		return nil
	})

	// Imported elsewhere, the receipt comes without a token, even from a
	// copy of the wallet's own folder.
	w3, err := wallet.Open(filepath.Join(t.TempDir(), "other"), wallet.WithPinned(is.Certificate()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w3.Import(w.Dir()); err != nil {
		t.Fatal(err)
	}
	if _, err := w3.HistoryToken(with.Receipt.IssueNumber); !errors.Is(err, wallet.ErrNoHistoryToken) {
		t.Errorf("an imported receipt: err = %v, want ErrNoHistoryToken", err)
	}
}

// TestSavingAgainKeepsTheNewestToken: each issuance answer, a retry's too,
// carries a fresh token, and a malformed one never replaces a good one.
func TestSavingAgainKeepsTheNewestToken(t *testing.T) {
	is := wallettest.NewIssuer(t, 62)
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"), wallet.WithPinned(is.Certificate()))
	if err != nil {
		t.Fatal(err)
	}
	r := is.Issue(t, 1)
	n := r.Receipt.IssueNumber
	if _, err := w.SaveIssued(r.Receipt, r.Signature, r.Confirmation, "not a token\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.HistoryToken(n); !errors.Is(err, wallet.ErrNoHistoryToken) {
		t.Errorf("a malformed token was kept: err = %v", err)
	}
	newer := testHistoryToken + "x"
	for _, tok := range []string{testHistoryToken, newer, ""} {
		if _, err := w.SaveIssued(r.Receipt, r.Signature, r.Confirmation, tok); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := w.HistoryToken(n); err != nil || got != newer {
		t.Errorf("HistoryToken = %q, %v; want the newest valid one", got, err)
	}
}

// TestTheLastHistoryIsCachedForOfflineUse round-trips the cache and checks
// that deleting the receipt takes token and cache with it.
func TestTheLastHistoryIsCachedForOfflineUse(t *testing.T) {
	is := wallettest.NewIssuer(t, 63)
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"), wallet.WithPinned(is.Certificate()))
	if err != nil {
		t.Fatal(err)
	}
	r := is.Issue(t, 1)
	n := r.Receipt.IssueNumber
	if _, err := w.SaveIssued(r.Receipt, r.Signature, r.Confirmation, testHistoryToken); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CachedHistory(n); !errors.Is(err, wallet.ErrNoHistory) {
		t.Errorf("before any fetch: err = %v, want ErrNoHistory", err)
	}
	asOf := time.Date(2026, 11, 25, 14, 5, 0, 0, api.KST)
	h := wallet.History{AsOf: asOf, Lookups: []api.LookupEntry{{
		At: "2026-11-25T14:03:00+09:00", Institution: api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
		Result: api.LookupFound, MessageKo: "국민연금공단이 2026-11-25 14:03에 확인했습니다.",
	}}}
	if err := w.SaveHistory(n, h); err != nil {
		t.Fatal(err)
	}
	got, err := w.CachedHistory(n)
	if err != nil {
		t.Fatal(err)
	}
	if !got.AsOf.Equal(asOf) || len(got.Lookups) != 1 || got.Lookups[0] != h.Lookups[0] {
		t.Errorf("CachedHistory = %+v, want %+v", got, h)
	}
	if err := w.Delete(n); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(w.Dir(), n)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the receipt's folder outlived Delete: %v", err)
	}
	if err := w.SaveHistory(n, h); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("SaveHistory of a deleted receipt: err = %v, want ErrNotFound", err)
	}
}
