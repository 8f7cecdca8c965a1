package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// SQLite is a store in one SQLite file.
type SQLite struct {
	db    *sql.DB // the one writer connection
	rdb   *sql.DB // read-only connections: WAL lets them read while db writes
	group grouper // see group.go
	// stmts caches prepared statements by pool and text: the driver would
	// otherwise parse every statement again on every call.
	stmts sync.Map // stmtKey -> *sql.Stmt
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// schema is applied in order; user_version records how many steps ran. A
// step, once released, never changes: changes are new steps appended here.
var schema = []string{
	// Version 1.
	`CREATE TABLE citizens (
		id                    INTEGER PRIMARY KEY,
		name                  TEXT NOT NULL,
		rrn_index             BLOB NOT NULL UNIQUE,
		rrn_sealed            BLOB NOT NULL,
		address_sealed        BLOB NOT NULL,
		phone_sealed          BLOB NOT NULL,
		identity_method       TEXT NOT NULL CHECK (identity_method IN ('token', 'mobile', 'landline')),
		code_channel          TEXT NOT NULL CHECK (code_channel IN ('sms', 'voice')),
		text_capable          INTEGER NOT NULL,
		cert_fingerprint      TEXT UNIQUE,
		token_fingerprint     TEXT UNIQUE,
		login_id              TEXT NOT NULL UNIQUE,
		password_hash         TEXT NOT NULL,
		password_must_change  INTEGER NOT NULL,
		password_failures     INTEGER NOT NULL DEFAULT 0,
		password_locked_until INTEGER NOT NULL DEFAULT 0,
		limited_guardianship  INTEGER NOT NULL DEFAULT 0,
		consent_sealed        BLOB,
		office                TEXT NOT NULL,
		clerk                 TEXT NOT NULL,
		approved_at           INTEGER NOT NULL,
		expires_at            INTEGER NOT NULL,
		revoked_at            INTEGER NOT NULL DEFAULT 0,
		revoke_reason         TEXT NOT NULL DEFAULT ''
	);
	-- Every change to an approval, kept at least 10 years: rows are only ever
	-- added. The triggers refuse any UPDATE or DELETE, whoever asks.
	CREATE TABLE approval_history (
		id         INTEGER PRIMARY KEY,
		citizen_id INTEGER NOT NULL REFERENCES citizens(id),
		at         INTEGER NOT NULL,
		actor      TEXT NOT NULL,
		office     TEXT NOT NULL,
		action     TEXT NOT NULL,
		detail     TEXT NOT NULL
	);
	CREATE INDEX approval_history_citizen ON approval_history(citizen_id, id);
	CREATE TRIGGER approval_history_no_update BEFORE UPDATE ON approval_history
	BEGIN SELECT RAISE(ABORT, 'approval_history is append-only'); END;
	CREATE TRIGGER approval_history_no_delete BEFORE DELETE ON approval_history
	BEGIN SELECT RAISE(ABORT, 'approval_history is append-only'); END;
	CREATE TABLE clerks (
		id            INTEGER PRIMARY KEY,
		login         TEXT NOT NULL UNIQUE,
		name          TEXT NOT NULL,
		office        TEXT NOT NULL,
		password_hash TEXT NOT NULL,
		failures      INTEGER NOT NULL DEFAULT 0,
		locked_until  INTEGER NOT NULL DEFAULT 0,
		disabled      INTEGER NOT NULL DEFAULT 0,
		created_at    INTEGER NOT NULL
	);
	CREATE TABLE clerk_sessions (
		token_hash   BLOB PRIMARY KEY,
		clerk_id     INTEGER NOT NULL REFERENCES clerks(id),
		created_at   INTEGER NOT NULL,
		last_seen_at INTEGER NOT NULL,
		expires_at   INTEGER NOT NULL
	);
	CREATE TABLE challenges (
		nonce      TEXT PRIMARY KEY,
		expires_at INTEGER NOT NULL
	);
	CREATE TABLE sessions (
		token_hash       BLOB PRIMARY KEY,
		citizen_id       INTEGER NOT NULL REFERENCES citizens(id),
		cert_fingerprint TEXT NOT NULL,
		stage            TEXT NOT NULL CHECK (stage IN ('password', 'certificate')),
		verified         INTEGER NOT NULL DEFAULT 0,
		created_at       INTEGER NOT NULL,
		last_seen_at     INTEGER NOT NULL,
		expires_at       INTEGER NOT NULL
	);
	CREATE INDEX sessions_citizen ON sessions(citizen_id);
	CREATE TABLE codes (
		token_hash BLOB PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
		code_hash  BLOB NOT NULL,
		channel    TEXT NOT NULL,
		expires_at INTEGER NOT NULL,
		attempts   INTEGER NOT NULL DEFAULT 0
	);
	-- When codes were sent to whom, for the resend limits; rows older than
	-- an hour are dropped.
	CREATE TABLE code_sends (
		citizen_id INTEGER NOT NULL REFERENCES citizens(id),
		sent_at    INTEGER NOT NULL
	);
	CREATE INDEX code_sends_citizen ON code_sends(citizen_id, sent_at);
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
	// Version 2: the institution side. Officers of recipient institutions
	// and their console sessions; API keys get an id to be named by, and can
	// be revoked; every verification attempt is logged, append-only, for the
	// citizen to see; history tokens let the citizen's app read that log.
	`CREATE TABLE officers (
		id               INTEGER PRIMARY KEY,
		institution_code TEXT NOT NULL,
		login            TEXT NOT NULL UNIQUE,
		name             TEXT NOT NULL,
		password_hash    TEXT NOT NULL,
		totp_sealed      BLOB NOT NULL,
		totp_last_step   INTEGER NOT NULL DEFAULT 0,
		failures         INTEGER NOT NULL DEFAULT 0,
		locked_until     INTEGER NOT NULL DEFAULT 0,
		disabled         INTEGER NOT NULL DEFAULT 0,
		created_at       INTEGER NOT NULL
	);
	CREATE INDEX officers_institution ON officers(institution_code);
	CREATE TABLE officer_sessions (
		token_hash   BLOB PRIMARY KEY,
		officer_id   INTEGER NOT NULL REFERENCES officers(id),
		created_at   INTEGER NOT NULL,
		last_seen_at INTEGER NOT NULL,
		expires_at   INTEGER NOT NULL
	);
	ALTER TABLE institution_keys ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE institution_keys ADD COLUMN revoked_at INTEGER NOT NULL DEFAULT 0;
	UPDATE institution_keys SET key_id = lower(hex(substr(key_hash, 1, 6)));
	CREATE UNIQUE INDEX institution_keys_key_id ON institution_keys(key_id);
	CREATE INDEX institution_keys_institution ON institution_keys(institution_code);
	-- Every verification attempt on an existing confirmation, by an officer
	-- (officer_id) or an institution's system (key_id), with the truth about
	-- it, which the caller never learns: found, wrong_name, other_institution.
	-- actor is the officer's name or the key's label as they were then.
	CREATE TABLE lookups (
		id               INTEGER PRIMARY KEY,
		issue_number     TEXT NOT NULL REFERENCES confirmations(issue_number),
		institution_code TEXT NOT NULL,
		officer_id       INTEGER REFERENCES officers(id),
		key_id           TEXT,
		actor            TEXT NOT NULL,
		channel          TEXT NOT NULL CHECK (channel IN ('console', 'api')),
		at               INTEGER NOT NULL,
		result           TEXT NOT NULL CHECK (result IN ('found', 'wrong_name', 'other_institution')),
		CHECK ((officer_id IS NULL) <> (key_id IS NULL))
	);
	CREATE INDEX lookups_number ON lookups(issue_number, at);
	CREATE INDEX lookups_officer ON lookups(officer_id, at) WHERE officer_id IS NOT NULL;
	CREATE INDEX lookups_key ON lookups(key_id, at) WHERE key_id IS NOT NULL;
	CREATE TRIGGER lookups_no_update BEFORE UPDATE ON lookups
	BEGIN SELECT RAISE(ABORT, 'lookups is append-only'); END;
	CREATE TRIGGER lookups_no_delete BEFORE DELETE ON lookups
	BEGIN SELECT RAISE(ABORT, 'lookups is append-only'); END;
	-- Attempts with a number that belongs to no confirmation: nothing to
	-- attach them to, kept per institution for abuse monitoring.
	CREATE TABLE lookup_misses (
		id               INTEGER PRIMARY KEY,
		issue_number     TEXT NOT NULL,
		institution_code TEXT NOT NULL,
		officer_id       INTEGER REFERENCES officers(id),
		key_id           TEXT,
		actor            TEXT NOT NULL,
		channel          TEXT NOT NULL CHECK (channel IN ('console', 'api')),
		at               INTEGER NOT NULL,
		CHECK ((officer_id IS NULL) <> (key_id IS NULL))
	);
	CREATE INDEX lookup_misses_institution ON lookup_misses(institution_code, at);
	CREATE INDEX lookup_misses_officer ON lookup_misses(officer_id, at) WHERE officer_id IS NOT NULL;
	CREATE INDEX lookup_misses_key ON lookup_misses(key_id, at) WHERE key_id IS NOT NULL;
	CREATE TRIGGER lookup_misses_no_update BEFORE UPDATE ON lookup_misses
	BEGIN SELECT RAISE(ABORT, 'lookup_misses is append-only'); END;
	CREATE TRIGGER lookup_misses_no_delete BEFORE DELETE ON lookup_misses
	BEGIN SELECT RAISE(ABORT, 'lookup_misses is append-only'); END;
	-- Officers and keys locked after too many lookups that found nothing:
	-- subject is 'officer:<id>' or 'key:<key_id>'.
	CREATE TABLE lookup_locks (
		subject      TEXT PRIMARY KEY,
		locked_until INTEGER NOT NULL
	);
	-- The tokens with which a citizen's app reads the lookups of one
	-- confirmation, without logging in; only their SHA-256 is kept. Each
	-- answer to an issuance (a retry too) gets one of its own.
	CREATE TABLE history_tokens (
		token_hash   BLOB PRIMARY KEY,
		issue_number TEXT NOT NULL REFERENCES confirmations(issue_number),
		created_at   INTEGER NOT NULL
	);`,
}

// ErrPrerelease is returned for a database made by a development build before
// schema version 1 was settled: start it afresh (the demo: -reset).
var ErrPrerelease = errors.New("store: the database was made by a development build of bonsign; move it away and start afresh (demo: -reset)")

// OpenSQLite opens (creating if needed) the SQLite store at path and brings its
// schema up to date. Writes are durable: WAL with synchronous=FULL.
func OpenSQLite(path string) (*SQLite, error) {
	q := url.Values{}
	// 64 MiB of page cache for the writer (SQLite's default is 2 MiB): the
	// index pages a write touches stay in memory instead of being read
	// from the file again.
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer at a time anyway, and waiting
	// in Go's pool is far cheaper than SQLite's busy handler, which sleeps
	// in growing steps (up to 100 ms) while another connection writes.
	db.SetMaxOpenConns(1)
	s := &SQLite{db: db}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepareGroupStatements(context.Background()); err != nil {
		s.Close() // the readers are not open yet: Close leaves them
		return nil, err
	}
	// Readers: a pool of connections that may only read, so a SELECT never
	// waits behind the writer's transaction or its fsync.
	r := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)", "cache_size(-16384)"} {
		r.Add("_pragma", p)
	}
	if s.rdb, err = sql.Open("sqlite", "file:"+path+"?"+r.Encode()); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.rdb.SetMaxOpenConns(8)
	s.rdb.SetMaxIdleConns(8)
	return s, nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	var version int
	if err := s.queryRow(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if version > len(schema) {
		return fmt.Errorf("store: schema version %d is newer than this server (%d)", version, len(schema))
	}
	// A development build's version 1 lacks what later steps build on:
	// recognise it before changing anything.
	if version >= 1 {
		var n int
		if err := s.queryRow(ctx, `SELECT count(*) FROM pragma_table_info('citizens') WHERE name = 'login_id'`).Scan(&n); err != nil {
			return fmt.Errorf("store: read schema: %w", err)
		}
		if n == 0 {
			return ErrPrerelease
		}
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
func (s *SQLite) Close() error {
	s.group.once.Do(func() {}) // no grouped write may start the committer now
	s.closeGroups()
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var err error
	if s.rdb != nil {
		err = s.rdb.Close()
	}
	return errors.Join(err, s.db.Close())
}

// queryRow runs a statement that returns one row: a SELECT on the readers,
// anything else (UPDATE or DELETE ... RETURNING) on the writer.
func (s *SQLite) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	db := s.pick(query)
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		return db.QueryRowContext(ctx, query, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// query is queryRow for many rows.
func (s *SQLite) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db := s.pick(query)
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// prepared is the cached prepared statement of query on db.
func (s *SQLite) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	if st, ok := s.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *SQLite) pick(query string) *sql.DB {
	if s.rdb != nil && strings.HasPrefix(strings.TrimSpace(query), "SELECT") {
		return s.rdb // nil while the schema is being brought up to date
	}
	return s.db
}

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

// duplicate maps a uniqueness failure to a *DuplicateError naming the value,
// and returns nil for any other error.
func duplicate(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "UNIQUE constraint failed") && !strings.Contains(msg, "PRIMARY KEY") {
		return nil
	}
	for col, name := range map[string]string{
		"citizens.rrn_index": "rrn", "citizens.cert_fingerprint": "cert", "citizens.token_fingerprint": "token_cert",
		"citizens.login_id": "login_id", "clerks.login": "login",
	} {
		if strings.Contains(msg, col) {
			return &DuplicateError{Column: name}
		}
	}
	return ErrDuplicate
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func addHistory(ctx context.Context, x execer, h History) error {
	_, err := x.ExecContext(ctx, `INSERT INTO approval_history (citizen_id, at, actor, office, action, detail) VALUES (?,?,?,?,?,?)`,
		h.CitizenID, ms(h.At), h.Actor, h.Office, h.Action, h.Detail)
	if err != nil {
		return fmt.Errorf("store: history: %w", err)
	}
	return nil
}

// inTx runs f in one transaction, committed when f returns nil.
func (s *SQLite) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

const insertCitizen = `INSERT INTO citizens
	(name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, code_channel, text_capable,
	 cert_fingerprint, token_fingerprint, login_id, password_hash, password_must_change, password_failures, password_locked_until,
	 limited_guardianship, consent_sealed, office, clerk, approved_at, expires_at, revoked_at, revoke_reason)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

func citizenArgs(c Citizen) []any {
	return []any{c.Name, c.RRNIndex, c.RRNSealed, c.AddressSealed, c.PhoneSealed, c.IdentityMethod, c.CodeChannel, c.TextCapable,
		nullable(c.CertFingerprint), nullable(c.TokenFingerprint), c.LoginID, c.PasswordHash, c.PasswordMustChange,
		c.PasswordFailures, ms(c.PasswordLockedUntil), c.LimitedGuardianship, c.ConsentSealed, c.Office, c.Clerk,
		ms(c.ApprovedAt), ms(c.ExpiresAt), ms(c.RevokedAt), c.RevokeReason}
}

// PutCitizen records a new approval and returns its id; the history says the
// approving clerk approved it.
func (s *SQLite) PutCitizen(ctx context.Context, c Citizen) (int64, error) {
	return s.InsertCitizen(ctx, c, History{At: c.ApprovedAt, Actor: c.Clerk, Office: c.Office, Action: "approve", Detail: "{}"})
}

// InsertCitizen records a new approval and its first history row, and returns
// its id. A citizen, certificate or login ID already present is a
// *DuplicateError.
func (s *SQLite) InsertCitizen(ctx context.Context, c Citizen, h History) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, insertCitizen, citizenArgs(c)...)
		if d := duplicate(err); d != nil {
			return d
		} else if err != nil {
			return fmt.Errorf("store: put citizen: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		h.CitizenID = id
		return addHistory(ctx, tx, h)
	})
	return id, err
}

