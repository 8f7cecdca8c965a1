package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The institution side: officers of recipient institutions (수요기관), their
// console sessions, institution API keys, the append-only log of lookups and
// the citizen's history tokens.

// Officer is an institution officer's account for the verification console.
type Officer struct {
	ID              int64
	InstitutionCode string
	Login           string
	Name            string // shown to citizens in their lookup history
	PasswordHash    string // argon2id PHC string
	TOTPSealed      []byte // the TOTP secret (RFC 6238), sealed by the server
	TOTPLastStep    int64  // the last time step whose code was accepted: older or equal ones are replays
	Failures        int
	LockedUntil     time.Time
	Disabled        bool
	CreatedAt       time.Time
}

// OfficerSession is an officer logged in to the console.
type OfficerSession struct {
	TokenHash  []byte
	OfficerID  int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Results of a lookup as the log records them. The caller only ever learns
// whether it was found.
const (
	LookupFound            = "found"
	LookupWrongName        = "wrong_name"
	LookupOtherInstitution = "other_institution"
	// LookupNoSuchNumber marks an attempt with a number that belongs to no
	// confirmation: kept apart, in lookup_misses.
	LookupNoSuchNumber = "no_such_number"
)

// Lookup is one verification attempt. Exactly one of OfficerID and KeyID is
// set.
type Lookup struct {
	ID              int64
	IssueNumber     string // as entered, for LookupNoSuchNumber
	InstitutionCode string // the caller's institution
	OfficerID       int64
	KeyID           string
	Actor           string // the officer's name or the key's label, as they were
	Channel         string // "console" or "api"
	At              time.Time
	Result          string
}

// Subject names who made a lookup, for the miss counts and locks:
// "officer:<id>" or "key:<key id>".
func (l Lookup) Subject() string {
	if l.OfficerID != 0 {
		return "officer:" + strconv.FormatInt(l.OfficerID, 10)
	}
	return "key:" + l.KeyID
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PutOfficer creates an officer's account and returns its id; a login
// already taken is ErrDuplicate.
func (s *SQLite) PutOfficer(ctx context.Context, o Officer) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO officers (institution_code, login, name, password_hash, totp_sealed, created_at)
		VALUES (?,?,?,?,?,?)`, o.InstitutionCode, o.Login, o.Name, o.PasswordHash, o.TOTPSealed, ms(o.CreatedAt))
	if duplicate(err) != nil {
		return 0, &DuplicateError{Column: "login"}
	} else if err != nil {
		return 0, fmt.Errorf("store: put officer: %w", err)
	}
	return res.LastInsertId()
}

func (s *SQLite) officerWhere(ctx context.Context, where string, arg any) (*Officer, error) {
	var o Officer
	var locked, created int64
	err := s.queryRow(ctx, `SELECT id, institution_code, login, name, password_hash, totp_sealed, totp_last_step,
		failures, locked_until, disabled, created_at FROM officers WHERE `+where, arg).Scan(&o.ID, &o.InstitutionCode, &o.Login,
		&o.Name, &o.PasswordHash, &o.TOTPSealed, &o.TOTPLastStep, &o.Failures, &locked, &o.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: officer: %w", err)
	}
	o.LockedUntil, o.CreatedAt = fromMS(locked), fromMS(created)
	return &o, nil
}

// OfficerByLogin finds an officer by login name.
func (s *SQLite) OfficerByLogin(ctx context.Context, login string) (*Officer, error) {
	return s.officerWhere(ctx, "login = ?", login)
}

// OfficerByID finds an officer by id.
func (s *SQLite) OfficerByID(ctx context.Context, id int64) (*Officer, error) {
	return s.officerWhere(ctx, "id = ?", id)
}

// OfficerFailed counts a failed login of an officer (wrong password or code);
// at max failures in a row the account locks until lockUntil, whose time it
// returns (zero when not locked).
func (s *SQLite) OfficerFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.countFailure(ctx, "officers", "failures", "locked_until", "officer failed", id, max, lockUntil)
}

// ErrReplayed is returned by OfficerSucceeded when the TOTP step was already
// used (or a later one was): the code is a replay.
var ErrReplayed = errors.New("store: the one-time code was already used")

// OfficerSucceeded records a successful login with the code of TOTP time step
// step: it clears the failure count and moves the last used step forward. A
// step not after the last used one changes nothing and is ErrReplayed, so two
// logins racing with the same code cannot both pass.
func (s *SQLite) OfficerSucceeded(ctx context.Context, id, step int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE officers SET failures = 0, totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
	if err != nil {
		return fmt.Errorf("store: officer succeeded: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrReplayed
	}
	return nil
}

// SetOfficerDisabled disables (or enables again) an officer's account; a
// disabled officer's sessions end.
func (s *SQLite) SetOfficerDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE officers SET disabled = ? WHERE id = ?`, disabled, id)
		if err != nil {
			return fmt.Errorf("store: disable officer: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM officer_sessions WHERE officer_id = ?`, id); err != nil {
				return fmt.Errorf("store: disable officer: %w", err)
			}
		}
		return nil
	})
}

