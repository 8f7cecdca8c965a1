package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// SQLite is a store in one SQLite file.
type SQLite struct {
	db *sql.DB
}

// schema is applied in order; user_version records how many steps ran.
var schema = []string{
	`CREATE TABLE citizens (
		id               INTEGER PRIMARY KEY,
		name             TEXT NOT NULL,
		rrn_index        BLOB NOT NULL UNIQUE,
		rrn_sealed       BLOB NOT NULL,
		address_sealed   BLOB NOT NULL,
		phone_sealed     BLOB NOT NULL,
		identity_method  TEXT NOT NULL,
		cert_fingerprint TEXT NOT NULL UNIQUE,
		office           TEXT NOT NULL,
		clerk            TEXT NOT NULL,
		approved_at      INTEGER NOT NULL,
		expires_at       INTEGER NOT NULL,
		revoked_at       INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE challenges (
		nonce      TEXT PRIMARY KEY,
		expires_at INTEGER NOT NULL
	);
	CREATE TABLE sessions (
		token_hash       BLOB PRIMARY KEY,
		citizen_id       INTEGER NOT NULL REFERENCES citizens(id),
		cert_fingerprint TEXT NOT NULL,
		verified         INTEGER NOT NULL DEFAULT 0,
		created_at       INTEGER NOT NULL,
		expires_at       INTEGER NOT NULL
	);
	CREATE TABLE codes (
		token_hash BLOB PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
		code_hash  BLOB NOT NULL,
		expires_at INTEGER NOT NULL,
		attempts   INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE confirmations (
		issue_number     TEXT PRIMARY KEY,
		citizen_id       INTEGER NOT NULL REFERENCES citizens(id),
		confirmation_id  TEXT NOT NULL,
		institution_code TEXT NOT NULL,
		digest           TEXT NOT NULL UNIQUE,
		issued_at        INTEGER NOT NULL,
		sealed           BLOB NOT NULL
	);
	CREATE INDEX confirmations_citizen ON confirmations(citizen_id, issued_at);
	CREATE UNIQUE INDEX confirmations_id ON confirmations(citizen_id, confirmation_id);
	CREATE TABLE institution_keys (
		key_hash         BLOB PRIMARY KEY,
		institution_code TEXT NOT NULL,
		label            TEXT NOT NULL,
		created_at       INTEGER NOT NULL
	);`,
}

// OpenSQLite opens (creating if needed) the SQLite store at path and brings its
// schema up to date. Writes are durable: WAL with synchronous=FULL.
func OpenSQLite(path string) (*SQLite, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &SQLite{db: db}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if version > len(schema) {
		return fmt.Errorf("store: schema version %d is newer than this server (%d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, schema[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate to version %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") ||
		err != nil && strings.Contains(err.Error(), "PRIMARY KEY")
}

// PutCitizen records a new approval and returns its id.
func (s *SQLite) PutCitizen(ctx context.Context, c Citizen) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO citizens
		(name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, cert_fingerprint, office, clerk, approved_at, expires_at, revoked_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.Name, c.RRNIndex, c.RRNSealed, c.AddressSealed, c.PhoneSealed, c.IdentityMethod, c.CertFingerprint,
		c.Office, c.Clerk, ms(c.ApprovedAt), ms(c.ExpiresAt), ms(c.RevokedAt))
	if isUnique(err) {
		return 0, ErrDuplicate
	} else if err != nil {
		return 0, fmt.Errorf("store: put citizen: %w", err)
	}
	return res.LastInsertId()
}

const citizenColumns = `id, name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, cert_fingerprint, office, clerk, approved_at, expires_at, revoked_at`

func scanCitizen(row *sql.Row) (*Citizen, error) {
	var c Citizen
	var approved, expires, revoked int64
	err := row.Scan(&c.ID, &c.Name, &c.RRNIndex, &c.RRNSealed, &c.AddressSealed, &c.PhoneSealed, &c.IdentityMethod,
		&c.CertFingerprint, &c.Office, &c.Clerk, &approved, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: citizen: %w", err)
	}
	c.ApprovedAt, c.ExpiresAt, c.RevokedAt = fromMS(approved), fromMS(expires), fromMS(revoked)
	return &c, nil
}

// CitizenByCert finds the citizen whose registered certificate has fingerprint fp.
func (s *SQLite) CitizenByCert(ctx context.Context, fp string) (*Citizen, error) {
	return scanCitizen(s.db.QueryRowContext(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE cert_fingerprint = ?`, fp))
}

// CitizenByRRN finds the citizen by the keyed hash of their RRN.
func (s *SQLite) CitizenByRRN(ctx context.Context, index []byte) (*Citizen, error) {
	return scanCitizen(s.db.QueryRowContext(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE rrn_index = ?`, index))
}

// CitizenByID finds the citizen with id.
func (s *SQLite) CitizenByID(ctx context.Context, id int64) (*Citizen, error) {
	return scanCitizen(s.db.QueryRowContext(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE id = ?`, id))
}

// PutChallenge stores a login nonce until expires.
func (s *SQLite) PutChallenge(ctx context.Context, nonce string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO challenges (nonce, expires_at) VALUES (?, ?)`, nonce, ms(expires))
	if err != nil {
		return fmt.Errorf("store: put challenge: %w", err)
	}
	return nil
}

// TakeChallenge removes a nonce and returns its expiry: each nonce is taken at
// most once, so a replayed login finds nothing.
func (s *SQLite) TakeChallenge(ctx context.Context, nonce string) (time.Time, error) {
	var exp int64
	err := s.db.QueryRowContext(ctx, `DELETE FROM challenges WHERE nonce = ? RETURNING expires_at`, nonce).Scan(&exp)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: take challenge: %w", err)
	}
	return fromMS(exp), nil
}

