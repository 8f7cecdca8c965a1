package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Store is every method both backends offer: what Open returns, and what the
// conformance suite (store/storetest) checks on each. The server declares the
// smaller sets it needs itself (server.Store); this one exists so that code
// choosing the backend by URL has one type to hold.
//
// A method added to one backend is added to both, and here.
type Store interface {
	Close() error
	Ping(ctx context.Context) error

	PutCitizen(ctx context.Context, c Citizen) (int64, error)
	InsertCitizen(ctx context.Context, c Citizen, h History) (int64, error)
	ReplaceCitizen(ctx context.Context, prev *Citizen, c Citizen, h History) error
	RenewCitizen(ctx context.Context, id int64, prevExpires, expires time.Time, h History) error
	RevokeCitizen(ctx context.Context, id int64, at time.Time, reason string, h History) error
	SetConsent(ctx context.Context, id int64, limited bool, sealed []byte, h History) error
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, h History) error
	PasswordFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	PasswordSucceeded(ctx context.Context, id int64) error
	CitizenByCert(ctx context.Context, fingerprint string) (*Citizen, error)
	CitizenByRRN(ctx context.Context, index []byte) (*Citizen, error)
	CitizenByID(ctx context.Context, id int64) (*Citizen, error)
	CitizenByLoginID(ctx context.Context, loginID string) (*Citizen, error)
	History(ctx context.Context, citizenID int64) ([]History, error)

	PutChallenge(ctx context.Context, nonce string, expires time.Time) error
	TakeChallenge(ctx context.Context, nonce string) (time.Time, error)

	PutSession(ctx context.Context, s Session) error
	UpgradeSession(ctx context.Context, oldHash []byte, se Session) error
	Session(ctx context.Context, tokenHash []byte) (*Session, error)
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	MarkVerified(ctx context.Context, tokenHash []byte) error
	DeleteSession(ctx context.Context, tokenHash []byte) error

	PutCode(ctx context.Context, c Code) error
	AttemptCode(ctx context.Context, tokenHash []byte) (*Code, error)
	RecordCodeSend(ctx context.Context, citizenID int64, now time.Time, gap time.Duration, perHour int) error

	PutClerk(ctx context.Context, c Clerk) (int64, error)
	ClerkByLogin(ctx context.Context, login string) (*Clerk, error)
	ClerkByID(ctx context.Context, id int64) (*Clerk, error)
	ClerkFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	ClerkSucceeded(ctx context.Context, id int64) error
	PutClerkSession(ctx context.Context, se ClerkSession) error
	ClerkSession(ctx context.Context, tokenHash []byte) (*ClerkSession, error)
	TouchClerkSession(ctx context.Context, tokenHash []byte, at time.Time) error
	DeleteClerkSession(ctx context.Context, tokenHash []byte) error

	InsertConfirmation(ctx context.Context, c Confirmation) error
	InsertConfirmations(ctx context.Context, cs []Confirmation) error
	ConfirmationByNumber(ctx context.Context, number string) (*Confirmation, error)
	ConfirmationByDigest(ctx context.Context, digest string) (*Confirmation, error)
	ConfirmationByID(ctx context.Context, citizenID int64, confirmationID string) (*Confirmation, error)
	CountConfirmations(ctx context.Context) (int, error)

	PutInstitutionKey(ctx context.Context, k InstitutionKey) error
	InstitutionKey(ctx context.Context, keyHash []byte) (*InstitutionKey, error)
	InstitutionKeys(ctx context.Context, code string) ([]InstitutionKey, error)
	RevokeInstitutionKey(ctx context.Context, keyID string, at time.Time) error

	PutOfficer(ctx context.Context, o Officer) (int64, error)
	OfficerByLogin(ctx context.Context, login string) (*Officer, error)
	OfficerByID(ctx context.Context, id int64) (*Officer, error)
	OfficerFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	OfficerSucceeded(ctx context.Context, id, step int64) error
	SetOfficerDisabled(ctx context.Context, id int64, disabled bool) error
	PutOfficerSession(ctx context.Context, se OfficerSession) error
	OfficerSession(ctx context.Context, tokenHash []byte) (*OfficerSession, error)
	TouchOfficerSession(ctx context.Context, tokenHash []byte, at time.Time) error
	DeleteOfficerSession(ctx context.Context, tokenHash []byte) error

	RecordLookup(ctx context.Context, l Lookup, since time.Time, max int, lockUntil time.Time) (time.Time, error)
	LookupLock(ctx context.Context, subject string) (time.Time, error)
	LookupsOf(ctx context.Context, issueNumber string) ([]Lookup, error)
	LookupsBy(ctx context.Context, officerID int64, limit int) ([]Lookup, error)
	LookupMisses(ctx context.Context, institutionCode string, limit int) ([]Lookup, error)
	PutHistoryToken(ctx context.Context, tokenHash []byte, issueNumber string, at time.Time) error
	HistoryToken(ctx context.Context, tokenHash []byte) (string, error)

	PurgeExpired(ctx context.Context, now time.Time) (int64, error)
}

var (
	_ Store = (*SQLite)(nil)
	_ Store = (*Postgres)(nil)
)

// Open opens the store that dsn names, bringing its schema up to date:
//
//	postgres://user:password@host:5432/bonsign   PostgreSQL (also postgresql://)
//	sqlite:/var/lib/bonsign/bonsign.db           a SQLite file (also sqlite:///var/...)
//	/var/lib/bonsign/bonsign.db, bonsign.db      a SQLite file too
//
// Any other "scheme://" is an error rather than a file of that name.
func Open(dsn string) (Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(dsn)
	case strings.HasPrefix(dsn, "sqlite://"): // sqlite:///abs/path, sqlite://relative/path
		return OpenSQLite(strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		return OpenSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return nil, fmt.Errorf("store: unknown database %q: want postgres://... or a SQLite file", scheme+"://")
	case dsn == "":
		return nil, fmt.Errorf("store: no database given: want postgres://... or a SQLite file")
	}
	return OpenSQLite(dsn)
}
