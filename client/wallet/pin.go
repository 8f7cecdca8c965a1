package wallet

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// trustedDir holds the pinned receipt certificates, one PEM file each, named
// receipt-cert-<SHA-256 of the DER, hex>.pem.
const trustedDir = "trusted"

const (
	pinPrefix = "receipt-cert-"
	pinSuffix = ".pem"
)

// Fingerprint is the SHA-256 of a certificate's DER, in lower-case hex: how a
// pinned certificate is named and how a person compares it with the one the
// issuance server publishes.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Pinned returns the receipt certificates the wallet trusts: those given by
// configuration, then those pinned in its folder.
func (w *Wallet) Pinned() []*x509.Certificate {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.pins)
}

// Pin makes the wallet trust receipts signed with cert from now on, by writing
// it to trusted/ (atomically). Pinning a certificate again is harmless.
func (w *Wallet) Pin(cert *x509.Certificate) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pin(cert)
}

func (w *Wallet) pin(cert *x509.Certificate) error {
	if slices.ContainsFunc(w.pins, cert.Equal) {
		return nil
	}
	dir := filepath.Join(w.dir, trustedDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := w.writeFile(filepath.Join(dir, pinPrefix+Fingerprint(cert)+pinSuffix), data); err != nil {
		return err
	}
	w.pins = append(w.pins, cert)
	return nil
}

// PinAtFirstContact pins the certificate fetch returns if the wallet trusts
// none yet (trust on first use), and does nothing otherwise: once a
// certificate is pinned, a server that later presents another one is not
// believed, and its receipts show as foreign. fetch is typically
// (*client.Client).ReceiptCertificate. A certificate outside its validity
// period is refused.
func (w *Wallet) PinAtFirstContact(ctx context.Context, fetch func(context.Context) (*x509.Certificate, error)) error {
	w.mu.Lock()
	pinned := len(w.pins) > 0
	w.mu.Unlock()
	if pinned {
		return nil
	}
	cert, err := fetch(ctx)
	if err != nil {
		return fmt.Errorf("wallet: fetch the receipt certificate: %w", err)
	}
	if now := w.now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return fmt.Errorf("wallet: the receipt certificate is valid from %s to %s, not now",
			cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pins) > 0 { // pinned meanwhile
		return nil
	}
	return w.pin(cert)
}

// loadPins reads the configured and the pinned certificates. A file in
// trusted/ whose name does not match its content is ignored: it was not
// written by Pin.
func (w *Wallet) loadPins() error {
	w.pins = slices.Clone(w.configured)
	des, err := os.ReadDir(filepath.Join(w.dir, trustedDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		if !strings.HasPrefix(name, pinPrefix) || !strings.HasSuffix(name, pinSuffix) || !de.Type().IsRegular() {
			continue
		}
		data, err := readFile(filepath.Join(w.dir, trustedDir, name))
		if err != nil {
			continue
		}
		certs, err := ParseCertificates(data)
		if err != nil || len(certs) != 1 || pinPrefix+Fingerprint(certs[0])+pinSuffix != name {
			continue
		}
		if !slices.ContainsFunc(w.pins, certs[0].Equal) {
			w.pins = append(w.pins, certs[0])
		}
	}
	return nil
}

// ParseCertificates reads certificates in PEM (any number) or DER (one), as
// a receipt certificate given by configuration may come.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("wallet: certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) > 0 {
		return certs, nil
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("wallet: neither PEM certificates nor one DER certificate: %w", err)
	}
	return []*x509.Certificate{c}, nil
}

// ReadCertificateFile reads the certificates in a PEM or DER file, for
// WithPinned.
func ReadCertificateFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return ParseCertificates(data)
}
