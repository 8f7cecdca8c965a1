package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bonsign/bonsign/client/server/store"
)

// PostgresEnv names the environment variable holding the URL of a PostgreSQL
// database the tests may use (scripts/pg.sh start prints one; make test sets
// it). The tests create a schema of their own in it for each test and drop it
// afterwards.
const PostgresEnv = "BONSIGN_TEST_POSTGRES"

// PostgresURL returns the URL in $BONSIGN_TEST_POSTGRES. Without one the test
// is skipped, except in CI (CI set), where the PostgreSQL store must be tested
// and the test fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must test the PostgreSQL store (make test starts a server with scripts/pg.sh)", PostgresEnv)
		}
		t.Skipf("%s is not set; start a server with: export %s=$(scripts/pg.sh start)", PostgresEnv, PostgresEnv)
	}
	return u
}

// SQLite is the Backend of SQLite stores: a new file in t.TempDir.
func SQLite(t testing.TB) DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bonsign.db")
	s, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return DB{
		Store: s,
		URL:   "sqlite:" + path,
		Exec: func(ctx context.Context, query string) error {
			// The pragmas the store sets on its own connections: SQLite
			// enforces foreign keys only where asked to.
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = db.ExecContext(ctx, query)
			return err
		},
	}
}

// admins holds one pool per server URL for creating and dropping the schemas
// of the tests. It lives as long as the test binary.
var admins sync.Map // URL → *pgxpool.Pool

func admin(t testing.TB, base string) *pgxpool.Pool {
	t.Helper()
	if p, ok := admins.Load(base); ok {
		return p.(*pgxpool.Pool)
	}
	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	cfg.MaxConns = 2
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	if prev, loaded := admins.LoadOrStore(base, p); loaded {
		p.Close()
		return prev.(*pgxpool.Pool)
	}
	return p
}

// PostgresSchema creates an empty schema in the database at
// $BONSIGN_TEST_POSTGRES, drops it when the test ends, and returns a URL
// whose connections work in it (search_path).
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	pool := admin(t, base)
	name := "t_" + hex.EncodeToString(randomBytes(8))
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withParam(t, base, "search_path", name)
}

// withParam returns the postgres:// URL u with the query parameter key set to
// value.
func withParam(t testing.TB, u, key, value string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(p.Scheme, "postgres") {
		t.Fatalf("%s must be a postgres:// URL", PostgresEnv)
	}
	q := p.Query()
	q.Set(key, value)
	p.RawQuery = q.Encode()
	return p.String()
}

// Postgres is the Backend of PostgreSQL stores: a new schema in the database
// at $BONSIGN_TEST_POSTGRES (see PostgresURL). Its stores keep at most four
// connections, so that parallel tests stay under the server's
// max_connections.
func Postgres(t testing.TB) DB {
	t.Helper()
	u := PostgresSchema(t)
	dsn := withParam(t, u, "pool_max_conns", "4") // a pool setting, which a plain connection would refuse
	s, err := store.OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return DB{
		Store: s,
		URL:   dsn,
		Exec: func(ctx context.Context, query string) error {
			conn, err := pgx.Connect(ctx, u)
			if err != nil {
				return err
			}
			defer conn.Close(context.WithoutCancel(ctx))
			_, err = conn.Exec(ctx, query)
			return err
		},
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
