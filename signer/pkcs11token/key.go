package pkcs11token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// ErrPSS is returned when asked for an RSA-PSS signature: bonsign's CMS
// signatures are PKCS #1 v1.5, and many tokens have no CKM_RSA_PKCS_PSS.
var ErrPSS = errors.New("pkcs11token: RSA-PSS is not supported; sign with PKCS #1 v1.5")

// Key is a private key on a token, reached through a logged-in session. It
// implements crypto.Signer and io.Closer; Identity returns it as the
// signer.Identity's Key.
//
// Close logs out and closes the session. After Close, Sign fails with
// ErrClosed. Closing the Module closes its Keys too.
type Key struct {
	m       *Module
	slot    uint
	session sessionHandle
	handle  objectHandle
	pub     crypto.PublicKey // from the certificate with the same CKA_ID

	// alwaysAuth: the key has CKA_ALWAYS_AUTHENTICATE, so each signature
	// needs a context-specific login; pin is kept for it (the person is not
	// asked again) and wiped on Close.
	alwaysAuth bool
	pin        []byte

	closed bool // guarded by m.mu
}

var (
	_ crypto.Signer = (*Key)(nil)
	_ io.Closer     = (*Key)(nil)
)

// Public is the public key of the certificate the key was found by.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Slot is the slot of the token holding the key.
func (k *Key) Slot() uint { return k.slot }

// Sign signs digest, which must be the hash of the message by opts.HashFunc().
// RSA keys sign with CKM_RSA_PKCS over the DigestInfo (SHA-1, SHA-256,
// SHA-384, SHA-512); *rsa.PSSOptions is refused with ErrPSS. EC keys sign
// with CKM_ECDSA and the token's r||s is returned as the ASN.1 SEQUENCE that
// X.509 and CMS use. rand is not used: the token has its own.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	var (
		mech uint
		data []byte
	)
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		if _, ok := opts.(*rsa.PSSOptions); ok {
			return nil, ErrPSS
		}
		di, err := digestInfo(opts.HashFunc(), digest)
		if err != nil {
			return nil, err
		}
		mech, data = ckmRSAPKCS, di
	case *ecdsa.PublicKey:
		if h := opts.HashFunc(); h != 0 && len(digest) != h.Size() {
			return nil, fmt.Errorf("pkcs11token: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
		}
		mech, data = ckmECDSA, digest
	default:
		return nil, fmt.Errorf("pkcs11token: unsupported public key %T", pub)
	}

	k.m.mu.Lock()
	defer k.m.mu.Unlock()
	if k.closed {
		return nil, fmt.Errorf("pkcs11token: key: %w", ErrClosed)
	}
	p := k.m.p
	if err := p.SignInit(k.session, mech, k.handle); err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: sign: %w", k.slot, tokenErr(err))
	}
	if k.alwaysAuth {
		if err := p.Login(k.session, ckuContextSpecific, string(k.pin)); err != nil {
			// The signing operation stays active in the session and no
			// standard call cancels it: give the session up.
			lerr := k.m.loginError(k.slot, err)
			k.closeLocked()
			return nil, lerr
		}
	}
	sig, err := p.Sign(k.session, data)
	if err != nil {
		return nil, fmt.Errorf("pkcs11token: slot %d: sign: %w", k.slot, tokenErr(err))
	}
	if pub, ok := k.pub.(*ecdsa.PublicKey); ok {
		return rsToASN1(sig, (pub.Curve.Params().BitSize+7)/8)
	}
	return sig, nil
}

// Close logs out of the token and closes the session. It is safe to call
// more than once.
func (k *Key) Close() error {
	k.m.mu.Lock()
	defer k.m.mu.Unlock()
	return k.closeLocked()
}

// closeLocked is Close with k.m.mu held.
func (k *Key) closeLocked() error {
	if k.closed {
		return nil
	}
	k.closed = true
	clear(k.pin)
	k.pin = nil
	if k.m.keys[k.slot] == k {
		delete(k.m.keys, k.slot)
	}
	var errs []error
	// A removed token has already forgotten the login and the session.
	if err := k.m.p.Logout(k.session); err != nil && !isRV(err, ckrUserNotLoggedIn) && !removed(err) {
		errs = append(errs, fmt.Errorf("pkcs11token: slot %d: log out: %w", k.slot, err))
	}
	if err := k.m.p.CloseSession(k.session); err != nil && !removed(err) {
		errs = append(errs, fmt.Errorf("pkcs11token: slot %d: close session: %w", k.slot, err))
	}
	return errors.Join(errs...)
}

// DigestInfo prefixes: the DER of DigestInfo up to the digest's OCTET STRING
// header, for each hash bonsign signs with (RFC 8017 §9.2, note 1).
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// digestInfo is the input CKM_RSA_PKCS signs for a PKCS #1 v1.5 signature:
// the DER DigestInfo of digest (RFC 8017 §9.2 step 2). The mechanism adds
// only the padding.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	prefix, ok := digestInfoPrefix[h]
	if !ok {
		return nil, fmt.Errorf("pkcs11token: unsupported hash %v for RSA PKCS #1 v1.5", h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("pkcs11token: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	return append(append(make([]byte, 0, len(prefix)+len(digest)), prefix...), digest...), nil
}

// rsToASN1 turns CKM_ECDSA's output, r and s as two big-endian halves of
// size bytes each (PKCS#11 v2.40 Current Mechanisms, CKM_ECDSA), into the
// Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER } of RFC 3279 §2.2.3.
func rsToASN1(rs []byte, size int) ([]byte, error) {
	if len(rs) != 2*size {
		return nil, fmt.Errorf("pkcs11token: ECDSA signature is %d bytes, want %d (r||s)", len(rs), 2*size)
	}
	r := new(big.Int).SetBytes(rs[:size])
	s := new(big.Int).SetBytes(rs[size:])
	if r.Sign() == 0 || s.Sign() == 0 {
		return nil, errors.New("pkcs11token: ECDSA signature has a zero r or s")
	}
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}
