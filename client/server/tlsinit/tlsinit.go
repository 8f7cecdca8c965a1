// Package tlsinit gives a small bonsign deployment its TLS: a private CA and a
// server certificate for the names the server answers to, and the server's
// tls.Config (TLS 1.2 and later, the standard library's cipher choices).
// Clients pin the private CA: they trust it and nothing else.
package tlsinit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files are where Init keeps what it makes, in one folder.
type Files struct {
	CA   string // the private CA's certificate (PEM): give it to clients
	Cert string // the server's certificate (PEM)
	Key  string // the server's key (PEM, PKCS#8), owner-only
}

// FilesIn names the files of Init in dir.
func FilesIn(dir string) Files {
	return Files{
		CA:   filepath.Join(dir, "tls-ca.pem"),
		Cert: filepath.Join(dir, "tls-cert.pem"),
		Key:  filepath.Join(dir, "tls-key.pem"),
	}
}

// Init makes a private CA and a server certificate for hosts (DNS names or IP
// addresses) in dir, unless the files are already there. The CA's key is not
// kept: a new server certificate means a new CA, which clients pin again.
func Init(dir string, hosts []string) (Files, error) {
	f := FilesIn(dir)
	if _, err := os.Stat(f.Cert); err == nil {
		if _, err := os.Stat(f.Key); err == nil {
			return f, nil
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"bonsign"}, CommonName: "bonsign private TLS CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"bonsign"}, CommonName: "bonsign server"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return f, fmt.Errorf("tls: %w", err)
	}
	writes := []struct {
		path string
		typ  string
		der  []byte
		mode os.FileMode
	}{
		{f.CA, "CERTIFICATE", caDER, 0o644},
		{f.Key, "PRIVATE KEY", pk, 0o600},
		{f.Cert, "CERTIFICATE", der, 0o644},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, pem.EncodeToMemory(&pem.Block{Type: w.typ, Bytes: w.der}), w.mode); err != nil {
			return f, fmt.Errorf("tls: %w", err)
		}
	}
	return f, nil
}

// ServerConfig is the server's TLS configuration for a certificate and key in
// PEM files: TLS 1.2 and later, everything else the standard library's
// defaults (which keep only AEAD cipher suites with forward secrecy first).
func ServerConfig(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// ClientConfig trusts only the CA certificates in caPEM (pinning) and speaks
// TLS 1.2 and later.
func ClientConfig(caPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("tls: no PEM certificate in the CA file")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic("tls: crypto/rand failed: " + err.Error())
	}
	return n
}
