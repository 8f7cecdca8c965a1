package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
)

// indexFile is the wallet's index: every receipt's fields and last known
// status, so that listing and searching read one file instead of one folder
// per receipt. It is a cache: deleting it loses nothing, it is rebuilt (by
// verifying every receipt) when it is missing, damaged or of another version,
// and brought up to date when receipt folders appear or disappear behind its
// back.
const indexFile = "index.json"

// indexVersion changes whenever the index's meaning changes; an index of
// another version is rebuilt.
const indexVersion = 1

// indexDoc is the JSON form of index.json.
type indexDoc struct {
	Version  int          `json:"version"`
	Receipts []indexEntry `json:"receipts"` // newest first
}

type indexEntry struct {
	Receipt api.Receipt `json:"receipt"`
	Status  Status      `json:"status"`
}

// index is index.json in memory.
type index struct {
	items  map[string]*item // by issue number
	sorted []*item          // newest first; nil after a change
	stamp  fileStamp        // of index.json as last read or written
}

type item struct {
	Entry
	issued time.Time
	keys   *searchKeys // computed at the first search
}

// fileStamp tells whether index.json changed since it was read.
type fileStamp struct {
	size    int64
	modTime time.Time
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.Size(), fi.ModTime()}
}

func newIndex() *index { return &index{items: map[string]*item{}} }

func (x *index) get(n string) (*Entry, bool) {
	it, ok := x.items[n]
	if !ok {
		return nil, false
	}
	e := it.Entry
	return &e, true
}

func (x *index) put(e *Entry) {
	issued, _ := time.Parse(time.RFC3339, e.Receipt.IssuedAt)
	x.items[e.Receipt.IssueNumber] = &item{Entry: Entry{Receipt: e.Receipt, Status: e.Status}, issued: issued}
	x.sorted = nil
}

func (x *index) remove(n string) bool {
	if _, ok := x.items[n]; !ok {
		return false
	}
	delete(x.items, n)
	x.sorted = nil
	return true
}

// ordered returns the items newest first (by issue date-time, then number).
func (x *index) ordered() []*item {
	if x.sorted == nil {
		x.sorted = make([]*item, 0, len(x.items))
		for _, it := range x.items {
			x.sorted = append(x.sorted, it)
		}
		slices.SortFunc(x.sorted, func(a, b *item) int {
			if c := b.issued.Compare(a.issued); c != 0 {
				return c
			}
			return strings.Compare(b.Receipt.IssueNumber, a.Receipt.IssueNumber)
		})
	}
	return x.sorted
}

// folderNames lists the receipt folders: folders (not links) named by a
// grouped issue number whose check digit holds. The names in the index were
// checked when they were indexed (the wallet writes the index, from numbers
// it parsed); only new ones are parsed, so that listing a large wallet does
// not check thousands of numbers each time. Get and Delete parse the number
// they are given in any case.
func (w *Wallet) folderNames() (map[string]bool, error) {
	des, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	names := make(map[string]bool, len(des))
	for _, de := range des {
		name := de.Name()
		if !de.IsDir() || !groupedShape(name) {
			continue
		}
		if w.idx != nil && w.idx.items[name] != nil {
			names[name] = true
		} else if n, err := api.ParseIssueNumber(name); err == nil && n == name {
			names[name] = true
		}
	}
	return names, nil
}

