// Package npki reads Korean NPKI certificates (공동인증서, formerly 공인인증서):
// the signCert.der + signPri.key pairs that the licensed CAs (yessign,
// CrossCert, SignKorea, KICA, NCASign, ...) issue to citizens, kept in NPKI
// folders on the computer or on a USB stick.
//
// ParseKey decrypts signPri.key, a PKCS#8 EncryptedPrivateKeyInfo sealed with
// the SEED cipher in one of three schemes (see ParseKey). Open opens a whole
// certificate folder to a signer.Identity. Roots and Find discover the folders
// on this machine. VID and CheckVID bind a certificate to a resident
// registration number through the certificate's identifyData and the random
// number R kept inside the private key (KISA's VID scheme). EncryptKey and
// Rekey write a key back, in the modern PBES2 form.
//
// Secrets: the password, the private key and R are the citizen's. R is as
// sensitive as the resident registration number itself (with a known birth
// date the rest of the number can be searched for against the public VID), so
// nothing here prints, logs or returns it except Key.RandomNum; Key's String
// and Format show neither the key nor R.
package npki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/bonsign/bonsign/signer"
)

// ErrWrongPassword is returned when the password does not open signPri.key:
// after decryption the padding or the PrivateKeyInfo structure is wrong. It is
// signer.ErrWrongPassword, so errors.Is works whichever package a caller
// checks against.
var ErrWrongPassword = signer.ErrWrongPassword

// ErrDamaged is returned for a key file that is not a well-formed
// EncryptedPrivateKeyInfo (truncated, garbage, impossible parameters), or
// whose decrypted key is malformed inside: no password would open it.
var ErrDamaged = errors.New("npki: damaged key file")

// ErrKeyMismatch is returned by Open when signPri.key does not hold the
// private key of signCert.der.
var ErrKeyMismatch = errors.New("npki: the private key does not belong to the certificate")

// UnsupportedAlgorithmError reports an algorithm this package does not
// implement, by OID: for example AES inside PBES2, where OID is the
// encryption scheme's (2.16.840.1.101.3.4.1.42 for AES-256-CBC), not PBES2's.
type UnsupportedAlgorithmError struct {
	OID asn1.ObjectIdentifier
	// Use says what the algorithm was for: "key encryption algorithm", "key
	// derivation function", "pseudorandom function", "encryption scheme",
	// "private key algorithm" or "VID hash algorithm".
	Use string
}

func (e *UnsupportedAlgorithmError) Error() string {
	return fmt.Sprintf("npki: unsupported %s %s", e.Use, e.OID)
}

// Unwrap makes an unsupported private-key algorithm (KCDSA, say) match
// signer.ErrUnsupportedKey.
func (e *UnsupportedAlgorithmError) Unwrap() error {
	if e.Use == usePrivateKey {
		return signer.ErrUnsupportedKey
	}
	return nil
}

const (
	useKeyEncryption = "key encryption algorithm"
	useKeyDerivation = "key derivation function"
	usePRF           = "pseudorandom function"
	useEncryption    = "encryption scheme"
	usePrivateKey    = "private key algorithm"
	useVIDHash       = "VID hash algorithm"
)

// Private-key algorithms in PrivateKeyInfo (RFC 5958 section 2; RFC 8017
// appendix C; RFC 5480 section 2.1.1).
var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// oidRandomNum is KISA's randomNum attribute of the private key (KCAC.TS.SIVID,
// "Subject Identification Method using VID"): SET { BIT STRING R }.
var oidRandomNum = asn1.ObjectIdentifier{1, 2, 410, 200004, 10, 1, 1, 3}

// Key is an opened NPKI private key: the signer and the random number R
// that the VID binds to the resident registration number. It implements
// crypto.Signer. Printing a Key shows its type and size only.
type Key struct {
	signer    crypto.Signer
	randomNum []byte // R, without the BIT STRING's unused-bits octet; nil when absent
	info      []byte // the decrypted PrivateKeyInfo, kept byte for byte for EncryptKey
}

// Signer returns the private key (*rsa.PrivateKey or *ecdsa.PrivateKey).
func (k *Key) Signer() crypto.Signer { return k.signer }

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.signer.Public() }

// Sign signs digest with the private key; see crypto.Signer.
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.signer.Sign(rand, digest, opts)
}

// RandomNum returns a copy of R, the randomNum attribute of the key, or nil
// when the key has none. R is as secret as a resident registration number:
// send it only over TLS to the party checking the VID, and never log it.
func (k *Key) RandomNum() []byte {
	if k.randomNum == nil {
		return nil
	}
	return append([]byte(nil), k.randomNum...)
}

