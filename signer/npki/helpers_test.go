package npki

import (
	"crypto"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer/seed"
)

// The yessign test certificate in testdata/yessign-test (see testdata/README.md).
const (
	yessignDir      = "testdata/yessign-test"
	yessignPassword = "WTuA8Ev0lWXVFSiI!"
	yessignR        = "7858b4328390805129f01c97fe6ca4a520cbd479"
	yessignVID      = "8ad4f673412f825da4d1fb4d4216946bbc7f8194a0af01f86622ee23c7ee0de7"
)

// testR is the random number R of the keys the tests make.
var testR = []byte{
	0x5c, 0x01, 0x7e, 0x22, 0x90, 0x3a, 0x00, 0xff, 0x41, 0x18,
	0x6d, 0xb2, 0x07, 0x99, 0xee, 0x30, 0x0c, 0x73, 0xa5, 0x12,
}

// One RSA key for the whole package: generating RSA-2048 is slow.
var testRSA = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func testECDSA(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newKey is NewKey for a test: an NPKI key for priv with R = testR.
func newKey(t testing.TB, priv crypto.Signer) *Key {
	t.Helper()
	k, err := NewKey(priv, testR)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The encryption side of the schemes ParseKey reads, written here apart from
// the package's decryption code (PBKDF1 included) so that a mistake made on
// one side is not mirrored on the other. PBES2 is also made by EncryptKey
// and by openssl.

// testPBKDF1 is PBKDF1-SHA1 written as RFC 8018 section 5.1 reads.
func testPBKDF1(password, salt []byte, c int) []byte {
	t := sha1.Sum(append(append([]byte{}, password...), salt...))
	for i := 2; i <= c; i++ {
		t = sha1.Sum(t[:])
	}
	return t[:]
}

func sealCBC(t testing.TB, key, iv, plain []byte) []byte {
	t.Helper()
	block, err := seed.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	n := 16 - len(plain)%16
	buf := append(append([]byte{}, plain...), make([]byte, n)...)
	for i := len(plain); i < len(buf); i++ {
		buf[i] = byte(n)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return buf
}

func marshalEPKI(t testing.TB, oid asn1.ObjectIdentifier, params, data []byte) []byte {
	t.Helper()
	return mustMarshal(t, encryptedPrivateKeyInfo{
		Algorithm:     pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: params}},
		EncryptedData: data,
	})
}

// sealPBES1 writes scheme 1, seedCBCWithSHA1.
func sealPBES1(t testing.TB, info, password []byte, iterations int) []byte {
	t.Helper()
	salt := make([]byte, 8)
	rand.Read(salt)
	dk := testPBKDF1(password, salt, iterations)
	div := sha1.Sum(dk[16:20])
	data := sealCBC(t, dk[:16], div[:16], info)
	return marshalEPKI(t, oidSeedCBCWithSHA1, mustMarshal(t, pbeParams{salt, iterations}), data)
}

// sealLegacy writes scheme 3, top-level SEED-CBC with the fixed IV, its key
// from PBKDF1 or PBKDF2-HMAC-SHA1.
func sealLegacy(t testing.TB, oid asn1.ObjectIdentifier, info, password []byte, iterations int, withPBKDF2 bool) []byte {
	t.Helper()
	salt := make([]byte, 8)
	rand.Read(salt)
	key := testPBKDF1(password, salt, iterations)[:16]
	if withPBKDF2 {
		var err error
		if key, err = pbkdf2.Key(sha1.New, string(password), salt, iterations, 16); err != nil {
			t.Fatal(err)
		}
	}
	data := sealCBC(t, key, []byte("0123456789012345"), info)
	return marshalEPKI(t, oid, mustMarshal(t, pbeParams{salt, iterations}), data)
}

// sealPBES2 writes scheme 2 by hand: PBKDF2 with the given PRF (nil: none
// named, meaning HMAC-SHA1) and key length field (0: absent), and SEED-CBC.
func sealPBES2(t testing.TB, info, password []byte, iterations int, prf asn1.ObjectIdentifier, h crypto.Hash, keyLength int, enc asn1.ObjectIdentifier) []byte {
	t.Helper()
	salt, iv := make([]byte, 8), make([]byte, 16)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(h.New, string(password), salt, iterations, 16)
	if err != nil {
		t.Fatal(err)
	}
	kp := pbkdf2Params{Salt: salt, Iterations: iterations, KeyLength: keyLength}
	if prf != nil {
		kp.PRF = pkix.AlgorithmIdentifier{Algorithm: prf, Parameters: asn1.NullRawValue}
	}
	params := mustMarshal(t, pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, kp)}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: enc, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, iv)}},
	})
	return marshalEPKI(t, oidPBES2, params, sealCBC(t, key, iv, info))
}

// opensslPKCS8 has openssl encrypt priv as PKCS#8 with the extra arguments
// (the scheme) and returns the DER file.
func opensslPKCS8(t testing.TB, priv crypto.Signer, password string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "key.pem"), filepath.Join(dir, "key.p8")
	if err := os.WriteFile(in, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	testpki.Run(t, "openssl", append([]string{"pkcs8", "-topk8", "-provider", "legacy", "-provider", "default",
		"-in", in, "-passout", "pass:" + password, "-outform", "DER", "-out", out}, args...)...)
	return mustRead(t, out)
}

// issue makes a certificate for priv's public key, signed by ca, with extra
// extensions (identifyData, say).
func issue(t testing.TB, ca *testpki.CA, priv crypto.Signer, name string, extra ...pkix.Extension) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		Subject:         pkix.Name{CommonName: name, Country: []string{"KR"}},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().AddDate(1, 0, 0),
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: extra,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, priv.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// writeFolder writes an NPKI certificate folder: signCert.der and
// signPri.key.
func writeFolder(t testing.TB, dir string, cert *x509.Certificate, keyFile []byte) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, CertFile), cert.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
