package client_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/signer"
)

func startDemo(t *testing.T) *demo.Env {
	t.Helper()
	env, err := demo.Start(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode reads the newest code from the demo phone's outbox.
func lastCode(t *testing.T, env *demo.Env) string {
	t.Helper()
	msgs := env.Outbox()
	if len(msgs) == 0 {
		t.Fatal("no code was sent")
	}
	m := codeRE.FindStringSubmatch(msgs[len(msgs)-1])
	if m == nil {
		t.Fatalf("no 6-digit code in the message %q", msgs[len(msgs)-1])
	}
	return m[1]
}

func newID(t *testing.T) string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// draft is a complete, valid confirmation for the demo citizen.
func draft(t *testing.T, env *demo.Env, inst api.Institution) api.Confirmation {
	return api.Confirmation{
		Version:      api.ConfirmationVersion,
		ID:           newID(t),
		CreatedAt:    time.Now().In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: env.Name, RRN: env.RRN, Address: env.Address},
		Purpose:      "부동산 매도 (서울특별시 종로구 데모동 1-1 아파트 101호)",
		Counterparty: api.Counterparty{Name: "주식회사 데모부동산", ID: "220-81-62517", Address: "서울특별시 중구 세종대로 110"},
		Delegate:     &api.Person{Name: "김대리", RRN: "850505-2345678", Address: "서울특별시 마포구 데모로 5"},
		Institution:  inst,
	}
}

// TestWholeCitizenPath walks the citizen path end to end against a real server
// on 127.0.0.1 with a real SQLite file and a real PKCS#12 file: login, the
// phone code, draft, local signature, issuance, the wallet (read with the
// server stopped), and the institution's lookup.
func TestWholeCitizenPath(t *testing.T) {
	env := startDemo(t)
	ctx := context.Background()
	c := client.New(env.URL)

	id, err := signer.OpenPKCS12(env.CertPath, env.Password)
	if err != nil {
		t.Fatal(err)
	}
	login, err := c.Login(ctx, id.SignCMS)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if login.Name != env.Name || login.MaskedRRN != "900101-1******" || login.Phone != "010-****-1234" {
		t.Fatalf("login response = %+v", login)
	}
	if _, err := c.RequestCode(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyCode(ctx, lastCode(t, env)); err != nil {
		t.Fatalf("verify code: %v", err)
	}
	insts, err := c.Institutions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var nps api.Institution
	for _, in := range insts {
		if in.Code == env.Institution {
			nps = in
		}
	}
	if nps.Name != "국민연금공단" {
		t.Fatalf("institution %s not listed: %v", env.Institution, insts)
	}
	conf := draft(t, env, nps)
	content, err := conf.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	// R8: the certificate is opened again, with its password, to sign.
	id2, err := signer.OpenPKCS12(env.CertPath, env.Password)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := id2.SignCMS(content)
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := c.Issue(ctx, conf, sig)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if _, err := api.ParseIssueNumber(receipt.IssueNumber); err != nil {
		t.Fatalf("issue number %q: %v", receipt.IssueNumber, err)
	}
	if receipt.Name != env.Name || receipt.Purpose != conf.Purpose || receipt.Institution != nps ||
		receipt.Delegate != "김대리" || receipt.MaskedRRN != "900101-1******" {
		t.Fatalf("receipt = %+v", receipt)
	}
	// Submitting the same signed confirmation again issues nothing new.
	again, err := c.Issue(ctx, conf, sig)
	if err != nil || again.IssueNumber != receipt.IssueNumber {
		t.Fatalf("resubmission: %v, %+v", err, again)
	}

	// The wallet pins the server's receipt certificate at first contact and
	// keeps the receipt only once its signature verifies. Submitting again
	// gives the same receipt, with the server's signature.
	w, err := wallet.Open(env.WalletDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PinAtFirstContact(ctx, c.ReceiptCertificate); err != nil {
		t.Fatal(err)
	}
	signed, err := c.IssueSigned(ctx, conf, sig)
	if err != nil || signed.Receipt != *receipt {
		t.Fatalf("resubmission: %v, %+v", err, signed)
	}
	if _, err := w.Save(signed.Receipt, signed.ReceiptSignature, sig); err != nil {
		t.Fatal(err)
	}

	// The institution checks it (R10), while the server still runs.
	got, err := c.Verify(ctx, env.APIKey, receipt.IssueNumber, env.Name)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.Confirmation.Purpose != conf.Purpose || got.Confirmation.Citizen.RRN != env.RRN || got.Receipt != *receipt {
		t.Fatalf("verify response = %+v", got)
	}
	if _, err := c.Verify(ctx, env.APIKey, receipt.IssueNumber, "홍길순"); !errors.Is(err, api.NewError(api.CodeNotFound)) {
		t.Fatalf("verify with a wrong name: %v, want not_found", err)
	}

	// The wallet works with the server stopped.
	env.Close()
	if _, err := c.Institutions(ctx); !errors.Is(err, client.ErrUnreachable) {
		t.Fatalf("server still reachable: %v", err)
	}
	w2, _ := wallet.Open(env.WalletDir)
	list, err := w2.List()
	if err != nil || len(list) != 1 || list[0].Status != wallet.Verified || list[0].Receipt != *receipt {
		t.Fatalf("wallet list = %+v, %v", list, err)
	}
	if _, err := os.Stat(filepath.Join(env.WalletDir, receipt.IssueNumber, "receipt.json")); err != nil {
		t.Fatal(err)
	}
}
