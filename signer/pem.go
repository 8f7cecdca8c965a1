package signer

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/youmark/pkcs8"
)

// OpenPEM reads PEM files holding a certificate, optionally its CA
// certificates, and its private key (PKCS#8, encrypted or not; or the older
// "RSA PRIVATE KEY" / "EC PRIVATE KEY" forms unencrypted). The key may be in
// the same file as the certificates or in a file of its own: pass every path.
func OpenPEM(password string, paths ...string) (*Identity, error) {
	var all []byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("pem: %w", err)
		}
		all = append(append(all, data...), '\n')
	}
	return ParsePEM(all, password)
}

// ParsePEM is OpenPEM on data already read.
func ParsePEM(data []byte, password string) (*Identity, error) {
	var certs []*x509.Certificate
	var key crypto.Signer
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("pem: certificate: %w", err)
			}
			certs = append(certs, c)
		case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if key != nil {
				return nil, errors.New("pem: more than one private key")
			}
			k, err := parsePEMKey(b, password)
			if err != nil {
				return nil, err
			}
			key = k
		}
	}
	if key == nil {
		return nil, errors.New("pem: no private key found")
	}
	// The leaf is the certificate of the key; the others are its chain.
	for i, c := range certs {
		if pubEqual(key.Public(), c.PublicKey) {
			chain := append(append([]*x509.Certificate{}, certs[:i]...), certs[i+1:]...)
			return newIdentity(key, c, chain)
		}
	}
	return nil, errors.New("pem: no certificate matches the private key")
}

func parsePEMKey(b *pem.Block, password string) (crypto.Signer, error) {
	if _, encrypted := b.Headers["DEK-Info"]; encrypted {
		// RFC 1423 encryption (OpenSSL's "traditional" format) is insecure by design.
		return nil, errors.New("pem: keys encrypted in the old OpenSSL format are not supported: convert with openssl pkcs8 -topk8")
	}
	var k any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		k, err = pkcs8.ParsePKCS8PrivateKey(b.Bytes, []byte(password))
		// The library has no sentinel error; its message is stable.
		if err != nil && strings.Contains(err.Error(), "incorrect password") {
			return nil, fmt.Errorf("pem: %w", ErrWrongPassword)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pem: private key: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("pem: %w: %T", ErrUnsupportedKey, k)
	}
	return s, nil
}
