// Package pkcs11token signs with a certificate whose private key lives on a
// hardware token (보안토큰) reached through its PKCS#11 module.
//
// The flow for one signature:
//
//	m, err := pkcs11token.Open(path)        // a path from Modules, or one the person picked
//	defer m.Close()
//	tokens, err := m.Tokens()               // show label, maker, and tokens[i].PIN.Notice()
//	certs, err := m.Certificates(slot)      // listed without the PIN
//	id, err := m.Identity(slot, certs[j].ID, pin) // the one login of this signing
//	defer id.Key.(io.Closer).Close()        // logs out, closes the session
//	der, err := id.SignCMS(content)
//
// The private key never leaves the token: Identity's Key is a crypto.Signer
// whose Sign asks the token to sign (CKM_RSA_PKCS over a DigestInfo for RSA,
// CKM_ECDSA for EC keys).
//
// The PIN is asked once per signing: Identity logs in once and keeps the
// session until the Key is closed. A wrong PIN is ErrWrongPIN and a locked
// token ErrPINLocked, each inside a *PINError that carries what the token
// reports about its PIN afterwards.
//
// All cgo is in ctx_cgo.go. A build without cgo still compiles this package,
// and Open then returns ErrNoCgo.
//
// Concurrency: a Module and the Keys it hands out may be used from several
// goroutines. One mutex per Module serialises every PKCS#11 call made
// through it, because a PKCS#11 session must not be used by two threads at
// once and some modules are not thread-safe at all; signing on a token is
// serial in the device anyway.
package pkcs11token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/bonsign/bonsign/signer"
)

// ErrNoCgo is returned by Open in a build without cgo.
var ErrNoCgo = errors.New("pkcs11token: this build has no PKCS#11 support (built without cgo)")

// Errors callers act on. Those about the PIN arrive inside a *PINError.
var (
	// ErrWrongPIN: the token refused the PIN (CKR_PIN_INCORRECT).
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrPINLocked: too many wrong PINs; the token refuses every login
	// (CKR_PIN_LOCKED) until it is unlocked with the security officer's PIN.
	ErrPINLocked = errors.New("PIN locked")
	// ErrPINExpired: the token wants a new PIN before it signs (CKR_PIN_EXPIRED).
	ErrPINExpired = errors.New("PIN expired")
	// ErrTokenRemoved: the token was taken out (CKR_DEVICE_REMOVED,
	// CKR_TOKEN_NOT_PRESENT, or the session vanished with it).
	ErrTokenRemoved = errors.New("token removed")
	// ErrNoCertificate: no certificate with the CKA_ID asked for.
	ErrNoCertificate = errors.New("no certificate with that CKA_ID")
	// ErrNoPrivateKey: the certificate is there but no private key with its
	// CKA_ID is (some tokens hold CA certificates without keys).
	ErrNoPrivateKey = errors.New("no private key with the certificate's CKA_ID")
	// ErrBusy: the slot already has an open signing session from this
	// Module; close its Key first. (PKCS#11 login is per token and
	// application, so a second login could not check the new PIN.)
	ErrBusy = errors.New("token already has an open signing session")
	// ErrClosed: the Module or Key has been closed.
	ErrClosed = errors.New("closed")
	// ErrNotAModule: the file could not be loaded as a PKCS#11 module.
	ErrNotAModule = errors.New("not a loadable PKCS#11 module")
)

// PINError is a failed login: which PIN error (ErrWrongPIN, ErrPINLocked or
// ErrPINExpired), and the PIN state the token reported right after, to show
// before the person types again.
type PINError struct {
	Slot  uint
	Err   error    // ErrWrongPIN, ErrPINLocked or ErrPINExpired
	State PINState // as reported after the failure; StateKnown says whether it could be read
	// StateKnown is false when the token could not be asked (for example,
	// it was removed right after).
	StateKnown bool
	cause      error // the module's return value
}

func (e *PINError) Error() string {
	s := fmt.Sprintf("pkcs11token: slot %d: log in: %v (%v)", e.Slot, e.Err, e.cause)
	if e.StateKnown && e.State != 0 {
		s += "; token reports " + e.State.String()
	}
	return s
}

// Unwrap gives the sentinel (for errors.Is) and the module's return value.
func (e *PINError) Unwrap() []error { return []error{e.Err, e.cause} }

// Module is a loaded and initialised PKCS#11 module. Its methods may be
// called from several goroutines (see the package comment).
type Module struct {
	path string
	p    backend
	// counted is set when this Module is one of the users of the library
	// that this package initialised: the last of them to close finalises it.
	// A library initialised by someone else in the process is never
	// finalised here.
	counted bool

	mu     sync.Mutex // serialises every call into p, and guards what follows
	closed bool
	keys   map[uint]*Key // open signing session per slot
}

