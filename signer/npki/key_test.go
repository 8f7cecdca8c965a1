package npki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
)

// TestParseKeyOpensEachScheme opens a key file of every scheme, made by the
// test's own encryptors, by EncryptKey and by openssl, and checks that the
// right password gives the key and R and a wrong one ErrWrongPassword.
func TestParseKeyOpensEachScheme(t *testing.T) {
	pw := []byte("npki-test-비밀번호1!")
	rsaKey := newKey(t, testRSA())
	ecKey := newKey(t, testECDSA(t))
	sha1PRF := asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}

	for _, tc := range []struct {
		name  string
		key   *Key
		file  func(t *testing.T) []byte
		wantR bool
	}{
		{"PBES1 seedCBCWithSHA1 with 2048 iterations opens", rsaKey, func(t *testing.T) []byte {
			return sealPBES1(t, rsaKey.info, pw, 2048)
		}, true},
		{"PBES1 holding an ECDSA key opens", ecKey, func(t *testing.T) []byte {
			return sealPBES1(t, ecKey.info, pw, 2048)
		}, true},
		{"PBES2 written by EncryptKey opens", rsaKey, func(t *testing.T) []byte {
			out, err := EncryptKey(rsaKey, pw, 1000)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, true},
		{"PBES2 naming no PRF uses HMAC-SHA1", rsaKey, func(t *testing.T) []byte {
			return sealPBES2(t, rsaKey.info, pw, 2048, nil, crypto.SHA1, 0, oidSeedCBC)
		}, true},
		{"PBES2 naming hmacWithSHA1 and a key length of 16 opens", rsaKey, func(t *testing.T) []byte {
			return sealPBES2(t, rsaKey.info, pw, 2048, sha1PRF, crypto.SHA1, 16, oidSeedCBC)
		}, true},
		{"PBES2 with hmacWithSHA512 opens", rsaKey, func(t *testing.T) []byte {
			return sealPBES2(t, rsaKey.info, pw, 2048, asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}, crypto.SHA512, 0, oidSeedCBC)
		}, true},
		{"legacy top-level SEED-CBC with a PBKDF1 key opens", rsaKey, func(t *testing.T) []byte {
			return sealLegacy(t, oidSeedCBC, rsaKey.info, pw, 2048, false)
		}, true},
		{"legacy top-level SEED-CBC with a PBKDF2 key opens", rsaKey, func(t *testing.T) []byte {
			return sealLegacy(t, oidSeedCBC, rsaKey.info, pw, 2048, true)
		}, true},
		{"legacy GPKI SEED-CBC 1.2.410.200004.1.4.2 opens", rsaKey, func(t *testing.T) []byte {
			return sealLegacy(t, oidSeedCBCGPKI, rsaKey.info, pw, 2048, false)
		}, true},
		{"openssl pkcs8 -v2 seed-cbc -v2prf hmacWithSHA1 opens", rsaKey, func(t *testing.T) []byte {
			return opensslPKCS8(t, testRSA(), string(pw), "-v2", "seed-cbc", "-v2prf", "hmacWithSHA1")
		}, false},
		{"openssl pkcs8 -v2 seed-cbc -v2prf hmacWithSHA256 opens", rsaKey, func(t *testing.T) []byte {
			return opensslPKCS8(t, testRSA(), string(pw), "-v2", "seed-cbc", "-v2prf", "hmacWithSHA256")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file(t)
			k, err := ParseKey(file, pw)
			if err != nil {
				t.Fatal(err)
			}
			if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.key.Public()) {
				t.Fatal("opened a different key")
			}
			if wantR := tc.key.RandomNum(); tc.wantR && !bytes.Equal(k.RandomNum(), wantR) {
				t.Fatal("R differs")
			}
			for _, wrong := range []string{"", "npki-test-비밀번호1", string(pw) + " ", "NPKI-TEST-비밀번호1!"} {
				_, err := ParseKey(file, []byte(wrong))
				if !errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrDamaged) {
					t.Fatalf("password %q: %v, want ErrWrongPassword", wrong, err)
				}
				if !errors.Is(err, signer.ErrWrongPassword) {
					t.Fatal("not signer.ErrWrongPassword")
				}
			}
		})
	}
}