// PutOfficerSession stores a new console session.
func (s *SQLite) PutOfficerSession(ctx context.Context, se OfficerSession) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO officer_sessions (token_hash, officer_id, created_at, last_seen_at, expires_at) VALUES (?,?,?,?,?)`,
		se.TokenHash, se.OfficerID, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put officer session: %w", err)
	}
	return nil
}

// OfficerSession finds a console session by its token's hash.
func (s *SQLite) OfficerSession(ctx context.Context, tokenHash []byte) (*OfficerSession, error) {
	var se OfficerSession
	var created, last, expires int64
	err := s.queryRow(ctx, `SELECT token_hash, officer_id, created_at, last_seen_at, expires_at FROM officer_sessions WHERE token_hash = ?`,
		tokenHash).Scan(&se.TokenHash, &se.OfficerID, &created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: officer session: %w", err)
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchOfficerSession records that a console session was used at at.
func (s *SQLite) TouchOfficerSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE officer_sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch officer session: %w", err)
	}
	return nil
}

// DeleteOfficerSession ends a console session.
func (s *SQLite) DeleteOfficerSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM officer_sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete officer session: %w", err)
	}
	return nil
}

// InstitutionKeys lists the API keys of an institution ("" for all), oldest
// first, revoked ones included.
func (s *SQLite) InstitutionKeys(ctx context.Context, code string) ([]InstitutionKey, error) {
	rows, err := s.query(ctx, `SELECT `+keyColumns+` FROM institution_keys WHERE ?1 = '' OR institution_code = ?1
		ORDER BY created_at, key_id`, code)
	if err != nil {
		return nil, fmt.Errorf("store: institution keys: %w", err)
	}
	defer rows.Close()
	var out []InstitutionKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

// RevokeInstitutionKey revokes the key named keyID at at; a key unknown or
// already revoked is ErrNotFound.
func (s *SQLite) RevokeInstitutionKey(ctx context.Context, keyID string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE institution_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at = 0`, ms(at), keyID)
	if err != nil {
		return fmt.Errorf("store: revoke institution key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

const (
	insertLookup = `INSERT INTO lookups (issue_number, institution_code, officer_id, key_id, actor, channel, at, result)
		VALUES (?,?,?,?,?,?,?,?)`
	insertLookupMiss = `INSERT INTO lookup_misses (issue_number, institution_code, officer_id, key_id, actor, channel, at)
		VALUES (?,?,?,?,?,?,?)`
	insertLookupLock = `INSERT INTO lookup_locks (subject, locked_until) VALUES (?, ?)
		ON CONFLICT(subject) DO UPDATE SET locked_until = max(locked_until, excluded.locked_until)`
)

// countMisses counts the lookups by the officer or key in col (?1) that
// found nothing since ?2.
func countMisses(col string) string {
	return `SELECT
		(SELECT count(*) FROM lookups WHERE ` + col + ` = ?1 AND at > ?2 AND result <> 'found') +
		(SELECT count(*) FROM lookup_misses WHERE ` + col + ` = ?1 AND at > ?2)`
}

// RecordLookup appends a verification attempt to the log: to lookups when it
// names an existing confirmation, to lookup_misses (Result
// LookupNoSuchNumber) when not. For an attempt that found nothing it then
// counts, in the same transaction, the subject's misses since since, and at
// max or more locks the subject until lockUntil, returning that time (zero
// when not locked).
func (s *SQLite) RecordLookup(ctx context.Context, l Lookup, since time.Time, max int, lockUntil time.Time) (time.Time, error) {
	var locked time.Time
	err := s.grouped(ctx, func(tx *groupTx) error {
		locked = time.Time{} // a group may run its writes twice (see commitGroup)
		var err error
		if l.Result == LookupNoSuchNumber {
			_, err = tx.exec(insertLookupMiss, l.IssueNumber, l.InstitutionCode, nullID(l.OfficerID), nullable(l.KeyID), l.Actor, l.Channel, ms(l.At))
		} else {
			_, err = tx.exec(insertLookup, l.IssueNumber, l.InstitutionCode, nullID(l.OfficerID), nullable(l.KeyID), l.Actor, l.Channel, ms(l.At), l.Result)
		}
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		if l.Result == LookupFound || max <= 0 {
			return nil
		}
		col, arg := "officer_id", any(l.OfficerID)
		if l.OfficerID == 0 {
			col, arg = "key_id", l.KeyID
		}
		var n int
		err = tx.queryRow(countMisses(col), arg, ms(since)).Scan(&n)
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		if n < max {
			return nil
		}
		_, err = tx.exec(insertLookupLock, l.Subject(), ms(lockUntil))
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		locked = lockUntil
		return nil
	})
	return locked, err
}

// LookupLock is the end of the lock on a subject's lookups (see
// Lookup.Subject); zero when it was never locked.
func (s *SQLite) LookupLock(ctx context.Context, subject string) (time.Time, error) {
	var until int64
	err := s.queryRow(ctx, `SELECT locked_until FROM lookup_locks WHERE subject = ?`, subject).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: lookup lock: %w", err)
	}
	return fromMS(until), nil
}

const lookupColumns = `id, issue_number, institution_code, coalesce(officer_id, 0), coalesce(key_id, ''), actor, channel, at`

func scanLookups(rows *sql.Rows) ([]Lookup, error) {
	defer rows.Close()
	var out []Lookup
	for rows.Next() {
		var l Lookup
		var at int64
		if err := rows.Scan(&l.ID, &l.IssueNumber, &l.InstitutionCode, &l.OfficerID, &l.KeyID, &l.Actor, &l.Channel, &at, &l.Result); err != nil {
			return nil, fmt.Errorf("store: lookups: %w", err)
		}
		l.At = fromMS(at)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: lookups: %w", err)
	}
	return out, nil
}

// LookupsOf lists every lookup of the confirmation with issueNumber, newest
// first: what its citizen sees.
func (s *SQLite) LookupsOf(ctx context.Context, issueNumber string) ([]Lookup, error) {
	rows, err := s.query(ctx, `SELECT `+lookupColumns+`, result FROM lookups WHERE issue_number = ? ORDER BY at DESC, id DESC`, issueNumber)
	if err != nil {
		return nil, fmt.Errorf("store: lookups: %w", err)
	}
	return scanLookups(rows)
}

// LookupsBy lists the newest limit lookups of an officer, those with numbers
// that exist nowhere included (Result LookupNoSuchNumber), newest first.
func (s *SQLite) LookupsBy(ctx context.Context, officerID int64, limit int) ([]Lookup, error) {
	rows, err := s.query(ctx, `SELECT * FROM (
			SELECT `+lookupColumns+`, result FROM lookups WHERE officer_id = ?1
			UNION ALL
			SELECT `+lookupColumns+`, 'no_such_number' FROM lookup_misses WHERE officer_id = ?1
		) ORDER BY 8 DESC, 1 DESC LIMIT ?2`, officerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: lookups: %w", err)
	}
	return scanLookups(rows)
}

// LookupMisses lists the newest limit attempts of an institution's officers
// and systems with numbers that exist nowhere, newest first: for abuse
// monitoring.
func (s *SQLite) LookupMisses(ctx context.Context, institutionCode string, limit int) ([]Lookup, error) {
	rows, err := s.query(ctx, `SELECT `+lookupColumns+`, 'no_such_number' FROM lookup_misses
		WHERE institution_code = ? ORDER BY at DESC, id DESC LIMIT ?`, institutionCode, limit)
	if err != nil {
		return nil, fmt.Errorf("store: lookup misses: %w", err)
	}
	return scanLookups(rows)
}

// PutHistoryToken stores the hash of a token that reads the lookups of the
// confirmation with issueNumber.
func (s *SQLite) PutHistoryToken(ctx context.Context, tokenHash []byte, issueNumber string, at time.Time) error {
	err := s.grouped(ctx, func(tx *groupTx) error {
		_, err := tx.exec(insertHistoryToken, tokenHash, issueNumber, ms(at))
		return err
	})
	if duplicate(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: put history token: %w", err)
	}
	return nil
}

// HistoryToken returns the issue number a history token's hash reads.
func (s *SQLite) HistoryToken(ctx context.Context, tokenHash []byte) (string, error) {
	var number string
	err := s.queryRow(ctx, `SELECT issue_number FROM history_tokens WHERE token_hash = ?`, tokenHash).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	} else if err != nil {
		return "", fmt.Errorf("store: history token: %w", err)
	}
	return number, nil
}
