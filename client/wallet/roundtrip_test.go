package wallet_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
)

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// issueOnDemo logs the demo citizen in on a real server, passes the phone
// check, signs a confirmation locally and issues it. It returns the server's
// answer and the CMS the citizen submitted.
func issueOnDemo(t *testing.T, env *demo.Env, c *client.Client, purpose string) (*api.IssueResponse, []byte) {
	t.Helper()
	ctx := context.Background()
	id, err := signer.OpenPKCS12(env.CertPath, env.Password)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token() == "" {
		if _, err := c.Login(ctx, id.SignCMS); err != nil {
			t.Fatalf("login: %v", err)
		}
		if _, err := c.RequestCode(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := env.Outbox()
		m := codeRE.FindStringSubmatch(msgs[len(msgs)-1])
		if m == nil {
			t.Fatalf("no code in %q", msgs[len(msgs)-1])
		}
		if err := c.VerifyCode(ctx, m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var idb [16]byte
	rand.Read(idb[:])
	conf := api.Confirmation{
		Version:      api.ConfirmationVersion,
		ID:           hex.EncodeToString(idb[:]),
		CreatedAt:    time.Now().In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: env.Name, RRN: env.RRN, Address: env.Address},
		Purpose:      purpose,
		Counterparty: api.Counterparty{Name: "주식회사 데모부동산", ID: "220-81-62517", Address: "서울특별시 중구 세종대로 110"},
		Delegate:     &api.Person{Name: "김대리", RRN: "850505-2345678", Address: "서울특별시 마포구 데모로 5"},
		Institution:  api.Institution{Code: env.Institution, Name: "국민연금공단"},
	}
	content, err := conf.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	cms, err := id.SignCMS(content)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.IssueSigned(ctx, conf, cms)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return resp, cms
}

// TestRoundTripServerClientWalletOffline: a real server on 127.0.0.1 issues a
// receipt; the client pins the server's receipt certificate at first contact,
// verifies the receipt and saves it; with the server stopped the wallet still
// proves it genuine, and so does openssl with the pinned certificate.
func TestRoundTripServerClientWalletOffline(t *testing.T) {
	env, err := demo.Start(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			env.Close()
		}
	})
	c := client.New(env.URL)
	w, err := wallet.Open(env.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.PinAtFirstContact(ctx, c.ReceiptCertificate); err != nil {
		t.Fatal(err)
	}
	resp, cms := issueOnDemo(t, env, c, "부동산 매도 (서울특별시 종로구 데모동 1-1 아파트 101호)")
	e, err := w.Save(resp.Receipt, resp.ReceiptSignature, cms)
	if err != nil || e.Status != wallet.Verified {
		t.Fatalf("Save = %+v, %v", e, err)
	}
	n := resp.Receipt.IssueNumber

	env.Close()
	stopped = true
	if _, err := c.ReceiptCertificate(ctx); !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("the server still answers: %v", err)
	}

	w2, err := wallet.Open(env.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	if err := w2.PinAtFirstContact(ctx, func(context.Context) (*x509.Certificate, error) { calls++; return nil, errors.New("offline") }); err != nil || calls != 0 {
		t.Errorf("with a pinned certificate the wallet asked the server again (%d calls, %v)", calls, err)
	}
	got := get(t, w2, n)
	if got.Status != wallet.Verified || got.Receipt != resp.Receipt {
		t.Fatalf("offline Get = %+v, want the receipt the server issued, verified", got)
	}
	if l := list(t, w2); len(l) != 1 || l[0].Receipt != resp.Receipt {
		t.Errorf("offline List = %+v", l)
	}

	// The command docs/receipt.md gives, on the wallet's own files.
	pins, _ := filepath.Glob(filepath.Join(env.WalletDir, "trusted", "receipt-cert-*.pem"))
	if len(pins) != 1 {
		t.Fatalf("pinned certificates: %q", pins)
	}
	folder := filepath.Join(env.WalletDir, n)
	testpki.Run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER",
		"-in", filepath.Join(folder, "receipt.p7s"), "-content", filepath.Join(folder, "receipt.json"),
		"-CAfile", pins[0], "-purpose", "any", "-out", os.DevNull)

	// And an edit is caught offline.
	r := resp.Receipt
	r.Purpose = "부동산 매수"
	b, _ := r.Canonical()
	writeFile(t, filepath.Join(folder, "receipt.json"), b)
	if e := get(t, w2, n); e.Status != wallet.Altered {
		t.Errorf("offline Get of an edited receipt: %v", e.Status)
	}
}

// TestAReceiptOfAnotherServerIsRefused: a wallet pinned to one server does
// not take receipts of another, even genuine ones.
func TestAReceiptOfAnotherServerIsRefused(t *testing.T) {
	ours, err := demo.Start(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	theirs, err := demo.Start(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	w, err := wallet.Open(ours.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PinAtFirstContact(context.Background(), client.New(ours.URL).ReceiptCertificate); err != nil {
		t.Fatal(err)
	}
	resp, cms := issueOnDemo(t, theirs, client.New(theirs.URL), "자동차 매도 (12가 3456)")
	if _, err := w.Save(resp.Receipt, resp.ReceiptSignature, cms); !errors.Is(err, receipt.ErrForeign) {
		t.Errorf("Save of the other server's receipt: %v, want ErrForeign", err)
	}
	// Pinning at first contact again does not let the other server in.
	if err := w.PinAtFirstContact(context.Background(), client.New(theirs.URL).ReceiptCertificate); err != nil {
		t.Fatal(err)
	}
	if len(w.Pinned()) != 1 {
		t.Errorf("the wallet pinned a second certificate")
	}
}
