package signer_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
)

func TestPKCS12(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{})
	dir := t.TempDir()
	certPath, keyPath := leaf.WritePEM(t, dir)
	caPath := ca.WriteCA(t, dir)

	files := map[string]string{"written by bonsign's tests": leaf.WriteP12(t, dir, "s3cret!")}
	for name, args := range map[string][]string{
		"made by openssl with its defaults (AES-256, PBKDF2, SHA-256 MAC)": nil,
		"made by openssl -legacy (RC2/3DES, SHA-1 MAC)":                    {"-legacy"},
		"made by openssl with 3DES":                                        {"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"},
	} {
		out := filepath.Join(dir, "f"+string(rune('a'+len(files)))+".p12")
		testpki.Run(t, "openssl", append([]string{"pkcs12", "-export", "-in", certPath, "-inkey", keyPath,
			"-certfile", caPath, "-passout", "pass:s3cret!", "-out", out}, args...)...)
		files[name] = out
	}
	for name, path := range files {
		t.Run(name, func(t *testing.T) {
			id, err := signer.OpenPKCS12(path, "s3cret!")
			if err != nil {
				t.Fatal(err)
			}
			if !id.Certificate.Equal(leaf.Cert) || id.HolderName() != "홍길동" {
				t.Fatalf("opened %v", id.Certificate.Subject)
			}
			if _, err := signer.OpenPKCS12(path, "wrong"); !errors.Is(err, signer.ErrWrongPassword) {
				t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
			}
		})
	}
	t.Run("a damaged file is not a wrong password", func(t *testing.T) {
		data, _ := os.ReadFile(files["written by bonsign's tests"])
		bad := filepath.Join(dir, "bad.p12")
		os.WriteFile(bad, data[:len(data)/2], 0o600)
		if _, err := signer.OpenPKCS12(bad, "s3cret!"); err == nil || errors.Is(err, signer.ErrWrongPassword) {
			t.Fatalf("damaged file: %v", err)
		}
	})
}

// TestSignatureVerifiesWithOpenSSL: every CMS signer/ makes verifies with an
// independent implementation, for RSA and ECDSA keys.
func TestSignatureVerifiesWithOpenSSL(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	dir := t.TempDir()
	caPath := ca.WriteCA(t, dir)
	content := []byte(`{"purpose":"부동산 매도","version":"bonsign-confirmation/1"}`)
	for name, o := range map[string]testpki.Options{"RSA-2048": {}, "ECDSA P-256": {ECDSA: true}} {
		t.Run(name, func(t *testing.T) {
			leaf := ca.Issue(t, "홍길동", o)
			id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
			der, err := id.SignCMS(content)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "sig.p7s")
			os.WriteFile(p, der, 0o600)
			// -cades makes openssl require and check the signing-certificate-v2 attribute.
			out := testpki.Run(t, "openssl", "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in", p,
				"-CAfile", caPath, "-purpose", "any")
			if !bytes.Equal(out, content) {
				t.Fatalf("openssl returned %q", out)
			}
			// And a flipped bit in the content is caught.
			der[bytes.Index(der, []byte("부동산"))] ^= 1
			os.WriteFile(p, der, 0o600)
			cmd := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", p, "-CAfile", caPath, "-purpose", "any"}
			if err := runErr("openssl", cmd...); err == nil {
				t.Fatal("openssl verified a tampered CMS")
			}
		})
	}
}

