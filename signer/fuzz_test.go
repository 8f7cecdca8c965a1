package signer_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
	"software.sslmate.com/src/go-pkcs12"
)

// FuzzParsePKCS12: any bytes give a complete identity or an error, never a
// panic.
func FuzzParsePKCS12(f *testing.F) {
	ca := testpki.NewCA(f, "fuzz CA")
	leaf := ca.Issue(f, "홍길동", testpki.Options{ECDSA: true})
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.LegacyDES, pkcs12.Modern2023} {
		data, err := enc.Encode(leaf.Key, leaf.Cert, leaf.Chain, "pw")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03})
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := signer.ParsePKCS12(data, "pw")
		if err == nil && (id.Key == nil || id.Certificate == nil) {
			t.Fatal("an identity without key or certificate")
		}
	})
}

// FuzzVerifyCMS: the server's CMS parser never panics, and anything it
// accepts is signed by a certificate of the trusted CA.
func FuzzVerifyCMS(f *testing.F) {
	ca := testpki.NewCA(f, "fuzz CA")
	leaf := ca.Issue(f, "홍길동", testpki.Options{ECDSA: true})
	id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
	der, err := id.SignCMS([]byte(`{"purpose":"fuzz"}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add([]byte{0x30, 0x03, 0x06, 0x01, 0x00})
	roots := ca.Pool()
	now := time.Now()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := signer.VerifyCMS(data, signer.VerifyOptions{Roots: roots, Now: now})
		if err != nil {
			for _, want := range []error{signer.ErrBadSignature, signer.ErrCertExpired, signer.ErrCertUntrusted, signer.ErrContentMismatch} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("an error of no known kind: %v", err)
		}
		if _, err := v.Certificate.Verify(x509Opts(roots, now)); err != nil {
			t.Fatalf("accepted a signature whose certificate does not chain: %v", err)
		}
	})
}

func x509Opts(roots *x509.CertPool, now time.Time) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
}
