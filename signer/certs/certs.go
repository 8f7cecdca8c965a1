// Package certs finds the certificates a citizen can sign with on this
// computer, whatever holds them: NPKI folders (on disk and on removable
// drives), PKCS#12 and PEM files the citizen picks, and PKCS#11 hardware
// tokens. Each is an Entry that describes the certificate the way Korean
// certificate pickers do (holder, issuing CA, use, expiry, where it is
// stored) and opens to a *signer.Identity with the password or PIN.
//
// Nothing is decrypted and no PIN is sent while listing. An entry that
// cannot be read is listed with its reason, never silently left out.
package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/npki"
	"github.com/bonsign/bonsign/signer/pkcs11token"
)

// Kind is the kind of source an Entry comes from.
type Kind string

// The kinds of certificate source.
const (
	KindNPKI   Kind = "npki"   // signCert.der + signPri.key in an NPKI folder
	KindPKCS12 Kind = "pkcs12" // a .p12/.pfx file
	KindPEM    Kind = "pem"    // PEM certificate and key
	KindToken  Kind = "token"  // a PKCS#11 hardware token (보안토큰)
)

// Storage is where the certificate is kept, as the picker shows it.
type Storage string

// Where certificates are kept.
const (
	StorageDisk      Storage = "disk"      // 하드디스크
	StorageRemovable Storage = "removable" // 이동식 디스크 (USB)
	StorageToken     Storage = "token"     // 보안토큰
)

// Entry is one certificate found, not yet opened.
type Entry struct {
	Kind    Kind
	Storage Storage
	// Path is the NPKI certificate folder, the PKCS#12 or PEM file, or the
	// PKCS#11 module.
	Path string
	// Certificate is nil for a PKCS#12 file, whose certificate is encrypted
	// too, until it is opened; and when Err is set.
	Certificate *x509.Certificate
	// Err says why the entry cannot be used (an unreadable certificate, a
	// token that does not answer); the entry is still listed.
	Err error
	// WeakKeyProtection is set for NPKI keys encrypted the old way (PBES1,
	// SHA-1): the picker offers to re-encrypt them.
	WeakKeyProtection bool
	// Token is set for KindToken.
	Token *Token

	caFolder string // NPKI CA folder name (yessign, CrossCert, ...)
}

// Token is a certificate on a PKCS#11 token.
type Token struct {
	Label string
	Slot  uint
	ID    []byte // CKA_ID shared by the certificate and its private key
	// PIN is the PIN state the token reports, to show before the PIN is typed.
	PIN    pkcs11token.PINState
	module *pkcs11token.Module
}

// Holder is the certificate holder's name: the subject's common name without
// the serial suffix NPKI certificates carry ("홍길동()0010041..." -> "홍길동"),
// or the file's name while the certificate cannot be read yet.
func (e *Entry) Holder() string {
	if e.Certificate == nil {
		return filepath.Base(e.Path) // a PKCS#12 file before it is opened: its name is all there is
	}
	cn := e.Certificate.Subject.CommonName
	if i := strings.Index(cn, "()"); i > 0 {
		return cn[:i]
	}
	if i := strings.Index(cn, "("); i > 0 {
		return cn[:i]
	}
	return cn
}

// Issuer is the issuing certificate authority as citizens know it (yessign,
// CrossCert, SignKorea, KICA, NCASign, TradeSign), falling back to the
// issuer's organisation or common name.
func (e *Entry) Issuer() string {
	if e.Certificate == nil {
		return e.caFolder
	}
	for _, name := range []string{e.Certificate.Issuer.CommonName, strings.Join(e.Certificate.Issuer.Organization, " "), e.caFolder} {
		if ca := knownCA(name); ca != "" {
			return ca
		}
	}
	if o := e.Certificate.Issuer.Organization; len(o) > 0 {
		return o[0]
	}
	return e.Certificate.Issuer.CommonName
}

// knownCA maps the names licensed Korean CAs use in issuer DNs and NPKI
// folder names to the name shown to citizens.
func knownCA(name string) string {
	n := strings.ToLower(name)
	for _, ca := range []struct{ key, name string }{
		{"yessign", "yessign (금융결제원)"},
		{"crosscert", "CrossCert (한국전자인증)"},
		{"signkorea", "SignKorea (코스콤)"},
		{"signgate", "KICA (한국정보인증)"},
		{"kica", "KICA (한국정보인증)"},
		{"ncasign", "NCASign (한국전산원)"},
		{"tradesign", "TradeSign (한국무역정보통신)"},
	} {
		if strings.Contains(n, ca.key) {
			return ca.name
		}
	}
	return ""
}

// Validity is whether a certificate can be used now.
type Validity int

// Validity states.
const (
	Valid Validity = iota
	Expired
	NotYetValid
	Unknown // a PKCS#12 file not opened yet, or an unreadable certificate
)

// ValidAt tells whether the certificate is valid at now and how many whole
// days it has left.
func (e *Entry) ValidAt(now time.Time) (Validity, int) {
	c := e.Certificate
	switch {
	case c == nil:
		return Unknown, 0
	case now.Before(c.NotBefore):
		return NotYetValid, 0
	case now.After(c.NotAfter):
		return Expired, 0
	}
	return Valid, int(c.NotAfter.Sub(now).Hours() / 24)
}