// groupedShape reports whether s looks like "1234-5678-9012-3456", before the
// check digit is checked.
func groupedShape(s string) bool {
	if len(s) != api.IssueNumberDigits+3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i%5 == 4 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ensureIndex brings the in-memory index up to date with index.json and the
// receipt folders, writing index.json when it had to change. Call with w.mu
// held.
func (w *Wallet) ensureIndex() error {
	changed := w.loadIndex()
	names, err := w.folderNames()
	if err != nil {
		return err
	}
	if !changed && len(w.idx.items) == len(names) && w.idx.covers(names) {
		return nil
	}
	for n := range w.idx.items {
		if !names[n] {
			w.idx.remove(n)
			changed = true
		}
	}
	var missing []string
	for n := range names {
		if _, ok := w.idx.items[n]; !ok {
			missing = append(missing, n)
		}
	}
	for _, e := range w.checkAll(missing) {
		w.idx.put(e)
		changed = true
	}
	if changed {
		return w.writeIndex()
	}
	return nil
}

// loadIndex reads index.json if it changed since it was last read, without
// looking at the receipt folders: enough for working on one receipt. It
// reports whether the file was there but unusable (it is then rebuilt by the
// next ensureIndex). Call with w.mu held.
func (w *Wallet) loadIndex() (damaged bool) {
	path := filepath.Join(w.dir, indexFile)
	stamp := stampOf(path)
	if w.idx != nil && w.idx.stamp == stamp {
		return false
	}
	idx, err := readIndex(path)
	if err != nil {
		// Missing, damaged or of another version: rebuilt from the
		// folders, and written even if the wallet turns out empty, unless
		// there was simply none yet.
		idx, damaged = newIndex(), !errors.Is(err, fs.ErrNotExist)
	}
	idx.stamp = stamp
	w.idx = idx
	return damaged
}

// covers reports whether every name has an item.
func (x *index) covers(names map[string]bool) bool {
	for n := range names {
		if _, ok := x.items[n]; !ok {
			return false
		}
	}
	return true
}

// checkAll verifies the receipts in folders names, on every core: rebuilding
// the index of a large wallet is one signature verification per receipt.
func (w *Wallet) checkAll(names []string) []*Entry {
	out := make([]*Entry, len(names))
	workers := min(runtime.GOMAXPROCS(0), len(names))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := k; i < len(names); i += workers {
				out[i] = w.check(names[i])
			}
		})
	}
	wg.Wait()
	return out
}

func readIndex(path string) (*index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc indexDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Version != indexVersion {
		return nil, fmt.Errorf("index version %d", doc.Version)
	}
	// The wallet wrote every entry from an issue number it parsed; an entry
	// counts only while a folder of its name exists.
	idx := newIndex()
	for i := range doc.Receipts {
		e := &doc.Receipts[i]
		if !groupedShape(e.Receipt.IssueNumber) || e.Status == 0 {
			return nil, errors.New("index entry without a valid issue number or status")
		}
		idx.put(&Entry{Receipt: e.Receipt, Status: e.Status})
	}
	return idx, nil
}

// writeIndex writes the in-memory index to index.json atomically. Call with
// w.mu held.
func (w *Wallet) writeIndex() error {
	w.step(stepIndex)
	items := w.idx.ordered()
	doc := indexDoc{Version: indexVersion, Receipts: make([]indexEntry, len(items))}
	for i, it := range items {
		doc.Receipts[i] = indexEntry{Receipt: it.Receipt, Status: it.Status}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("wallet: index: %w", err)
	}
	path := filepath.Join(w.dir, indexFile)
	if err := w.writeFile(path, data); err != nil {
		return fmt.Errorf("wallet: index: %w", err)
	}
	w.idx.stamp = stampOf(path)
	return nil
}

// Order is the order of List and Search results.
type Order int

const (
	// NewestFirst sorts by issue date-time, the most recent first.
	NewestFirst Order = iota
	// OldestFirst sorts by issue date-time, the earliest first.
	OldestFirst
)

// Len is the number of receipts in the wallet.
func (w *Wallet) Len() (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.ensureIndex(); err != nil {
		return 0, err
	}
	return len(w.idx.items), nil
}

// List returns every receipt, newest first, with the status recorded in the
// index. It reads the index, not the receipts' folders.
func (w *Wallet) List() ([]Entry, error) { return w.Search("", NewestFirst) }

// Search returns the receipts whose issue number, purpose, institution or
// delegate contains query, in order. Case, spaces and hyphens in issue numbers
// do not matter; Hangul matches by substring ("매도" finds "부동산 매도") and
// by initial consonants ("ㅂㄷㅅ" finds "부동산"). An empty query matches
// everything. Like List, it reads only the index.
func (w *Wallet) Search(query string, order Order) ([]Entry, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.ensureIndex(); err != nil {
		return nil, err
	}
	items := w.idx.ordered()
	q := newQuery(query)
	out := make([]Entry, 0, len(items))
	for i := range items {
		it := items[i]
		if order == OldestFirst {
			it = items[len(items)-1-i]
		}
		if !q.empty() {
			if it.keys == nil {
				it.keys = newSearchKeys(it.Receipt)
			}
			if !q.match(it.keys) {
				continue
			}
		}
		e := it.Entry
		e.Err = errOf(e.Status)
		out = append(out, e)
	}
	return out, nil
}
