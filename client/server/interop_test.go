package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
)

// TestServerAcceptsOpenSSLSignature: a CMS made by an independent
// implementation, `openssl cms -sign`, over the canonical JSON is issued.
func TestServerAcceptsOpenSSLSignature(t *testing.T) {
	for name, extra := range map[string][]string{"plain CMS": nil, "CAdES-BES (-cades)": {"-cades"}} {
		t.Run(name, func(t *testing.T) { testOpenSSLSignature(t, extra) })
	}
}

func testOpenSSLSignature(t *testing.T, extra []string) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	dir := t.TempDir()
	certPath, keyPath := h.citizen.WritePEM(t, dir)
	conf := draft()
	content, err := conf.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "confirmation.json")
	os.WriteFile(in, content, 0o600)
	out := filepath.Join(dir, "confirmation.p7s")
	testpki.Run(t, "openssl", append([]string{"cms", "-sign", "-binary", "-nodetach", "-md", "sha256",
		"-in", in, "-signer", certPath, "-inkey", keyPath, "-outform", "DER", "-out", out}, extra...)...)
	sig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Issue(context.Background(), conf, sig)
	if err != nil {
		t.Fatalf("the server refused openssl's signature: %v", err)
	}
	if h.count() != 1 || r.Name != citizenName {
		t.Fatalf("receipt %+v, %d stored", r, h.count())
	}
}
