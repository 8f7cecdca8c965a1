package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is a store in a PostgreSQL database, for deployments where several
// stateless API servers share one database. It keeps the same records with the
// same rules as SQLite: single-use challenges, unique values reported as
// ErrDuplicate, an append-only history, times in Unix milliseconds.
//
// It is safe for concurrent use, also by several processes: every check that
// must not race (a challenge taken, a code attempt counted, a send limit) is
// one statement or locks the row it depends on.
type Postgres struct {
	pool *pgxpool.Pool
}

// defaultConnectTimeout bounds each attempt to reach the server when the URL
// sets no connect_timeout, so that a server that cannot reach its database
// fails at start instead of hanging.
const defaultConnectTimeout = 10 * time.Second

// OpenPostgres connects to the PostgreSQL database at url
// (postgres://user:password@host:port/dbname?sslmode=verify-full, or any form
// pgx accepts, with pool_max_conns and friends) and brings its schema up to
// date. Errors never show the URL's password.
func OpenPostgres(url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (the number of cores, at least 4) leaves requests
		// queueing for a connection while others wait for their commit to
		// reach the disk: most of a connection's time is waiting, not work.
		// At most 32, so that a few servers stay within PostgreSQL's
		// default max_connections of 100.
		cfg.MaxConns = int32(min(32, max(16, 4*runtime.NumCPU())))
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &Postgres{pool: pool}
	if err := s.migrate(context.Background()); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every connection, waiting for those in use to be returned.
func (s *Postgres) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers, for the server's readiness check.
func (s *Postgres) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// pgUniqueViolation is SQLSTATE unique_violation (PostgreSQL, Appendix A).
const pgUniqueViolation = "23505"

// duplicateOf maps a uniqueness failure to a *DuplicateError naming the value
// (or ErrDuplicate for values callers need not tell apart), and returns nil
// for any other error.
func duplicateOf(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != pgUniqueViolation {
		return nil
	}
	switch pe.ConstraintName {
	case "citizens_rrn_index_key":
		return &DuplicateError{Column: "rrn"}
	case "citizens_cert_fingerprint_key":
		return &DuplicateError{Column: "cert"}
	case "citizens_token_fingerprint_key":
		return &DuplicateError{Column: "token_cert"}
	case "citizens_login_id_key":
		return &DuplicateError{Column: "login_id"}
	case "clerks_login_key", "officers_login_key":
		return &DuplicateError{Column: "login"}
	}
	return ErrDuplicate
}

// notFound turns pgx's "no rows" into ErrNotFound and wraps other errors with
// what failed.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// pgExecer is what both the pool and a transaction offer.
type pgExecer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func pgAddHistory(ctx context.Context, x pgExecer, h History) error {
	_, err := x.Exec(ctx, `INSERT INTO approval_history (citizen_id, at, actor, office, action, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
		h.CitizenID, ms(h.At), h.Actor, h.Office, h.Action, h.Detail)
	if err != nil {
		return fmt.Errorf("store: history: %w", err)
	}
	return nil
}

// inTx runs f in one transaction, committed when f returns nil.
func (s *Postgres) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// citizenValues is the list of citizen columns in citizenArgs's order.
const citizenValues = `name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, code_channel, text_capable,
	cert_fingerprint, token_fingerprint, login_id, password_hash, password_must_change, password_failures, password_locked_until,
	limited_guardianship, consent_sealed, office, clerk, approved_at, expires_at, revoked_at, revoke_reason`

// PutCitizen records a new approval and returns its id; the history says the
// approving clerk approved it.
func (s *Postgres) PutCitizen(ctx context.Context, c Citizen) (int64, error) {
	return s.InsertCitizen(ctx, c, History{At: c.ApprovedAt, Actor: c.Clerk, Office: c.Office, Action: "approve", Detail: "{}"})
}

// InsertCitizen records a new approval and its first history row, and returns
// its id. A citizen, certificate or login ID already present is a
// *DuplicateError.
func (s *Postgres) InsertCitizen(ctx context.Context, c Citizen, h History) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO citizens (`+citizenValues+`)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23) RETURNING id`,
			citizenArgs(c)...).Scan(&id)
		if d := duplicateOf(err); d != nil {
			return d
		} else if err != nil {
			return fmt.Errorf("store: put citizen: %w", err)
		}
		h.CitizenID = id
		return pgAddHistory(ctx, tx, h)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// ReplaceCitizen writes a new approval over a lapsed one (expired or
// revoked), keeping the row and its history. prev is the row as the caller
// read it: when its approval changed meanwhile, nothing is written and
// ErrConflict is returned. Sessions of the citizen end.
func (s *Postgres) ReplaceCitizen(ctx context.Context, prev *Citizen, c Citizen, h History) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		args := append(citizenArgs(c), prev.ID, ms(prev.ExpiresAt), ms(prev.RevokedAt))
		tag, err := tx.Exec(ctx, `UPDATE citizens SET (`+citizenValues+`) =
			($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
			WHERE id = $24 AND expires_at = $25 AND revoked_at = $26`, args...)
		if d := duplicateOf(err); d != nil {
			return d
		} else if err != nil {
			return fmt.Errorf("store: replace citizen: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE citizen_id = $1`, prev.ID); err != nil {
			return fmt.Errorf("store: replace citizen: %w", err)
		}
		h.CitizenID = prev.ID
		return pgAddHistory(ctx, tx, h)
	})
}

