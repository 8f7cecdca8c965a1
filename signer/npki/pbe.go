package npki

import (
	"crypto"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	_ "crypto/sha256" // PBKDF2 and VID hashes by crypto.Hash
	_ "crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/bonsign/bonsign/signer/seed"
)

// Key-encryption algorithms of signPri.key.
var (
	// pbeWithSHA1AndSEED-CBC (KISA KCAC.TS.ENC): PBKDF1-SHA1 derives both the
	// SEED key and the IV. The common scheme of older NPKI files.
	oidSeedCBCWithSHA1 = asn1.ObjectIdentifier{1, 2, 410, 200004, 1, 15}
	// id-seedCBC (RFC 4010 section 3): SEED-CBC, the encryption scheme inside
	// PBES2, and in old files the top-level algorithm with a fixed IV.
	oidSeedCBC = asn1.ObjectIdentifier{1, 2, 410, 200004, 1, 4}
	// The Government PKI's use of SEED-CBC as a top-level algorithm, read like
	// oidSeedCBC.
	oidSeedCBCGPKI = asn1.ObjectIdentifier{1, 2, 410, 200004, 1, 4, 2}
	// PBES2 and PBKDF2 (RFC 8018 appendix A.4 and A.2).
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	// hmacWithSHA256 (RFC 8018 appendix B.1.2), the PRF EncryptKey uses.
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
)

// prfs are PBKDF2's pseudorandom functions (RFC 8018 appendix B.1); an absent
// PRF means hmacWithSHA1.
var prfs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}, crypto.SHA224},
	{oidHMACWithSHA256, crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}, crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}, crypto.SHA512},
}

// legacyIV is the fixed IV of the old top-level SEED-CBC scheme.
var legacyIV = []byte("0123456789012345")

// DefaultIterations is the PBKDF2 iteration count EncryptKey uses when given
// 0. Opening such a key takes some tens of milliseconds.
const DefaultIterations = 100_000

// maxIterations bounds the iteration count ParseKey accepts: more is a damaged
// or hostile file, not a key anyone could open in reasonable time.
const maxIterations = 10_000_000

// encryptedPrivateKeyInfo is PKCS#8's EncryptedPrivateKeyInfo (RFC 5208
// section 6).
type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// pbeParams are the parameters of the KISA schemes, PKCS#5's PBEParameter
// (RFC 8018 appendix A.3): a salt (8 bytes in practice) and an iteration
// count (2048 in practice).
type pbeParams struct {
	Salt       []byte
	Iterations int
}

// pbes2Params is PBES2-params (RFC 8018 appendix A.4).
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

// pbkdf2Params is PBKDF2-params (RFC 8018 appendix A.2), with the salt's
// otherSource choice left out (nobody uses it).
type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// ParseKey decrypts an NPKI private key file (signPri.key) with password.
//
// The file is a PKCS#8 EncryptedPrivateKeyInfo; three schemes are read, all
// with the SEED cipher in CBC mode and PKCS#7 padding:
//
//  1. seedCBCWithSHA1 (1.2.410.200004.1.15), the old common one: PBKDF1-SHA1
//     over password||salt gives 20 bytes dk; the key is dk[0:16] and the IV
//     the first 16 bytes of SHA-1(dk[16:20]).
//  2. PBES2 (1.2.840.113549.1.5.13) with PBKDF2 (HMAC-SHA1 unless another
//     HMAC is named) and SEED-CBC (1.2.410.200004.1.4), the IV in its
//     parameters: what renewed certificates have.
//  3. SEED-CBC as the top-level algorithm (1.2.410.200004.1.4, or
//     1.2.410.200004.1.4.2 in the Government PKI), with the fixed IV
//     "0123456789012345"; the key comes from PBKDF1 as in 1, or failing that
//     from PBKDF2-HMAC-SHA1, since implementations differ.
//
// The password is used as the bytes given (NPKI passwords are ASCII in
// practice). A password that does not open the file gives an error matching
// ErrWrongPassword; a malformed file, ErrDamaged; an algorithm not listed
// above, an *UnsupportedAlgorithmError. The decrypted key must be RSA or
// ECDSA; its randomNum attribute, if any, is kept (Key.RandomNum).
func ParseKey(der, password []byte) (*Key, error) {
	return parseKey(der, password, maxIterations)
}

