package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/store/storetest"
)

func TestPostgresConformance(t *testing.T) {
	storetest.PostgresURL(t) // skip (or fail in CI) once, not in every test
	storetest.Run(t, storetest.Postgres)
}

func pgConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestPostgresServersStartingAtOnceMigrateOnce(t *testing.T) {
	url := storetest.PostgresSchema(t)
	const servers = 8
	errs := make(chan error, servers)
	for range servers {
		go func() {
			s, err := store.OpenPostgres(url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range servers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	rows, _ := pgConnect(t, url).Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != store.PostgresVersions || versions[0] != 1 || versions[len(versions)-1] != store.PostgresVersions {
		t.Fatalf("schema_migrations holds %v, want 1 to %d once each", versions, store.PostgresVersions)
	}
}

func TestPostgresMigrationLockOfAKilledServerIsReleased(t *testing.T) {
	url := storetest.PostgresSchema(t)
	// A server that dies while migrating: it holds the lock in a transaction
	// when its connection drops without a word, as a SIGKILL leaves it.
	holder := pgConnect(t, url)
	if _, err := holder.Exec(t.Context(), `BEGIN`); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(t.Context(), `SELECT pg_advisory_xact_lock($1)`, store.MigrationLock); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		s, err := store.OpenPostgres(url)
		if err == nil {
			s.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		t.Fatalf("opened while another server held the migration lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	holder.PgConn().Conn().Close()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the lock of a dead connection was never released")
	}
}

func TestPostgresRefusesANewerSchema(t *testing.T) {
	url := storetest.PostgresSchema(t)
	s, err := store.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := pgConnect(t, url).Exec(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenPostgres(url); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opened a schema from a newer server: %v", err)
	}
}

func TestPostgresHistoryCannotBeTruncated(t *testing.T) {
	db := storetest.Postgres(t)
	c := store.Citizen{Name: "n", RRNIndex: []byte("r"), RRNSealed: []byte("s"), AddressSealed: []byte("a"), PhoneSealed: []byte("p"),
		IdentityMethod: "mobile", CodeChannel: "sms", LoginID: "u", PasswordHash: "h", Office: "o", Clerk: "c", ApprovedAt: time.Now(), ExpiresAt: time.Now()}
	if _, err := db.Store.PutCitizen(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`TRUNCATE approval_history`, `TRUNCATE citizens CASCADE`} {
		if err := db.Exec(t.Context(), q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; want refused as append-only", q, err)
		}
	}
}

// TestPostgresSchemaMatchesSQLite catches a migration step added to one
// backend only: both have the same steps, tables and columns.
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	if store.PostgresVersions != store.SQLiteVersions {
		t.Errorf("PostgreSQL has %d schema steps, SQLite %d: a step was added to one only", store.PostgresVersions, store.SQLiteVersions)
	}
	path := filepath.Join(t.TempDir(), "bonsign.db")
	s, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	lite, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	rows, err := lite.QueryContext(t.Context(), `SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		want[table+"."+column] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	url := storetest.PostgresSchema(t)
	ps, err := store.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	ps.Close()
	conn := pgConnect(t, url)
	prows, _ := conn.Query(t.Context(), `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`)
	columns, err := pgx.CollectRows(prows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range columns {
		got[c] = true
	}
	var missing, extra []string
	for c := range want {
		if !got[c] {
			missing = append(missing, c)
		}
	}
	for c := range got {
		if !want[c] {
			extra = append(extra, c)
		}
	}
	if len(missing)+len(extra) > 0 {
		slices.Sort(missing)
		slices.Sort(extra)
		t.Errorf("PostgreSQL lacks %v and has %v beyond SQLite's %d columns", missing, extra, len(want))
	}
}
