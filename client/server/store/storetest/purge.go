package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/store"
)

// purgeExpired stores one expired and one live row of everything that
// expires, purges, and checks that only the expired ones went, codes with
// their sessions, and that nothing that never expires was touched.
func purgeExpired(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	now := t0.Add(time.Hour)
	id := approve(t, s, 1)
	if err := s.InsertConfirmation(ctx, confirmation(id, 1)); err != nil {
		t.Fatal(err)
	}
	for nonce, exp := range map[string]time.Time{"old nonce": now.Add(-time.Second), "live nonce": now.Add(time.Minute)} {
		if err := s.PutChallenge(ctx, nonce, exp); err != nil {
			t.Fatal(err)
		}
	}
	for token, exp := range map[string]time.Time{"old session": now.Add(-time.Second), "live session": now.Add(time.Minute)} {
		if err := s.PutSession(ctx, store.Session{TokenHash: []byte(token), CitizenID: id, CertFingerprint: "cert-1",
			CreatedAt: t0, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCode(ctx, store.Code{TokenHash: []byte(token), CodeHash: []byte("code"), Channel: "sms", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	clerk, err := s.PutClerk(ctx, store.Clerk{Login: "kim01", Name: "김담당", Office: "o", PasswordHash: "h", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	officer := addOfficer(t, s, "kim.nps")
	for token, exp := range map[string]time.Time{"old console": now.Add(-time.Second), "live console": now.Add(time.Minute)} {
		if err := s.PutClerkSession(ctx, store.ClerkSession{TokenHash: []byte(token), ClerkID: clerk, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutOfficerSession(ctx, store.OfficerSession{TokenHash: []byte(token), OfficerID: officer, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	// A code sent more than an hour before now, and one within the hour.
	if err := s.RecordCodeSend(ctx, id, now.Add(-61*time.Minute), time.Second, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCodeSend(ctx, id, now.Add(-30*time.Minute), time.Second, 5); err != nil {
		t.Fatal(err)
	}
	// A lookup lock that has run out, and one still on.
	if got := record(t, s, lookup("0000-0000-0000-0001", officer, t0, store.LookupNoSuchNumber), 1); got.IsZero() {
		t.Fatal("no lock after a miss with a limit of 1")
	}
	kim2 := addOfficer(t, s, "kim2.nps")
	record(t, s, lookup("0000-0000-0000-0002", kim2, now, store.LookupNoSuchNumber), 1)

	n, err := s.PurgeExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// challenge, session (its code by cascade), clerk and officer sessions,
	// one code send, one lock
	if n < 6 {
		t.Errorf("%d rows purged, want at least 6", n)
	}
	if _, err := s.TakeChallenge(ctx, "old nonce"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired nonce is still there: %v", err)
	}
	if _, err := s.TakeChallenge(ctx, "live nonce"); err != nil {
		t.Errorf("a live nonce was purged: %v", err)
	}
	if _, err := s.Session(ctx, []byte("old session")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired session is still there: %v", err)
	}
	if _, err := s.AttemptCode(ctx, []byte("old session")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the code of an expired session is still there: %v", err)
	}
	if _, err := s.Session(ctx, []byte("live session")); err != nil {
		t.Errorf("a live session was purged: %v", err)
	}
	if _, err := s.AttemptCode(ctx, []byte("live session")); err != nil {
		t.Errorf("the code of a live session was purged: %v", err)
	}
	for token, want := range map[string]error{"old console": store.ErrNotFound, "live console": nil} {
		if _, err := s.ClerkSession(ctx, []byte(token)); !errors.Is(err, want) {
			t.Errorf("clerk session %q: %v, want %v", token, err, want)
		}
		if _, err := s.OfficerSession(ctx, []byte(token)); !errors.Is(err, want) {
			t.Errorf("officer session %q: %v, want %v", token, err, want)
		}
	}
	if until, _ := s.LookupLock(ctx, store.Lookup{OfficerID: officer}.Subject()); !until.IsZero() {
		t.Errorf("a lock that ran out at %v is still there", until)
	}
	if until, _ := s.LookupLock(ctx, store.Lookup{OfficerID: kim2}.Subject()); until.IsZero() {
		t.Error("a lock still on was purged")
	}
	// The send within the hour still counts: with a limit of 2 a third
	// send in the hour is refused, while the purged one no longer counts.
	var limited *store.RateLimitedError
	if err := s.RecordCodeSend(ctx, id, now, time.Second, 2); err != nil {
		t.Errorf("the purged send still counts: %v", err)
	}
	if err := s.RecordCodeSend(ctx, id, now.Add(time.Minute), time.Second, 2); !errors.As(err, &limited) {
		t.Errorf("the send within the hour was purged: %v", err)
	}
	// What never expires stays.
	if n, _ := s.CountConfirmations(ctx); n != 1 {
		t.Errorf("%d confirmations after the purge, want 1", n)
	}
	if rows, _ := s.LookupsBy(ctx, officer, 10); len(rows) != 1 {
		t.Errorf("the lookup log lost rows: %+v", rows)
	}
	if _, err := s.CitizenByID(ctx, id); err != nil {
		t.Errorf("the citizen: %v", err)
	}
}