// TestWrongPasswordsAreAlwaysWrongPasswords tries many wrong passwords on
// each scheme: about one in 256 decrypts to valid padding, and must still be
// told apart from a damaged file by the PrivateKeyInfo check.
func TestWrongPasswordsAreAlwaysWrongPasswords(t *testing.T) {
	k := newKey(t, testRSA())
	pw := []byte("right")
	for name, file := range map[string][]byte{
		"PBES1":  sealPBES1(t, k.info, pw, 1),
		"PBES2":  sealPBES2(t, k.info, pw, 1, nil, crypto.SHA1, 0, oidSeedCBC),
		"legacy": sealLegacy(t, oidSeedCBC, k.info, pw, 1, false),
	} {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < 1500; i++ {
				wrong := []byte(fmt.Sprintf("wrong-%d", i))
				if _, err := ParseKey(file, wrong); !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("password %q: %v", wrong, err)
				}
			}
		})
	}
}

// TestYessignTestCertificate opens the key of a real CA's test certificate
// (testdata/README.md): the only check of the PBES1 derivation against a file
// bonsign did not write.
func TestYessignTestCertificate(t *testing.T) {
	id, k, err := Open(yessignDir, []byte(yessignPassword))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.RandomNum()); got != yessignR {
		t.Fatalf("R = %s, want %s", got, yessignR)
	}
	if cn := id.Certificate.Subject.CommonName; cn != "HKD(KILDONG.HONG)009104120200225191000030" {
		t.Fatalf("certificate %q", cn)
	}
	digest := sha256.Sum256([]byte("bonsign"))
	sig, err := id.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(id.Certificate.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey(mustRead(t, filepath.Join(yessignDir, KeyFile)), []byte("WTuA8Ev0lWXVFSiI")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestPyPinkSignPBES2Vector checks PBES2 parameter reading and PBKDF2
// against the key and IV PyPinkSign derives for its sample file.
func TestPyPinkSignPBES2Vector(t *testing.T) {
	der := mustRead(t, "testdata/pypinksign-pbes2.key")
	var epki encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &epki); err != nil {
		t.Fatal(err)
	}
	key, iv, err := pbes2Key(epki.Algorithm.Parameters, []byte(yessignPassword), maxIterations)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(key) != "01739401d7f3df5319eff4edb0afa66f" || hex.EncodeToString(iv) != "98135f902385f9013590823098e09cfe" {
		t.Fatalf("key %x, IV %x", key, iv)
	}
	// The sample's contents are not a key, which reads as a wrong password.
	if _, err := ParseKey(der, []byte(yessignPassword)); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ParseKey: %v", err)
	}
}