// ReplaceCitizen writes a new approval over a lapsed one (expired or
// revoked), keeping the row and its history. prev is the row as the caller
// read it: when its approval changed meanwhile, nothing is written and
// ErrConflict is returned. Sessions of the citizen end.
func (s *SQLite) ReplaceCitizen(ctx context.Context, prev *Citizen, c Citizen, h History) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		args := append(citizenArgs(c), prev.ID, ms(prev.ExpiresAt), ms(prev.RevokedAt))
		res, err := tx.ExecContext(ctx, `UPDATE citizens SET
			name = ?, rrn_index = ?, rrn_sealed = ?, address_sealed = ?, phone_sealed = ?, identity_method = ?, code_channel = ?, text_capable = ?,
			cert_fingerprint = ?, token_fingerprint = ?, login_id = ?, password_hash = ?, password_must_change = ?, password_failures = ?, password_locked_until = ?,
			limited_guardianship = ?, consent_sealed = ?, office = ?, clerk = ?, approved_at = ?, expires_at = ?, revoked_at = ?, revoke_reason = ?
			WHERE id = ? AND expires_at = ? AND revoked_at = ?`, args...)
		if d := duplicate(err); d != nil {
			return d
		} else if err != nil {
			return fmt.Errorf("store: replace citizen: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE citizen_id = ?`, prev.ID); err != nil {
			return fmt.Errorf("store: replace citizen: %w", err)
		}
		h.CitizenID = prev.ID
		return addHistory(ctx, tx, h)
	})
}

