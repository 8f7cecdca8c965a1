package seed

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/bits"
	"os/exec"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC4269Vectors checks every test vector of RFC 4269, Appendix B, both
// ways.
func TestRFC4269Vectors(t *testing.T) {
	for _, tc := range []struct{ name, key, plain, cipher string }{
		{"B.1 zero key, counting plaintext", "00000000000000000000000000000000", "000102030405060708090A0B0C0D0E0F", "5EBAC6E0054E166819AFF1CC6D346CDB"},
		{"B.2 counting key, zero plaintext", "000102030405060708090A0B0C0D0E0F", "00000000000000000000000000000000", "C11F22F20140505084483597E4370F43"},
		{"B.3 random key and plaintext", "4706480851E61BE85D74BFB3FD956185", "83A2F8A288641FB9A4E9A5CC2F131C7D", "EE54D13EBCAE706D226BC3142CD40D4A"},
		{"B.4 another random key and plaintext", "28DBC3BC49FFD87DCFA509B11D422BE7", "B41E6BE2EBA84A148E2EED84593C5EC7", "9B9B7BFCD1813CB95D0B3618F40F5122"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCipher(unhex(t, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			plain, want := unhex(t, tc.plain), unhex(t, tc.cipher)
			got := make([]byte, BlockSize)
			c.Encrypt(got, plain)
			if !bytes.Equal(got, want) {
				t.Fatalf("encrypt = %X, want %X", got, want)
			}
			c.Decrypt(got, want)
			if !bytes.Equal(got, plain) {
				t.Fatalf("decrypt = %X, want %X", got, plain)
			}
		})
	}
}

// TestTablesMatchRFC4269AppendixA spot-checks the computed SS tables against
// entries printed in RFC 4269, Appendix A (the first two of each table, and
// the middle and last of SS0 and SS1).
func TestTablesMatchRFC4269AppendixA(t *testing.T) {
	for _, tc := range []struct {
		table, index int
		want         uint32
	}{
		{0, 0, 0x2989a1a8}, {0, 1, 0x05858184}, {0, 128, 0x02020200}, {0, 255, 0x1a8a9298},
		{1, 0, 0x38380830}, {1, 1, 0xe828c8e0}, {1, 128, 0x80018181}, {1, 255, 0xb43787b3},
		{2, 0, 0xa1a82989}, {2, 1, 0x81840585},
		{3, 0, 0x08303838}, {3, 1, 0xc8e0e828},
	} {
		if got := ss[tc.table][tc.index]; got != tc.want {
			t.Errorf("SS%d[%d] = %#08x, want %#08x", tc.table, tc.index, got, tc.want)
		}
	}
}

func TestSBoxesArePermutations(t *testing.T) {
	for name, s := range map[string]func(byte) byte{"S1": sbox1, "S2": sbox2} {
		seen := make(map[byte]bool)
		for x := 0; x < 256; x++ {
			seen[s(byte(x))] = true
		}
		if len(seen) != 256 {
			t.Errorf("%s hits only %d values", name, len(seen))
		}
	}
}

func TestKeyConstantsAreTheRotatedGoldenRatio(t *testing.T) {
	for i, k := range kc {
		if want := bits.RotateLeft32(0x9e3779b9, i); k != want {
			t.Errorf("KC%d = %#08x, want %#08x", i, k, want)
		}
	}
}

func TestNewCipherRefusesOtherKeySizes(t *testing.T) {
	for _, n := range []int{0, 8, 15, 17, 24, 32} {
		_, err := NewCipher(make([]byte, n))
		var ks KeySizeError
		if !errors.As(err, &ks) || int(ks) != n {
			t.Errorf("key of %d bytes: %v", n, err)
		}
	}
}

func TestEncryptThenDecryptGivesBackTheBlock(t *testing.T) {
	key := make([]byte, KeySize)
	for i := 0; i < 200; i++ {
		rand.Read(key)
		c, _ := NewCipher(key)
		block := make([]byte, BlockSize)
		rand.Read(block)
		buf := bytes.Clone(block)
		c.Encrypt(buf, buf) // in place
		if bytes.Equal(buf, block) {
			t.Fatal("encryption left the block unchanged")
		}
		c.Decrypt(buf, buf)
		if !bytes.Equal(buf, block) {
			t.Fatalf("round trip: got %X, want %X", buf, block)
		}
	}
}

// TestAgreesWithOpenSSL encrypts random data with OpenSSL's SEED (legacy
// provider) in ECB and CBC and compares with this package through the
// standard library's modes.
func TestAgreesWithOpenSSL(t *testing.T) {
	openssl := testpki.Tool(t, "openssl")
	for i := 0; i < 8; i++ {
		key, iv := make([]byte, KeySize), make([]byte, BlockSize)
		rand.Read(key)
		rand.Read(iv)
		plain := make([]byte, BlockSize*(1+i*7))
		rand.Read(plain)
		c, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}

		want := make([]byte, len(plain))
		for j := 0; j < len(plain); j += BlockSize {
			c.Encrypt(want[j:], plain[j:])
		}
		got := runOpenSSL(t, openssl, plain, "-seed-ecb", "-K", hex.EncodeToString(key))
		if !bytes.Equal(got, want) {
			t.Fatalf("seed-ecb on %d bytes: openssl %X, we %X", len(plain), got, want)
		}

		cipher.NewCBCEncrypter(c, iv).CryptBlocks(want, plain)
		got = runOpenSSL(t, openssl, plain, "-seed-cbc", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
		if !bytes.Equal(got, want) {
			t.Fatalf("seed-cbc on %d bytes: openssl %X, we %X", len(plain), got, want)
		}

		back := make([]byte, len(got))
		cipher.NewCBCDecrypter(c, iv).CryptBlocks(back, got)
		if !bytes.Equal(back, plain) {
			t.Fatal("CBC decryption of OpenSSL's ciphertext differs from the plaintext")
		}
	}
}

func runOpenSSL(t *testing.T, openssl string, in []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(openssl, append([]string{"enc", "-provider", "legacy", "-provider", "default", "-nopad"}, args...)...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl enc %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func TestShortBlocksPanic(t *testing.T) {
	c, _ := NewCipher(make([]byte, KeySize))
	for name, fn := range map[string]func(){
		"short source":      func() { c.Encrypt(make([]byte, 16), make([]byte, 15)) },
		"short destination": func() { c.Decrypt(make([]byte, 15), make([]byte, 16)) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			fn()
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Decrypt(buf, buf)
	}
}

func BenchmarkNewCipher(b *testing.B) {
	key := make([]byte, KeySize)
	for b.Loop() {
		NewCipher(key)
	}
}

func BenchmarkCBCDecrypt4K(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		cipher.NewCBCDecrypter(c, make([]byte, BlockSize)).CryptBlocks(buf, buf)
	}
}