// users counts the open Modules of each library file that this package
// initialised. A PKCS#11 library has one state per process (C_Initialize and
// C_Finalize are process-wide), so this count is too.
var users = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

func open(p backend, path string) (*Module, error) {
	users.Lock()
	defer users.Unlock()
	counted := true
	if err := p.Initialize(); err != nil {
		if !isRV(err, ckrCryptokiAlreadyInitialized) {
			p.Destroy()
			return nil, fmt.Errorf("pkcs11token: %s: initialize: %w", path, err)
		}
		// Already initialised: by another of our Modules (share it), or by
		// someone else in the process (leave it to them).
		counted = users.n[path] > 0
	}
	if counted {
		users.n[path]++
	}
	return &Module{path: path, p: p, counted: counted, keys: map[uint]*Key{}}, nil
}

// Path is the file the module was loaded from.
func (m *Module) Path() string { return m.path }

// Close logs out and closes every Key still open, then finalises and unloads
// the module. It is safe to call more than once.
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	var errs []error
	for _, k := range m.keys {
		errs = append(errs, k.closeLocked())
	}
	m.closed = true
	if m.counted {
		users.Lock()
		users.n[m.path]--
		last := users.n[m.path] == 0
		if last {
			delete(users.n, m.path)
			if err := m.p.Finalize(); err != nil {
				errs = append(errs, fmt.Errorf("pkcs11token: finalize: %w", err))
			}
		}
		users.Unlock()
	}
	m.p.Destroy()
	return errors.Join(errs...)
}

// TokenInfo describes a token present in a slot.
type TokenInfo struct {
	Slot         uint
	Label        string
	Manufacturer string
	Model        string
	Serial       string
	// PIN is what the token says about its user PIN; show PIN.Notice()
	// before asking for it.
	PIN PINState
	// PINPad: the token or its reader takes the PIN itself
	// (CKF_PROTECTED_AUTHENTICATION_PATH); pass an empty PIN to Identity.
	PINPad bool
	// Initialized is false for a blank token (CKF_TOKEN_INITIALIZED unset).
	Initialized bool
}

// Tokens lists the tokens present, in the module's slot order.
func (m *Module) Tokens() ([]TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("pkcs11token: module: %w", ErrClosed)
	}
	slots, err := m.p.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: list slots: %w", err)
	}
	tokens := make([]TokenInfo, 0, len(slots))
	for _, slot := range slots {
		ti, err := m.p.GetTokenInfo(slot)
		if isRV(err, ckrTokenNotPresent) || isRV(err, ckrDeviceRemoved) {
			continue // pulled out between the two calls
		}
		if err != nil {
			return nil, fmt.Errorf("pkcs11token: slot %d: token info: %w", slot, err)
		}
		tokens = append(tokens, TokenInfo{
			Slot:         slot,
			Label:        clean(ti.Label),
			Manufacturer: clean(ti.ManufacturerID),
			Model:        clean(ti.Model),
			Serial:       clean(ti.SerialNumber),
			PIN:          pinStateFromFlags(ti.Flags),
			PINPad:       ti.Flags&ckfProtectedAuthPath != 0,
			Initialized:  ti.Flags&ckfTokenInitialized != 0,
		})
	}
	return tokens, nil
}

// clean trims the blank (and, from some modules, NUL) padding of
// CK_TOKEN_INFO's fixed-width fields.
func clean(s string) string { return strings.TrimRight(s, " \x00") }

// Cert is a certificate object on a token.
type Cert struct {
	Slot  uint
	ID    []byte // CKA_ID: pairs the certificate with its private key
	Label string // CKA_LABEL
	// Certificate is nil when the value did not parse; Err says why. Such
	// entries are listed so the person sees the token holds something.
	Certificate *x509.Certificate
	Err         error
}

// Certificates lists the X.509 certificates on the token in slot, in the
// token's order. It needs no PIN: certificates are public objects.
func (m *Module) Certificates(slot uint) ([]Cert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("pkcs11token: module: %w", ErrClosed)
	}
	sh, err := m.p.OpenSession(slot, ckfSerialSession)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: open session: %w", slot, tokenErr(err))
	}
	defer m.p.CloseSession(sh)
	certs, err := m.certificates(sh, slot)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: %w", slot, tokenErr(err))
	}
	return certs, nil
}

