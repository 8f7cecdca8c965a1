package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The institution side in PostgreSQL: the same records and rules as in
// institution.go.

// PutOfficer creates an officer's account and returns its id; a login
// already taken is a *DuplicateError.
func (s *Postgres) PutOfficer(ctx context.Context, o Officer) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO officers (institution_code, login, name, password_hash, totp_sealed, created_at)
		VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, o.InstitutionCode, o.Login, o.Name, o.PasswordHash, o.TOTPSealed, ms(o.CreatedAt)).Scan(&id)
	if d := duplicateOf(err); d != nil {
		return 0, &DuplicateError{Column: "login"}
	} else if err != nil {
		return 0, fmt.Errorf("store: put officer: %w", err)
	}
	return id, nil
}

func (s *Postgres) officerWhere(ctx context.Context, where string, arg any) (*Officer, error) {
	var o Officer
	var locked, created int64
	err := s.pool.QueryRow(ctx, `SELECT id, institution_code, login, name, password_hash, totp_sealed, totp_last_step,
		failures, locked_until, disabled, created_at FROM officers WHERE `+where, arg).Scan(&o.ID, &o.InstitutionCode, &o.Login,
		&o.Name, &o.PasswordHash, &o.TOTPSealed, &o.TOTPLastStep, &o.Failures, &locked, &o.Disabled, &created)
	if err != nil {
		return nil, notFound(err, "officer")
	}
	o.LockedUntil, o.CreatedAt = fromMS(locked), fromMS(created)
	return &o, nil
}

// OfficerByLogin finds an officer by login name.
func (s *Postgres) OfficerByLogin(ctx context.Context, login string) (*Officer, error) {
	return s.officerWhere(ctx, "login = $1", login)
}

// OfficerByID finds an officer by id.
func (s *Postgres) OfficerByID(ctx context.Context, id int64) (*Officer, error) {
	return s.officerWhere(ctx, "id = $1", id)
}

// OfficerFailed counts a failed login of an officer, as SQLite.OfficerFailed.
func (s *Postgres) OfficerFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.failed(ctx, `UPDATE officers SET
		failures = CASE WHEN failures + 1 >= $1 THEN 0 ELSE failures + 1 END,
		locked_until = CASE WHEN failures + 1 >= $1 THEN $2 ELSE locked_until END
		WHERE id = $3 RETURNING locked_until`, id, max, lockUntil, "officer failed")
}

// OfficerSucceeded records a successful login with the code of TOTP time step
// step, as SQLite.OfficerSucceeded: the row lock makes a racing second login
// with the same code find the step already used.
func (s *Postgres) OfficerSucceeded(ctx context.Context, id, step int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE officers SET failures = 0, totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
	if err != nil {
		return fmt.Errorf("store: officer succeeded: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return ErrReplayed
	}
	return nil
}

// SetOfficerDisabled disables (or enables again) an officer's account; a
// disabled officer's sessions end.
func (s *Postgres) SetOfficerDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE officers SET disabled = $1 WHERE id = $2`, disabled, id)
		if err != nil {
			return fmt.Errorf("store: disable officer: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		if disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM officer_sessions WHERE officer_id = $1`, id); err != nil {
				return fmt.Errorf("store: disable officer: %w", err)
			}
		}
		return nil
	})
}

// PutOfficerSession stores a new console session.
func (s *Postgres) PutOfficerSession(ctx context.Context, se OfficerSession) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO officer_sessions (token_hash, officer_id, created_at, last_seen_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
		se.TokenHash, se.OfficerID, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put officer session: %w", err)
	}
	return nil
}

// OfficerSession finds a console session by its token's hash.
func (s *Postgres) OfficerSession(ctx context.Context, tokenHash []byte) (*OfficerSession, error) {
	var se OfficerSession
	var created, last, expires int64
	err := s.pool.QueryRow(ctx, `SELECT token_hash, officer_id, created_at, last_seen_at, expires_at FROM officer_sessions WHERE token_hash = $1`,
		tokenHash).Scan(&se.TokenHash, &se.OfficerID, &created, &last, &expires)
	if err != nil {
		return nil, notFound(err, "officer session")
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchOfficerSession records that a console session was used at at.
func (s *Postgres) TouchOfficerSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE officer_sessions SET last_seen_at = $1 WHERE token_hash = $2`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch officer session: %w", err)
	}
	return nil
}

// DeleteOfficerSession ends a console session.
func (s *Postgres) DeleteOfficerSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM officer_sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("store: delete officer session: %w", err)
	}
	return nil
}

// InstitutionKeys lists the API keys of an institution ("" for all), oldest
// first, revoked ones included.
func (s *Postgres) InstitutionKeys(ctx context.Context, code string) ([]InstitutionKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM institution_keys WHERE $1 = '' OR institution_code = $1
		ORDER BY created_at, key_id`, code)
	if err != nil {
		return nil, fmt.Errorf("store: institution keys: %w", err)
	}
	defer rows.Close()
	var out []InstitutionKey
	for rows.Next() {
		k, err := pgScanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: institution keys: %w", err)
	}
	return out, nil
}