func parseKey(der, password []byte, maxIter int) (*Key, error) {
	var epki encryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(der, &epki)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the key", ErrDamaged, len(rest))
	}
	data := epki.EncryptedData
	alg := epki.Algorithm
	switch {
	case alg.Algorithm.Equal(oidSeedCBCWithSHA1):
		p, err := parsePBEParams(alg.Parameters, maxIter)
		if err != nil {
			return nil, err
		}
		dk := pbkdf1(password, p.Salt, p.Iterations)
		iv := sha1.Sum(dk[16:20])
		return decryptKey(data, dk[:16], iv[:seed.BlockSize])

	case alg.Algorithm.Equal(oidPBES2):
		key, iv, err := pbes2Key(alg.Parameters, password, maxIter)
		if err != nil {
			return nil, err
		}
		return decryptKey(data, key, iv)

	case alg.Algorithm.Equal(oidSeedCBC), alg.Algorithm.Equal(oidSeedCBCGPKI):
		p, err := parsePBEParams(alg.Parameters, maxIter)
		if err != nil {
			return nil, err
		}
		dk := pbkdf1(password, p.Salt, p.Iterations)
		k, err := decryptKey(data, dk[:16], legacyIV)
		if !errors.Is(err, ErrWrongPassword) {
			return k, err
		}
		key, err := pbkdf2.Key(crypto.SHA1.New, string(password), p.Salt, p.Iterations, seed.KeySize)
		if err != nil {
			return nil, fmt.Errorf("npki: pbkdf2: %w", err)
		}
		return decryptKey(data, key, legacyIV)

	default:
		return nil, &UnsupportedAlgorithmError{OID: alg.Algorithm, Use: useKeyEncryption}
	}
}

func parsePBEParams(raw asn1.RawValue, maxIter int) (pbeParams, error) {
	var p pbeParams
	rest, err := asn1.Unmarshal(raw.FullBytes, &p)
	if err != nil {
		return p, fmt.Errorf("%w: parameters: %v", ErrDamaged, err)
	}
	if len(rest) != 0 {
		return p, fmt.Errorf("%w: data after the parameters", ErrDamaged)
	}
	return p, checkIterations(p.Iterations, maxIter)
}

func checkIterations(n, maxIter int) error {
	if n < 1 || n > maxIter {
		return fmt.Errorf("%w: iteration count %d", ErrDamaged, n)
	}
	return nil
}

// pbes2Key reads PBES2-params and derives the SEED key; it returns the key
// and the IV.
func pbes2Key(raw asn1.RawValue, password []byte, maxIter int) (key, iv []byte, err error) {
	var p pbes2Params
	if rest, err := asn1.Unmarshal(raw.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: PBES2 parameters", ErrDamaged)
	}
	if enc := p.EncryptionScheme.Algorithm; !enc.Equal(oidSeedCBC) {
		return nil, nil, &UnsupportedAlgorithmError{OID: enc, Use: useEncryption}
	}
	if kdf := p.KeyDerivationFunc.Algorithm; !kdf.Equal(oidPBKDF2) {
		return nil, nil, &UnsupportedAlgorithmError{OID: kdf, Use: useKeyDerivation}
	}
	// SeedCBCParameter ::= OCTET STRING (SIZE(16)), RFC 4010 section 3.
	if rest, err := asn1.Unmarshal(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != seed.BlockSize {
		return nil, nil, fmt.Errorf("%w: SEED-CBC IV", ErrDamaged)
	}
	var kp pbkdf2Params
	if rest, err := asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: PBKDF2 parameters", ErrDamaged)
	}
	if err := checkIterations(kp.Iterations, maxIter); err != nil {
		return nil, nil, err
	}
	if kp.KeyLength != 0 && kp.KeyLength != seed.KeySize {
		return nil, nil, fmt.Errorf("%w: PBKDF2 key length %d for SEED", ErrDamaged, kp.KeyLength)
	}
	h := crypto.SHA1
	if prf := kp.PRF.Algorithm; len(prf) != 0 {
		h = 0
		for _, f := range prfs {
			if prf.Equal(f.oid) {
				h = f.hash
			}
		}
		if h == 0 {
			return nil, nil, &UnsupportedAlgorithmError{OID: prf, Use: usePRF}
		}
	}
	key, err = pbkdf2.Key(h.New, string(password), kp.Salt, kp.Iterations, seed.KeySize)
	if err != nil {
		return nil, nil, fmt.Errorf("npki: pbkdf2: %w", err)
	}
	return key, iv, nil
}

