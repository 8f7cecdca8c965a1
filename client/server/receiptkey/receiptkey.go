// Package receiptkey keeps the issuance server's receipt signing key: an ECDSA
// P-256 key and a self-signed certificate that clients pin. Both are created
// on first start, the key with owner-only permissions, and can be replaced by
// configuration with a key and certificate issued elsewhere.
package receiptkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"
)

// Key is the receipt signer.
type Key struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate
}

// LoadOrCreate reads the PEM key (PKCS#8) and certificate at keyPath and
// certPath, creating both when neither exists. A key without its certificate,
// or the reverse, is an error rather than a silent replacement: clients have
// pinned the old certificate.
func LoadOrCreate(keyPath, certPath string) (*Key, error) {
	_, kerr := os.Stat(keyPath)
	_, cerr := os.Stat(certPath)
	switch {
	case errors.Is(kerr, os.ErrNotExist) && errors.Is(cerr, os.ErrNotExist):
		return create(keyPath, certPath)
	case kerr != nil:
		return nil, fmt.Errorf("receipt key: %w", kerr)
	case cerr != nil:
		return nil, fmt.Errorf("receipt key: %w", cerr)
	}
	return Load(keyPath, certPath)
}

// Load reads a PEM PKCS#8 ECDSA or RSA key and its PEM certificate.
func Load(keyPath, certPath string) (*Key, error) {
	kp, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	b, _ := pem.Decode(kp)
	if b == nil {
		return nil, fmt.Errorf("receipt key: %s is not PEM", keyPath)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %s: %w", keyPath, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("receipt key: %s: unsupported key %T", keyPath, k)
	}
	cp, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	cb, _ := pem.Decode(cp)
	if cb == nil {
		return nil, fmt.Errorf("receipt key: %s is not PEM", certPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %s: %w", certPath, err)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := signer.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("receipt key: %s does not belong to %s", keyPath, certPath)
	}
	return &Key{Signer: signer, Certificate: cert}, nil
}

func create(keyPath, certPath string) (*Key, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Country: []string{"KR"}, Organization: []string{"bonsign"}, CommonName: "bonsign 발급증 서명 (receipt signing)"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(20, 0, 0), // receipts are kept 10 years: outlive them
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600); err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	return &Key{Signer: key, Certificate: cert}, nil
}

// Ephemeral returns a fresh key that is not stored: for tests.
func Ephemeral() (*Key, error) {
	dir, err := os.MkdirTemp("", "receiptkey")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return create(dir+"/k.pem", dir+"/c.pem")
}
