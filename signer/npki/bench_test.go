package npki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"path/filepath"
	"testing"
)

func benchParse(b *testing.B, file, pw []byte) {
	if _, err := ParseKey(file, pw); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ParseKey(file, pw)
	}
}

// BenchmarkParseKeyPBES1 opens the yessign test key: seedCBCWithSHA1, 2048
// iterations, RSA-2048.
func BenchmarkParseKeyPBES1(b *testing.B) {
	benchParse(b, mustRead(b, filepath.Join(yessignDir, KeyFile)), []byte(yessignPassword))
}

// BenchmarkParseKeyPBES2 opens what EncryptKey writes by default:
// PBKDF2-HMAC-SHA256 with 100,000 iterations.
func BenchmarkParseKeyPBES2(b *testing.B) {
	pw := []byte("pw")
	file, err := EncryptKey(newKey(b, testRSA()), pw, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, file, pw)
}

// BenchmarkParseKeyPBES2SHA1 opens PBKDF2-HMAC-SHA1 with 2048 iterations,
// as renewed certificates have.
func BenchmarkParseKeyPBES2SHA1(b *testing.B) {
	pw := []byte("pw")
	benchParse(b, sealPBES2(b, newKey(b, testRSA()).info, pw, 2048, nil, crypto.SHA1, 0, oidSeedCBC), pw)
}

func BenchmarkEncryptKeyDefault(b *testing.B) {
	k := newKey(b, testRSA())
	for b.Loop() {
		if _, err := EncryptKey(k, []byte("pw"), 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign signs a SHA-256 digest with the opened yessign test key
// (RSA-2048, PKCS#1 v1.5).
func BenchmarkSign(b *testing.B) {
	k, err := ParseKey(mustRead(b, filepath.Join(yessignDir, KeyFile)), []byte(yessignPassword))
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("전자본인서명확인서"))
	for b.Loop() {
		if _, err := k.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignCMS signs a CMS SignedData with the opened yessign test
// certificate folder.
func BenchmarkSignCMS(b *testing.B) {
	id, _, err := Open(yessignDir, []byte(yessignPassword))
	if err != nil {
		b.Fatal(err)
	}
	content := []byte("전자본인서명확인서")
	for b.Loop() {
		if _, err := id.SignCMS(content); err != nil {
			b.Fatal(err)
		}
	}
}