// RevokeInstitutionKey revokes the key named keyID at at; a key unknown or
// already revoked is ErrNotFound.
func (s *Postgres) RevokeInstitutionKey(ctx context.Context, keyID string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE institution_keys SET revoked_at = $1 WHERE key_id = $2 AND revoked_at = 0`, ms(at), keyID)
	if err != nil {
		return fmt.Errorf("store: revoke institution key: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return ErrNotFound
	}
	return nil
}

// RecordLookup appends a verification attempt to the log and counts the
// subject's misses, as SQLite.RecordLookup. An advisory lock on the subject
// makes concurrent misses of one subject count one after the other, so that
// none slips past the limit.
func (s *Postgres) RecordLookup(ctx context.Context, l Lookup, since time.Time, max int, lockUntil time.Time) (time.Time, error) {
	var locked time.Time
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if l.Result == LookupNoSuchNumber {
			_, err = tx.Exec(ctx, `INSERT INTO lookup_misses (issue_number, institution_code, officer_id, key_id, actor, channel, at)
				VALUES ($1,$2,$3,$4,$5,$6,$7)`, l.IssueNumber, l.InstitutionCode, nullID(l.OfficerID), nullable(l.KeyID), l.Actor, l.Channel, ms(l.At))
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO lookups (issue_number, institution_code, officer_id, key_id, actor, channel, at, result)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, l.IssueNumber, l.InstitutionCode, nullID(l.OfficerID), nullable(l.KeyID), l.Actor, l.Channel, ms(l.At), l.Result)
		}
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		if l.Result == LookupFound || max <= 0 {
			return nil
		}
		// Misses of one subject take turns from here to their commit, so
		// that the last to count sees every other miss (their rows were
		// inserted before they took the lock, and are committed when they
		// let it go). Found lookups never wait on it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "bonsign-lookups:"+l.Subject()); err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		var n int
		if l.OfficerID != 0 {
			err = tx.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM lookups WHERE officer_id = $1 AND at > $2 AND result <> 'found') +
				(SELECT count(*) FROM lookup_misses WHERE officer_id = $1 AND at > $2)`, l.OfficerID, ms(since)).Scan(&n)
		} else {
			err = tx.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM lookups WHERE key_id = $1 AND at > $2 AND result <> 'found') +
				(SELECT count(*) FROM lookup_misses WHERE key_id = $1 AND at > $2)`, l.KeyID, ms(since)).Scan(&n)
		}
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		if n < max {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO lookup_locks (subject, locked_until) VALUES ($1, $2)
			ON CONFLICT (subject) DO UPDATE SET locked_until = GREATEST(lookup_locks.locked_until, excluded.locked_until)`, l.Subject(), ms(lockUntil))
		if err != nil {
			return fmt.Errorf("store: record lookup: %w", err)
		}
		locked = lockUntil
		return nil
	})
	return locked, err
}

// LookupLock is the end of the lock on a subject's lookups; zero when it was
// never locked.
func (s *Postgres) LookupLock(ctx context.Context, subject string) (time.Time, error) {
	var until int64
	err := s.pool.QueryRow(ctx, `SELECT locked_until FROM lookup_locks WHERE subject = $1`, subject).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: lookup lock: %w", err)
	}
	return fromMS(until), nil
}

func pgScanLookups(rows pgx.Rows, err error) ([]Lookup, error) {
	if err != nil {
		return nil, fmt.Errorf("store: lookups: %w", err)
	}
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
// first.
func (s *Postgres) LookupsOf(ctx context.Context, issueNumber string) ([]Lookup, error) {
	return pgScanLookups(s.pool.Query(ctx, `SELECT `+lookupColumns+`, result FROM lookups WHERE issue_number = $1
		ORDER BY at DESC, id DESC`, issueNumber))
}

// LookupsBy lists the newest limit lookups of an officer, those with numbers
// that exist nowhere included, newest first.
func (s *Postgres) LookupsBy(ctx context.Context, officerID int64, limit int) ([]Lookup, error) {
	return pgScanLookups(s.pool.Query(ctx, `SELECT * FROM (
			SELECT `+lookupColumns+`, result FROM lookups WHERE officer_id = $1
			UNION ALL
			SELECT `+lookupColumns+`, 'no_such_number' FROM lookup_misses WHERE officer_id = $1
		) AS mine ORDER BY 8 DESC, 1 DESC LIMIT $2`, officerID, limit))
}

// LookupMisses lists the newest limit attempts of an institution with
// numbers that exist nowhere, newest first.
func (s *Postgres) LookupMisses(ctx context.Context, institutionCode string, limit int) ([]Lookup, error) {
	return pgScanLookups(s.pool.Query(ctx, `SELECT `+lookupColumns+`, 'no_such_number' FROM lookup_misses
		WHERE institution_code = $1 ORDER BY at DESC, id DESC LIMIT $2`, institutionCode, limit))
}

// PutHistoryToken stores the hash of a token that reads the lookups of the
// confirmation with issueNumber.
func (s *Postgres) PutHistoryToken(ctx context.Context, tokenHash []byte, issueNumber string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO history_tokens (token_hash, issue_number, created_at) VALUES ($1,$2,$3)`, tokenHash, issueNumber, ms(at))
	if duplicateOf(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: put history token: %w", err)
	}
	return nil
}

// HistoryToken returns the issue number a history token's hash reads.
func (s *Postgres) HistoryToken(ctx context.Context, tokenHash []byte) (string, error) {
	var number string
	err := s.pool.QueryRow(ctx, `SELECT issue_number FROM history_tokens WHERE token_hash = $1`, tokenHash).Scan(&number)
	if err != nil {
		return "", notFound(err, "history token")
	}
	return number, nil
}