// RenewCitizen moves the expiry of an approval in force from prevExpires to
// expires. When the approval changed meanwhile (renewed, revoked) nothing is
// written and ErrConflict is returned: a double submission renews once.
func (s *SQLite) RenewCitizen(ctx context.Context, id int64, prevExpires, expires time.Time, h History) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE citizens SET expires_at = ? WHERE id = ? AND expires_at = ? AND revoked_at = 0`,
			ms(expires), id, ms(prevExpires))
		if err != nil {
			return fmt.Errorf("store: renew: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		h.CitizenID = id
		return addHistory(ctx, tx, h)
	})
}

// RevokeCitizen revokes an approval at at and ends every session of the
// citizen in the same transaction. An approval already revoked is ErrConflict.
func (s *SQLite) RevokeCitizen(ctx context.Context, id int64, at time.Time, reason string, h History) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE citizens SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at = 0`,
			ms(at), reason, id)
		if err != nil {
			return fmt.Errorf("store: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE citizen_id = ?`, id); err != nil {
			return fmt.Errorf("store: revoke: %w", err)
		}
		h.CitizenID = id
		return addHistory(ctx, tx, h)
	})
}

// SetConsent records (or replaces) the consent of a citizen and whether they
// are under limited guardianship.
func (s *SQLite) SetConsent(ctx context.Context, id int64, limited bool, sealed []byte, h History) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE citizens SET limited_guardianship = ?, consent_sealed = ? WHERE id = ?`, limited, sealed, id)
		if err != nil {
			return fmt.Errorf("store: consent: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		h.CitizenID = id
		return addHistory(ctx, tx, h)
	})
}

// SetPassword replaces a citizen's password hash, clears the failures and the
// lock, and says whether it must be changed at next use.
func (s *SQLite) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, h History) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE citizens SET password_hash = ?, password_must_change = ?, password_failures = 0, password_locked_until = 0
			WHERE id = ?`, hash, mustChange, id)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		h.CitizenID = id
		return addHistory(ctx, tx, h)
	})
}

