// Package wallet is the citizen's local document wallet (전자문서지갑): one folder
// per receipt under a root directory in the user's data directory, holding the
// receipt and the citizen's own signed confirmation (the CMS) it belongs to.
//
// The wallet needs no network: listing and showing read only local files.
// Files are written atomically (temporary file, fsync, rename), so a crash never
// leaves a half-written receipt.
package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bonsign/bonsign/api"
)

// File names inside a receipt's folder.
const (
	receiptFile   = "receipt.json"
	signatureFile = "confirmation.p7s"
)

// ErrExists is returned when a different receipt is already stored under the
// same issue number.
var ErrExists = errors.New("wallet: a different receipt with this issue number is already stored")

// ErrNotFound is returned for an issue number the wallet does not hold.
var ErrNotFound = errors.New("wallet: no such receipt")

// Wallet is a folder of receipts.
type Wallet struct {
	dir string
}

// Open opens (and creates, owner-only) the wallet at dir.
func Open(dir string) (*Wallet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return &Wallet{dir: dir}, nil
}

// Dir is the wallet's folder.
func (w *Wallet) Dir() string { return w.dir }

// Entry is one stored receipt.
type Entry struct {
	Receipt api.Receipt
	// Intact reports whether the stored CMS still has the digest the receipt names.
	Intact bool
}

func (w *Wallet) folder(issueNumber string) (string, error) {
	n, err := api.ParseIssueNumber(issueNumber)
	if err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	return filepath.Join(w.dir, n), nil
}

// Save stores r and the citizen's CMS signature it was issued for. Saving the
// same receipt twice is harmless; a different one under the same number is
// ErrExists.
func (w *Wallet) Save(r api.Receipt, signature []byte) error {
	sum := sha256.Sum256(signature)
	if hex.EncodeToString(sum[:]) != r.Digest {
		return errors.New("wallet: the signed confirmation does not match the receipt's digest")
	}
	dir, err := w.folder(r.IssueNumber)
	if err != nil {
		return err
	}
	if r.IssueNumber != filepath.Base(dir) {
		return fmt.Errorf("wallet: issue number %q is not in its grouped form: %w", r.IssueNumber, api.ErrIssueNumber)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	if old, err := os.ReadFile(filepath.Join(dir, receiptFile)); err == nil {
		if bytes.Equal(old, data) {
			return nil
		}
		return ErrExists
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	// The signature goes first: a receipt file is only ever present beside its CMS.
	if err := writeAtomic(filepath.Join(dir, signatureFile), signature); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, receiptFile), data)
}

// List returns every receipt, newest first. A folder that does not hold a
// readable receipt is skipped.
func (w *Wallet) List() ([]Entry, error) {
	des, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	var out []Entry
	for _, de := range des {
		if !de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		e, err := w.Get(de.Name())
		if err != nil {
			continue
		}
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(b.Receipt.IssuedAt, a.Receipt.IssuedAt) })
	return out, nil
}

// Get reads one receipt and checks it against its stored CMS.
func (w *Wallet) Get(issueNumber string) (*Entry, error) {
	dir, err := w.folder(issueNumber)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, receiptFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	var r api.Receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", issueNumber, err)
	}
	e := &Entry{Receipt: r}
	if sig, err := os.ReadFile(filepath.Join(dir, signatureFile)); err == nil {
		sum := sha256.Sum256(sig)
		e.Intact = hex.EncodeToString(sum[:]) == r.Digest && r.IssueNumber == filepath.Base(dir)
	}
	return e, nil
}

// Signature returns the stored CMS of a receipt.
func (w *Wallet) Signature(issueNumber string) ([]byte, error) {
	dir, err := w.folder(issueNumber)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, signatureFile))
}

// writeAtomic writes data to path through a temporary file in the same folder,
// fsyncs it, renames it into place and fsyncs the folder.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("wallet: write %s: %w", filepath.Base(path), err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("wallet: sync %s: %w", filepath.Base(path), err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: not every OS can sync a directory
		d.Close()
	}
	return nil
}
