package store

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestVersionOneDatabasesGainTheInstitutionSide: a database of schema
// version 1, with an API key in it, migrates to version 2; the key keeps
// working and gets its id.
func TestVersionOneDatabasesGainTheInstitutionSide(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	hash := bytes.Repeat([]byte{0xab}, 32)
	if _, err := db.Exec(schema[0] + `; PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO institution_keys (key_hash, institution_code, label, created_at) VALUES (?, 'bs-pub-nps', 'old', 1)`, hash); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != len(schema) || v < 2 {
		t.Fatalf("user_version %d", v)
	}
	k, err := s.InstitutionKey(context.Background(), hash)
	if err != nil || k.KeyID != "abababababab" || k.Label != "old" || !k.RevokedAt.IsZero() {
		t.Fatalf("the old key: %+v, %v", k, err)
	}
}
