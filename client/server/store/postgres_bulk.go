package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// InsertConfirmations stores many confirmations in one COPY, which is all or
// nothing: for seeding a store to measure how it behaves when large. Any
// collision aborts the whole batch with ErrDuplicate.
func (s *Postgres) InsertConfirmations(ctx context.Context, cs []Confirmation) error {
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"confirmations"},
		[]string{"issue_number", "citizen_id", "confirmation_id", "institution_code", "digest", "issued_at", "sealed"},
		pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
			c := cs[i]
			return []any{c.IssueNumber, c.CitizenID, c.ConfirmationID, c.InstitutionCode, c.Digest, ms(c.IssuedAt), c.Sealed}, nil
		}))
	if duplicateOf(err) != nil {
		return ErrDuplicate
	} else if err != nil {
		return fmt.Errorf("store: insert confirmations: %w", err)
	}
	return nil
}
