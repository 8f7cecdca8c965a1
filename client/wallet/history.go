package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
)

// Lookup history (issue 6): who looked a confirmation up. The issuance answers
// with a history token (api.IssueResponse.HistoryToken) that reads, without a
// login, every lookup of that one confirmation. It is a secret of the
// citizen's, so the wallet keeps it beside the receipt in a file of its own,
// owner-only, and nowhere else: not in index.json, not in exports (which take
// receipt.json and receipt.p7s only), not in printouts. A receipt that came
// without one (issued by an older server, or imported) simply has none.
//
// The last history fetched is cached beside it, with the time it was fetched,
// so that the app can show it without a network.
const (
	// HistoryTokenFile holds the history token, "bsh_…", and nothing else.
	HistoryTokenFile = "history.token"
	// HistoryCacheFile holds the last History fetched (JSON).
	HistoryCacheFile = "history.json"
)

// historyTokenPrefix starts every history token (docs/api.md, GET /v1/lookups).
const historyTokenPrefix = "bsh_"

// maxHistorySize caps what the wallet reads of a cached history: a lookup is
// about 400 bytes, and a confirmation probed many times has many.
const maxHistorySize = 4 << 20

var (
	// ErrNoHistoryToken: the receipt was kept without a history token.
	ErrNoHistoryToken = errors.New("wallet: no lookup history token is kept for this receipt")
	// ErrNoHistory: no lookup history of the receipt has been fetched yet.
	ErrNoHistory = errors.New("wallet: no lookup history has been fetched for this receipt")
)

// History is the lookup history of one receipt as it was last fetched.
type History struct {
	// AsOf is when it was fetched.
	AsOf time.Time `json:"as_of"`
	// Lookups are the server's entries, newest first.
	Lookups []api.LookupEntry `json:"lookups"`
}

// validHistoryToken reports whether t looks like a history token: the prefix
// then base64url characters. Anything else is not written to disk, where
// it could not be used anyway.
func validHistoryToken(t string) bool {
	rest, ok := strings.CutPrefix(t, historyTokenPrefix)
	if !ok || len(rest) < 16 || len(rest) > 256 {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// SaveIssued is Save for a receipt just issued, keeping historyToken (the
// issuance answer's history_token) with it, in the same atomic write when the
// receipt is new. An empty or malformed token is not kept, and the receipt is
// saved all the same: it is what matters. Saving again with another token
// (each answer carries a fresh one; all keep working) replaces the token.
func (w *Wallet) SaveIssued(r api.Receipt, sig, confirmation []byte, historyToken string) (*Entry, error) {
	var extra map[string][]byte
	if validHistoryToken(historyToken) {
		extra = map[string][]byte{HistoryTokenFile: []byte(historyToken)}
	}
	return w.save(r, sig, confirmation, extra)
}

// HistoryToken returns the history token kept with the receipt issueNumber:
// ErrNoHistoryToken when there is none, ErrNotFound when there is no such
// receipt.
func (w *Wallet) HistoryToken(issueNumber string) (string, error) {
	dir, err := w.receiptDir(issueNumber)
	if err != nil {
		return "", err
	}
	b, err := readFile(filepath.Join(dir, HistoryTokenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoHistoryToken
	} else if err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if !validHistoryToken(t) {
		return "", fmt.Errorf("wallet: %s is damaged: %w", HistoryTokenFile, ErrNoHistoryToken)
	}
	return t, nil
}

// SaveHistory caches h as the last history fetched of the receipt
// issueNumber, replacing the one before, atomically.
func (w *Wallet) SaveHistory(issueNumber string, h History) error {
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	if len(data) > maxHistorySize {
		return fmt.Errorf("wallet: the lookup history is larger than %d bytes", maxHistorySize)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// Under the lock, so that a Delete cannot move the folder away in
	// between and leave the file in the trash.
	dir, err := w.receiptDir(issueNumber)
	if err != nil {
		return err
	}
	return w.writeFile(filepath.Join(dir, HistoryCacheFile), data)
}

// CachedHistory returns the history last saved with SaveHistory:
// ErrNoHistory when there is none (or it cannot be read), ErrNotFound when
// there is no such receipt.
func (w *Wallet) CachedHistory(issueNumber string) (*History, error) {
	dir, err := w.receiptDir(issueNumber)
	if err != nil {
		return nil, err
	}
	b, err := readFileMax(filepath.Join(dir, HistoryCacheFile), maxHistorySize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoHistory
	} else if err != nil {
		return nil, fmt.Errorf("wallet: %w: %v", ErrNoHistory, err)
	}
	var h History
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("wallet: %s: %w: %v", HistoryCacheFile, ErrNoHistory, err)
	}
	return &h, nil
}

// receiptDir is the folder of the receipt issueNumber, which must exist and
// be a folder (a link is never followed).
func (w *Wallet) receiptDir(issueNumber string) (string, error) {
	n, dir, err := w.folder(issueNumber)
	if err != nil {
		return "", err
	}
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("wallet: %s: %w", n, ErrNotFound)
	}
	return dir, nil
}

// readFileMax is readFile with another size limit.
func readFileMax(path string, max int64) ([]byte, error) {
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
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), max)
	}
	return b, nil
}
