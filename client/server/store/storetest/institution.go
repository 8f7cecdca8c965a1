package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/store"
)

// The conformance tests of the institution side: officers, their sessions
// and one-time code steps, institution keys, the lookup log and its locks,
// history tokens.

var institutionTests = []test{
	{name: "an officer is found by login and id, and a login taken twice is named", run: officers},
	{name: "failed officer logins lock at the limit, and a one-time code step is accepted once", run: officerSteps},
	{name: "of concurrent logins with one code exactly one is accepted", run: officerStepRace},
	{name: "an officer session is stored, touched and deleted, and disabling ends them all", run: officerSessions},
	{name: "institution keys get an id, are listed, and are revoked once", run: institutionKeyRevocation},
	{name: "lookups and misses are logged append-only, and what they name cannot go", run: lookupLogAppendOnly},
	{name: "misses within the window lock their officer or key only; found lookups are no misses", run: lookupLocks},
	{name: "of concurrent misses none slips past the limit", run: lookupLockRace},
	{name: "a confirmation's lookups and an officer's own come newest first", run: lookupLists},
	{name: "a history token reads its confirmation's number, and tokens are stored once", run: historyTokens},
}

func officer(login string) store.Officer {
	return store.Officer{InstitutionCode: "bs-pub-nps", Login: login, Name: "김확인", PasswordHash: "hash",
		TOTPSealed: []byte("sealed secret"), CreatedAt: t0}
}

func addOfficer(t *testing.T, s store.Store, login string) int64 {
	t.Helper()
	id, err := s.PutOfficer(t.Context(), officer(login))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func officers(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	o := officer("kim.nps")
	id, err := s.PutOfficer(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	o.ID = id
	for key, find := range map[string]func() (*store.Officer, error){
		"login": func() (*store.Officer, error) { return s.OfficerByLogin(ctx, "kim.nps") },
		"id":    func() (*store.Officer, error) { return s.OfficerByID(ctx, id) },
	} {
		if got, err := find(); err != nil || !reflect.DeepEqual(*got, o) {
			t.Errorf("by %s: %+v, %v; want %+v", key, got, err, o)
		}
	}
	if _, err := s.OfficerByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown login: %v", err)
	}
	_, err = s.PutOfficer(ctx, officer("kim.nps"))
	var dup *store.DuplicateError
	if !errors.As(err, &dup) || dup.Column != "login" {
		t.Errorf("a login taken twice: %v; want a DuplicateError naming login", err)
	}
}

func officerSteps(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := addOfficer(t, s, "kim.nps")
	lock := t0.Add(15 * time.Minute)
	for i := 1; i <= 3; i++ {
		until, err := s.OfficerFailed(ctx, id, 3, lock)
		if err != nil {
			t.Fatal(err)
		}
		if locked := !until.IsZero(); locked != (i == 3) {
			t.Fatalf("failure %d: locked until %v", i, until)
		}
	}
	s.OfficerFailed(ctx, id, 3, lock)
	if err := s.OfficerSucceeded(ctx, id, 1000); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.OfficerByID(ctx, id); o.Failures != 0 || o.TOTPLastStep != 1000 || !o.LockedUntil.Equal(lock) {
		t.Fatalf("after a success: %+v", o)
	}
	for _, step := range []int64{1000, 999} {
		if err := s.OfficerSucceeded(ctx, id, step); !errors.Is(err, store.ErrReplayed) {
			t.Errorf("step %d after 1000: %v; want ErrReplayed", step, err)
		}
	}
	if err := s.OfficerSucceeded(ctx, id, 1001); err != nil {
		t.Fatalf("the next step: %v", err)
	}
}

func officerStepRace(t *testing.T, db DB) {
	s := db.Store
	id := addOfficer(t, s, "kim.nps")
	errs := parallel(8, func(int) error { return s.OfficerSucceeded(t.Context(), id, 5000) })
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrReplayed):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d logins with one code accepted, want 1", ok)
	}
}