// PasswordFailed counts a wrong password of a citizen. At the max-th failure
// in a row the account is locked until lockUntil and the count starts again.
// It returns the lock's end (zero when not locked).
func (s *SQLite) PasswordFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.countFailure(ctx, "citizens", "password_failures", "password_locked_until", "password failed", id, max, lockUntil)
}

// PasswordSucceeded clears a citizen's count of wrong passwords.
func (s *SQLite) PasswordSucceeded(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE citizens SET password_failures = 0 WHERE id = ? AND password_failures <> 0`, id); err != nil {
		return fmt.Errorf("store: password succeeded: %w", err)
	}
	return nil
}

const citizenColumns = `id, name, rrn_index, rrn_sealed, address_sealed, phone_sealed, identity_method, code_channel, text_capable,
	coalesce(cert_fingerprint, ''), coalesce(token_fingerprint, ''), login_id, password_hash, password_must_change, password_failures,
	password_locked_until, limited_guardianship, consent_sealed, office, clerk, approved_at, expires_at, revoked_at, revoke_reason`

func scanCitizen(row *sql.Row) (*Citizen, error) {
	var c Citizen
	var locked, approved, expires, revoked int64
	err := row.Scan(&c.ID, &c.Name, &c.RRNIndex, &c.RRNSealed, &c.AddressSealed, &c.PhoneSealed, &c.IdentityMethod, &c.CodeChannel,
		&c.TextCapable, &c.CertFingerprint, &c.TokenFingerprint, &c.LoginID, &c.PasswordHash, &c.PasswordMustChange, &c.PasswordFailures,
		&locked, &c.LimitedGuardianship, &c.ConsentSealed, &c.Office, &c.Clerk, &approved, &expires, &revoked, &c.RevokeReason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: citizen: %w", err)
	}
	c.PasswordLockedUntil = fromMS(locked)
	c.ApprovedAt, c.ExpiresAt, c.RevokedAt = fromMS(approved), fromMS(expires), fromMS(revoked)
	return &c, nil
}

// CitizenByCert finds the citizen whose registered certificate has fingerprint fp.
func (s *SQLite) CitizenByCert(ctx context.Context, fp string) (*Citizen, error) {
	if fp == "" {
		return nil, ErrNotFound
	}
	return scanCitizen(s.queryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE cert_fingerprint = ?`, fp))
}