// RenewCitizen moves the expiry of an approval in force from prevExpires to
// expires. When the approval changed meanwhile (renewed, revoked) nothing is
// written and ErrConflict is returned: a double submission renews once.
func (s *Postgres) RenewCitizen(ctx context.Context, id int64, prevExpires, expires time.Time, h History) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE citizens SET expires_at = $1 WHERE id = $2 AND expires_at = $3 AND revoked_at = 0`,
			ms(expires), id, ms(prevExpires))
		if err != nil {
			return fmt.Errorf("store: renew: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrConflict
		}
		h.CitizenID = id
		return pgAddHistory(ctx, tx, h)
	})
}

// RevokeCitizen revokes an approval at at and ends every session of the
// citizen in the same transaction. An approval already revoked is ErrConflict.
func (s *Postgres) RevokeCitizen(ctx context.Context, id int64, at time.Time, reason string, h History) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE citizens SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at = 0`,
			ms(at), reason, id)
		if err != nil {
			return fmt.Errorf("store: revoke: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE citizen_id = $1`, id); err != nil {
			return fmt.Errorf("store: revoke: %w", err)
		}
		h.CitizenID = id
		return pgAddHistory(ctx, tx, h)
	})
}

// SetConsent records (or replaces) the consent of a citizen and whether they
// are under limited guardianship.
func (s *Postgres) SetConsent(ctx context.Context, id int64, limited bool, sealed []byte, h History) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE citizens SET limited_guardianship = $1, consent_sealed = $2 WHERE id = $3`, limited, sealed, id)
		if err != nil {
			return fmt.Errorf("store: consent: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		h.CitizenID = id
		return pgAddHistory(ctx, tx, h)
	})
}

// SetPassword replaces a citizen's password hash, clears the failures and the
// lock, and says whether it must be changed at next use.
func (s *Postgres) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, h History) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE citizens SET password_hash = $1, password_must_change = $2, password_failures = 0, password_locked_until = 0
			WHERE id = $3`, hash, mustChange, id)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		h.CitizenID = id
		return pgAddHistory(ctx, tx, h)
	})
}

// failed counts a wrong password in the table's failures column: at the
// max-th failure in a row the lock column is set to lockUntil and the count
// starts again. It returns the lock's end (zero when not locked now).
func (s *Postgres) failed(ctx context.Context, query string, id int64, max int, lockUntil time.Time, what string) (time.Time, error) {
	var locked int64
	if err := s.pool.QueryRow(ctx, query, max, ms(lockUntil), id).Scan(&locked); err != nil {
		return time.Time{}, notFoundWrapped(err, what)
	}
	if locked != ms(lockUntil) {
		return time.Time{}, nil
	}
	return fromMS(locked), nil
}

// notFoundWrapped is notFound for errors that also say what failed.
func notFoundWrapped(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// PasswordFailed counts a wrong password of a citizen. At the max-th failure
// in a row the account is locked until lockUntil and the count starts again.
// It returns the lock's end (zero when not locked).
func (s *Postgres) PasswordFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.failed(ctx, `UPDATE citizens SET
		password_failures = CASE WHEN password_failures + 1 >= $1 THEN 0 ELSE password_failures + 1 END,
		password_locked_until = CASE WHEN password_failures + 1 >= $1 THEN $2 ELSE password_locked_until END
		WHERE id = $3 RETURNING password_locked_until`, id, max, lockUntil, "password failed")
}