// Open opens the entry with the password (files) or PIN (tokens). The
// identity must be closed after signing (it logs out of a token).
func (e *Entry) Open(secret string) (*signer.Identity, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	switch e.Kind {
	case KindNPKI:
		id, _, err := npki.Open(e.Path, []byte(secret))
		return id, err
	case KindPKCS12:
		return signer.OpenPKCS12(e.Path, secret)
	case KindPEM:
		return signer.OpenPEM(secret, e.Path)
	case KindToken:
		return e.Token.module.Identity(e.Token.Slot, e.Token.ID, secret)
	}
	return nil, fmt.Errorf("certs: unknown kind %q", e.Kind)
}

// Options says where Find looks.
type Options struct {
	// NPKIRoots are the NPKI base folders; nil means npki.Roots() (this
	// computer's usual folders and removable drives).
	NPKIRoots []npki.Location
	// Files are files and folders the citizen picked: .p12/.pfx, .pem/.crt,
	// or NPKI folders.
	Files []string
	// Modules are PKCS#11 modules to ask for tokens; nil means the known
	// modules present on this computer.
	Modules []string
	// NoTokens skips tokens altogether.
	NoTokens bool
}

// List is the result of Find. Close it to release the token modules.
type List struct {
	Entries []Entry
	modules []*pkcs11token.Module
}

// Close releases the PKCS#11 modules opened while listing.
func (l *List) Close() error {
	var errs []error
	for _, m := range l.modules {
		errs = append(errs, m.Close())
	}
	l.modules = nil
	return errors.Join(errs...)
}

// Find lists every certificate it can find. It does not fail: what cannot be
// read is listed with Err set, or (a folder that does not exist) skipped.
func Find(o Options) *List {
	l := &List{}
	roots := o.NPKIRoots
	if roots == nil {
		roots = npki.Roots()
	}
	seen := map[string]bool{}
	for _, r := range roots {
		l.addNPKI(r.Path, r.Removable, seen)
	}
	for _, f := range o.Files {
		l.addFile(f, seen)
	}
	if !o.NoTokens {
		mods := o.Modules
		if mods == nil {
			for _, m := range pkcs11token.Modules(nil) {
				mods = append(mods, m.Path)
			}
		}
		for _, m := range mods {
			l.addModule(m)
		}
	}
	return l
}

func (l *List) addNPKI(root string, removable bool, seen map[string]bool) {
	found, err := npki.Find(root)
	if err != nil {
		return
	}
	storage := StorageDisk
	if removable {
		storage = StorageRemovable
	}
	for _, f := range found {
		if seen[f.Dir] {
			continue
		}
		seen[f.Dir] = true
		e := Entry{Kind: KindNPKI, Storage: storage, Path: f.Dir, Certificate: f.Certificate, Err: f.Err, caFolder: f.CA}
		if key, err := os.ReadFile(filepath.Join(f.Dir, npki.KeyFile)); err == nil {
			e.WeakKeyProtection = npki.WeakProtection(key)
		}
		l.Entries = append(l.Entries, e)
	}
}

func (l *List) addFile(path string, seen map[string]bool) {
	info, err := os.Stat(path)
	if err != nil {
		l.Entries = append(l.Entries, Entry{Kind: kindOf(path), Storage: StorageDisk, Path: path, Err: err})
		return
	}
	if info.IsDir() {
		l.addNPKI(path, false, seen)
		return
	}
	if seen[path] {
		return
	}
	seen[path] = true
	e := Entry{Kind: kindOf(path), Storage: StorageDisk, Path: path}
	if e.Kind == KindPEM {
		e.Certificate, e.Err = firstPEMCertificate(path)
	}
	l.Entries = append(l.Entries, e)
}

func kindOf(path string) Kind {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pem", ".crt", ".cer", ".key":
		return KindPEM
	}
	return KindPKCS12
}

func (l *List) addModule(path string) {
	m, err := pkcs11token.Open(path)
	if err != nil {
		if !errors.Is(err, pkcs11token.ErrNoCgo) {
			l.Entries = append(l.Entries, Entry{Kind: KindToken, Storage: StorageToken, Path: path, Err: err})
		}
		return
	}
	tokens, err := m.Tokens()
	if err != nil {
		l.Entries = append(l.Entries, Entry{Kind: KindToken, Storage: StorageToken, Path: path, Err: err})
		m.Close()
		return
	}
	used := false
	for _, t := range tokens {
		if !t.Initialized {
			continue // an empty slot, or a token never set up: nothing to sign with
		}
		certs, err := m.Certificates(t.Slot)
		if err != nil {
			l.Entries = append(l.Entries, Entry{Kind: KindToken, Storage: StorageToken, Path: path, Err: err,
				Token: &Token{Label: t.Label, Slot: t.Slot, PIN: t.PIN, module: m}})
			continue
		}
		for _, c := range certs {
			if c.Certificate != nil && c.Certificate.IsCA {
				continue // the token's copy of a CA certificate, not the citizen's
			}
			used = true
			l.Entries = append(l.Entries, Entry{Kind: KindToken, Storage: StorageToken, Path: path,
				Certificate: c.Certificate, Err: c.Err,
				Token: &Token{Label: t.Label, Slot: t.Slot, ID: c.ID, PIN: t.PIN, module: m}})
		}
	}
	if used {
		l.modules = append(l.modules, m)
	} else {
		m.Close()
	}
}