func BenchmarkSignCMS(b *testing.B) {
	ca := testpki.NewCA(b, "bench CA")
	content := bytes.Repeat([]byte("가"), 700) // about 2 KB, a long confirmation
	for name, o := range map[string]testpki.Options{"RSA-2048": {}, "ECDSA-P256": {ECDSA: true}} {
		leaf := ca.Issue(b, "홍길동", o)
		id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := id.SignCMS(content); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func runErr(name string, args ...string) error {
	return exec.Command(name, args...).Run()
}

func TestPEM(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	dir := t.TempDir()
	certPath, keyPath := leaf.WritePEM(t, dir)
	caPath := ca.WriteCA(t, dir)
	encAES := filepath.Join(dir, "key-aes.pem")
	testpki.Run(t, "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", keyPath, "-passout", "pass:s3cret!", "-out", encAES)
	enc3DES := filepath.Join(dir, "key-3des.pem")
	testpki.Run(t, "openssl", "pkcs8", "-topk8", "-v2", "des3", "-in", keyPath, "-passout", "pass:s3cret!", "-out", enc3DES)
	legacy := filepath.Join(dir, "key-legacy.pem")
	testpki.Run(t, "openssl", "ec", "-in", keyPath, "-aes256", "-passout", "pass:s3cret!", "-out", legacy)

	tests := []struct {
		name     string
		paths    []string
		password string
		wantErr  error
		anyErr   bool
	}{
		{"an unencrypted PKCS#8 key beside its certificate and CA", []string{certPath, caPath, keyPath}, "", nil, false},
		{"a PKCS#8 key encrypted with AES-256 by openssl", []string{certPath, encAES}, "s3cret!", nil, false},
		{"a PKCS#8 key encrypted with 3DES by openssl", []string{certPath, enc3DES}, "s3cret!", nil, false},
		{"a wrong password", []string{certPath, encAES}, "wrong", signer.ErrWrongPassword, true},
		{"a key in the old OpenSSL encryption", []string{certPath, legacy}, "s3cret!", nil, true},
		{"a certificate without its key", []string{certPath, caPath}, "", nil, true},
		{"a key without its certificate", []string{caPath, keyPath}, "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := signer.OpenPEM(tc.password, tc.paths...)
			if tc.anyErr {
				if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want an error (%v)", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !id.Certificate.Equal(leaf.Cert) {
				t.Fatal("wrong certificate chosen")
			}
			if _, err := id.SignCMS([]byte("x")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVerifyCMS(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
	content := []byte("확인서")
	der, err := id.SignCMS(content)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signer.VerifyCMS(der, signer.VerifyOptions{Roots: ca.Pool(), Content: content})
	if err != nil || !bytes.Equal(v.Content, content) || !v.Certificate.Equal(leaf.Cert) {
		t.Fatalf("a good signature: %v", err)
	}
	flipped := append([]byte(nil), der...)
	flipped[len(flipped)-5] ^= 1
	tests := []struct {
		name string
		der  []byte
		o    signer.VerifyOptions
		want error
	}{
		{"other content is a mismatch", der, signer.VerifyOptions{Roots: ca.Pool(), Content: []byte("다른 내용")}, signer.ErrContentMismatch},
		{"a flipped signature byte is a bad signature", flipped, signer.VerifyOptions{Roots: ca.Pool()}, signer.ErrBadSignature},
		{"another CA is untrusted", der, signer.VerifyOptions{Roots: testpki.NewCA(t, "other").Pool()}, signer.ErrCertUntrusted},
		{"after expiry the certificate is expired", der, signer.VerifyOptions{Roots: ca.Pool(), Now: time.Now().AddDate(2, 0, 0)}, signer.ErrCertExpired},
		{"garbage is a bad signature", []byte("garbage"), signer.VerifyOptions{}, signer.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := signer.VerifyCMS(tc.der, tc.o); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestChainCache: a certificate whose chain was verified skips the chain the
// next time, but its validity dates are still checked, and another CA's
// certificate is never let in by the cache.
func TestChainCache(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
	der, _ := id.SignCMS([]byte("x"))
	cache := signer.NewChainCache(10, time.Hour)
	o := signer.VerifyOptions{Roots: ca.Pool(), Chains: cache}
	if _, err := signer.VerifyCMS(der, o); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.VerifyCMS(der, o); err != nil {
		t.Fatalf("a cached chain: %v", err)
	}
	late := o
	late.Now = time.Now().AddDate(2, 0, 0)
	if _, err := signer.VerifyCMS(der, late); !errors.Is(err, signer.ErrCertExpired) {
		t.Fatalf("an expired certificate passed through the cache: %v", err)
	}
	stranger := testpki.NewCA(t, "rogue").Issue(t, "홍길동", testpki.Options{ECDSA: true})
	sid := &signer.Identity{Key: stranger.Key, Certificate: stranger.Cert, Chain: stranger.Chain}
	sder, _ := sid.SignCMS([]byte("x"))
	if _, err := signer.VerifyCMS(sder, o); !errors.Is(err, signer.ErrCertUntrusted) {
		t.Fatalf("another CA's certificate: %v", err)
	}
}