// TestDamagedFilesAreNotWrongPasswords: a file no password could open says
// so, instead of sending the citizen to retype the password.
func TestDamagedFilesAreNotWrongPasswords(t *testing.T) {
	pw := []byte("pw")
	k := newKey(t, testRSA())
	good := sealPBES1(t, k.info, pw, 2048)
	pbes2, err := EncryptKey(k, pw, 1000)
	if err != nil {
		t.Fatal(err)
	}
	withParams := func(oid asn1.ObjectIdentifier, params any) []byte {
		return marshalEPKI(t, oid, mustMarshal(t, params), make([]byte, 64))
	}
	junk := make([]byte, 700)
	rand.Read(junk)

	cases := map[string][]byte{
		"an empty file":                              {},
		"random bytes":                               junk,
		"a PEM file":                                 []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n"),
		"a file with bytes after the key":            append(append([]byte{}, good...), 0, 0),
		"encrypted data not in whole blocks":         marshalEPKI(t, oidSeedCBCWithSHA1, mustMarshal(t, pbeParams{[]byte("saltsalt"), 2048}), make([]byte, 33)),
		"no encrypted data":                          marshalEPKI(t, oidSeedCBCWithSHA1, mustMarshal(t, pbeParams{[]byte("saltsalt"), 2048}), nil),
		"PBES1 without parameters":                   marshalEPKI(t, oidSeedCBCWithSHA1, nil, make([]byte, 64)),
		"an iteration count of zero":                 withParams(oidSeedCBCWithSHA1, pbeParams{[]byte("saltsalt"), 0}),
		"a negative iteration count":                 withParams(oidSeedCBC, pbeParams{[]byte("saltsalt"), -5}),
		"an iteration count of two thousand million": withParams(oidSeedCBCWithSHA1, pbeParams{[]byte("saltsalt"), 2_000_000_000}),
		"PBES2 with a 15-byte IV": withParams(oidPBES2, pbes2Params{
			KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, pbkdf2Params{Salt: []byte("s"), Iterations: 1})}},
			EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: oidSeedCBC, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, make([]byte, 15))}},
		}),
		"PBES2 asking PBKDF2 for a 32-byte SEED key": withParams(oidPBES2, pbes2Params{
			KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, pbkdf2Params{Salt: []byte("s"), Iterations: 1, KeyLength: 32})}},
			EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: oidSeedCBC, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, make([]byte, 16))}},
		}),
	}
	for _, n := range []int{1, 4, 20, 40, len(good) / 2, len(good) - 1} {
		cases[fmt.Sprintf("a PBES1 file cut to %d bytes", n)] = good[:n]
		cases[fmt.Sprintf("a PBES2 file cut to %d bytes", n)] = pbes2[:n]
	}
	for name, file := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKey(file, pw)
			if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongPassword) {
				t.Fatalf("%v, want ErrDamaged", err)
			}
			if !strings.HasPrefix(err.Error(), "npki: ") {
				t.Fatalf("error %q lacks the npki: prefix", err)
			}
		})
	}
}

func TestUnsupportedAlgorithmsAreNamedByOID(t *testing.T) {
	pw := "pw"
	k := newKey(t, testRSA())
	kcdsa := mustMarshal(t, privateKeyInfo{
		Algorithm:  pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 410, 200004, 1, 21}},
		PrivateKey: []byte{1, 2, 3},
	})
	for _, tc := range []struct {
		name, oid, use string
		file           func(t *testing.T) []byte
	}{
		{"openssl's PBES2 with AES-256-CBC names the encryption scheme", "2.16.840.1.101.3.4.1.42", useEncryption, func(t *testing.T) []byte {
			return opensslPKCS8(t, testRSA(), pw, "-v2", "aes-256-cbc")
		}},
		{"openssl's PBES2 with scrypt names the key derivation", "1.3.6.1.4.1.11591.4.11", useKeyDerivation, func(t *testing.T) []byte {
			return opensslPKCS8(t, testRSA(), pw, "-scrypt", "-v2", "seed-cbc")
		}},
		{"openssl's PKCS#12 3DES scheme names itself", "1.2.840.113549.1.12.1.3", useKeyEncryption, func(t *testing.T) []byte {
			return opensslPKCS8(t, testRSA(), pw, "-v1", "PBE-SHA1-3DES")
		}},
		{"PBES2 with an unknown PRF names the PRF", "1.2.3.4", usePRF, func(t *testing.T) []byte {
			return sealPBES2(t, k.info, []byte(pw), 10, asn1.ObjectIdentifier{1, 2, 3, 4}, crypto.SHA1, 0, oidSeedCBC)
		}},
		{"a KCDSA private key names its algorithm", "1.2.410.200004.1.21", usePrivateKey, func(t *testing.T) []byte {
			return sealPBES1(t, kcdsa, []byte(pw), 10)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKey(tc.file(t), []byte(pw))
			var ua *UnsupportedAlgorithmError
			if !errors.As(err, &ua) {
				t.Fatalf("%v, want UnsupportedAlgorithmError", err)
			}
			if ua.OID.String() != tc.oid || ua.Use != tc.use || !strings.Contains(err.Error(), tc.oid) {
				t.Fatalf("%q (%s for %s), want %s for %s", err, ua.OID, ua.Use, tc.oid, tc.use)
			}
			if errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrDamaged) {
				t.Fatalf("%v also matches a password or damage error", err)
			}
			if got := errors.Is(err, signer.ErrUnsupportedKey); got != (tc.use == usePrivateKey) {
				t.Fatalf("errors.Is(err, signer.ErrUnsupportedKey) = %v", got)
			}
		})
	}
}

