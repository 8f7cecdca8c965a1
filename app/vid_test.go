package app

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"errors"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/npki"
)

// TestSigningRefusesAnotherPersonsNPKICertificate: before anything is signed,
// a certificate whose VID is not that of the number in the confirmation is
// refused with the sentence for it; the right number passes, and a
// certificate without a VID is left to the server.
func TestSigningRefusesAnotherPersonsNPKICertificate(t *testing.T) {
	priv, _ := rsa.GenerateKey(rand.Reader, 2048)
	r := make([]byte, 20)
	rand.Read(r)
	key, _ := npki.NewKey(priv, r)
	ext, err := npki.MakeIdentifyDataExtension("홍길동", "900101-1234568", r, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	ca := testpki.NewCA(t, "ca")
	leaf := ca.Issue(t, "홍길동", testpki.Options{Key: priv, Extensions: []pkix.Extension{ext}})
	id := &signer.Identity{Key: key, Certificate: leaf.Cert}
	if err := checkOwnCertificate(id, "900101-1234568"); err != nil {
		t.Fatalf("the citizen's own certificate: %v", err)
	}
	err = checkOwnCertificate(id, "850505-2345678")
	if !errors.Is(err, npki.ErrVIDMismatch) || english.errorText(err, txtErrUnknown) != txtErrNotYours.en {
		t.Fatalf("another number: %v", err)
	}
	plain := ca.Issue(t, "홍길동", testpki.Options{})
	if err := checkOwnCertificate(&signer.Identity{Key: plain.Key, Certificate: plain.Cert}, "850505-2345678"); err != nil {
		t.Fatalf("a certificate without R: %v", err)
	}
}