// CitizenByRRN finds the citizen by the keyed hash of their RRN.
func (s *SQLite) CitizenByRRN(ctx context.Context, index []byte) (*Citizen, error) {
	return scanCitizen(s.queryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE rrn_index = ?`, index))
}

// CitizenByID finds the citizen with id.
func (s *SQLite) CitizenByID(ctx context.Context, id int64) (*Citizen, error) {
	return scanCitizen(s.queryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE id = ?`, id))
}

// CitizenByLoginID finds the citizen with a login ID.
func (s *SQLite) CitizenByLoginID(ctx context.Context, loginID string) (*Citizen, error) {
	return scanCitizen(s.queryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE login_id = ?`, loginID))
}

// History lists the history of a citizen's approval, oldest first.
func (s *SQLite) History(ctx context.Context, citizenID int64) ([]History, error) {
	rows, err := s.query(ctx, `SELECT citizen_id, at, actor, office, action, detail FROM approval_history
		WHERE citizen_id = ? ORDER BY id`, citizenID)
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	defer rows.Close()
	var out []History
	for rows.Next() {
		var h History
		var at int64
		if err := rows.Scan(&h.CitizenID, &at, &h.Actor, &h.Office, &h.Action, &h.Detail); err != nil {
			return nil, fmt.Errorf("store: history: %w", err)
		}
		h.At = fromMS(at)
		out = append(out, h)
	}
	return out, rows.Err()
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
	err := s.queryRow(ctx, `DELETE FROM challenges WHERE nonce = ? RETURNING expires_at`, nonce).Scan(&exp)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: take challenge: %w", err)
	}
	return fromMS(exp), nil
}

func (se *Session) stage() string {
	if se.Stage == "" {
		return StageCertificate
	}
	return se.Stage
}

func putSession(ctx context.Context, x execer, se Session) error {
	last := se.LastSeenAt
	if last.IsZero() {
		last = se.CreatedAt
	}
	_, err := x.ExecContext(ctx, `INSERT INTO sessions (token_hash, citizen_id, cert_fingerprint, stage, verified, created_at, last_seen_at, expires_at)
		VALUES (?,?,?,?,?,?,?,?)`, se.TokenHash, se.CitizenID, se.CertFingerprint, se.stage(), se.Verified, ms(se.CreatedAt), ms(last), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put session: %w", err)
	}
	return nil
}

// PutSession stores a new session (at StageCertificate when Stage is "").
func (s *SQLite) PutSession(ctx context.Context, se Session) error {
	return putSession(ctx, s.db, se)
}

// UpgradeSession replaces the session oldHash by se in one step: a login's
// next stage gets a new token, and the old one stops working. When oldHash is
// gone (logged out, revoked) nothing is stored and ErrNotFound is returned.
func (s *SQLite) UpgradeSession(ctx context.Context, oldHash []byte, se Session) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ? AND citizen_id = ?`, oldHash, se.CitizenID)
		if err != nil {
			return fmt.Errorf("store: upgrade session: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		return putSession(ctx, tx, se)
	})
}