// String describes the key without showing any secret: "npki key (RSA-2048,
// with randomNum)".
func (k Key) String() string {
	kind := "unknown"
	switch pub := k.signer.(type) {
	case *rsa.PrivateKey:
		kind = fmt.Sprintf("RSA-%d", pub.N.BitLen())
	case *ecdsa.PrivateKey:
		kind = "ECDSA " + pub.Curve.Params().Name
	}
	r := "without randomNum"
	if k.randomNum != nil {
		r = "with randomNum"
	}
	return "npki key (" + kind + ", " + r + ")"
}

// GoString is String, so that %#v shows no secret either.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb: without it %d or %x would print the
// fields, R included.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// NewKey makes a Key from a private key and the random number R (nil for
// none): the PKCS#8 encoding of priv with the randomNum attribute, as an NPKI
// CA would write it. It is how tests and the demo CA make NPKI keys; encrypt
// the result with EncryptKey.
func NewKey(priv crypto.Signer, randomNum []byte) (*Key, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	if randomNum != nil {
		var info privateKeyInfo
		if _, err := asn1.Unmarshal(der, &info); err != nil {
			return nil, fmt.Errorf("npki: %w", err)
		}
		attrs, err := marshalRandomNum(randomNum)
		if err != nil {
			return nil, err
		}
		info.Attributes = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: attrs}
		if der, err = asn1.Marshal(info); err != nil {
			return nil, fmt.Errorf("npki: %w", err)
		}
	}
	return parsePrivateKeyInfo(der)
}

// privateKeyInfo is PKCS#8's PrivateKeyInfo (RFC 5208 section 5). NPKI keys
// carry attributes; a version 2 OneAsymmetricKey (RFC 5958) may add a public
// key after them, which encoding/asn1 leaves unread.
type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// attribute is an Attribute of RFC 5208/RFC 2985: a type and a SET of values.
type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

func marshalRandomNum(r []byte) ([]byte, error) {
	bs, err := asn1.Marshal(asn1.BitString{Bytes: r, BitLength: 8 * len(r)})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	attr, err := asn1.Marshal(attribute{
		Type:   oidRandomNum,
		Values: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: bs},
	})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	return attr, nil
}

// errNotAKey marks decrypted bytes that are not a PrivateKeyInfo at all: the
// sign of a wrong password.
var errNotAKey = errors.New("not a PrivateKeyInfo")

// parsePrivateKeyInfo turns decrypted bytes into a Key. Bytes that do not even
// have PrivateKeyInfo's outline give errNotAKey (a wrong password); a
// well-formed outline around an unknown algorithm or a broken key is reported
// as such, since no password would do better.
func parsePrivateKeyInfo(der []byte) (*Key, error) {
	var info privateKeyInfo
	rest, err := asn1.Unmarshal(der, &info)
	if err != nil || len(rest) != 0 || (info.Version != 0 && info.Version != 1) {
		return nil, errNotAKey
	}
	alg := info.Algorithm.Algorithm
	if !alg.Equal(oidRSAEncryption) && !alg.Equal(oidECPublicKey) {
		return nil, &UnsupportedAlgorithmError{OID: alg, Use: usePrivateKey}
	}
	// Go's parser reads the same outline and ignores the attributes.
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %v", ErrDamaged, err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("npki: %w: %T", signer.ErrUnsupportedKey, priv)
	}
	k := &Key{signer: s, info: der}
	if info.Attributes.Tag == 0 && info.Attributes.Class == asn1.ClassContextSpecific {
		if k.randomNum, err = findRandomNum(info.Attributes.Bytes); err != nil {
			return nil, fmt.Errorf("%w: randomNum attribute: %v", ErrDamaged, err)
		}
	}
	return k, nil
}

// findRandomNum reads the attributes (the contents of the [0] IMPLICIT SET OF
// Attribute) and returns R from randomNum, or nil when there is none.
func findRandomNum(attrs []byte) ([]byte, error) {
	var r []byte
	for len(attrs) > 0 {
		var a attribute
		var err error
		if attrs, err = asn1.Unmarshal(attrs, &a); err != nil {
			return nil, err
		}
		if !a.Type.Equal(oidRandomNum) {
			continue
		}
		if r != nil {
			return nil, errors.New("more than one")
		}
		v := a.Values
		if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagSet || !v.IsCompound {
			return nil, errors.New("values are not a SET")
		}
		var bs asn1.BitString
		rest, err := asn1.Unmarshal(v.Bytes, &bs)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, errors.New("more than one value")
		}
		if bs.BitLength%8 != 0 || len(bs.Bytes) == 0 {
			return nil, fmt.Errorf("R of %d bits", bs.BitLength)
		}
		r = bs.Bytes
	}
	return r, nil
}