// certificates reads every X.509 certificate object visible in session sh.
func (m *Module) certificates(sh sessionHandle, slot uint) ([]Cert, error) {
	handles, err := m.find(sh, []attribute{
		{ckaClass, uint(ckoCertificate)},
		{ckaCertificateType, uint(ckcX509)},
	})
	if err != nil {
		return nil, fmt.Errorf("find certificates: %w", err)
	}
	certs := make([]Cert, 0, len(handles))
	for _, h := range handles {
		v, err := m.p.GetAttributeValue(sh, h, []uint{ckaID, ckaLabel, ckaValue})
		if err != nil {
			return nil, fmt.Errorf("read certificate: %w", err)
		}
		c := Cert{Slot: slot, ID: v[0], Label: string(v[1])}
		c.Certificate, c.Err = x509.ParseCertificate(v[2])
		if c.Err != nil {
			c.Certificate = nil
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// findBatch is how many handles one C_FindObjects call asks for.
const findBatch = 32

// find runs a whole object search and returns every match.
func (m *Module) find(sh sessionHandle, template []attribute) ([]objectHandle, error) {
	if err := m.p.FindObjectsInit(sh, template); err != nil {
		return nil, err
	}
	var all []objectHandle
	for {
		batch, err := m.p.FindObjects(sh, findBatch)
		if err != nil {
			m.p.FindObjectsFinal(sh)
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		all = append(all, batch...)
	}
	if err := m.p.FindObjectsFinal(sh); err != nil {
		return nil, err
	}
	return all, nil
}

// Identity logs in to the token in slot with pin and returns the certificate
// with CKA_ID id, its chain as far as the token holds it, and a Key that signs
// with the private key of the same CKA_ID.
//
// This is the one login of a signing: every signature made with the Key uses
// the session opened here, and the PIN is not asked for again. The Key (also
// reachable as id.Key.(io.Closer)) must be closed when the signing is done:
// that logs out. Until then another Identity on the same slot fails with
// ErrBusy.
//
// A refused PIN comes back as a *PINError: errors.Is(err, ErrWrongPIN),
// errors.Is(err, ErrPINLocked) or errors.Is(err, ErrPINExpired). A token that
// already reports itself locked is not sent the PIN at all.
func (m *Module) Identity(slot uint, id []byte, pin string) (*signer.Identity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("pkcs11token: module: %w", ErrClosed)
	}
	if m.keys[slot] != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: %w", slot, ErrBusy)
	}
	ti, err := m.p.GetTokenInfo(slot)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: token info: %w", slot, tokenErr(err))
	}
	if st := pinStateFromFlags(ti.Flags); st&PINLocked != 0 {
		return nil, &PINError{Slot: slot, Err: ErrPINLocked, State: st, StateKnown: true,
			cause: errors.New("token reports CKF_USER_PIN_LOCKED")}
	}

	sh, err := m.p.OpenSession(slot, ckfSerialSession)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: open session: %w", slot, tokenErr(err))
	}
	done := false
	defer func() {
		if !done {
			m.p.CloseSession(sh) // closing the last session also logs out
		}
	}()

	certs, err := m.certificates(sh, slot)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: %w", slot, tokenErr(err))
	}
	var leaf *Cert
	for i := range certs {
		if bytes.Equal(certs[i].ID, id) && certs[i].Certificate != nil {
			leaf = &certs[i]
			break
		}
	}
	if leaf == nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: CKA_ID %x: %w", slot, id, ErrNoCertificate)
	}

	if err := m.p.Login(sh, ckuUser, pin); err != nil {
		return nil, m.loginError(slot, err)
	}
	key, err := m.privateKey(sh, id, leaf.Certificate)
	if err != nil {
		m.p.Logout(sh)
		return nil, fmt.Errorf("pkcs11token: slot %d: CKA_ID %x: %w", slot, id, tokenErr(err))
	}
	key.m, key.slot, key.session = m, slot, sh
	if key.alwaysAuth {
		key.pin = []byte(pin)
	}
	m.keys[slot] = key
	done = true
	return &signer.Identity{
		Key:         key,
		Certificate: leaf.Certificate,
		Chain:       chain(leaf.Certificate, certs),
	}, nil
}

// loginError maps a refused C_Login to the sentinel errors, and asks the
// token for its PIN state afterwards (it may have just become count-low,
// final-try or locked).
func (m *Module) loginError(slot uint, err error) error {
	var sentinel error
	switch {
	// CKR_PIN_LEN_RANGE is not in C_Login's list in the standard, but some
	// modules answer it for a PIN too short or long: to a person it is a
	// wrong PIN all the same.
	case isRV(err, ckrPINIncorrect), isRV(err, ckrPINLenRange), isRV(err, ckrPINInvalid):
		sentinel = ErrWrongPIN
	case isRV(err, ckrPINLocked):
		sentinel = ErrPINLocked
	case isRV(err, ckrPINExpired):
		sentinel = ErrPINExpired
	default:
		return fmt.Errorf("pkcs11token: slot %d: log in: %w", slot, tokenErr(err))
	}
	pe := &PINError{Slot: slot, Err: sentinel, cause: err}
	if ti, err := m.p.GetTokenInfo(slot); err == nil {
		pe.State, pe.StateKnown = pinStateFromFlags(ti.Flags), true
	}
	return pe
}