// Session finds a session by its token's hash.
func (s *SQLite) Session(ctx context.Context, tokenHash []byte) (*Session, error) {
	var se Session
	var created, last, expires int64
	err := s.queryRow(ctx, `SELECT token_hash, citizen_id, cert_fingerprint, stage, verified, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&se.TokenHash, &se.CitizenID, &se.CertFingerprint, &se.Stage, &se.Verified,
		&created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchSession records that a session was used at at (for the idle timeout).
func (s *SQLite) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// MarkVerified records that a session passed the extra identity check and
// removes its code, so the code cannot be used again.
func (s *SQLite) MarkVerified(ctx context.Context, tokenHash []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET verified = 1 WHERE token_hash = ?`, tokenHash)
		if err != nil {
			return fmt.Errorf("store: mark verified: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("store: mark verified: %w", err)
		}
		return nil
	})
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO codes (token_hash, code_hash, channel, expires_at, attempts) VALUES (?,?,?,?,0)
		ON CONFLICT(token_hash) DO UPDATE SET code_hash = excluded.code_hash, channel = excluded.channel, expires_at = excluded.expires_at, attempts = 0`,
		c.TokenHash, c.CodeHash, c.Channel, ms(c.ExpiresAt))
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
	err := s.queryRow(ctx, `UPDATE codes SET attempts = attempts + 1 WHERE token_hash = ?
		RETURNING token_hash, code_hash, channel, expires_at, attempts - 1`, tokenHash).Scan(&c.TokenHash, &c.CodeHash, &c.Channel, &exp, &c.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: attempt code: %w", err)
	}
	c.ExpiresAt = fromMS(exp)
	return &c, nil
}

// RateLimitedError is returned by RecordCodeSend when a send is not allowed
// yet; RetryAt is when it will be.
type RateLimitedError struct{ RetryAt time.Time }

func (e *RateLimitedError) Error() string { return "store: too many codes sent" }

// RecordCodeSend records that a code is sent to a citizen at now, unless one
// was sent less than gap ago or perHour were sent in the hour before now: then
// nothing is recorded and a *RateLimitedError says when to try again. The
// check and the record are one transaction, so concurrent requests cannot
// both pass.
func (s *SQLite) RecordCodeSend(ctx context.Context, citizenID int64, now time.Time, gap time.Duration, perHour int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		hourAgo := now.Add(-time.Hour)
		if _, err := tx.ExecContext(ctx, `DELETE FROM code_sends WHERE citizen_id = ? AND sent_at <= ?`, citizenID, ms(hourAgo)); err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		var n int
		var first, last sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT count(*), min(sent_at), max(sent_at) FROM code_sends WHERE citizen_id = ?`, citizenID).
			Scan(&n, &first, &last)
		if err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		if last.Valid && now.Before(fromMS(last.Int64).Add(gap)) {
			return &RateLimitedError{RetryAt: fromMS(last.Int64).Add(gap)}
		}
		if n >= perHour {
			return &RateLimitedError{RetryAt: fromMS(first.Int64).Add(time.Hour)}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO code_sends (citizen_id, sent_at) VALUES (?, ?)`, citizenID, ms(now)); err != nil {
			return fmt.Errorf("store: code sends: %w", err)
		}
		return nil
	})
}

// PutClerk creates a clerk account and returns its id; a login already taken
// is a *DuplicateError.
func (s *SQLite) PutClerk(ctx context.Context, c Clerk) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO clerks (login, name, office, password_hash, created_at) VALUES (?,?,?,?,?)`,
		c.Login, c.Name, c.Office, c.PasswordHash, ms(c.CreatedAt))
	if d := duplicate(err); d != nil {
		return 0, d
	} else if err != nil {
		return 0, fmt.Errorf("store: put clerk: %w", err)
	}
	return res.LastInsertId()
}

