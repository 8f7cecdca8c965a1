// Package wallet is the citizen's local document wallet (전자문서지갑): one folder
// per receipt (발급증) under a root folder in the user's data directory, an index
// for listing and searching many receipts quickly, and the receipt certificates
// the wallet trusts.
//
// Layout of the root folder:
//
//	index.json                           what List and Search read (rebuilt when missing or stale)
//	trusted/receipt-cert-<sha256>.pem    pinned receipt certificates
//	1234-5678-9012-3452/receipt.json     the receipt's canonical JSON: the exact bytes the server signed
//	1234-5678-9012-3452/receipt.p7s      the server's detached CMS signature over them (DER)
//	1234-5678-9012-3452/history.token    the secret that reads who looked it up (optional; see history.go)
//	1234-5678-9012-3452/history.json     the lookups last fetched with it (optional)
//
// Every receipt is verified against the pinned certificates before it is
// saved or imported, and again whenever it is opened (Get), so that an edited,
// truncated or foreign receipt shows as such and never as genuine. The wallet
// needs no network.
//
// The citizen's own signed confirmation (the CMS) is not kept: it holds the
// full resident registration numbers of the citizen, the counterparty and the
// delegate, the institution reads it from the issuance server (R10), and the
// receipt already binds it by its SHA-256 digest, which Save checks. See
// docs/receipt.md for the reasoning.
//
// Writes are atomic: a receipt's folder is written under a temporary name,
// synced and renamed into place, so a crash leaves either the whole receipt or
// nothing; single files (the index, pins) go through a temporary file, fsync,
// rename and a sync of the folder. An existing verified receipt is never
// replaced by a different one.
//
// A Wallet is safe for concurrent use by the goroutines of one process. Two
// processes sharing a folder do not corrupt it (every change is a rename), and
// each notices the other's receipts by the folder names; the index then
// catches up.
package wallet

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/receipt"
)

// File names inside a receipt's folder.
const (
	// ReceiptFile holds the receipt's canonical JSON (RFC 8785).
	ReceiptFile = "receipt.json"
	// SignatureFile holds the server's detached CMS signature (DER) over ReceiptFile.
	SignatureFile = "receipt.p7s"
	// legacyConfirmationFile is where wallets before receipts were signed kept
	// the citizen's CMS, with full resident registration numbers.
	legacyConfirmationFile = "confirmation.p7s"
)

// maxFileSize caps what the wallet reads from a receipt file: a receipt is
// well under 4 KiB and its signature about 1 KiB.
const maxFileSize = 64 << 10

// Why the wallet refuses something. The UI maps each to a sentence; receipts
// that fail verification wrap receipt.ErrAltered, ErrForeign or ErrMalformed.
var (
	// ErrExists: a different, genuine receipt is already stored under this issue number.
	ErrExists = errors.New("wallet: a different receipt with this issue number is already stored")
	// ErrNotFound: the wallet holds no receipt with this issue number.
	ErrNotFound = errors.New("wallet: no such receipt")
	// ErrNotPinned: no receipt certificate is trusted yet, so no receipt can be verified.
	ErrNotPinned = errors.New("wallet: no receipt certificate is pinned yet")
	// ErrWrongConfirmation: the receipt's digest is not that of the confirmation the citizen signed.
	ErrWrongConfirmation = errors.New("wallet: the receipt is not for the confirmation that was signed")
	// ErrUnsigned: the folder holds a receipt without the server's signature
	// (saved by a version of bonsign from before receipts were signed).
	ErrUnsigned = errors.New("wallet: the receipt carries no signature of the issuance server")
)

// Status is what opening a receipt found.
type Status int

// The statuses, each shown to the citizen in plain words.
const (
	// Verified: signed by a pinned receipt certificate and unchanged since.
	Verified Status = iota + 1
	// Altered: the receipt or its signature was changed after issuance.
	Altered
	// Foreign: signed by a key this wallet does not trust.
	Foreign
	// Damaged: a file is missing, truncated or not a receipt at all.
	Damaged
)

