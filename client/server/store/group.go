package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Group commit: the writes that arrive while one commit is being made to
// disk wait, and then go to disk together in the next transaction, with one
// fsync for all of them. Each runs in a savepoint of its own, so one that
// fails is rolled back alone. A caller returns only after the transaction
// holding its write has committed: nothing acknowledged is lost.

// maxGroup bounds the writes of one transaction.
const maxGroup = 256

type groupWrite struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// grouper is the one goroutine that commits grouped writes.
type grouper struct {
	once   sync.Once
	closed sync.Once
	writes chan groupWrite
	stop   chan struct{}
	wg     sync.WaitGroup
}

// errStoreClosed is returned for a write that arrives after Close.
var errStoreClosed = errors.New("store: closed")

// grouped runs fn in a transaction shared with other grouped writes.
func (s *SQLite) grouped(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.group.once.Do(func() {
		s.group.writes = make(chan groupWrite)
		s.group.stop = make(chan struct{})
		s.group.wg.Add(1)
		go s.commitGroups()
	})
	if s.group.writes == nil {
		return errStoreClosed // Close came first
	}
	w := groupWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.group.writes <- w:
	case <-s.group.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-w.done // never abandoned: the write may already be committed
}

func (s *SQLite) commitGroups() {
	defer s.group.wg.Done()
	for {
		var batch []groupWrite
		select {
		case w := <-s.group.writes:
			batch = append(batch, w)
		case <-s.group.stop:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case w := <-s.group.writes:
				batch = append(batch, w)
			default:
				break more
			}
		}
		s.commitGroup(batch)
	}
}

func (s *SQLite) commitGroup(batch []groupWrite) {
	results := make([]error, len(batch))
	err := s.inTx(context.Background(), func(tx *sql.Tx) error {
		for i, w := range batch {
			if err := w.ctx.Err(); err != nil {
				results[i] = err // the caller gave up before its write began
				continue
			}
			if _, err := tx.Exec("SAVEPOINT w"); err != nil {
				return err
			}
			if results[i] = w.fn(tx); results[i] != nil {
				if _, err := tx.Exec("ROLLBACK TO w"); err != nil {
					return err
				}
			}
			if _, err := tx.Exec("RELEASE w"); err != nil {
				return err
			}
		}
		return nil
	})
	for i, w := range batch {
		if err != nil && results[i] == nil {
			results[i] = fmt.Errorf("store: group commit: %w", err)
		}
		w.done <- results[i]
	}
}

// closeGroups stops the committing goroutine after the writes in flight.
func (s *SQLite) closeGroups() {
	if s.group.stop == nil {
		return
	}
	s.group.closed.Do(func() { close(s.group.stop) })
	s.group.wg.Wait()
}