func (s *SQLite) clerkWhere(ctx context.Context, where string, arg any) (*Clerk, error) {
	var c Clerk
	var locked, created int64
	err := s.queryRow(ctx, `SELECT id, login, name, office, password_hash, failures, locked_until, disabled, created_at
		FROM clerks WHERE `+where, arg).Scan(&c.ID, &c.Login, &c.Name, &c.Office, &c.PasswordHash, &c.Failures, &locked, &c.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: clerk: %w", err)
	}
	c.LockedUntil, c.CreatedAt = fromMS(locked), fromMS(created)
	return &c, nil
}

// ClerkByLogin finds a clerk by login name.
func (s *SQLite) ClerkByLogin(ctx context.Context, login string) (*Clerk, error) {
	return s.clerkWhere(ctx, "login = ?", login)
}

// ClerkByID finds a clerk by id.
func (s *SQLite) ClerkByID(ctx context.Context, id int64) (*Clerk, error) {
	return s.clerkWhere(ctx, "id = ?", id)
}

// ClerkFailed counts a wrong password of a clerk, as PasswordFailed does for
// citizens, and returns the lock's end (zero when not locked).
func (s *SQLite) ClerkFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error) {
	return s.countFailure(ctx, "clerks", "failures", "locked_until", "clerk failed", id, max, lockUntil)
}

// ClerkSucceeded clears a clerk's count of wrong passwords.
func (s *SQLite) ClerkSucceeded(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE clerks SET failures = 0 WHERE id = ? AND failures <> 0`, id); err != nil {
		return fmt.Errorf("store: clerk succeeded: %w", err)
	}
	return nil
}

// PutClerkSession stores a new console session.
func (s *SQLite) PutClerkSession(ctx context.Context, se ClerkSession) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO clerk_sessions (token_hash, clerk_id, created_at, last_seen_at, expires_at) VALUES (?,?,?,?,?)`,
		se.TokenHash, se.ClerkID, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: put clerk session: %w", err)
	}
	return nil
}