func officerSessions(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := addOfficer(t, s, "kim.nps")
	se := store.OfficerSession{TokenHash: []byte("officer token"), OfficerID: id, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(10 * time.Hour)}
	if err := s.PutOfficerSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OfficerSession(ctx, se.TokenHash); err != nil || !reflect.DeepEqual(*got, se) {
		t.Fatalf("%+v, %v; want %+v", got, err, se)
	}
	if err := s.TouchOfficerSession(ctx, se.TokenHash, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OfficerSession(ctx, se.TokenHash); !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("touched: %+v", got)
	}
	if err := s.DeleteOfficerSession(ctx, se.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OfficerSession(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted session: %v", err)
	}
	for _, tok := range []string{"a", "b"} {
		if err := s.PutOfficerSession(ctx, store.OfficerSession{TokenHash: []byte(tok), OfficerID: id, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetOfficerDisabled(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"a", "b"} {
		if _, err := s.OfficerSession(ctx, []byte(tok)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a disabled officer's session %s: %v", tok, err)
		}
	}
	if o, _ := s.OfficerByID(ctx, id); !o.Disabled {
		t.Fatal("not disabled")
	}
	if err := s.SetOfficerDisabled(ctx, id+100, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disabling nobody: %v", err)
	}
	if err := s.PutOfficerSession(ctx, store.OfficerSession{TokenHash: []byte("x"), OfficerID: id + 100, CreatedAt: t0, ExpiresAt: t0}); err == nil {
		t.Error("a session of no officer was stored")
	}
}

func institutionKeyRevocation(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	for i, code := range []string{"bs-pub-nps", "bs-pub-hug", "bs-pub-nps"} {
		k := store.InstitutionKey{KeyHash: []byte(fmt.Sprintf("%d key hash", i)), InstitutionCode: code, Label: fmt.Sprintf("시스템 %d", i),
			CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if err := s.PutInstitutionKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	nps, err := s.InstitutionKeys(ctx, "bs-pub-nps")
	if err != nil || len(nps) != 2 || nps[0].Label != "시스템 0" || nps[1].Label != "시스템 2" {
		t.Fatalf("keys of bs-pub-nps: %+v, %v", nps, err)
	}
	if all, _ := s.InstitutionKeys(ctx, ""); len(all) != 3 {
		t.Fatalf("all keys: %+v", all)
	}
	want := fmt.Sprintf("%x", []byte("0 key "))
	if nps[0].KeyID != want {
		t.Fatalf("key id %q, want %q (the hash's first 6 bytes in hex)", nps[0].KeyID, want)
	}
	if err := s.RevokeInstitutionKey(ctx, nps[0].KeyID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeInstitutionKey(ctx, nps[0].KeyID, t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked twice: %v", err)
	}
	if err := s.RevokeInstitutionKey(ctx, "000000000000", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoking no key: %v", err)
	}
	k, err := s.InstitutionKey(ctx, nps[0].KeyHash)
	if err != nil || !k.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("the revoked key: %+v, %v", k, err)
	}
	if k, _ := s.InstitutionKey(ctx, nps[1].KeyHash); !k.RevokedAt.IsZero() {
		t.Fatal("another key was revoked")
	}
}

// lookup is a lookup of number by officer (or, when 0, by key "k1").
func lookup(number string, officer int64, at time.Time, result string) store.Lookup {
	l := store.Lookup{IssueNumber: number, InstitutionCode: "bs-pub-nps", OfficerID: officer, Actor: "김확인", Channel: "console", At: at, Result: result}
	if officer == 0 {
		l.KeyID, l.Actor, l.Channel = "k1", "연금 시스템", "api"
	}
	return l
}

func record(t *testing.T, s store.Store, l store.Lookup, max int) time.Time {
	t.Helper()
	until, err := s.RecordLookup(t.Context(), l, l.At.Add(-10*time.Minute), max, l.At.Add(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return until
}

func lookupLogAppendOnly(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := confirmation(approve(t, s, 1), 1)
	if err := s.InsertConfirmation(ctx, c); err != nil {
		t.Fatal(err)
	}
	kim := addOfficer(t, s, "kim.nps")
	record(t, s, lookup(c.IssueNumber, kim, t0, store.LookupFound), 10)
	record(t, s, lookup("9999-9999-9999-9999", 0, t0, store.LookupNoSuchNumber), 10)
	for _, q := range []string{
		`UPDATE lookups SET result = 'wrong_name'`, `DELETE FROM lookups`,
		`UPDATE lookup_misses SET actor = 'someone else'`, `DELETE FROM lookup_misses`,
	} {
		if err := db.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; want refused as append-only", q, err)
		}
	}
	for _, q := range []string{
		fmt.Sprintf(`DELETE FROM officers WHERE id = %d`, kim),
		fmt.Sprintf(`DELETE FROM confirmations WHERE issue_number = '%s'`, c.IssueNumber),
	} {
		if err := db.Exec(ctx, q); err == nil {
			t.Errorf("%s: a row the log names went", q)
		}
	}
	// A lookup is made by an officer or by a key: never both, never neither.
	both := lookup(c.IssueNumber, kim, t0, store.LookupWrongName)
	both.KeyID = "k1"
	neither := lookup(c.IssueNumber, 0, t0, store.LookupWrongName)
	neither.KeyID = ""
	for _, l := range []store.Lookup{both, neither} {
		if _, err := s.RecordLookup(ctx, l, t0, 10, t0); err == nil {
			t.Errorf("%+v was recorded", l)
		}
	}
	if got, err := s.LookupsOf(ctx, c.IssueNumber); err != nil || len(got) != 1 || got[0].Result != store.LookupFound {
		t.Fatalf("the log: %+v, %v", got, err)
	}
}

func lookupLocks(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := confirmation(approve(t, s, 1), 1)
	if err := s.InsertConfirmation(ctx, c); err != nil {
		t.Fatal(err)
	}
	kim, lee := addOfficer(t, s, "kim.nps"), addOfficer(t, s, "lee.nps")
	record(t, s, lookup(c.IssueNumber, kim, t0, store.LookupWrongName), 3)
	record(t, s, lookup(c.IssueNumber, kim, t0.Add(time.Second), store.LookupFound), 3)
	record(t, s, lookup("0000-0000-0000-0001", kim, t0.Add(2*time.Second), store.LookupNoSuchNumber), 3)
	if until := record(t, s, lookup(c.IssueNumber, lee, t0.Add(3*time.Second), store.LookupOtherInstitution), 3); !until.IsZero() {
		t.Fatal("another officer's misses count")
	}
	// Ten minutes on, kim's first miss is out of the window: two count.
	if until := record(t, s, lookup(c.IssueNumber, kim, t0.Add(10*time.Minute+time.Second), store.LookupWrongName), 3); !until.IsZero() {
		t.Fatal("a miss before the window counts")
	}
	at := t0.Add(10*time.Minute + 1500*time.Millisecond)
	if until := record(t, s, lookup("0000-0000-0000-0002", kim, at, store.LookupNoSuchNumber), 3); !until.Equal(at.Add(15 * time.Minute)) {
		t.Fatalf("the third miss in the window: locked until %v", until)
	}
	if until, err := s.LookupLock(ctx, store.Lookup{OfficerID: kim}.Subject()); err != nil || !until.Equal(at.Add(15*time.Minute)) {
		t.Fatalf("LookupLock = %v, %v", until, err)
	}
	if until, _ := s.LookupLock(ctx, store.Lookup{OfficerID: lee}.Subject()); !until.IsZero() {
		t.Fatal("the other officer is locked")
	}
	// Keys are counted apart from officers.
	for i := range 2 {
		record(t, s, lookup(c.IssueNumber, 0, at.Add(time.Duration(i)*time.Second), store.LookupWrongName), 3)
	}
	if until, _ := s.LookupLock(ctx, store.Lookup{KeyID: "k1"}.Subject()); !until.IsZero() {
		t.Fatal("the key is locked after two misses")
	}
}

func lookupLockRace(t *testing.T, db DB) {
	s := db.Store
	// Exactly max misses at once, many rounds: the last of them to count
	// must see all the others, or no lock comes. An officer per round.
	const max, rounds = 8, 20
	for round := range rounds {
		officer := addOfficer(t, s, fmt.Sprintf("kim.%d", round))
		errs := parallel(max, func(i int) error {
			l := lookup(fmt.Sprintf("0000-0000-%04d-%04d", round, i), officer, t0.Add(time.Duration(i)*time.Millisecond), store.LookupNoSuchNumber)
			_, err := s.RecordLookup(t.Context(), l, t0.Add(-time.Minute), max, t0.Add(15*time.Minute))
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if until, err := s.LookupLock(t.Context(), store.Lookup{OfficerID: officer}.Subject()); err != nil || until.IsZero() {
			t.Fatalf("round %d: after %d concurrent misses, limit %d: locked until %v, %v", round, max, max, until, err)
		}
	}
}

func lookupLists(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	c1, c2 := confirmation(id, 1), confirmation(id, 2)
	for _, c := range []store.Confirmation{c1, c2} {
		if err := s.InsertConfirmation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	kim, lee := addOfficer(t, s, "kim.nps"), addOfficer(t, s, "lee.nps")
	record(t, s, lookup(c1.IssueNumber, kim, t0, store.LookupWrongName), 0)
	record(t, s, lookup("0000-0000-0000-0001", kim, t0.Add(time.Second), store.LookupNoSuchNumber), 0)
	record(t, s, lookup(c1.IssueNumber, 0, t0.Add(2*time.Second), store.LookupFound), 0)
	record(t, s, lookup(c2.IssueNumber, lee, t0.Add(3*time.Second), store.LookupFound), 0)
	record(t, s, lookup(c1.IssueNumber, kim, t0.Add(4*time.Second), store.LookupFound), 0)

	of, err := s.LookupsOf(ctx, c1.IssueNumber)
	if err != nil || len(of) != 3 {
		t.Fatalf("lookups of c1: %+v, %v", of, err)
	}
	want := lookup(c1.IssueNumber, kim, t0.Add(4*time.Second), store.LookupFound)
	want.ID = of[0].ID
	if !reflect.DeepEqual(of[0], want) {
		t.Fatalf("newest lookup of c1: %+v, want %+v", of[0], want)
	}
	if of[1].KeyID != "k1" || of[1].OfficerID != 0 || of[2].Result != store.LookupWrongName {
		t.Fatalf("lookups of c1: %+v", of)
	}
	mine, err := s.LookupsBy(ctx, kim, 10)
	if err != nil || len(mine) != 3 || mine[0].Result != store.LookupFound || mine[1].Result != store.LookupNoSuchNumber ||
		mine[1].IssueNumber != "0000-0000-0000-0001" || mine[2].Result != store.LookupWrongName {
		t.Fatalf("kim's lookups: %+v, %v", mine, err)
	}
	if two, _ := s.LookupsBy(ctx, kim, 2); len(two) != 2 {
		t.Fatalf("limit 2: %+v", two)
	}
	misses, err := s.LookupMisses(ctx, "bs-pub-nps", 10)
	if err != nil || len(misses) != 1 || misses[0].OfficerID != kim {
		t.Fatalf("misses: %+v, %v", misses, err)
	}
	if none, _ := s.LookupsOf(ctx, "0000-0000-0000-0001"); len(none) != 0 {
		t.Fatalf("a number of no confirmation has lookups: %+v", none)
	}
}

func historyTokens(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := confirmation(approve(t, s, 1), 1)
	if err := s.InsertConfirmation(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"token one", "token two"} {
		if err := s.PutHistoryToken(ctx, []byte(h), c.IssueNumber, t0); err != nil {
			t.Fatal(err)
		}
		if n, err := s.HistoryToken(ctx, []byte(h)); err != nil || n != c.IssueNumber {
			t.Fatalf("%s reads %q, %v", h, n, err)
		}
	}
	if err := s.PutHistoryToken(ctx, []byte("token one"), c.IssueNumber, t0); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("a token stored twice: %v", err)
	}
	if _, err := s.HistoryToken(ctx, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown token: %v", err)
	}
	if err := s.PutHistoryToken(ctx, []byte("token three"), "0000-0000-0000-0001", t0); err == nil {
		t.Fatal("a token for no confirmation was stored")
	}
}
