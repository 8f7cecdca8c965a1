// Package wallettest makes receipts the way the issuance server does, for
// tests of the wallet and of what shows it: a receipt key, receipts signed
// with it, and wallets filled with many receipts quickly.
//
// It is for tests only: its keys are ephemeral and nothing here checks
// anything.
package wallettest

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/receiptkey"
)

// Issuer signs receipts with its own receipt key, as a server would.
type Issuer struct {
	key  *receiptkey.Key
	nums *rand.ChaCha8
}

// NewIssuer returns an issuer with a fresh key whose issue numbers come from
// seed, so that a test sees the same numbers every run.
func NewIssuer(t testing.TB, seed byte) *Issuer {
	t.Helper()
	k, err := receiptkey.Ephemeral()
	if err != nil {
		t.Fatal(err)
	}
	var s [32]byte
	s[0] = seed
	return &Issuer{key: k, nums: rand.NewChaCha8(s)}
}

// Certificate is the certificate a wallet pins to trust this issuer.
func (is *Issuer) Certificate() *x509.Certificate { return is.key.Certificate }

// Number draws a fresh issue number.
func (is *Issuer) Number(t testing.TB) string {
	t.Helper()
	n, err := api.NewIssueNumber(is.nums)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Confirmation stands in for the citizen's CMS: bytes that, like the real
// one, hold full resident registration numbers, so a test can look for them.
func Confirmation(i int) []byte {
	return fmt.Appendf(nil, `0\x82 CMS SignedData #%d {"citizen":{"rrn":"%s"},"delegate":{"rrn":"%s"}}`, i, CitizenRRN, DelegateRRN)
}

// The full resident registration numbers inside every Confirmation.
const (
	CitizenRRN  = "900101-1234568"
	DelegateRRN = "850505-2345678"
)

// Receipt is a receipt for confirmation, numbered n and issued at the given
// minute after 2026-11-25 09:00 KST.
func Receipt(n string, minute int, confirmation []byte) api.Receipt {
	sum := sha256.Sum256(confirmation)
	issued := time.Date(2026, 11, 25, 9, 0, 0, 0, api.KST).Add(time.Duration(minute) * time.Minute)
	return api.Receipt{
		IssueNumber: n,
		IssuedAt:    issued.Format(time.RFC3339),
		Name:        "홍길동",
		MaskedRRN:   "900101-1******",
		Purpose:     "부동산 매도 (서울특별시 종로구 예시로 12, 101동 1001호)",
		Institution: api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
		Delegate:    "김대리",
		Digest:      hex.EncodeToString(sum[:]),
	}
}

// Sign is the server's signature over r's canonical JSON: a detached CMS
// SignedData, SHA-256, with the signing-certificate-v2 attribute.
func (is *Issuer) Sign(t testing.TB, r api.Receipt) []byte {
	t.Helper()
	content, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return is.SignBytes(t, content)
}

// SignBytes signs content as it is.
func (is *Issuer) SignBytes(t testing.TB, content []byte) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: api.OIDSigningCertificateV2, Value: api.NewSigningCertificateV2(is.key.Certificate)},
	}}
	if err := sd.AddSigner(is.key.Certificate, is.key.Signer, cfg); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Issued is one receipt as the server returns it, with the confirmation it
// is for.
type Issued struct {
	Receipt      api.Receipt
	Signature    []byte
	Confirmation []byte
}

// Issue makes receipt number i, issued i minutes after the first.
func (is *Issuer) Issue(t testing.TB, i int) Issued {
	t.Helper()
	conf := Confirmation(i)
	r := Receipt(is.Number(t), i, conf)
	return Issued{Receipt: r, Signature: is.Sign(t, r), Confirmation: conf}
}

// Purposes and institutions Fill cycles through, so that searches find some
// receipts and not others.
var (
	Purposes = []string{
		"부동산 매도 (서울특별시 종로구 예시로 12)",
		"자동차 매도 (12가 3456)",
		"근저당권 설정 등기",
		"보조금 신청",
		"Loan application (English purpose)",
	}
	Institutions = []api.Institution{
		{Code: "bs-pub-nps", Name: "국민연금공단"},
		{Code: "bs-pub-hug", Name: "주택도시보증공사"},
		{Code: "bs-loc-jongno", Name: "서울특별시 종로구"},
		{Code: "bs-spc-bok", Name: "한국은행"},
	}
)

// Fill writes count receipt folders straight into the wallet folder dir,
// without the wallet's fsyncs and without an index, so that large wallets
// are quick to make; the wallet indexes them when first listed. Receipt i
// has Purposes[i%len] and Institutions[i%len] and is issued i minutes after
// the first. It returns the issue numbers in order.
func (is *Issuer) Fill(t testing.TB, dir string, count int) []string {
	t.Helper()
	nums := make([]string, count)
	for i := range count {
		conf := Confirmation(i)
		r := Receipt(is.Number(t), i, conf)
		r.Purpose = Purposes[i%len(Purposes)]
		r.Institution = Institutions[i%len(Institutions)]
		if i%3 == 0 {
			r.Delegate = ""
		}
		content, err := r.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		folder := filepath.Join(dir, r.IssueNumber)
		if err := os.MkdirAll(folder, 0o700); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"receipt.json": content, "receipt.p7s": is.SignBytes(t, content)} {
			if err := os.WriteFile(filepath.Join(folder, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		nums[i] = r.IssueNumber
	}
	return nums
}
