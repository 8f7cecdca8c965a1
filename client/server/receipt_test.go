package server_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/internal/testpki"
)

// TestReceiptsVerifyOffline: the receipt the server returns verifies against
// the certificate it serves for pinning, with bonsign and with openssl.
func TestReceiptsVerifyOffline(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	ctx := context.Background()
	conf := draft()
	resp, err := c.IssueSigned(ctx, conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := client.New(h.url).ReceiptCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := resp.Receipt.Canonical()
	got, err := receipt.Verify(content, resp.ReceiptSignature, pinned)
	if err != nil || *got != resp.Receipt {
		t.Fatalf("receipt does not verify: %v", err)
	}

	dir := t.TempDir()
	files := map[string][]byte{
		"receipt.json":     content,
		"receipt.p7s":      resp.ReceiptSignature,
		"receipt-cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pinned.Raw}),
	}
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	// The command docs/receipt.md gives.
	testpki.Run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER",
		"-in", filepath.Join(dir, "receipt.p7s"), "-content", filepath.Join(dir, "receipt.json"),
		"-CAfile", filepath.Join(dir, "receipt-cert.pem"), "-purpose", "any", "-out", os.DevNull)
}

// TestLookupsSendTheReceiptSignedAtIssuance: the receipt's signature is made
// once, at issuance, and the institution's lookup sends that same signature.
func TestLookupsSendTheReceiptSignedAtIssuance(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	ctx := context.Background()
	conf := draft()
	issued, err := c.IssueSigned(ctx, conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.New(h.url).Verify(ctx, h.npsKey, issued.Receipt.IssueNumber, citizenName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.ReceiptSignature, issued.ReceiptSignature) || got.Receipt != issued.Receipt {
		t.Fatal("the lookup signed the receipt anew instead of sending the issuance's signature")
	}
}
