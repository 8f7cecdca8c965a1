// Package store keeps the issuance server's records in SQLite (pure Go, WAL, no
// cgo): approvals and their append-only history, clerks and their console
// sessions, login challenges, citizens' sessions, identity codes and the
// record of codes sent, confirmations, institution API keys, institution
// officers and their sessions, and the append-only log of lookups.
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

// Citizen is a citizen's approval (R1): who they are, how they prove it
// online, and until when the approval holds. There is one row per citizen:
// renewals and new approvals after a lapse change it, and every change adds a
// History row.
type Citizen struct {
	ID            int64
	Name          string
	RRNIndex      []byte // HMAC-SHA256 of the RRN: for lookups, reveals nothing
	RRNSealed     []byte
	AddressSealed []byte
	PhoneSealed   []byte

	IdentityMethod string // "mobile", "landline" or "token"
	CodeChannel    string // "sms" or "voice": the default channel of phone codes
	TextCapable    bool   // the phone can receive text messages

	CertFingerprint  string // SHA-256 of the certificate registered at approval, hex; "" when bound by VID only
	TokenFingerprint string // SHA-256 of the security token's certificate, hex; "" unless the method is "token"

	LoginID             string
	PasswordHash        string // argon2id PHC string
	PasswordMustChange  bool   // the initial password was not changed yet
	PasswordFailures    int
	PasswordLockedUntil time.Time

	LimitedGuardianship bool
	ConsentSealed       []byte // the recorded consent (R4), sealed JSON; nil when none

	Office       string
	Clerk        string
	ApprovedAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    time.Time // zero when not revoked
	RevokeReason string
}

// History is one append-only row of an approval's history.
type History struct {
	CitizenID int64
	At        time.Time
	Actor     string
	Office    string
	Action    string
	Detail    string // never personal data in clear
}

// DuplicateError says which unique value an insert or update collided with:
// "rrn", "cert", "token_cert" or "login_id". It matches ErrDuplicate.
type DuplicateError struct{ Column string }

func (e *DuplicateError) Error() string { return "store: duplicate " + e.Column }

// Is makes errors.Is(err, ErrDuplicate) hold.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// ErrConflict is returned when a conditional update finds the row changed.
var ErrConflict = errors.New("store: the record changed meanwhile")

// Session stages.
const (
	StagePassword    = "password"    // ID and password checked; the certificate is next
	StageCertificate = "certificate" // logged in with the certificate
)

// Session is a logged-in citizen. Only the SHA-256 of the token is stored.
type Session struct {
	TokenHash       []byte
	CitizenID       int64
	CertFingerprint string // "" at StagePassword
	Stage           string
	Verified        bool // the extra identity check passed
	CreatedAt       time.Time
	LastSeenAt      time.Time
	ExpiresAt       time.Time
}

// Code is an extra identity check code sent to a session's citizen. Only its
// keyed hash is stored.
type Code struct {
	TokenHash []byte
	CodeHash  []byte
	Channel   string
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
	// HistoryToken, on insert only, is the hash of the first history token
	// (see PutHistoryToken), stored in the same transaction: the issuance
	// and the citizen's way to read its lookups are durable together, with
	// one commit. Never read back.
	HistoryToken []byte
}

// InstitutionKey is an API key of an institution's system; only its hash is stored.
type InstitutionKey struct {
	KeyHash         []byte
	KeyID           string // names the key in listings and logs: hex of the first 6 bytes of KeyHash
	InstitutionCode string
	Label           string
	CreatedAt       time.Time
	RevokedAt       time.Time // zero while the key works
}

// Clerk is a clerk's account for the console and the admin command.
type Clerk struct {
	ID           int64
	Login        string
	Name         string
	Office       string
	PasswordHash string
	Failures     int
	LockedUntil  time.Time
	Disabled     bool
	CreatedAt    time.Time
}

// ClerkSession is a clerk logged in to the console.
type ClerkSession struct {
	TokenHash  []byte
	ClerkID    int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}
