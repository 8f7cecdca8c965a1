package store_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/client/server/store"
)

func TestOpenChoosesTheBackendByURL(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn  string
		want string // the type opened, or a piece of the error
	}{
		{filepath.Join(dir, "plain.db"), "*store.SQLite"},
		{"sqlite:" + filepath.Join(dir, "prefixed.db"), "*store.SQLite"},
		{"sqlite://" + filepath.Join(dir, "url.db"), "*store.SQLite"},
		{"mysql://root@localhost/bonsign", `unknown database "mysql://"`},
		{"", "no database given"},
	} {
		s, err := store.Open(tc.dsn)
		var got string
		if err != nil {
			got = err.Error()
		} else {
			got = typeName(s)
			s.Close()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("Open(%q): %s; want %s", tc.dsn, got, tc.want)
		}
	}
}

func typeName(s store.Store) string {
	switch s.(type) {
	case *store.SQLite:
		return "*store.SQLite"
	case *store.Postgres:
		return "*store.Postgres"
	}
	return "?"
}

func TestAPostgresErrorDoesNotShowThePassword(t *testing.T) {
	for _, tc := range []struct{ why, url string }{
		// Nothing listens on port 1: the connection is refused at once.
		{"no server", "postgres://bonsign:hunter2-secret@127.0.0.1:1/bonsign?connect_timeout=5"},
		{"a bad port", "postgres://bonsign:hunter2-secret@127.0.0.1:port/bonsign"},
		{"a bad setting", "postgres://bonsign:hunter2-secret@127.0.0.1/bonsign?sslmode=sometimes"},
	} {
		_, err := store.Open(tc.url)
		if err == nil {
			t.Fatalf("%s: opened a database where there is none", tc.why)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the password: %v", tc.why, err)
		}
	}
}
