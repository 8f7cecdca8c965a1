// Package pii protects personal data at rest on the issuance server: resident
// registration numbers, addresses, phone numbers and the confirmations that
// contain them are sealed with AES-256-GCM, and looked up through a keyed hash
// (HMAC-SHA256) that reveals nothing without the key.
//
// Keys is 64 bytes: 32 for sealing, 32 for the index. Sealed values start with
// a one-byte key id, so that a later key can be added for rotation while old
// values stay readable.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the length of the key material: an AES-256 key and an HMAC key.
const KeySize = 64

// keyID is the id of the only key generation so far.
const keyID = 1

// ErrOpen is returned when a sealed value cannot be opened: wrong key, or the
// value was altered.
var ErrOpen = errors.New("pii: sealed value cannot be opened")

// Sealer seals and indexes personal data. It is safe for concurrent use.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

// New returns a Sealer for 64 bytes of key material.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("pii: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	return &Sealer{aead: aead, macKey: append([]byte(nil), key[32:]...)}, nil
}

// Seal encrypts plaintext. context binds the value to where it is stored (for
// example "citizen.rrn"), so a sealed value copied into another column does
// not open there.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: crypto/rand failed: " + err.Error())
	}
	out := append([]byte{keyID}, nonce...)
	return s.aead.Seal(out, nonce, plaintext, []byte(context))
}

// Open decrypts a value made by Seal with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != keyID {
		return nil, ErrOpen
	}
	pt, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// Index is the keyed hash of value within a kind (e.g. "rrn"): equal values
// give equal indexes, and nothing about value can be learned without the key.
func (s *Sealer) Index(kind, value string) []byte {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// NewKey returns fresh key material.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("pii: crypto/rand failed: " + err.Error())
	}
	return k
}

// LoadOrCreateKeyFile reads base64 key material from path, creating the file
// (owner-only) with a fresh key when it does not exist.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k := NewKey()
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("pii: write key file: %w", err)
		}
		return k, nil
	} else if err != nil {
		return nil, fmt.Errorf("pii: read key file: %w", err)
	}
	return DecodeKey(string(data))
}

// DecodeKey decodes base64 key material (as in a key file or environment variable).
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("pii: key is not base64: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("pii: key must be %d bytes, got %d", KeySize, len(k))
	}
	return k, nil
}
