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
// fsync for all of them. A caller returns only after the transaction
// holding its write has committed: nothing acknowledged is lost.
//
// A group first runs its writes one after another with nothing between
// them. When one fails (a duplicate, say), the whole transaction is rolled
// back and the group runs again with each write in a savepoint of its own,
// so that the failed one is undone alone and the others still commit.

// maxGroup bounds the writes of one transaction.
const maxGroup = 256

type groupWrite struct {
	ctx  context.Context
	fn   func(tx *groupTx) error
	done chan error
}

// groupTx is the transaction of a group, as its writes see it. Its
// statements are those prepared on the writer connection when the store
// opened (groupStatements), so a write does not parse its SQL again.
type groupTx struct {
	s   *SQLite
	tx  *sql.Tx
	ctx context.Context
}

func (g *groupTx) stmt(query string) *sql.Stmt {
	if st, ok := g.s.stmts.Load(stmtKey{g.s.db, query}); ok {
		return g.tx.StmtContext(g.ctx, st.(*sql.Stmt))
	}
	return nil
}

func (g *groupTx) exec(query string, args ...any) (sql.Result, error) {
	if st := g.stmt(query); st != nil {
		return st.ExecContext(g.ctx, args...)
	}
	return g.tx.ExecContext(g.ctx, query, args...)
}

func (g *groupTx) queryRow(query string, args ...any) *sql.Row {
	if st := g.stmt(query); st != nil {
		return st.QueryRowContext(g.ctx, args...)
	}
	return g.tx.QueryRowContext(g.ctx, query, args...)
}

const (
	insertHistoryToken = `INSERT INTO history_tokens (token_hash, issue_number, created_at) VALUES (?,?,?)`
	savepoint          = `SAVEPOINT w`
	rollbackTo         = `ROLLBACK TO w`
	release            = `RELEASE w`
)

// groupStatements are prepared on the writer connection when the store
// opens: they cannot be prepared later, while a group holds the one
// connection. A statement missing here still runs, parsed each time.
var groupStatements = []string{insertConfirmation, insertHistoryToken, insertLookup, insertLookupMiss, insertLookupLock,
	countMisses("officer_id"), countMisses("key_id"), savepoint, rollbackTo, release}

// prepareGroupStatements prepares groupStatements on the writer.
func (s *SQLite) prepareGroupStatements(ctx context.Context) error {
	for _, q := range groupStatements {
		if _, err := s.prepared(ctx, s.db, q); err != nil {
			return fmt.Errorf("store: prepare %q: %w", q, err)
		}
	}
	return nil
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
func (s *SQLite) grouped(ctx context.Context, fn func(tx *groupTx) error) error {
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
	err := s.runGroup(batch, results, false)
	if errors.Is(err, errWriteFailed) && len(batch) > 1 { // alone, its failure is its answer
		clear(results)
		err = s.runGroup(batch, results, true)
	}
	for i, w := range batch {
		if err != nil && results[i] == nil {
			results[i] = fmt.Errorf("store: group commit: %w", err)
		}
		w.done <- results[i]
	}
}

// errWriteFailed rolls back a group run without savepoints when one of its
// writes failed.
var errWriteFailed = errors.New("store: a write of the group failed")

// runGroup runs batch in one transaction, each write in a savepoint when
// isolate; without, the first write to fail rolls everything back with
// errWriteFailed.
func (s *SQLite) runGroup(batch []groupWrite, results []error, isolate bool) error {
	return s.inTx(context.Background(), func(tx *sql.Tx) error {
		g := &groupTx{s: s, tx: tx, ctx: context.Background()}
		for i, w := range batch {
			if err := w.ctx.Err(); err != nil {
				results[i] = err // the caller gave up before its write began
				continue
			}
			if !isolate {
				if results[i] = w.fn(g); results[i] != nil {
					return errWriteFailed
				}
				continue
			}
			if _, err := g.exec(savepoint); err != nil {
				return err
			}
			if results[i] = w.fn(g); results[i] != nil {
				if _, err := g.exec(rollbackTo); err != nil {
					return err
				}
			}
			if _, err := g.exec(release); err != nil {
				return err
			}
		}
		return nil
	})
}

// closeGroups stops the committing goroutine after the writes in flight.
func (s *SQLite) closeGroups() {
	if s.group.stop == nil {
		return
	}
	s.group.closed.Do(func() { close(s.group.stop) })
	s.group.wg.Wait()
}
