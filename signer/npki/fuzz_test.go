package npki

import (
	"bytes"
	"crypto"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/signer"
)

const fuzzPassword = "fuzz"

// classified tells whether err is one a caller can act on: every failure of
// ParseKey must be a wrong password, a damaged file, or an unsupported
// algorithm or key.
func classified(err error) bool {
	var ua *UnsupportedAlgorithmError
	return errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrDamaged) ||
		errors.As(err, &ua) || errors.Is(err, signer.ErrUnsupportedKey)
}

// FuzzParseKey feeds key files, random and mutated from valid ones of every
// scheme, to ParseKey: it must not panic, must classify every failure, and a
// key it accepts must survive EncryptKey and ParseKey unchanged. The
// iteration count is capped low so that mutated counts stay fast.
func FuzzParseKey(f *testing.F) {
	pw := []byte(fuzzPassword)
	rsaKey := newKey(f, testRSA())
	ecKey := newKey(f, testECDSA(f))
	pbes2, err := EncryptKey(rsaKey, pw, 100)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		sealPBES1(f, rsaKey.info, pw, 1),
		sealPBES1(f, ecKey.info, pw, 2048),
		pbes2,
		sealPBES2(f, ecKey.info, pw, 3, nil, crypto.SHA1, 16, oidSeedCBC),
		sealLegacy(f, oidSeedCBC, rsaKey.info, pw, 2, false),
		sealLegacy(f, oidSeedCBCGPKI, ecKey.info, pw, 2, true),
		mustRead(f, filepath.Join(yessignDir, KeyFile)),
		mustRead(f, "testdata/pypinksign-pbes2.key"),
		{0x30, 0x00},
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := parseKey(data, pw, 4096)
		if err != nil {
			if k != nil || !classified(err) || !strings.HasPrefix(err.Error(), "npki: ") {
				t.Fatalf("key %v with the unclassified error %q", k, err)
			}
			return
		}
		if k == nil || k.signer == nil {
			t.Fatal("no key and no error")
		}
		out, err := EncryptKey(k, pw, 1)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := ParseKey(out, pw)
		if err != nil || !bytes.Equal(k2.info, k.info) || !bytes.Equal(k2.RandomNum(), k.RandomNum()) {
			t.Fatalf("re-encrypted key: %v", err)
		}
	})
}

// FuzzPrivateKeyInfo feeds decrypted PrivateKeyInfo bytes, which the
// password protects from FuzzParseKey's mutations, to the parser directly.
func FuzzPrivateKeyInfo(f *testing.F) {
	yessign, err := ParseKey(mustRead(f, filepath.Join(yessignDir, KeyFile)), []byte(yessignPassword))
	if err != nil {
		f.Fatal(err)
	}
	plain, err := NewKey(testRSA(), nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{yessign.info, newKey(f, testRSA()).info, newKey(f, testECDSA(f)).info, plain.info} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := parsePrivateKeyInfo(der)
		if err != nil {
			if k != nil || !(errors.Is(err, errNotAKey) || classified(err)) {
				t.Fatalf("key %v with the unclassified error %q", k, err)
			}
			return
		}
		if k.signer == nil || (k.randomNum != nil && len(k.randomNum) == 0) {
			t.Fatalf("accepted %v", k)
		}
	})
}

// FuzzVID feeds subjectAltName extension values to the identifyData reader.
func FuzzVID(f *testing.F) {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		ext, err := MakeIdentifyDataExtension("홍길동", testRRN, testR, h)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ext.Value)
	}
	f.Add(mustHex(f, "3059a05706092a831a8c9a440a0101a04a30480c03484b443041303f060a2a831a8c9a440a0101013031300b0609608648016503040201a02204208ad4f673412f825da4d1fb4d4216946bbc7f8194a0af01f86622ee23c7ee0de7"))
	f.Fuzz(func(t *testing.T, value []byte) {
		name, h, vid, err := parseVIDExtension(value)
		if err != nil {
			var ua *UnsupportedAlgorithmError
			if !errors.Is(err, ErrNoVID) && !errors.As(err, &ua) && !strings.HasPrefix(err.Error(), "npki: malformed ") {
				t.Fatalf("unclassified error %q", err)
			}
			return
		}
		if !h.Available() || len(vid) != h.Size() {
			t.Fatalf("accepted %q %v %x", name, h, vid)
		}
	})
}