// TestRandomNumIsReadExactly builds the PrivateKeyInfo with the randomNum
// attribute by hand, as a CA writes it, and checks R comes back exactly,
// without the BIT STRING's unused-bits octet.
func TestRandomNumIsReadExactly(t *testing.T) {
	plain, err := x509.MarshalPKCS8PrivateKey(testRSA())
	if err != nil {
		t.Fatal(err)
	}
	// [0] { SEQUENCE { OID 1.2.410.200004.10.1.1.3, SET { BIT STRING R } } }
	bitString := append([]byte{0x03, byte(1 + len(testR)), 0x00}, testR...)
	set := append([]byte{0x31, byte(len(bitString))}, bitString...)
	oid := []byte{0x06, 0x0a, 0x2a, 0x83, 0x1a, 0x8c, 0x9a, 0x44, 0x0a, 0x01, 0x01, 0x03}
	seq := append([]byte{0x30, byte(len(oid) + len(set))}, append(oid, set...)...)
	attrs := append([]byte{0xa0, byte(len(seq))}, seq...)

	var info privateKeyInfo
	if _, err := asn1.Unmarshal(plain, &info); err != nil {
		t.Fatal(err)
	}
	info.Attributes = asn1.RawValue{FullBytes: attrs}
	der := mustMarshal(t, info)
	if !bytes.Contains(der, attrs) {
		t.Fatal("attributes not written as built")
	}

	// Go's own parser must accept the attributes (it ignores them).
	if _, err := x509.ParsePKCS8PrivateKey(der); err != nil {
		t.Fatalf("x509.ParsePKCS8PrivateKey with attributes: %v", err)
	}

	k, err := ParseKey(sealPBES1(t, der, []byte("pw"), 2048), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.RandomNum(), testR) {
		t.Fatalf("R = %x, want %x", k.RandomNum(), testR)
	}
	// NewKey writes the same attribute.
	if nk := newKey(t, testRSA()); !bytes.Contains(nk.info, attrs) {
		t.Fatal("NewKey's attribute differs from the hand-built one")
	}
	// RandomNum hands out a copy.
	k.RandomNum()[0] ^= 0xff
	if !bytes.Equal(k.RandomNum(), testR) {
		t.Fatal("RandomNum returned the key's own slice")
	}

	t.Run("a key without the attribute has no R", func(t *testing.T) {
		k, err := ParseKey(sealPBES1(t, plain, []byte("pw"), 1), []byte("pw"))
		if err != nil || k.RandomNum() != nil {
			t.Fatalf("R %x, %v", k.RandomNum(), err)
		}
	})
	t.Run("an R that is not whole bytes is damage", func(t *testing.T) {
		// One unused bit (R's last byte, 0x12, has its lowest bit clear).
		bad := bytes.Replace(der, []byte{0x03, byte(1 + len(testR)), 0x00}, []byte{0x03, byte(1 + len(testR)), 0x01}, 1)
		_, err := ParseKey(sealPBES1(t, bad, []byte("pw"), 1), []byte("pw"))
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("%v, want ErrDamaged", err)
		}
	})
}