// PasswordSucceeded clears a citizen's count of wrong passwords.
func (s *Postgres) PasswordSucceeded(ctx context.Context, id int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE citizens SET password_failures = 0 WHERE id = $1 AND password_failures <> 0`, id); err != nil {
		return fmt.Errorf("store: password succeeded: %w", err)
	}
	return nil
}

const pgCitizenColumns = `id, name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, code_channel, text_capable,
	coalesce(cert_fingerprint, ''), coalesce(token_fingerprint, ''), login_id, password_hash, password_must_change, password_failures,
	password_locked_until, limited_guardianship, consent_sealed, office, clerk, approved_at, expires_at, revoked_at, revoke_reason`

func (s *Postgres) citizenWhere(ctx context.Context, where string, arg any) (*Citizen, error) {
	var c Citizen
	var locked, approved, expires, revoked int64
	err := s.pool.QueryRow(ctx, `SELECT `+pgCitizenColumns+` FROM citizens WHERE `+where, arg).Scan(
		&c.ID, &c.Name, &c.RRNIndex, &c.RRNSealed, &c.AddressSealed, &c.PhoneSealed, &c.IdentityMethod, &c.CodeChannel,
		&c.TextCapable, &c.CertFingerprint, &c.TokenFingerprint, &c.LoginID, &c.PasswordHash, &c.PasswordMustChange, &c.PasswordFailures,
		&locked, &c.LimitedGuardianship, &c.ConsentSealed, &c.Office, &c.Clerk, &approved, &expires, &revoked, &c.RevokeReason)
	if err != nil {
		return nil, notFound(err, "citizen")
	}
	c.PasswordLockedUntil = fromMS(locked)
	c.ApprovedAt, c.ExpiresAt, c.RevokedAt = fromMS(approved), fromMS(expires), fromMS(revoked)
	return &c, nil
}

// CitizenByCert finds the citizen whose registered certificate has fingerprint fp.
func (s *Postgres) CitizenByCert(ctx context.Context, fp string) (*Citizen, error) {
	if fp == "" {
		return nil, ErrNotFound
	}
	return s.citizenWhere(ctx, "cert_fingerprint = $1", fp)
}

// CitizenByRRN finds the citizen by the keyed hash of their RRN.
func (s *Postgres) CitizenByRRN(ctx context.Context, index []byte) (*Citizen, error) {
	return s.citizenWhere(ctx, "rrn_index = $1", index)
}

// CitizenByID finds the citizen with id.
func (s *Postgres) CitizenByID(ctx context.Context, id int64) (*Citizen, error) {
	return s.citizenWhere(ctx, "id = $1", id)
}

// CitizenByLoginID finds the citizen with a login ID.
func (s *Postgres) CitizenByLoginID(ctx context.Context, loginID string) (*Citizen, error) {
	return s.citizenWhere(ctx, "login_id = $1", loginID)
}

// History lists the history of a citizen's approval, oldest first.
func (s *Postgres) History(ctx context.Context, citizenID int64) ([]History, error) {
	rows, err := s.pool.Query(ctx, `SELECT citizen_id, at, actor, office, action, detail FROM approval_history
		WHERE citizen_id = $1 ORDER BY id`, citizenID)
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (History, error) {
		var h History
		var at int64
		err := row.Scan(&h.CitizenID, &at, &h.Actor, &h.Office, &h.Action, &h.Detail)
		h.At = fromMS(at)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	if len(out) == 0 {
		return nil, nil // as SQLite: no history is a nil slice
	}
	return out, nil
}

// PutChallenge stores a login nonce until expires.
func (s *Postgres) PutChallenge(ctx context.Context, nonce string, expires time.Time) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO challenges (nonce, expires_at) VALUES ($1, $2)`, nonce, ms(expires)); err != nil {
		return fmt.Errorf("store: put challenge: %w", err)
	}
	return nil
}

// TakeChallenge removes a nonce and returns its expiry: each nonce is taken at
// most once, so a replayed login finds nothing. Of two servers taking the same
// nonce at once, the second waits for the first's DELETE and then finds nothing.
func (s *Postgres) TakeChallenge(ctx context.Context, nonce string) (time.Time, error) {
	var exp int64
	err := s.pool.QueryRow(ctx, `DELETE FROM challenges WHERE nonce = $1 RETURNING expires_at`, nonce).Scan(&exp)
	if err != nil {
		return time.Time{}, notFound(err, "take challenge")
	}
	return fromMS(exp), nil
}

