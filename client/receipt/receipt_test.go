package receipt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/receipt"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/smallstep/pkcs7"
)

func sample() api.Receipt {
	return api.Receipt{
		IssueNumber: "1234-5678-9012-3452",
		IssuedAt:    time.Date(2026, 11, 25, 14, 3, 0, 0, api.KST).Format(time.RFC3339),
		Name:        "홍길동",
		MaskedRRN:   "900101-1******",
		Purpose:     "부동산 매도",
		Institution: api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
		Delegate:    "김대리",
		Digest:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// sign signs like the server does: detached CMS over the canonical JSON,
// with the signing-certificate-v2 attribute.
func sign(t *testing.T, k *receiptkey.Key, content []byte) []byte {
	t.Helper()
	return signWith(t, k, content, true)
}

func signWith(t *testing.T, k *receiptkey.Key, content []byte, detach bool) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: api.OIDSigningCertificateV2, Value: api.NewSigningCertificateV2(k.Certificate)},
	}}
	if err := sd.AddSigner(k.Certificate, k.Signer, cfg); err != nil {
		t.Fatal(err)
	}
	if detach {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestVerify(t *testing.T) {
	key, _ := receiptkey.Ephemeral()
	other, _ := receiptkey.Ephemeral()
	r := sample()
	content, _ := r.Canonical()
	sig := sign(t, key, content)

	got, err := receipt.Verify(content, sig, key.Certificate)
	if err != nil || *got != r {
		t.Fatalf("a genuine receipt: %v, %+v", err, got)
	}

	edits := map[string]func(*api.Receipt){
		"issue number":        func(r *api.Receipt) { r.IssueNumber = "1234-5678-9012-3460" },
		"issue date-time":     func(r *api.Receipt) { r.IssuedAt = "2026-11-24T14:03:00+09:00" },
		"name":                func(r *api.Receipt) { r.Name = "홍길순" },
		"masked RRN":          func(r *api.Receipt) { r.MaskedRRN = "900101-2******" },
		"purpose":             func(r *api.Receipt) { r.Purpose = "부동산 매수" },
		"institution code":    func(r *api.Receipt) { r.Institution.Code = "bs-pub-hug" },
		"institution name":    func(r *api.Receipt) { r.Institution.Name = "주택도시보증공사" },
		"delegate":            func(r *api.Receipt) { r.Delegate = "박대리" },
		"no delegate":         func(r *api.Receipt) { r.Delegate = "" },
		"confirmation digest": func(r *api.Receipt) { r.Digest = "00" + r.Digest[2:] },
	}
	for field, edit := range edits {
		t.Run("an edited "+field+" is detected", func(t *testing.T) {
			e := sample()
			edit(&e)
			c, _ := e.Canonical()
			if _, err := receipt.Verify(c, sig, key.Certificate); !errors.Is(err, receipt.ErrAltered) {
				t.Fatalf("got %v, want ErrAltered", err)
			}
		})
	}
	t.Run("every flipped bit of the signature is detected", func(t *testing.T) {
		// Every bit, not a sample: pkcs7 alone ignores the bytes no signature
		// covers (versions, the digest algorithm list, the content type,
		// the tags of the attribute sets); checkShape closes that gap.
		for i := range sig {
			for bit := range 8 {
				bad := append([]byte(nil), sig...)
				bad[i] ^= 1 << bit
				if _, err := receipt.Verify(content, bad, key.Certificate); err == nil {
					t.Errorf("flipping bit %d of byte %d (of %d) went unnoticed", bit, i, len(sig))
				}
			}
		}
	})
	t.Run("a byte appended to the signature is damaged", func(t *testing.T) {
		if _, err := receipt.Verify(content, append(append([]byte(nil), sig...), 0), key.Certificate); !errors.Is(err, receipt.ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
	t.Run("a signature with the content attached is damaged", func(t *testing.T) {
		if _, err := receipt.Verify(content, signWith(t, key, content, false), key.Certificate); !errors.Is(err, receipt.ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
	t.Run("with no pinned certificate nothing is trusted", func(t *testing.T) {
		if _, err := receipt.Verify(content, sig); !errors.Is(err, receipt.ErrForeign) {
			t.Fatalf("got %v, want ErrForeign", err)
		}
	})
	t.Run("any of several pinned certificates is trusted", func(t *testing.T) {
		if got, err := receipt.Verify(content, sig, other.Certificate, key.Certificate); err != nil || *got != r {
			t.Fatalf("got %v, %+v; want the receipt", err, got)
		}
	})
	t.Run("a receipt signed by another key is foreign", func(t *testing.T) {
		if _, err := receipt.Verify(content, sign(t, other, content), key.Certificate); !errors.Is(err, receipt.ErrForeign) {
			t.Fatalf("got %v, want ErrForeign", err)
		}
	})
	t.Run("a truncated signature is damaged", func(t *testing.T) {
		if _, err := receipt.Verify(content, sig[:len(sig)/2], key.Certificate); !errors.Is(err, receipt.ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
	t.Run("a truncated receipt is damaged", func(t *testing.T) {
		if _, err := receipt.Verify(content[:len(content)-3], sig, key.Certificate); !errors.Is(err, receipt.ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
	t.Run("reformatted JSON with the same values is altered", func(t *testing.T) {
		pretty := append([]byte(" "), content...)
		if _, err := receipt.Verify(pretty, sig, key.Certificate); !errors.Is(err, receipt.ErrAltered) {
			t.Fatalf("got %v, want ErrAltered", err)
		}
	})
	t.Run("an added field is damaged", func(t *testing.T) {
		extra := append([]byte(`{"genuine":"yes",`), content[1:]...)
		if _, err := receipt.Verify(extra, sig, key.Certificate); err == nil {
			t.Fatal("an added field went unnoticed")
		}
	})
}