// TestKeyNeverPrintsR: no formatting verb shows R or the private key.
func TestKeyNeverPrintsR(t *testing.T) {
	k := newKey(t, testRSA())
	secrets := []string{
		hex.EncodeToString(testR), strings.ToUpper(hex.EncodeToString(testR)), string(testR),
		fmt.Sprint(testR[:4]), testRSA().D.String()[:20], fmt.Sprintf("%x", testRSA().D.Bytes()[:8]),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		for _, v := range []any{k, *k, []*Key{k}, struct{ K *Key }{k}} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Fatalf("fmt.Sprintf(%q, %T) = %q shows a secret", verb, v, out)
				}
			}
		}
	}
	if got := k.String(); got != "npki key (RSA-2048, with randomNum)" {
		t.Fatalf("String() = %q", got)
	}
}

// TestEncryptKeyKeepsThePrivateKeyInfo: the PrivateKeyInfo comes back byte
// for byte, through our parser and through openssl's.
func TestEncryptKeyKeepsThePrivateKeyInfo(t *testing.T) {
	k := newKey(t, testRSA())
	out, err := EncryptKey(k, []byte("new pw"), 2000)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParseKey(out, []byte("new pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.info, k.info) {
		t.Fatal("the PrivateKeyInfo changed")
	}

	var epki encryptedPrivateKeyInfo
	asn1.Unmarshal(out, &epki)
	var p pbes2Params
	asn1.Unmarshal(epki.Algorithm.Parameters.FullBytes, &p)
	var kp pbkdf2Params
	asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp)
	if !epki.Algorithm.Algorithm.Equal(oidPBES2) || !p.EncryptionScheme.Algorithm.Equal(oidSeedCBC) ||
		!kp.PRF.Algorithm.Equal(oidHMACWithSHA256) || kp.Iterations != 2000 || len(kp.Salt) != 16 {
		t.Fatalf("written as %v / %v / %v, %d iterations, %d-byte salt", epki.Algorithm.Algorithm,
			p.EncryptionScheme.Algorithm, kp.PRF.Algorithm, kp.Iterations, len(kp.Salt))
	}

	// openssl decodes the key and writes it back in the traditional PKCS#1
	// form, without attributes: compare the key itself.
	t.Run("openssl decrypts it to the same key", func(t *testing.T) {
		dir := t.TempDir()
		in, plain := filepath.Join(dir, "signPri.key"), filepath.Join(dir, "plain.der")
		os.WriteFile(in, out, 0o600)
		testpki.Run(t, "openssl", "pkcs8", "-provider", "legacy", "-provider", "default", "-inform", "DER",
			"-in", in, "-passin", "pass:new pw", "-outform", "DER", "-out", plain)
		if !bytes.Equal(mustRead(t, plain), x509.MarshalPKCS1PrivateKey(testRSA())) {
			t.Fatal("openssl's decryption differs")
		}
	})
	t.Run("0 iterations means the default", func(t *testing.T) {
		out, err := EncryptKey(k, []byte("pw"), 0)
		if err != nil {
			t.Fatal(err)
		}
		var epki encryptedPrivateKeyInfo
		asn1.Unmarshal(out, &epki)
		var p pbes2Params
		asn1.Unmarshal(epki.Algorithm.Parameters.FullBytes, &p)
		var kp pbkdf2Params
		asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp)
		if kp.Iterations != DefaultIterations {
			t.Fatalf("%d iterations", kp.Iterations)
		}
	})
	t.Run("two encryptions differ (fresh salt and IV)", func(t *testing.T) {
		a, _ := EncryptKey(k, []byte("pw"), 1)
		b, _ := EncryptKey(k, []byte("pw"), 1)
		if bytes.Equal(a, b) {
			t.Fatal("same output twice")
		}
	})
	t.Run("a negative iteration count is refused", func(t *testing.T) {
		if _, err := EncryptKey(k, []byte("pw"), -1); err == nil {
			t.Fatal("no error")
		}
	})
}
