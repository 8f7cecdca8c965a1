// Package store keeps the issuance server's records in SQLite (pure Go, WAL, no
// cgo): approvals, login challenges, sessions, identity codes, confirmations and
// institution API keys.
//
// Personal data arrives here already sealed (encrypted) by the server: the store
// never sees a resident registration number in clear. Times are stored as Unix
// milliseconds in UTC.
package store

import (
	"errors"
	"time"
)

// ErrNotFound is returned when no record matches.
var ErrNotFound = errors.New("store: not found")

// ErrDuplicate is returned when an insert collides with an existing record.
var ErrDuplicate = errors.New("store: duplicate")

// Citizen is an approved citizen (R1): who they are, how they prove it online,
// and until when the approval holds.
type Citizen struct {
	ID              int64
	Name            string
	RRNIndex        []byte // HMAC-SHA256 of the RRN: for lookups, reveals nothing
	RRNSealed       []byte
	AddressSealed   []byte
	PhoneSealed     []byte
	IdentityMethod  string // "mobile", "landline" or "token"
	CertFingerprint string // SHA-256 of the certificate registered at approval, hex
	Office          string
	Clerk           string
	ApprovedAt      time.Time
	ExpiresAt       time.Time
	RevokedAt       time.Time // zero when not revoked
}

// Session is a logged-in citizen. Only the SHA-256 of the token is stored.
type Session struct {
	TokenHash       []byte
	CitizenID       int64
	CertFingerprint string
	Verified        bool // the extra identity check passed
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// Code is an extra identity check code sent to a session's citizen. Only its
// keyed hash is stored.
type Code struct {
	TokenHash []byte
	CodeHash  []byte
	ExpiresAt time.Time
	Attempts  int
}

// Confirmation is an issued confirmation. Sealed holds the confirmation and the
// citizen's CMS, encrypted; the columns beside it are what lookups need.
type Confirmation struct {
	IssueNumber     string
	CitizenID       int64
	ConfirmationID  string // api.Confirmation.ID, unique per citizen
	InstitutionCode string
	Digest          string // SHA-256 of the CMS, hex
	IssuedAt        time.Time
	Sealed          []byte
}

// InstitutionKey is an API key of an institution's system; only its hash is stored.
type InstitutionKey struct {
	KeyHash         []byte
	InstitutionCode string
	Label           string
	CreatedAt       time.Time
}
