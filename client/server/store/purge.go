package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// What expires and is then of no use to anyone: a login nonce never
// answered, a session (and its code) past its end, a console session past
// its end, the record of a code sent more than an hour ago (the send limits
// look back one hour), a lookup lock that has run out. Nothing of the
// registry's history, the confirmations or the lookup log is ever purged.
var purges = []struct {
	table, column string
	keep          time.Duration // how long past its time a row stays
}{
	{"challenges", "expires_at", 0},
	{"sessions", "expires_at", 0}, // their codes go with them (ON DELETE CASCADE)
	{"clerk_sessions", "expires_at", 0},
	{"officer_sessions", "expires_at", 0},
	{"code_sends", "sent_at", time.Hour},
	{"lookup_locks", "locked_until", 0},
}

// PurgeExpired deletes what expired before now (see purges) and returns how
// many rows went.
func (s *SQLite) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range purges {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+p.table+` WHERE `+p.column+` < ?`, ms(now.Add(-p.keep)))
			if err != nil {
				return fmt.Errorf("store: purge %s: %w", p.table, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

// PurgeExpired deletes what expired before now (see purges) and returns how
// many rows went.
func (s *Postgres) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, p := range purges {
			tag, err := tx.Exec(ctx, `DELETE FROM `+p.table+` WHERE `+p.column+` < $1`, ms(now.Add(-p.keep)))
			if err != nil {
				return fmt.Errorf("store: purge %s: %w", p.table, err)
			}
			n += tag.RowsAffected()
		}
		return nil
	})
	return n, err
}