// PutSession stores a new session.
func (s *SQLite) PutSession(ctx context.Context, se Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, citizen_id, cert_fingerprint, verified, created_at, expires_at)
		VALUES (?,?,?,?,?,?)`, se.TokenHash, se.CitizenID, se.CertFingerprint, se.Verified, ms(se.CreatedAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put session: %w", err)
	}
	return nil
}

// Session finds a session by its token's hash.
func (s *SQLite) Session(ctx context.Context, tokenHash []byte) (*Session, error) {
	var se Session
	var created, expires int64
	err := s.db.QueryRowContext(ctx, `SELECT token_hash, citizen_id, cert_fingerprint, verified, created_at, expires_at
		FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&se.TokenHash, &se.CitizenID, &se.CertFingerprint, &se.Verified, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return &se, nil
}

// MarkVerified records that a session passed the extra identity check and
// removes its code, so the code cannot be used again.
func (s *SQLite) MarkVerified(ctx context.Context, tokenHash []byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: mark verified: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET verified = 1 WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: mark verified: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: mark verified: %w", err)
	}
	return tx.Commit()
}

// DeleteSession ends a session.
func (s *SQLite) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// PutCode stores (or replaces) the code of a session, with no attempts made.
func (s *SQLite) PutCode(ctx context.Context, c Code) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO codes (token_hash, code_hash, expires_at, attempts) VALUES (?,?,?,0)
		ON CONFLICT(token_hash) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`,
		c.TokenHash, c.CodeHash, ms(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put code: %w", err)
	}
	return nil
}

// AttemptCode counts one attempt at a session's code and returns the code as it
// was before this attempt, so that concurrent guesses each use up a try.
func (s *SQLite) AttemptCode(ctx context.Context, tokenHash []byte) (*Code, error) {
	var c Code
	var exp int64
	err := s.db.QueryRowContext(ctx, `UPDATE codes SET attempts = attempts + 1 WHERE token_hash = ?
		RETURNING token_hash, code_hash, expires_at, attempts - 1`, tokenHash).Scan(&c.TokenHash, &c.CodeHash, &exp, &c.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: attempt code: %w", err)
	}
	c.ExpiresAt = fromMS(exp)
	return &c, nil
}

// InsertConfirmation stores an issued confirmation. A second confirmation with
// the same digest or issue number is ErrDuplicate.
func (s *SQLite) InsertConfirmation(ctx context.Context, c Confirmation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO confirmations (issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed)
		VALUES (?,?,?,?,?,?,?)`, c.IssueNumber, c.CitizenID, c.ConfirmationID, c.InstitutionCode, c.Digest, ms(c.IssuedAt), c.Sealed)
	if isUnique(err) {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: insert confirmation: %w", err)
	}
	return nil
}

func (s *SQLite) confirmationWhere(ctx context.Context, where string, args ...any) (*Confirmation, error) {
	var c Confirmation
	var issued int64
	err := s.db.QueryRowContext(ctx, `SELECT issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed
		FROM confirmations WHERE `+where, args...).Scan(&c.IssueNumber, &c.CitizenID, &c.ConfirmationID, &c.InstitutionCode, &c.Digest, &issued, &c.Sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: confirmation: %w", err)
	}
	c.IssuedAt = fromMS(issued)
	return &c, nil
}

// ConfirmationByNumber finds a confirmation by its issue number.
func (s *SQLite) ConfirmationByNumber(ctx context.Context, number string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "issue_number = ?", number)
}

// ConfirmationByDigest finds a confirmation by the digest of its CMS.
func (s *SQLite) ConfirmationByDigest(ctx context.Context, digest string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "digest = ?", digest)
}

// ConfirmationByID finds a citizen's confirmation by the ID the client chose
// for it: a retry of a submission whose answer was lost finds the first one.
func (s *SQLite) ConfirmationByID(ctx context.Context, citizenID int64, confirmationID string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "citizen_id = ? AND confirmation_id = ?", citizenID, confirmationID)
}

// CountConfirmations is the number of confirmations stored.
func (s *SQLite) CountConfirmations(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM confirmations`).Scan(&n)
	return n, err
}

// PutInstitutionKey stores an institution API key's hash.
func (s *SQLite) PutInstitutionKey(ctx context.Context, k InstitutionKey) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO institution_keys (key_hash, institution_code, label, created_at) VALUES (?,?,?,?)`,
		k.KeyHash, k.InstitutionCode, k.Label, ms(k.CreatedAt))
	if isUnique(err) {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: put institution key: %w", err)
	}
	return nil
}

// InstitutionKey finds an API key by its hash.
func (s *SQLite) InstitutionKey(ctx context.Context, keyHash []byte) (*InstitutionKey, error) {
	var k InstitutionKey
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT key_hash, institution_code, label, created_at FROM institution_keys WHERE key_hash = ?`,
		keyHash).Scan(&k.KeyHash, &k.InstitutionCode, &k.Label, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: institution key: %w", err)
	}
	k.CreatedAt = fromMS(created)
	return &k, nil
}
