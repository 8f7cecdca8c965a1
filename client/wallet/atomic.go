package wallet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// staleAfter is how old a temporary file or folder must be before Open removes
// it: younger ones may belong to another process writing right now.
const staleAfter = 10 * time.Minute

// The steps of a write at which tests simulate a crash (see Wallet.crash).
const (
	stepPartial = "partial" // half of a file's bytes written
	stepRename  = "rename"  // everything written and synced, not yet renamed into place
	stepIndex   = "index"   // a receipt's folder in place, the index not yet written
)

func (w *Wallet) step(name string) {
	if w.crash != nil {
		w.crash(name)
	}
}

// writeFolder writes files into a new folder dir: first into a temporary
// folder beside it, each file synced, then the folder synced and renamed into
// place, then the parent synced. A crash at any point leaves either no folder
// dir or a complete one. With replace, an existing dir is moved aside first
// and removed once the new one is in place.
func (w *Wallet) writeFolder(dir string, files map[string][]byte, replace bool) (err error) {
	parent := filepath.Dir(dir)
	tmp := filepath.Join(parent, ".tmp-"+randomName())
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	// On an error the temporary folder goes; on a crash (a panic from the
	// test hook) it stays, as it would, for Open to sweep.
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := w.writeSynced(filepath.Join(tmp, name), files[name]); err != nil {
			return err
		}
	}
	syncDir(tmp)
	w.step(stepRename)
	var trash string
	if replace {
		trash = filepath.Join(parent, ".trash-"+randomName())
		if err := os.Rename(dir, trash); err != nil {
			return fmt.Errorf("wallet: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if trash != "" {
			os.Rename(trash, dir) // put the old one back
		}
		return fmt.Errorf("wallet: %w", err)
	}
	syncDir(parent)
	if trash != "" {
		os.RemoveAll(trash)
	}
	return nil
}

// writeSynced creates path (which must not exist) owner-only and writes and
// syncs data.
func (w *Wallet) writeSynced(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("wallet: %w", cerr)
		}
	}()
	half := len(data) / 2
	if _, err := f.Write(data[:half]); err != nil {
		return fmt.Errorf("wallet: write %s: %w", filepath.Base(path), err)
	}
	w.step(stepPartial)
	if _, err := f.Write(data[half:]); err != nil {
		return fmt.Errorf("wallet: write %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("wallet: sync %s: %w", filepath.Base(path), err)
	}
	return nil
}

// writeFile replaces path with data atomically: a temporary file in the same
// folder, fsync, rename, fsync of the folder.
func (w *Wallet) writeFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, ".tmp-"+randomName())
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := w.writeSynced(tmp, data); err != nil {
		return err
	}
	w.step(stepRename)
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Best effort: not every system can
// sync a folder (Windows cannot), and there the rename is as durable as the
// file system makes it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// sweep removes what crashed writes and deletes left behind, once it is old
// enough not to belong to a write in progress.
func (w *Wallet) sweep() {
	for _, dir := range []string{w.dir, filepath.Join(w.dir, trustedDir)} {
		des, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, de := range des {
			if !isTemporary(de.Name()) {
				continue
			}
			fi, err := de.Info()
			if err != nil || w.now().Sub(fi.ModTime()) < staleAfter {
				continue
			}
			p := filepath.Join(dir, de.Name())
			if err := os.RemoveAll(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				continue // tried again at the next Open
			}
		}
	}
}