// pbkdf1 is PBKDF1 with SHA-1 (RFC 8018 section 5.1): T1 = SHA-1(P || S),
// Ti = SHA-1(Ti-1), c hashes in all. NPKI keeps the whole 20-byte Tc.
func pbkdf1(password, salt []byte, c int) [sha1.Size]byte {
	h := sha1.New()
	h.Write(password)
	h.Write(salt)
	var t [sha1.Size]byte
	h.Sum(t[:0])
	for i := 1; i < c; i++ {
		t = sha1.Sum(t[:])
	}
	return t
}

// decryptKey decrypts SEED-CBC, removes the padding and parses the
// PrivateKeyInfo. Bad padding or bytes that are no PrivateKeyInfo mean a
// wrong password.
func decryptKey(data, key, iv []byte) (*Key, error) {
	if len(data) == 0 || len(data)%seed.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes of encrypted data", ErrDamaged, len(data))
	}
	block, err := seed.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	info, ok := unpad(plain)
	if !ok {
		clear(plain)
		return nil, fmt.Errorf("npki: %w", ErrWrongPassword)
	}
	k, err := parsePrivateKeyInfo(info)
	if errors.Is(err, errNotAKey) {
		clear(plain)
		return nil, fmt.Errorf("npki: %w", ErrWrongPassword)
	}
	return k, err
}

// unpad removes PKCS#7 padding (RFC 5652 section 6.3), checking every pad
// byte.
func unpad(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > seed.BlockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

func pad(b []byte) []byte {
	n := seed.BlockSize - len(b)%seed.BlockSize
	out := make([]byte, len(b)+n)
	copy(out, b)
	for i := len(b); i < len(out); i++ {
		out[i] = byte(n)
	}
	return out
}

// EncryptKey encrypts k with password as a PBES2 signPri.key (scheme 2 of
// ParseKey): PBKDF2-HMAC-SHA256 with a random 16-byte salt and iterations
// rounds (0 means DefaultIterations), and SEED-CBC with a random IV. The
// PrivateKeyInfo is encrypted exactly as it was decrypted, so its randomNum
// attribute, and anything else in it, stays byte for byte the same.
func EncryptKey(k *Key, password []byte, iterations int) ([]byte, error) {
	if iterations == 0 {
		iterations = DefaultIterations
	}
	if iterations < 1 || iterations > maxIterations {
		return nil, fmt.Errorf("npki: iteration count %d out of range", iterations)
	}
	salt, iv := make([]byte, 16), make([]byte, seed.BlockSize)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(crypto.SHA256.New, string(password), salt, iterations, seed.KeySize)
	if err != nil {
		return nil, fmt.Errorf("npki: pbkdf2: %w", err)
	}
	block, err := seed.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	padded := pad(k.info)
	data := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, padded)
	clear(padded)

	kdf, err := asn1.Marshal(pbkdf2Params{
		Salt:       salt,
		Iterations: iterations,
		PRF:        pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	params, err := asn1.Marshal(pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: oidSeedCBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	out, err := asn1.Marshal(encryptedPrivateKeyInfo{
		Algorithm:     pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		EncryptedData: data,
	})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	return out, nil
}

// WeakProtection reports whether the key file der is protected less well
// than EncryptKey would protect it: anything but PBES2 with PBKDF2-HMAC-SHA256
// (or stronger) and at least DefaultIterations rounds. Old PBES1 files, with
// SHA-1 and 2048 rounds, are. It reads only the algorithm identifiers: no
// password is needed. A file it cannot read is not weak, but damaged.
func WeakProtection(der []byte) bool {
	var epki encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &epki); err != nil || len(rest) != 0 {
		return false
	}
	if !epki.Algorithm.Algorithm.Equal(oidPBES2) {
		return true
	}
	var p pbes2Params
	if rest, err := asn1.Unmarshal(epki.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return false
	}
	var kp pbkdf2Params
	if rest, err := asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp); err != nil || len(rest) != 0 {
		return false
	}
	if kp.Iterations < DefaultIterations || len(kp.PRF.Algorithm) == 0 {
		return true
	}
	for _, f := range prfs {
		if kp.PRF.Algorithm.Equal(f.oid) {
			return f.hash == crypto.SHA1 || f.hash == crypto.SHA224
		}
	}
	return true
}
