// Package seed implements the SEED block cipher (RFC 4269, KISA TTAS.KO-12.0004),
// the 128-bit cipher Korean NPKI private-key files (signPri.key) are encrypted
// with.
//
// SEED is a 16-round Feistel cipher on 128-bit blocks with a 128-bit key. It
// is here only to read and write those files: it is not a modern choice for
// anything new. NewCipher returns a crypto/cipher.Block, so the standard
// library's modes apply (cipher.NewCBCDecrypter for NPKI files).
//
// The implementation is table based and therefore not constant time with
// respect to cache timing, like every software SEED; an NPKI key is decrypted
// once, on the citizen's own machine, where that is not a threat that matters.
package seed

import (
	"crypto/cipher"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// BlockSize is the SEED block size in bytes.
const BlockSize = 16

// KeySize is the SEED key size in bytes (SEED-128, the only size RFC 4269 has).
const KeySize = 16

// rounds is the number of Feistel rounds (RFC 4269, section 2).
const rounds = 16

// KeySizeError is returned by NewCipher for a key that is not 16 bytes long.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "crypto/seed: invalid key size " + strconv.Itoa(int(k))
}

// NewCipher returns a SEED cipher.Block for a 16-byte key. The block is safe
// for concurrent use: it is never written after NewCipher.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	c := new(seedCipher)
	c.expandKey(key)
	return c, nil
}

// seedCipher holds the 32 round keys: k[2i] and k[2i+1] for round i.
type seedCipher struct {
	k [2 * rounds]uint32
}