// ClerkSession finds a console session by its token's hash.
func (s *SQLite) ClerkSession(ctx context.Context, tokenHash []byte) (*ClerkSession, error) {
	var se ClerkSession
	var created, last, expires int64
	err := s.queryRow(ctx, `SELECT token_hash, clerk_id, created_at, last_seen_at, expires_at FROM clerk_sessions WHERE token_hash = ?`,
		tokenHash).Scan(&se.TokenHash, &se.ClerkID, &created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: clerk session: %w", err)
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMS(created), fromMS(last), fromMS(expires)
	return &se, nil
}

// TouchClerkSession records that a console session was used at at.
func (s *SQLite) TouchClerkSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE clerk_sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(at), tokenHash); err != nil {
		return fmt.Errorf("store: touch clerk session: %w", err)
	}
	return nil
}

// DeleteClerkSession ends a console session.
func (s *SQLite) DeleteClerkSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM clerk_sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete clerk session: %w", err)
	}
	return nil
}

const insertConfirmation = `INSERT INTO confirmations (issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed)
	VALUES (?,?,?,?,?,?,?)`

// InsertConfirmation stores an issued confirmation, and its first history
// token when c has one. A second confirmation with the same digest or issue
// number is ErrDuplicate.
func (s *SQLite) InsertConfirmation(ctx context.Context, c Confirmation) error {
	err := s.grouped(ctx, func(tx *groupTx) error {
		_, err := tx.exec(insertConfirmation, c.IssueNumber, c.CitizenID, c.ConfirmationID, c.InstitutionCode, c.Digest, ms(c.IssuedAt), c.Sealed)
		if err != nil || c.HistoryToken == nil {
			return err
		}
		_, err = tx.exec(insertHistoryToken, c.HistoryToken, c.IssueNumber, ms(c.IssuedAt))
		return err
	})
	if duplicate(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: insert confirmation: %w", err)
	}
	return nil
}

func (s *SQLite) confirmationWhere(ctx context.Context, where string, args ...any) (*Confirmation, error) {
	var c Confirmation
	var issued int64
	err := s.queryRow(ctx, `SELECT issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed
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
	err := s.queryRow(ctx, `SELECT count(*) FROM confirmations`).Scan(&n)
	return n, err
}

// PutInstitutionKey stores an institution API key's hash. KeyID defaults to
// the hex of the hash's first 6 bytes.
func (s *SQLite) PutInstitutionKey(ctx context.Context, k InstitutionKey) error {
	if k.KeyID == "" {
		k.KeyID = fmt.Sprintf("%x", k.KeyHash[:min(6, len(k.KeyHash))])
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO institution_keys (key_hash, key_id, institution_code, label, created_at, revoked_at) VALUES (?,?,?,?,?,?)`,
		k.KeyHash, k.KeyID, k.InstitutionCode, k.Label, ms(k.CreatedAt), ms(k.RevokedAt))
	if duplicate(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: put institution key: %w", err)
	}
	return nil
}

const keyColumns = `key_hash, key_id, institution_code, label, created_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (*InstitutionKey, error) {
	var k InstitutionKey
	var created, revoked int64
	err := row.Scan(&k.KeyHash, &k.KeyID, &k.InstitutionCode, &k.Label, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("store: institution key: %w", err)
	}
	k.CreatedAt, k.RevokedAt = fromMS(created), fromMS(revoked)
	return &k, nil
}

// InstitutionKey finds an API key by its hash, revoked or not.
func (s *SQLite) InstitutionKey(ctx context.Context, keyHash []byte) (*InstitutionKey, error) {
	return scanKey(s.queryRow(ctx, `SELECT `+keyColumns+` FROM institution_keys WHERE key_hash = ?`, keyHash))
}

// countFailure counts one more failed login in table's failure column; at
// the max-th failure in a row it locks the account until lockUntil (the lock
// column) and starts the count again. It returns the lock's end, zero when
// not locked; ErrNotFound for an unknown id. The names are constants of this
// package, never input.
func (s *SQLite) countFailure(ctx context.Context, table, failures, lockedCol, what string, id int64, max int, lockUntil time.Time) (time.Time, error) {
	var locked int64
	err := s.queryRow(ctx, `UPDATE `+table+` SET
		`+failures+` = CASE WHEN `+failures+` + 1 >= ?1 THEN 0 ELSE `+failures+` + 1 END,
		`+lockedCol+` = CASE WHEN `+failures+` + 1 >= ?1 THEN ?2 ELSE `+lockedCol+` END
		WHERE id = ?3 RETURNING `+lockedCol, max, ms(lockUntil), id).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: %s: %w", what, err)
	}
	if locked != ms(lockUntil) {
		return time.Time{}, nil
	}
	return fromMS(locked), nil
}