func pgPutSession(ctx context.Context, x pgExecer, se Session) error {
	last := se.LastSeenAt
	if last.IsZero() {
		last = se.CreatedAt
	}
	_, err := x.Exec(ctx, `INSERT INTO sessions (token_hash, citizen_id, cert_fingerprint, stage, verified, created_at, last_seen_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, se.TokenHash, se.CitizenID, se.CertFingerprint, se.stage(), se.Verified, ms(se.CreatedAt), ms(last), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put session: %w", err)
	}
	return nil
}

// PutSession stores a new session (at StageCertificate when Stage is "").
func (s *Postgres) PutSession(ctx context.Context, se Session) error {
	return pgPutSession(ctx, s.pool, se)
}

// UpgradeSession replaces the session oldHash by se in one step: a login's
// next stage gets a new token, and the old one stops working. When oldHash is
// gone (logged out, revoked) nothing is stored and ErrNotFound is returned.
func (s *Postgres) UpgradeSession(ctx context.Context, oldHash []byte, se Session) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1 AND citizen_id = $2`, oldHash, se.CitizenID)
		if err != nil {
			return fmt.Errorf("store: upgrade session: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		return pgPutSession(ctx, tx, se)
	})
}

// Session finds a session by its token's hash.
func (s *Postgres) Session(ctx context.Context, tokenHash []byte) (*Session, error) {
	var se Session
	var created, last, expires int64
	err := s.pool.QueryRow(ctx, `SELECT token_hash, citizen_id, cert_fingerprint, stage, verified, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1`, tokenHash).Scan(&se.TokenHash, &se.CitizenID, &se.CertFingerprint, &se.Stage, &se.Verified,
		&created, &last, &expires)
	if err != nil {
		return nil, notFound(err, "session")
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchSession records that a session was used at at (for the idle timeout).
func (s *Postgres) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// MarkVerified records that a session passed the extra identity check and
// removes its code, so the code cannot be used again.
func (s *Postgres) MarkVerified(ctx context.Context, tokenHash []byte) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sessions SET verified = TRUE WHERE token_hash = $1`, tokenHash)
		if err != nil {
			return fmt.Errorf("store: mark verified: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM codes WHERE token_hash = $1`, tokenHash); err != nil {
			return fmt.Errorf("store: mark verified: %w", err)
		}
		return nil
	})
}