var statusNames = map[Status]string{Verified: "verified", Altered: "altered", Foreign: "foreign", Damaged: "damaged"}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText writes the status by name, as index.json keeps it.
func (s Status) MarshalText() ([]byte, error) {
	n, ok := statusNames[s]
	if !ok {
		return nil, fmt.Errorf("wallet: unknown status %d", int(s))
	}
	return []byte(n), nil
}

// UnmarshalText reads a status written by MarshalText.
func (s *Status) UnmarshalText(b []byte) error {
	for st, n := range statusNames {
		if n == string(b) {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("wallet: unknown status %q", b)
}

// statusOf classifies a verification error.
func statusOf(err error) Status {
	switch {
	case err == nil:
		return Verified
	case errors.Is(err, receipt.ErrAltered):
		return Altered
	case errors.Is(err, receipt.ErrForeign):
		return Foreign
	default:
		return Damaged
	}
}

// errOf is the error a bare status stands for, for entries read from the index.
func errOf(s Status) error {
	switch s {
	case Verified:
		return nil
	case Altered:
		return receipt.ErrAltered
	case Foreign:
		return receipt.ErrForeign
	default:
		return receipt.ErrMalformed
	}
}

// Entry is one stored receipt.
type Entry struct {
	// Receipt is the receipt's content. For a receipt that is not Verified it
	// is what could be read, or what the index last knew, and must not be
	// relied on; its IssueNumber is always that of the receipt's folder.
	Receipt api.Receipt
	// Status is what the last verification found. List and Search report the
	// status recorded in the index (when the receipt was saved, imported or
	// last opened); Get verifies again.
	Status Status
	// Err says why Status is not Verified, and is nil when it is.
	Err error
}

// Wallet is a folder of receipts.
type Wallet struct {
	dir string

	mu         sync.Mutex
	configured []*x509.Certificate // pinned by configuration, never written
	pins       []*x509.Certificate // configured, then those in trusted/
	idx        *index              // nil until first needed
	now        func() time.Time
	// crash, when set (tests only), is called at each step of a write; a
	// panic from it stands for the process dying there.
	crash func(step string)
}

// Option configures a Wallet.
type Option func(*Wallet)

// WithPinned makes the wallet trust receipts signed by certs in addition to
// the certificates pinned in its folder. Use it for a receipt certificate
// given by configuration; a configured certificate also stops the first
// contact from pinning whatever the server presents.
func WithPinned(certs ...*x509.Certificate) Option {
	return func(w *Wallet) { w.configured = append(w.configured, certs...) }
}

// Open opens (and creates, owner-only) the wallet at dir. It reads the pinned
// certificates and removes what a crashed write left behind; it does not read
// the receipts.
func Open(dir string, opts ...Option) (*Wallet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("wallet: %s is not a folder", dir)
	}
	w := &Wallet{dir: dir, now: time.Now}
	for _, o := range opts {
		o(w)
	}
	if err := w.loadPins(); err != nil {
		return nil, err
	}
	w.sweep()
	return w, nil
}

// Dir is the wallet's folder.
func (w *Wallet) Dir() string { return w.dir }

// folder returns the grouped issue number and the folder of that receipt. A
// malformed number is refused before any path is built from it.
func (w *Wallet) folder(issueNumber string) (string, string, error) {
	n, err := api.ParseIssueNumber(issueNumber)
	if err != nil {
		return "", "", fmt.Errorf("wallet: %w", err)
	}
	return n, filepath.Join(w.dir, n), nil
}

// Save stores a receipt the issuance server returned: r, the server's
// detached CMS signature sig over r's canonical JSON, and confirmation, the
// CMS the citizen submitted. It first verifies the signature against the
// pinned certificates and that r's digest is the SHA-256 of confirmation;
// confirmation itself is not stored.
//
// Saving the same receipt twice is harmless. A different receipt under the
// same issue number is ErrExists, unless the stored one no longer verifies:
// then the genuine one replaces it.
func (w *Wallet) Save(r api.Receipt, sig, confirmation []byte) (*Entry, error) {
	return w.save(r, sig, confirmation, nil)
}

// save is Save, writing the files in extra into the receipt's folder too
// (see SaveIssued).
func (w *Wallet) save(r api.Receipt, sig, confirmation []byte, extra map[string][]byte) (*Entry, error) {
	n, _, err := w.folder(r.IssueNumber)
	if err != nil {
		return nil, err
	}
	if r.IssueNumber != n {
		return nil, fmt.Errorf("wallet: issue number %q is not in its grouped form: %w", r.IssueNumber, api.ErrIssueNumber)
	}
	content, err := r.Canonical()
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	sum := sha256.Sum256(confirmation)
	if hex.EncodeToString(sum[:]) != r.Digest {
		return nil, ErrWrongConfirmation
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, _, err := w.store(content, sig, extra)
	if err != nil {
		return nil, err
	}
	return e, w.writeIndex()
}

// verify checks content and sig against the pinned certificates.
func (w *Wallet) verify(content, sig []byte) (*api.Receipt, error) {
	r, err := receipt.Verify(content, sig, w.pins...)
	if err != nil && len(w.pins) == 0 && errors.Is(err, receipt.ErrForeign) {
		return nil, fmt.Errorf("%w: %w", ErrNotPinned, err)
	} else if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return r, nil
}

// store verifies a receipt and writes it to its folder, with the files in
// extra (a history token) beside it, updating the in-memory index; the caller
// writes the index. added is false when the receipt was already there. Call
// with w.mu held.
func (w *Wallet) store(content, sig []byte, extra map[string][]byte) (e *Entry, added bool, err error) {
	r, err := w.verify(content, sig)
	if err != nil {
		return nil, false, err
	}
	n, dir, err := w.folder(r.IssueNumber)
	if err != nil || n != r.IssueNumber {
		return nil, false, fmt.Errorf("wallet: issue number %q: %w", r.IssueNumber, api.ErrIssueNumber)
	}
	w.loadIndex()
	replace := false
	if fi, err := os.Lstat(dir); err == nil {
		if fi.IsDir() {
			old := w.check(n)
			if old.Status == Verified {
				oldContent, _ := readFile(filepath.Join(dir, ReceiptFile))
				if !bytes.Equal(oldContent, content) {
					return nil, false, ErrExists
				}
				// The same receipt, perhaps with another signature of
				// the same key: keep the one already there.
				for name, data := range extra {
					if err := w.writeFile(filepath.Join(dir, name), data); err != nil {
						return nil, false, err
					}
				}
				w.idx.put(old)
				return old, false, nil
			}
		}
		// What is there does not verify, or is not a folder (a link is
		// never followed): the genuine receipt takes its place.
		replace = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("wallet: %w", err)
	}
	files := map[string][]byte{ReceiptFile: content, SignatureFile: sig}
	if replace {
		// The citizen's history token survives a damaged receipt being
		// replaced by the genuine one (an import, a save again).
		if t, err := readFile(filepath.Join(dir, HistoryTokenFile)); err == nil && validHistoryToken(strings.TrimSpace(string(t))) {
			files[HistoryTokenFile] = t
		}
	}
	for name, data := range extra {
		files[name] = data
	}
	if err := w.writeFolder(dir, files, replace); err != nil {
		return nil, false, err
	}
	e = &Entry{Receipt: *r, Status: Verified}
	w.idx.put(e)
	return e, true, nil
}

// Get opens the receipt with issueNumber (typed with or without hyphens) and
// verifies it: its signature against the pinned certificates, and that it
// sits in the folder of its own issue number. Whatever it finds is recorded
// in the index, so that List shows it too.
func (w *Wallet) Get(issueNumber string) (*Entry, error) {
	n, dir, err := w.folder(issueNumber)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loadIndex()
	if fi, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir() {
		if w.idx.remove(n) {
			w.writeIndex() // best effort: the next List reconciles anyway
		}
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	e := w.check(n)
	if old, ok := w.idx.get(n); !ok || old.Status != e.Status || e.Status == Verified && old.Receipt != e.Receipt {
		rec := e
		if ok && e.Status != Verified {
			// The index keeps the content as it was when it last
			// verified: what an altered file now says is not recorded.
			rec = &Entry{Receipt: old.Receipt, Status: e.Status}
		}
		w.idx.put(rec)
		w.writeIndex() // best effort, as above
	}
	return e, nil
}

// check verifies the receipt in folder n, which exists.
func (w *Wallet) check(n string) *Entry {
	dir := filepath.Join(w.dir, n)
	e := &Entry{Receipt: api.Receipt{IssueNumber: n}}
	if old, ok := w.idx.get(n); ok {
		e.Receipt = old.Receipt // what it was, should nothing be readable now
	}
	content, cerr := readFile(filepath.Join(dir, ReceiptFile))
	if cerr == nil {
		var r api.Receipt
		if json.Unmarshal(content, &r) == nil {
			e.Receipt = r
		}
	}
	sig, serr := readFile(filepath.Join(dir, SignatureFile))
	switch {
	case cerr != nil:
		e.Err = fmt.Errorf("wallet: %s: %w: %v", n, receipt.ErrMalformed, cerr)
	case errors.Is(serr, fs.ErrNotExist):
		e.Err = fmt.Errorf("wallet: %s: %w: %w", n, receipt.ErrMalformed, ErrUnsigned)
	case serr != nil:
		e.Err = fmt.Errorf("wallet: %s: %w: %v", n, receipt.ErrMalformed, serr)
	default:
		r, err := w.verify(content, sig)
		switch {
		case err != nil:
			e.Err = err
		case r.IssueNumber != n:
			// A genuine receipt in another receipt's folder.
			e.Err = fmt.Errorf("wallet: folder %s holds receipt %s: %w", n, r.IssueNumber, receipt.ErrAltered)
		default:
			e.Receipt = *r
		}
	}
	e.Status = statusOf(e.Err)
	// The folder is the receipt's identity in the wallet, whatever an
	// edited file claims.
	e.Receipt.IssueNumber = n
	return e
}

// Files returns the stored bytes of a receipt, as an institution or openssl
// checks them: the canonical JSON and the server's signature.
func (w *Wallet) Files(issueNumber string) (content, sig []byte, err error) {
	n, dir, err := w.folder(issueNumber)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("wallet: %s: %w", n, ErrNotFound)
	}
	if content, err = readFile(filepath.Join(dir, ReceiptFile)); err == nil {
		sig, err = readFile(filepath.Join(dir, SignatureFile))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("wallet: %s: %w", n, ErrNotFound)
	} else if err != nil {
		return nil, nil, fmt.Errorf("wallet: %s: %w", n, err)
	}
	return content, sig, nil
}

// Delete removes a receipt from the wallet. The app asks the citizen first:
// there is no undo.
func (w *Wallet) Delete(issueNumber string) error {
	n, dir, err := w.folder(issueNumber)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loadIndex()
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir() {
		w.idx.remove(n)
		return ErrNotFound
	} else if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	// Renamed away first, so that the receipt disappears at once and whole,
	// even if removing its files is interrupted.
	trash := filepath.Join(w.dir, ".trash-"+randomName())
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("wallet: delete %s: %w", n, err)
	}
	syncDir(w.dir)
	os.RemoveAll(trash) // what remains is swept at the next Open
	w.idx.remove(n)
	return w.writeIndex()
}

// readFile reads a regular file of at most maxFileSize bytes, refusing
// symbolic links, so that a planted link cannot make the wallet read
// elsewhere.
func readFile(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), maxFileSize)
	}
	return b, nil
}

// randomName is a fresh name for a temporary file or folder.
func randomName() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// isTemporary reports whether a name in the root folder is one the wallet
// uses while writing or deleting.
func isTemporary(name string) bool {
	return strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, ".trash-")
}
