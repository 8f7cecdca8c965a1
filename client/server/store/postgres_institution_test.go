package store_test

import (
	"bytes"
	"testing"

	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/store/storetest"
)

// TestPostgresVersionOneGainsTheInstitutionSide: a PostgreSQL database of
// schema version 1, with an API key in it, migrates to the current version;
// the key keeps working and gets its id.
func TestPostgresVersionOneGainsTheInstitutionSide(t *testing.T) {
	url := storetest.PostgresSchema(t)
	conn := pgConnect(t, url)
	hash := bytes.Repeat([]byte{0xab}, 32)
	for _, q := range []string{
		store.PostgresVersion1,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
	} {
		if _, err := conn.Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(t.Context(), `INSERT INTO institution_keys (key_hash, institution_code, label, created_at) VALUES ($1, 'bs-pub-nps', 'old', 1)`, hash); err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.InstitutionKey(t.Context(), hash)
	if err != nil || k.KeyID != "abababababab" || k.Label != "old" || !k.RevokedAt.IsZero() {
		t.Fatalf("the old key: %+v, %v", k, err)
	}
}
