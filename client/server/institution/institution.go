// Package institution holds the types of the issuance server's institution
// side: the officers of recipient institutions (수요기관), their second factor
// (TOTP, RFC 6238), the verification of a confirmation by issue number and
// name (R10), and the lookups as an officer sees them. It does no I/O: the
// server decides and stores, the officer console and the admin command show,
// and all three speak the types of this package.
//
// The one rule every caller must keep: a confirmation addressed to another
// institution, a wrong name and an unknown number are one and the same
// answer, ErrNotFound. Only the log the citizen reads tells them apart.
package institution

import (
	"errors"
	"time"

	"github.com/bonsign/bonsign/api"
)

// Officer is an institution officer as the console shows them.
type Officer struct {
	ID              int64
	Login           string
	Name            string
	InstitutionCode string
	InstitutionName string
}

// Enrollment is what creating an officer's account gives the administrator to
// hand over, each shown once.
type Enrollment struct {
	Officer  Officer
	Password string // the initial password, when the server drew it
	// TOTPURI is the otpauth:// URI an authenticator app reads (as a QR
	// code); TOTPSecret the same secret in base32, to type in by hand.
	TOTPURI    string
	TOTPSecret string
}

// Errors the institution side returns for what its callers act on.
var (
	// ErrLoginFailed: a wrong login, password or one-time code, or a code
	// already used. The three look alike, so that a right password behind a
	// wrong code is not revealed.
	ErrLoginFailed = errors.New("institution: wrong login, password or one-time code")
	// ErrSessionEnded: the console session expired, idled out or was ended.
	ErrSessionEnded = errors.New("institution: the console session has ended")
	// ErrNotFound: no confirmation with this number, addressed to the
	// caller's institution, naming this person.
	ErrNotFound = errors.New("institution: no confirmation matches this issue number and name")
	// ErrInvalidNumber: the issue number is malformed or fails its check digit.
	ErrInvalidNumber = errors.New("institution: the issue number is not valid")
	// ErrRateLimited: too many lookups too fast, from this officer, key or
	// address.
	ErrRateLimited = errors.New("institution: too many lookups: wait a moment")
	// ErrLoginTaken: an officer's login name already exists.
	ErrLoginTaken = errors.New("institution: the login is taken")
)

// LockedError is returned for a login to an account locked after repeated
// failed logins.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "institution: the account is locked until " + e.Until.In(api.KST).Format("2006-01-02 15:04")
}

// LookupLockedError is returned while an officer's or a key's lookups are
// blocked after too many that found nothing.
type LookupLockedError struct{ Until time.Time }

func (e *LookupLockedError) Error() string {
	return "institution: lookups are blocked until " + e.Until.In(api.KST).Format("2006-01-02 15:04:05")
}

// Verified is a confirmation as the institution it is addressed to sees it:
// everything in it, unmasked, and its status.
type Verified struct {
	Status       string // "issued"
	IssuedAt     time.Time
	Receipt      api.Receipt
	Confirmation api.Confirmation
}

// OwnLookup is one of an officer's own lookups, as the officer may see it:
// found or not, never why not.
type OwnLookup struct {
	At          time.Time
	IssueNumber string
	Found       bool
	// Of a found confirmation only:
	Name      string
	MaskedRRN string
	Purpose   string
}