// privateKey finds the private key with CKA_ID id and checks it against the
// certificate's public key as far as the token lets us read it.
func (m *Module) privateKey(sh sessionHandle, id []byte, cert *x509.Certificate) (*Key, error) {
	handles, err := m.find(sh, []attribute{
		{ckaClass, uint(ckoPrivateKey)},
		{ckaID, id},
	})
	if err != nil {
		return nil, fmt.Errorf("find private key: %w", err)
	}
	var wantType uint
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey:
		wantType = ckkRSA
	case *ecdsa.PublicKey:
		wantType = ckkEC
	default:
		return nil, fmt.Errorf("%w: certificate key %T", signer.ErrUnsupportedKey, cert.PublicKey)
	}
	var mismatch error
	for _, h := range handles {
		v, err := m.p.GetAttributeValue(sh, h, []uint{ckaKeyType})
		if err != nil {
			return nil, fmt.Errorf("read private key type: %w", err)
		}
		if kt, ok := parseULong(v[0]); !ok || kt != wantType {
			mismatch = fmt.Errorf("private key type %#x does not match the certificate's %T", v[0], cert.PublicKey)
			continue
		}
		if err := m.checkPublicPart(sh, h, cert); err != nil {
			mismatch = err
			continue
		}
		k := &Key{handle: h, pub: cert.PublicKey}
		// CKA_ALWAYS_AUTHENTICATE (PKCS#11 v2.40, private key objects): the
		// token wants the PIN again with every signature. Optional;
		// unreadable means false.
		if v, err := m.p.GetAttributeValue(sh, h, []uint{ckaAlwaysAuthenticate}); err == nil {
			k.alwaysAuth = len(v[0]) == 1 && v[0][0] != 0
		}
		return k, nil
	}
	if mismatch != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoPrivateKey, mismatch)
	}
	return nil, ErrNoPrivateKey
}

// checkPublicPart compares what a private key object shows of its public
// half (RSA: CKA_MODULUS; EC: CKA_EC_PARAMS, the curve) with the
// certificate. Tokens may refuse to show these; then there is nothing to
// compare and the CKA_ID pairing stands.
func (m *Module) checkPublicPart(sh sessionHandle, h objectHandle, cert *x509.Certificate) error {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		v, err := m.p.GetAttributeValue(sh, h, []uint{ckaModulus})
		if err != nil || len(v[0]) == 0 {
			return nil
		}
		if !bytes.Equal(bytes.TrimLeft(v[0], "\x00"), pub.N.Bytes()) {
			return errors.New("the private key's modulus is not the certificate's")
		}
	case *ecdsa.PublicKey:
		v, err := m.p.GetAttributeValue(sh, h, []uint{ckaECParams})
		if err != nil || len(v[0]) == 0 {
			return nil
		}
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(v[0], &oid); err != nil {
			return nil // explicit curve parameters: not compared
		}
		if want, ok := curveOIDs[pub.Curve.Params().Name]; ok && !oid.Equal(want) {
			return fmt.Errorf("the private key's curve %v is not the certificate's %s", oid, pub.Curve.Params().Name)
		}
	}
	return nil
}

// Named curve OIDs (RFC 5480 §2.1.1.1).
var curveOIDs = map[string]asn1.ObjectIdentifier{
	"P-256": {1, 2, 840, 10045, 3, 1, 7},
	"P-384": {1, 3, 132, 0, 34},
	"P-521": {1, 3, 132, 0, 35},
}

// chain orders the token's other certificates that issued leaf, nearest
// first, as far as the token holds them.
func chain(leaf *x509.Certificate, certs []Cert) []*x509.Certificate {
	var out []*x509.Certificate
	cur := leaf
	for range len(certs) {
		var next *x509.Certificate
		for _, c := range certs {
			if c.Certificate == nil || c.Certificate.Equal(cur) || c.Certificate.Equal(leaf) {
				continue
			}
			if cur.CheckSignatureFrom(c.Certificate) == nil {
				next = c.Certificate
				break
			}
		}
		if next == nil {
			break
		}
		out = append(out, next)
		if bytes.Equal(next.RawSubject, next.RawIssuer) {
			break // a root
		}
		cur = next
	}
	return out
}

// tokenErr marks the return values that mean the token went away.
func tokenErr(err error) error {
	if removed(err) {
		return fmt.Errorf("%w: %w", ErrTokenRemoved, err)
	}
	return err
}

// removed reports whether err says the token (and so the session) is gone.
func removed(err error) bool {
	return isRV(err, ckrDeviceRemoved) || isRV(err, ckrTokenNotPresent) || isRV(err, ckrSessionHandleInvalid)
}
