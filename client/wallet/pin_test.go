package wallet_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/client/wallet/wallettest"
)

// fetcher counts the calls of a stand-in for client.ReceiptCertificate.
type fetcher struct {
	cert  *x509.Certificate
	err   error
	calls int
}

func (f *fetcher) fetch(context.Context) (*x509.Certificate, error) {
	f.calls++
	return f.cert, f.err
}

func TestPinAtFirstContactPinsOnceAndForAll(t *testing.T) {
	is, impostor := wallettest.NewIssuer(t, 50), wallettest.NewIssuer(t, 51)
	w := open(t, nil)
	ctx := context.Background()

	down := &fetcher{err: errors.New("connection refused")}
	if err := w.PinAtFirstContact(ctx, down.fetch); err == nil || len(w.Pinned()) != 0 {
		t.Fatalf("an unreachable server: %v, %d pinned", err, len(w.Pinned()))
	}
	first := &fetcher{cert: is.Certificate()}
	if err := w.PinAtFirstContact(ctx, first.fetch); err != nil {
		t.Fatal(err)
	}
	later := &fetcher{cert: impostor.Certificate()}
	if err := w.PinAtFirstContact(ctx, later.fetch); err != nil {
		t.Fatal(err)
	}
	if later.calls != 0 {
		t.Errorf("with a pinned certificate the server was asked again")
	}
	pins := w.Pinned()
	if len(pins) != 1 || !pins[0].Equal(is.Certificate()) {
		t.Fatalf("pinned %d certificates, want the first one", len(pins))
	}
	// Written where docs/receipt.md says, named by its fingerprint, and
	// read back by the next Open.
	p := filepath.Join(w.Dir(), "trusted", "receipt-cert-"+wallet.Fingerprint(is.Certificate())+".pem")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(data); b == nil || b.Type != "CERTIFICATE" || string(b.Bytes) != string(is.Certificate().Raw) {
		t.Errorf("%s does not hold the certificate in PEM", p)
	}
	if pins := reopen(t, w).Pinned(); len(pins) != 1 || !pins[0].Equal(is.Certificate()) {
		t.Errorf("after reopening: %d pinned", len(pins))
	}
}

func TestAConfiguredCertificateIsTrustedAndStopsPinningAtFirstContact(t *testing.T) {
	is, other := wallettest.NewIssuer(t, 52), wallettest.NewIssuer(t, 53)
	pemFile := filepath.Join(t.TempDir(), "receipt-cert.pem")
	writeFile(t, pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.Certificate().Raw}))
	derFile := filepath.Join(t.TempDir(), "receipt-cert.der")
	writeFile(t, derFile, is.Certificate().Raw)
	for _, file := range []string{pemFile, derFile} {
		certs, err := wallet.ReadCertificateFile(file)
		if err != nil || len(certs) != 1 {
			t.Fatalf("ReadCertificateFile(%s) = %d, %v", file, len(certs), err)
		}
		w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"), wallet.WithPinned(certs...))
		if err != nil {
			t.Fatal(err)
		}
		f := &fetcher{cert: other.Certificate()}
		if err := w.PinAtFirstContact(context.Background(), f.fetch); err != nil || f.calls != 0 {
			t.Errorf("first contact with a configured certificate: %v, %d calls", err, f.calls)
		}
		save(t, w, is.Issue(t, 0))
		if _, err := os.Stat(filepath.Join(w.Dir(), "trusted")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a configured certificate was written to the wallet")
		}
	}
	if _, err := wallet.ReadCertificateFile(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("reading a missing file succeeded")
	}
	if _, err := wallet.ParseCertificates([]byte("not a certificate")); err == nil {
		t.Error("parsing garbage succeeded")
	}
}

func TestACertificateOutsideItsValidityIsNotPinned(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "expired receipt key"},
		NotBefore:    time.Now().AddDate(-3, 0, 0),
		NotAfter:     time.Now().AddDate(-1, 0, 0),
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)
	w := open(t, nil)
	if err := w.PinAtFirstContact(context.Background(), (&fetcher{cert: cert}).fetch); err == nil || len(w.Pinned()) != 0 {
		t.Errorf("an expired certificate was pinned (%v)", err)
	}
}

func TestAFileInTrustedThatIsNotAPinIsIgnored(t *testing.T) {
	is, other := wallettest.NewIssuer(t, 54), wallettest.NewIssuer(t, 55)
	w := open(t, is)
	// A certificate dropped in under another certificate's name, and one
	// half-written by a crash.
	writeFile(t, filepath.Join(w.Dir(), "trusted", "receipt-cert-"+wallet.Fingerprint(is.Certificate())[:10]+strings.Repeat("0", 54)+".pem"),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Certificate().Raw}))
	writeFile(t, filepath.Join(w.Dir(), "trusted", ".tmp-1234"), []byte("-----BEGIN CERT"))
	if pins := reopen(t, w).Pinned(); len(pins) != 1 || !pins[0].Equal(is.Certificate()) {
		t.Errorf("pinned %d certificates, want only the one Pin wrote", len(pins))
	}
}

// TestConcurrentSavesAndListsLoseNothing: the app saves off the UI
// goroutine while the wallet screen lists.
func TestConcurrentSavesAndListsLoseNothing(t *testing.T) {
	is := wallettest.NewIssuer(t, 56)
	w := open(t, is)
	var xs []wallettest.Issued
	for i := range 24 {
		xs = append(xs, is.Issue(t, i))
	}
	var wg sync.WaitGroup
	for k := range 4 {
		wg.Go(func() {
			for i := k; i < len(xs); i += 4 {
				if _, err := w.Save(xs[i].Receipt, xs[i].Signature, xs[i].Confirmation); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			for range 10 {
				if _, err := w.Search("매도", wallet.OldestFirst); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if l := list(t, reopen(t, w)); len(l) != len(xs) {
		t.Errorf("listed %d receipts, want %d", len(l), len(xs))
	}
}
