// Package password stores the issuance server's passwords (clerks', and
// citizens' for the ID/password login) as argon2id hashes (RFC 9106) in the
// PHC string form, and draws initial passwords that a clerk hands over.
//
// The parameters are OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane):
// about 30 ms on our machines. They are stored with each hash, so stronger
// ones can be introduced later while old hashes still verify.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters for new hashes.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// Limits of a password a person chooses.
const (
	MinLength = 10
	MaxLength = 128
)

// ErrMalformed is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("password: malformed hash")

// ErrWeak is returned by CheckNew for a password that does not meet the policy.
var ErrWeak = fmt.Errorf("password: at least %d characters, with letters and digits or symbols", MinLength)

// Hash returns the argon2id PHC string of pw with a fresh salt.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string encoded, in constant time.
func Verify(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
		return false, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is a valid hash of nothing anyone types: verifying against it when an
// account does not exist takes as long as a real check, so timing does not
// tell which login names exist.
var dummy = func() string {
	h, err := Hash("\x00no account\x00")
	if err != nil {
		panic(err)
	}
	return h
}()

// VerifyNothing spends the time of one Verify and returns false.
func VerifyNothing(pw string) bool {
	Verify(dummy, pw)
	return false
}

// initialAlphabet leaves out characters that are easily misread on paper
// (0/O, 1/l/I) and is all lower case plus digits, so the initial password can
// be read out at a counter.
const initialAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// Initial draws an initial password: 12 characters from a 32-letter alphabet
// (60 bits), shown as three groups of four, e.g. "k7dm-x2qa-9rte". The
// hyphens are part of it.
func Initial(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 12)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(initialAlphabet[int(c)%len(initialAlphabet)])
	}
	return sb.String(), nil
}

// CheckNew checks a password a person chooses: MinLength to MaxLength
// characters, with at least two of letters, digits and symbols.
func CheckNew(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinLength || n > MaxLength {
		return ErrWeak
	}
	var letter, digit, other bool
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f:
			letter = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{letter, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 2 {
		return ErrWeak
	}
	return nil
}
