// Package signer turns a certificate source into a crypto.Signer with its
// certificate chain, and signs content as CMS SignedData.
//
// Sources (a PKCS#12 file today) each open to an *Identity. The private key is
// used where it lives: nothing here sends it anywhere. signer/ never imports a UI
// toolkit or an HTTP client; a caller that needs a password asks the person
// itself and passes it in.
package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"
)

// ErrWrongPassword is returned when a certificate's password does not open it.
var ErrWrongPassword = errors.New("wrong certificate password")

// ErrUnsupportedKey is returned for a key type bonsign cannot sign with.
var ErrUnsupportedKey = errors.New("unsupported private key type")

// Identity is an opened certificate: the signer, its certificate, and the
// certificates of the CAs above it as the source supplied them.
type Identity struct {
	Key         crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
}

// OpenPKCS12 reads a PKCS#12 (.p12/.pfx) file and opens it with password.
func OpenPKCS12(path, password string) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	return ParsePKCS12(data, password)
}

// ParsePKCS12 opens PKCS#12 data with password. Both legacy (RC2/3DES, SHA-1
// MAC) and modern (AES-256, PBKDF2, SHA-256 MAC) files are read.
func ParsePKCS12(data []byte, password string) (*Identity, error) {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, fmt.Errorf("pkcs12: %w", ErrWrongPassword)
		}
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("pkcs12: %w: %T", ErrUnsupportedKey, key)
	}
	return newIdentity(s, cert, chain)
}

func newIdentity(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) (*Identity, error) {
	switch pub := key.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		if !pubEqual(pub, cert.PublicKey) {
			return nil, errors.New("the private key does not belong to the certificate")
		}
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	return &Identity{Key: key, Certificate: cert, Chain: chain}, nil
}

func pubEqual(a crypto.PublicKey, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// SignCMS signs content as a CAdES-BES signature: a CMS SignedData (RFC 5652)
// with the content encapsulated, SHA-256, the signed attributes content type,
// message digest, signing time and signing-certificate-v2 (RFC 5035), and the
// signer's certificate and chain included. The result is DER.
func (id *Identity) SignCMS(content []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: api.OIDSigningCertificateV2, Value: api.NewSigningCertificateV2(id.Certificate)},
	}}
	if err := sd.AddSignerChain(id.Certificate, id.Key, id.Chain, cfg); err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return der, nil
}

// Close releases what the source holds open, such as a token session. It is
// safe to call on any Identity.
func (id *Identity) Close() error {
	if c, ok := id.Key.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// RandomNum returns the NPKI random value R of id's private key (for the VID
// check that binds an NPKI certificate to a resident registration number),
// or nil for a key that has none. R is as secret as the number itself: never
// log it.
func RandomNum(id *Identity) []byte {
	if k, ok := id.Key.(interface{ RandomNum() []byte }); ok {
		return k.RandomNum()
	}
	return nil
}

// HolderName is the certificate holder's name as the certificate states it
// (the subject's common name).
func (id *Identity) HolderName() string { return id.Certificate.Subject.CommonName }
