package npki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/bonsign/bonsign/signer"
)

// The files of an NPKI certificate folder (KISA KCAC.TS.UI): the signing
// certificate and its encrypted key. The key-management pair kmCert.der and
// kmPri.key, often beside them, is not used for signing.
const (
	CertFile = "signCert.der"
	KeyFile  = "signPri.key"
)

// Open opens the NPKI certificate folder dir (the one holding signCert.der
// and signPri.key) with password. It returns the identity to sign with, whose
// Key is the *Key itself (so signer.RandomNum finds R for the VID check), and
// the Key. The folders hold no CA certificates, so the identity's Chain is
// empty.
func Open(dir string, password []byte) (*signer.Identity, *Key, error) {
	certDER, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, nil, fmt.Errorf("npki: %w", err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, nil, fmt.Errorf("npki: %s: %w", CertFile, err)
	}
	keyDER, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("npki: %w", err)
	}
	k, err := ParseKey(keyDER, password)
	if err != nil {
		return nil, nil, err
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := k.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return nil, nil, ErrKeyMismatch
	}
	return &signer.Identity{Key: k, Certificate: cert}, k, nil
}

// Rekey re-encrypts the key file at path (a signPri.key) under newPassword in
// the PBES2 form of EncryptKey, with iterations PBKDF2 rounds (0 for
// DefaultIterations): an old PBES1 file comes out as PBES2, and the key and
// its randomNum are unchanged, byte for byte.
//
// The old file is first copied to path.bak-<UTC time> (signPri.key.bak-
// 20260102T150405Z); the new one is written to a temporary file in the same
// folder, synced and renamed over path, and the folder synced, so that a
// crash leaves either the old or the new file in place, never half of one. Before returning, Rekey reads the new
// file back and opens it with newPassword; should that fail it puts the old
// file back.
func Rekey(path string, oldPassword, newPassword []byte, iterations int) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("npki: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("npki: %w", err)
	}
	k, err := ParseKey(old, oldPassword)
	if err != nil {
		return err
	}
	out, err := EncryptKey(k, newPassword, iterations)
	if err != nil {
		return err
	}
	perm := info.Mode().Perm()

	backup, err := writeBackup(path, old, perm)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, out, perm); err != nil {
		return err // path still holds the old file
	}

	reread, err := os.ReadFile(path)
	if err == nil {
		var k2 *Key
		if k2, err = ParseKey(reread, newPassword); err == nil && !bytes.Equal(k2.info, k.info) {
			err = errors.New("the key read back differs")
		}
	}
	if err != nil {
		if rerr := writeAtomic(path, old, perm); rerr != nil {
			return fmt.Errorf("npki: rekey %s: the new file does not open (%v) and restoring the old one failed (%v): it is at %s", path, err, rerr, backup)
		}
		return fmt.Errorf("npki: rekey %s: the new file does not open, the old one is back: %w", path, err)
	}
	return nil
}

// writeBackup copies data to path.bak-<time>, never overwriting a file.
func writeBackup(path string, data []byte, perm os.FileMode) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for i := 0; i < 100; i++ {
		name := path + ".bak-" + stamp
		if i > 0 {
			name += fmt.Sprintf("-%d", i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("npki: backup: %w", err)
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", fmt.Errorf("npki: backup: %w", err)
		}
		return name, nil
	}
	return "", errors.New("npki: backup: too many backups with the same time")
}

// writeAtomic replaces path with data: a temporary file in the same folder,
// synced, renamed over path, then the folder synced so the rename lasts.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("npki: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("npki: write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("npki: sync %s: %w", dir, err)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot open a folder for
// syncing (and its renames need no such step), so there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Entry is one certificate found by Find.
type Entry struct {
	// CA is the name of the CA folder (yessign, CrossCert, SignKorea, KICA,
	// NCASign, ...), or "" when the folder was picked directly.
	CA string
	// Subject is the name of the certificate's folder, usually the subject
	// DN ("cn=홍길동()0011...,ou=...,o=yessign,c=kr").
	Subject string
	// Dir is the certificate's folder, for Open.
	Dir string
	// Certificate is the parsed signCert.der, nil when Err is set.
	Certificate *x509.Certificate
	// Err is why the certificate could not be read; the other entries are
	// still good.
	Err error
}

// Find lists the certificates under root, which may be an NPKI base folder
// (<root>/<CA>/USER/<subject>/signCert.der), a CA folder
// (<root>/USER/<subject>), a USER folder, a single certificate folder, or a
// folder holding an NPKI folder (the top of a USB stick). Only certificate
// folders that also hold signPri.key are listed. A certificate that does not
// parse is listed with Err set; only an unreadable root is an error. Folder
// names are matched without regard to case, as on Windows.
func Find(root string) ([]Entry, error) {
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	if isCertDir(root) {
		ca := ""
		if parent := filepath.Dir(root); strings.EqualFold(filepath.Base(parent), "USER") {
			ca = filepath.Base(filepath.Dir(parent))
		}
		return []Entry{readEntry(ca, root)}, nil
	}
	base := filepath.Base(root)
	if strings.EqualFold(base, "USER") {
		return findSubjects(filepath.Base(filepath.Dir(root)), root)
	}
	if user, ok := child(root, "USER"); ok {
		return findSubjects(base, user)
	}
	if npki, ok := child(root, "NPKI"); ok && !strings.EqualFold(base, "NPKI") {
		return Find(npki)
	}
	cas, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	var entries []Entry
	for _, ca := range cas {
		if !isDir(root, ca) {
			continue
		}
		user, ok := child(filepath.Join(root, ca.Name()), "USER")
		if !ok {
			continue
		}
		found, err := findSubjects(ca.Name(), user)
		if err != nil {
			entries = append(entries, Entry{CA: ca.Name(), Dir: user, Err: err})
			continue
		}
		entries = append(entries, found...)
	}
	return entries, nil
}

func findSubjects(ca, user string) ([]Entry, error) {
	subjects, err := os.ReadDir(user)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	var entries []Entry
	for _, s := range subjects {
		dir := filepath.Join(user, s.Name())
		if isDir(user, s) && isCertDir(dir) {
			entries = append(entries, readEntry(ca, dir))
		}
	}
	return entries, nil
}

func readEntry(ca, dir string) Entry {
	e := Entry{CA: ca, Subject: filepath.Base(dir), Dir: dir}
	der, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err == nil {
		e.Certificate, err = x509.ParseCertificate(der)
	}
	if err != nil {
		e.Err = fmt.Errorf("npki: %s: %w", filepath.Join(dir, CertFile), err)
	}
	return e
}

// isCertDir tells whether dir holds both signCert.der and signPri.key.
func isCertDir(dir string) bool {
	_, certOK := child(dir, CertFile)
	_, keyOK := child(dir, KeyFile)
	return certOK && keyOK
}

// child finds the entry called name in dir, ignoring case, and returns its
// path.
func child(dir, name string) (string, bool) {
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		return filepath.Join(dir, name), true
	}
	list, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range list {
		if strings.EqualFold(e.Name(), name) {
			return filepath.Join(dir, e.Name()), true
		}
	}
	return "", false
}

// isDir follows symbolic links, which ReadDir's entries do not.
func isDir(parent string, e os.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	fi, err := os.Stat(filepath.Join(parent, e.Name()))
	return err == nil && fi.IsDir()
}