// DeleteSession ends a session.
func (s *Postgres) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// PutCode stores (or replaces) the code of a session, with no attempts made.
func (s *Postgres) PutCode(ctx context.Context, c Code) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO codes (token_hash, code_hash, channel, expires_at, attempts) VALUES ($1,$2,$3,$4,0)
		ON CONFLICT (token_hash) DO UPDATE SET code_hash = excluded.code_hash, channel = excluded.channel, expires_at = excluded.expires_at, attempts = 0`,
		c.TokenHash, c.CodeHash, c.Channel, ms(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put code: %w", err)
	}
	return nil
}

// AttemptCode counts one attempt at a session's code and returns the code as it
// was before this attempt, so that concurrent guesses each use up a try.
func (s *Postgres) AttemptCode(ctx context.Context, tokenHash []byte) (*Code, error) {
	var c Code
	var exp int64
	err := s.pool.QueryRow(ctx, `UPDATE codes SET attempts = attempts + 1 WHERE token_hash = $1
		RETURNING token_hash, code_hash, channel, expires_at, attempts - 1`, tokenHash).Scan(&c.TokenHash, &c.CodeHash, &c.Channel, &exp, &c.Attempts)
	if err != nil {
		return nil, notFound(err, "attempt code")
	}
	c.ExpiresAt = fromMS(exp)
	return &c, nil
}

// RecordCodeSend records that a code is sent to a citizen at now, unless one
// was sent less than gap ago or perHour were sent in the hour before now: then
// nothing is recorded and a *RateLimitedError says when to try again. The
// transaction first locks the citizen's row, so that concurrent requests (on
// any server) check and record one after the other.
func (s *Postgres) RecordCodeSend(ctx context.Context, citizenID int64, now time.Time, gap time.Duration, perHour int) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// NO KEY UPDATE: it serializes the senders, yet lets sessions and
		// confirmations referring to the citizen be inserted meanwhile.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM citizens WHERE id = $1 FOR NO KEY UPDATE`, citizenID); err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		hourAgo := now.Add(-time.Hour)
		if _, err := tx.Exec(ctx, `DELETE FROM code_sends WHERE citizen_id = $1 AND sent_at <= $2`, citizenID, ms(hourAgo)); err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		var n int
		var first, last *int64
		err := tx.QueryRow(ctx, `SELECT count(*), min(sent_at), max(sent_at) FROM code_sends WHERE citizen_id = $1`, citizenID).
			Scan(&n, &first, &last)
		if err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		if last != nil && now.Before(fromMS(*last).Add(gap)) {
			return &RateLimitedError{RetryAt: fromMS(*last).Add(gap)}
		}
		if n >= perHour {
			return &RateLimitedError{RetryAt: fromMS(*first).Add(time.Hour)}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO code_sends (citizen_id, sent_at) VALUES ($1, $2)`, citizenID, ms(now)); err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		return nil
	})
}

// PutClerk creates a clerk account and returns its id; a login already taken
// is a *DuplicateError.
func (s *Postgres) PutClerk(ctx context.Context, c Clerk) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO clerks (login, name, office, password_hash, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
		c.Login, c.Name, c.Office, c.PasswordHash, ms(c.CreatedAt)).Scan(&id)
	if d := duplicateOf(err); d != nil {
		return 0, d
	} else if err != nil {
		return 0, fmt.Errorf("store: put clerk: %w", err)
	}
	return id, nil
}

func (s *Postgres) clerkWhere(ctx context.Context, where string, arg any) (*Clerk, error) {
	var c Clerk
	var locked, created int64
	err := s.pool.QueryRow(ctx, `SELECT id, login, name, office, password_hash, failures, locked_until, disabled, created_at
		FROM clerks WHERE `+where, arg).Scan(&c.ID, &c.Login, &c.Name, &c.Office, &c.PasswordHash, &c.Failures, &locked, &c.Disabled, &created)
	if err != nil {
		return nil, notFound(err, "clerk")
	}
	c.LockedUntil, c.CreatedAt = fromMS(locked), fromMS(created)
	return &c, nil
}

// ClerkByLogin finds a clerk by login name.
func (s *Postgres) ClerkByLogin(ctx context.Context, login string) (*Clerk, error) {
	return s.clerkWhere(ctx, "login = $1", login)
}

// ClerkByID finds a clerk by id.
func (s *Postgres) ClerkByID(ctx context.Context, id int64) (*Clerk, error) {
	return s.clerkWhere(ctx, "id = $1", id)
}

// ClerkFailed counts a wrong password of a clerk, as PasswordFailed does for
// citizens, and returns the lock's end (zero when not locked).
func (s *Postgres) ClerkFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.failed(ctx, `UPDATE clerks SET
		failures = CASE WHEN failures + 1 >= $1 THEN 0 ELSE failures + 1 END,
		locked_until = CASE WHEN failures + 1 >= $1 THEN $2 ELSE locked_until END
		WHERE id = $3 RETURNING locked_until`, id, max, lockUntil, "clerk failed")
}

// ClerkSucceeded clears a clerk's count of wrong passwords.
func (s *Postgres) ClerkSucceeded(ctx context.Context, id int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE clerks SET failures = 0 WHERE id = $1 AND failures <> 0`, id); err != nil {
		return fmt.Errorf("store: clerk succeeded: %w", err)
	}
	return nil
}

// PutClerkSession stores a new console session.
func (s *Postgres) PutClerkSession(ctx context.Context, se ClerkSession) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO clerk_sessions (token_hash, clerk_id, created_at, last_seen_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
		se.TokenHash, se.ClerkID, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put clerk session: %w", err)
	}
	return nil
}

