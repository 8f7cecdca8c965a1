package store

import (
	"context"
	"fmt"
)

// InsertConfirmations stores many confirmations in one transaction: for
// seeding a store to measure how it behaves when large. Any collision aborts
// the whole batch with ErrDuplicate.
func (s *SQLite) InsertConfirmations(ctx context.Context, cs []Confirmation) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: insert confirmations: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO confirmations (issue_number, citizen_id, confirmation_id, institution_code, digest, issued_at, sealed)
		VALUES (?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("store: insert confirmations: %w", err)
	}
	defer stmt.Close()
	for _, c := range cs {
		if _, err := stmt.ExecContext(ctx, c.IssueNumber, c.CitizenID, c.ConfirmationID, c.InstitutionCode, c.Digest, ms(c.IssuedAt), c.Sealed); err != nil {
			if duplicate(err) != nil {
				return ErrDuplicate
			}
			return fmt.Errorf("store: insert confirmations: %w", err)
		}
	}
	return tx.Commit()
}