func (s *seedCipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst. dst and src may overlap
// entirely or not at all (the whole block is read before any byte is written).
func (s *seedCipher) Encrypt(dst, src []byte) {
	checkBlocks(dst, src)
	s.crypt(dst, src, false)
}

// Decrypt decrypts the first block of src into dst, with the same overlap
// rule as Encrypt.
func (s *seedCipher) Decrypt(dst, src []byte) {
	checkBlocks(dst, src)
	s.crypt(dst, src, true)
}

func checkBlocks(dst, src []byte) {
	if len(src) < BlockSize {
		panic("crypto/seed: input not full block")
	}
	if len(dst) < BlockSize {
		panic("crypto/seed: output not full block")
	}
}

// crypt runs the 16 rounds (RFC 4269, section 2). The block is L0||L1||R0||R1
// as big-endian words; each round XORs F(R, K_i) into L and swaps the halves,
// except that the last round does not swap. Taking the rounds two at a time
// does the swapping by naming: the odd round works on R with L, and the result
// comes out as R||L. Decryption is the same walk with the round keys in
// reverse order.
func (s *seedCipher) crypt(dst, src []byte, decrypt bool) {
	l0 := binary.BigEndian.Uint32(src[0:])
	l1 := binary.BigEndian.Uint32(src[4:])
	r0 := binary.BigEndian.Uint32(src[8:])
	r1 := binary.BigEndian.Uint32(src[12:])
	var t0, t1 uint32
	if !decrypt {
		for i := 0; i < rounds; i += 2 {
			t0, t1 = f(r0, r1, s.k[2*i], s.k[2*i+1])
			l0, l1 = l0^t0, l1^t1
			t0, t1 = f(l0, l1, s.k[2*i+2], s.k[2*i+3])
			r0, r1 = r0^t0, r1^t1
		}
	} else {
		for i := rounds - 1; i > 0; i -= 2 {
			t0, t1 = f(r0, r1, s.k[2*i], s.k[2*i+1])
			l0, l1 = l0^t0, l1^t1
			t0, t1 = f(l0, l1, s.k[2*i-2], s.k[2*i-1])
			r0, r1 = r0^t0, r1^t1
		}
	}
	binary.BigEndian.PutUint32(dst[0:], r0)
	binary.BigEndian.PutUint32(dst[4:], r1)
	binary.BigEndian.PutUint32(dst[8:], l0)
	binary.BigEndian.PutUint32(dst[12:], l1)
}

// f is the round function F of RFC 4269, section 2: three applications of
// G mixed by addition modulo 2^32.
func f(c, d, k0, k1 uint32) (uint32, uint32) {
	c ^= k0
	d ^= k1
	d ^= c
	d = g(d)
	c += d
	c = g(c)
	d += c
	d = g(d)
	c += d
	return c, d
}

// g is the function G of RFC 4269, section 2, with the S-boxes and the
// masking permutation folded into the four SS tables: Y0 is the least
// significant byte.
func g(x uint32) uint32 {
	return ss[0][byte(x)] ^ ss[1][byte(x>>8)] ^ ss[2][byte(x>>16)] ^ ss[3][byte(x>>24)]
}

// kc holds the key-schedule constants KC0..KC15 of RFC 4269, section 2. They
// are the golden ratio 0x9e3779b9 rotated left by i bits (as the test checks).
var kc = [rounds]uint32{
	0x9e3779b9, 0x3c6ef373, 0x78dde6e6, 0xf1bbcdcc,
	0xe3779b99, 0xc6ef3733, 0x8dde6e67, 0x1bbcdccf,
	0x3779b99e, 0x6ef3733c, 0xdde6e678, 0xbbcdccf1,
	0x779b99e3, 0xef3733c6, 0xde6e678d, 0xbcdccf1b,
}

// expandKey is the key schedule of RFC 4269, section 2: the key is the four
// big-endian words A, B, C, D. Round i takes
//
//	K_i0 = G(A + C - KC_i),  K_i1 = G(B - D + KC_i)
//
// and then rotates A||B right by 8 bits after even rounds (counting from 0)
// and C||D left by 8 bits after odd ones.
func (s *seedCipher) expandKey(key []byte) {
	a := binary.BigEndian.Uint32(key[0:])
	b := binary.BigEndian.Uint32(key[4:])
	c := binary.BigEndian.Uint32(key[8:])
	d := binary.BigEndian.Uint32(key[12:])
	for i := 0; i < rounds; i++ {
		s.k[2*i] = g(a + c - kc[i])
		s.k[2*i+1] = g(b - d + kc[i])
		if i%2 == 0 {
			a, b = a>>8|b<<24, b>>8|a<<24
		} else {
			c, d = c<<8|d>>24, d<<8|c>>24
		}
	}
}

// The S-boxes. KISA's SEED specification defines its two 8-bit S-boxes as
// affine maps of power functions in GF(2^8) with the field polynomial
// x^8 + x^6 + x^5 + x + 1 (0x163):
//
//	S1(x) = A1 · x^247 ⊕ 169,   S2(x) = A2 · x^251 ⊕ 56
//
// (x^247 and x^251 of 0 being 0). RFC 4269 Appendix A prints the resulting
// tables; building them from this definition instead of transcribing 2,048
// table entries leaves nothing to mistype, and the Appendix B vectors and the
// OpenSSL cross-check in the tests confirm the result. A1 and A2 are given by
// their columns (worked out from the RFC's tables): A·y is the XOR of column
// i for every bit i set in y.
const fieldPoly = 0x163

var (
	a1 = [8]byte{0x2c, 0xd0, 0x69, 0xc2, 0x41, 0x44, 0x58, 0xe2}
	a2 = [8]byte{0xd0, 0x2a, 0xe1, 0x2c, 0x21, 0x30, 0xa2, 0x6c}
)

// The masks m0..m3 of the G function (RFC 4269, section 2): each output byte
// of G XORs all four S-box outputs with two bits of each masked off, so that
// every output bit depends on three of the four input bytes.
const (
	m0 = 0xfc
	m1 = 0xf3
	m2 = 0xcf
	m3 = 0x3f
)

// ss are the SS0..SS3 tables of RFC 4269, Appendix A:
//
//	SS0(x) = (S1(x)&m3)<<24 | (S1(x)&m2)<<16 | (S1(x)&m1)<<8 | (S1(x)&m0)
//	SS1(x) = (S2(x)&m0)<<24 | (S2(x)&m3)<<16 | (S2(x)&m2)<<8 | (S2(x)&m1)
//	SS2(x) = (S1(x)&m1)<<24 | (S1(x)&m0)<<16 | (S1(x)&m3)<<8 | (S1(x)&m2)
//	SS3(x) = (S2(x)&m2)<<24 | (S2(x)&m1)<<16 | (S2(x)&m0)<<8 | (S2(x)&m3)
//
// They are computed once at package initialisation and only read after.
var ss = func() (t [4][256]uint32) {
	for x := 0; x < 256; x++ {
		s1, s2 := uint32(sbox1(byte(x))), uint32(sbox2(byte(x)))
		t[0][x] = (s1&m3)<<24 | (s1&m2)<<16 | (s1&m1)<<8 | s1&m0
		t[1][x] = (s2&m0)<<24 | (s2&m3)<<16 | (s2&m2)<<8 | s2&m1
		t[2][x] = (s1&m1)<<24 | (s1&m0)<<16 | (s1&m3)<<8 | s1&m2
		t[3][x] = (s2&m2)<<24 | (s2&m1)<<16 | (s2&m0)<<8 | s2&m3
	}
	return t
}()

func sbox1(x byte) byte { return affine(&a1, gfPow(x, 247)) ^ 169 }
func sbox2(x byte) byte { return affine(&a2, gfPow(x, 251)) ^ 56 }

func affine(cols *[8]byte, y byte) byte {
	var r byte
	for i := 0; i < 8; i++ {
		if y>>i&1 == 1 {
			r ^= cols[i]
		}
	}
	return r
}

// gfMul multiplies in GF(2^8) modulo fieldPoly.
func gfMul(a, b byte) byte {
	var r byte
	for ; b != 0; b >>= 1 {
		if b&1 == 1 {
			r ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= fieldPoly & 0xff
		}
	}
	return r
}

// gfPow raises x to e in GF(2^8); 0 to any power is 0 here, as SEED wants.
func gfPow(x byte, e int) byte {
	r := byte(1)
	for i := bits.Len(uint(e)) - 1; i >= 0; i-- {
		r = gfMul(r, r)
		if e>>i&1 == 1 {
			r = gfMul(r, x)
		}
	}
	if x == 0 {
		return 0
	}
	return r
}