// ClerkSession finds a console session by its token's hash.
func (s *Postgres) ClerkSession(ctx context.Context, tokenHash []byte) (*ClerkSession, error) {
	var se ClerkSession
	var created, last, expires int64
	err := s.pool.QueryRow(ctx, `SELECT token_hash, clerk_id, created_at, last_seen_at, expires_at FROM clerk_sessions WHERE token_hash = $1`,
		tokenHash).Scan(&se.TokenHash, &se.ClerkID, &created, &last, &expires)
	if err != nil {
		return nil, notFound(err, "clerk session")
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchClerkSession records that a console session was used at at.
func (s *Postgres) TouchClerkSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE clerk_sessions SET last_seen_at = $1 WHERE token_hash = $2`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch clerk session: %w", err)
	}
	return nil
}

// DeleteClerkSession ends a console session.
func (s *Postgres) DeleteClerkSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM clerk_sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("store: delete clerk session: %w", err)
	}
	return nil
}

// InsertConfirmation stores an issued confirmation, and its first history
// token when c has one, in one statement. A second confirmation with the
// same digest, issue number or citizen's confirmation ID is ErrDuplicate.
func (s *Postgres) InsertConfirmation(ctx context.Context, c Confirmation) error {
	const insert = `INSERT INTO confirmations (issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`
	args := []any{c.IssueNumber, c.CitizenID, c.ConfirmationID, c.InstitutionCode, c.Digest, ms(c.IssuedAt), c.Sealed}
	query := insert
	if c.HistoryToken != nil {
		query = `WITH c AS (` + insert + ` RETURNING issue_number, issued_at)
			INSERT INTO history_tokens (token_hash, issue_number, created_at) SELECT $8, issue_number, issued_at FROM c`
		args = append(args, c.HistoryToken)
	}
	_, err := s.pool.Exec(ctx, query, args...)
	if duplicateOf(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: insert confirmation: %w", err)
	}
	return nil
}

func (s *Postgres) confirmationWhere(ctx context.Context, where string, args ...any) (*Confirmation, error) {
	var c Confirmation
	var issued int64
	err := s.pool.QueryRow(ctx, `SELECT issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed
		FROM confirmations WHERE `+where, args...).Scan(&c.IssueNumber, &c.CitizenID, &c.ConfirmationID, &c.InstitutionCode, &c.Digest, &issued, &c.Sealed)
	if err != nil {
		return nil, notFound(err, "confirmation")
	}
	c.IssuedAt = fromMS(issued)
	return &c, nil
}

// ConfirmationByNumber finds a confirmation by its issue number.
func (s *Postgres) ConfirmationByNumber(ctx context.Context, number string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "issue_number = $1", number)
}

// ConfirmationByDigest finds a confirmation by the digest of its CMS.
func (s *Postgres) ConfirmationByDigest(ctx context.Context, digest string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "digest = $1", digest)
}

// ConfirmationByID finds a citizen's confirmation by the ID the client chose
// for it: a retry of a submission whose answer was lost finds the first one.
func (s *Postgres) ConfirmationByID(ctx context.Context, citizenID int64, confirmationID string) (*Confirmation, error) {
	return s.confirmationWhere(ctx, "citizen_id = $1 AND confirmation_id = $2", citizenID, confirmationID)
}

// CountConfirmations is the number of confirmations stored.
func (s *Postgres) CountConfirmations(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM confirmations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count confirmations: %w", err)
	}
	return n, nil
}

// PutInstitutionKey stores an institution API key's hash. KeyID defaults to
// the hex of the hash's first 6 bytes.
func (s *Postgres) PutInstitutionKey(ctx context.Context, k InstitutionKey) error {
	if k.KeyID == "" {
		k.KeyID = fmt.Sprintf("%x", k.KeyHash[:min(6, len(k.KeyHash))])
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO institution_keys (key_hash, key_id, institution_code, label, created_at, revoked_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, k.KeyHash, k.KeyID, k.InstitutionCode, k.Label, ms(k.CreatedAt), ms(k.RevokedAt))
	if duplicateOf(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: put institution key: %w", err)
	}
	return nil
}

func pgScanKey(row pgx.Row) (*InstitutionKey, error) {
	var k InstitutionKey
	var created, revoked int64
	if err := row.Scan(&k.KeyHash, &k.KeyID, &k.InstitutionCode, &k.Label, &created, &revoked); err != nil {
		return nil, notFound(err, "institution key")
	}
	k.CreatedAt, k.RevokedAt = fromMS(created), fromMS(revoked)
	return &k, nil
}

// InstitutionKey finds an API key by its hash, revoked or not.
func (s *Postgres) InstitutionKey(ctx context.Context, keyHash []byte) (*InstitutionKey, error) {
	return pgScanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM institution_keys WHERE key_hash = $1`, keyHash))
}
