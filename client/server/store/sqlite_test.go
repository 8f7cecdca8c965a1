package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bonsign.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func citizen(n byte) Citizen {
	now := time.Now()
	return Citizen{Name: "시민", RRNIndex: []byte{n}, RRNSealed: []byte{1}, AddressSealed: []byte{1}, PhoneSealed: []byte{1},
		IdentityMethod: "mobile", CodeChannel: "sms", TextCapable: true, CertFingerprint: string('a' + rune(n)),
		LoginID: "user" + string('a'+rune(n)), PasswordHash: "h", PasswordMustChange: true, Office: "o", Clerk: "c",
		ApprovedAt: now, ExpiresAt: now.AddDate(2, 0, 0)}
}

func TestHistoryRowsCannotBeChangedOrRemoved(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	id, err := s.InsertCitizen(ctx, citizen(1), History{At: time.Now(), Actor: "c", Office: "o", Action: "approve", Detail: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE approval_history SET actor = 'x'`, `DELETE FROM approval_history`} {
		if _, err := s.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	// Nor can the citizen go, taking its history with it.
	if _, err := s.db.Exec(`DELETE FROM citizens WHERE id = ?`, id); err == nil {
		t.Error("a citizen with history was deleted")
	}
	if h, _ := s.History(ctx, id); len(h) != 1 || h[0].Actor != "c" {
		t.Fatalf("history %+v", h)
	}
}

func TestDuplicatesNameTheirColumn(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	h := History{At: time.Now(), Actor: "c", Action: "approve", Detail: "{}"}
	if _, err := s.InsertCitizen(ctx, citizen(1), h); err != nil {
		t.Fatal(err)
	}
	for col, edit := range map[string]func(*Citizen){
		"rrn":      func(c *Citizen) { c.RRNIndex = []byte{1} },
		"cert":     func(c *Citizen) { c.CertFingerprint = "b" },
		"login_id": func(c *Citizen) { c.LoginID = "userb" },
	} {
		c := citizen(2)
		c.RRNIndex, c.CertFingerprint, c.LoginID = []byte{9}, "z", "userz"
		edit(&c)
		_, err := s.InsertCitizen(ctx, c, h)
		var dup *DuplicateError
		if !errors.As(err, &dup) || dup.Column != col || !errors.Is(err, ErrDuplicate) {
			t.Errorf("%s: %v", col, err)
		}
	}
	// Citizens bound by VID have no certificate: many may have none.
	for n := byte(3); n < 5; n++ {
		c := citizen(n)
		c.CertFingerprint = ""
		if _, err := s.InsertCitizen(ctx, c, h); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRenewAndRevokeAreConditional(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	c := citizen(1)
	h := History{At: time.Now(), Actor: "c", Action: "x", Detail: "{}"}
	id, _ := s.InsertCitizen(ctx, c, h)
	got, _ := s.CitizenByID(ctx, id)
	next := got.ExpiresAt.AddDate(2, 0, 0)
	if err := s.RenewCitizen(ctx, id, got.ExpiresAt, next, h); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewCitizen(ctx, id, got.ExpiresAt, next.AddDate(2, 0, 0), h); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second renewal from the same state: %v", err)
	}
	if err := s.PutSession(ctx, Session{TokenHash: []byte("t"), CitizenID: id, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeCitizen(ctx, id, time.Now(), "reason", h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, []byte("t")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the session survived the revocation: %v", err)
	}
	if err := s.RevokeCitizen(ctx, id, time.Now(), "again", h); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second revocation: %v", err)
	}
	if hs, _ := s.History(ctx, id); len(hs) != 3 {
		t.Fatalf("%d history rows, want 3 (the refused changes add none)", len(hs))
	}
}

func TestCodeSendLimits(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	id, _ := s.InsertCitizen(ctx, citizen(1), History{At: time.Now(), Actor: "c", Action: "x", Detail: "{}"})
	t0 := time.Now().Truncate(time.Millisecond)
	var limited *RateLimitedError
	if err := s.RecordCodeSend(ctx, id, t0, 30*time.Second, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(10*time.Second), 30*time.Second, 2); !errors.As(err, &limited) || !limited.RetryAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("too soon: %v", err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(30*time.Second), 30*time.Second, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(time.Minute), 30*time.Second, 2); !errors.As(err, &limited) || !limited.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("over the hourly limit: %v", err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(time.Hour), 30*time.Second, 2); err != nil {
		t.Fatalf("an hour on: %v", err)
	}
}

func TestADevelopmentDatabaseIsRecognised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// The first draft of version 1, before the registry.
	if _, err := db.Exec(`CREATE TABLE citizens (id INTEGER PRIMARY KEY, name TEXT); PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenSQLite(path); !errors.Is(err, ErrPrerelease) {
		t.Fatalf("got %v, want ErrPrerelease", err)
	}
}
