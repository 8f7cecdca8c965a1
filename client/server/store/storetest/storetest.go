// Package storetest is the conformance suite of the store's backends: the
// same tests, run on SQLite and on PostgreSQL, so that the server behaves the
// same on either. Each backend's test calls Run with a Backend:
//
//	func TestSQLiteConformance(t *testing.T)   { storetest.Run(t, storetest.SQLite) }
//	func TestPostgresConformance(t *testing.T) { storetest.Run(t, storetest.Postgres) }
//
// The PostgreSQL backend needs a server: $BONSIGN_TEST_POSTGRES (see
// PostgresURL). A method added to the stores gets its tests here, once.
package storetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/store"
)

// DB is one new, empty database for one test.
type DB struct {
	Store store.Store // opened on it, closed when the test ends
	URL   string      // what store.Open takes to open it again
	// Exec runs one SQL statement (no placeholders) on the database
	// directly, as anyone holding its credentials could: for the rules the
	// database itself must enforce.
	Exec func(ctx context.Context, query string) error
}

// Backend makes a new, empty database for a test; t.Cleanup removes it.
type Backend func(t testing.TB) DB

// test is one conformance test: a sentence and its body.
type test struct {
	name string
	run  func(t *testing.T, db DB)
	// child, when set, is what the test's helper process runs (see
	// killedMidWrite): the test re-runs its own binary with this test
	// selected and childEnv set.
	child func(t *testing.T, dbURL string)
}

const (
	childEnv        = "BONSIGN_STORETEST_CHILD_URL"
	childCitizenEnv = "BONSIGN_STORETEST_CHILD_CITIZEN"
)

// Run runs every conformance test on the backend b, each on a database of its
// own, in parallel.
func Run(t *testing.T, b Backend) {
	child := os.Getenv(childEnv)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if child != "" {
				if tc.child != nil {
					tc.child(t, child)
				}
				return
			}
			t.Parallel()
			tc.run(t, b(t))
		})
	}
}

var tests = append([]test{
	{name: "a citizen is found by id, certificate, RRN index and login ID, every field intact", run: citizenRoundTrip},
	{name: "an unknown citizen is ErrNotFound by every key", run: citizenNotFound},
	{name: "a second citizen with a value already taken names the value", run: citizenDuplicates},
	{name: "citizens bound by VID alone may all have no certificate", run: citizensWithoutCertificate},
	{name: "a new approval's history starts with the approving clerk", run: putCitizenHistory},
	{name: "history rows cannot be changed or removed, nor their citizen deleted", run: historyAppendOnly},
	{name: "a renewal and a revocation each apply once, and a revocation ends the sessions", run: renewAndRevoke},
	{name: "a lapsed approval is replaced in place unless it changed meanwhile", run: replaceCitizen},
	{name: "consent and password changes are recorded, and an unknown citizen is ErrNotFound", run: consentAndPassword},
	{name: "wrong passwords lock a citizen at the limit and the count starts again", run: passwordFailures},
	{name: "a challenge is taken once", run: challengeOnce},
	{name: "of concurrent takers of one challenge exactly one wins", run: challengeRace},
	{name: "a session is stored, touched, verified and deleted", run: sessionLifecycle},
	{name: "a session upgrade replaces the old token, and from a gone session stores nothing", run: sessionUpgrade},
	{name: "a code counts each attempt, also concurrent ones, and verification removes it", run: codeAttempts},
	{name: "a session's code goes with the session", run: codeCascade},
	{name: "code sends are limited by the gap and by the hour", run: codeSendLimits},
	{name: "of concurrent code sends only as many pass as the limit allows", run: codeSendRace},
	{name: "a clerk is found by login and id, and a login taken twice is named", run: clerks},
	{name: "wrong passwords lock a clerk at the limit", run: clerkFailures},
	{name: "a clerk session is stored, touched and deleted", run: clerkSessions},
	{name: "a confirmation is found by number, digest and the citizen's ID", run: confirmations},
	{name: "a confirmation with a number, digest or citizen's ID already stored is ErrDuplicate", run: confirmationDuplicates},
	{name: "concurrent confirmations are all stored and counted", run: confirmationsConcurrent},
	{name: "a batch of confirmations is stored whole, or not at all when one collides", run: confirmationBatch},
	{name: "of concurrent inserts of one confirmation exactly one is stored", run: confirmationRace},
	{name: "refused inserts among concurrent ones undo only themselves, history tokens with them", run: confirmationsMixed},
	{name: "a purge removes what expired and nothing else", run: purgeExpired},
	{name: "concurrent approvals of different citizens all get their own id", run: citizensConcurrent},
	{name: "of concurrent approvals of one citizen exactly one is stored", run: citizenRace},
	{name: "an institution key is found by its hash, and stored once", run: institutionKeys},
	{name: "times keep their millisecond in UTC and the zero time stays zero", run: times},
	{name: "a store opens again with its data, its schema already current", run: reopen},
	{name: "a store answers pings until closed", run: ping},
	{name: "a store opens clean after its process is killed mid-write, with every acknowledged write", run: killedMidWrite, child: killedMidWriteChild},
}, institutionTests...)

// t0 is the suite's "now": in UTC, to the millisecond, as the stores keep times.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123_000_000, time.UTC)

func citizen(n int) store.Citizen {
	return store.Citizen{
		Name: "시민" + strconv.Itoa(n), RRNIndex: []byte("rrn-" + strconv.Itoa(n)), RRNSealed: []byte("sealed rrn"),
		AddressSealed: []byte("sealed address"), PhoneSealed: []byte("sealed phone"),
		IdentityMethod: "mobile", CodeChannel: "sms", TextCapable: true, CertFingerprint: fmt.Sprintf("cert-%d", n),
		LoginID: fmt.Sprintf("user%d", n), PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", PasswordMustChange: true,
		Office: "청운효자동 행정복지센터", Clerk: "김담당", ApprovedAt: t0, ExpiresAt: t0.AddDate(2, 0, 0),
	}
}

func history(action string) store.History {
	return store.History{At: t0, Actor: "김담당", Office: "청운효자동 행정복지센터", Action: action, Detail: "{}"}
}

// approve stores citizen(n) and returns its id.
func approve(t *testing.T, s store.Store, n int) int64 {
	t.Helper()
	id, err := s.InsertCitizen(t.Context(), citizen(n), history("approve"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func confirmation(citizenID int64, n int) store.Confirmation {
	return store.Confirmation{
		IssueNumber: fmt.Sprintf("2026-%06d", n), CitizenID: citizenID, ConfirmationID: fmt.Sprintf("conf-%d", n),
		InstitutionCode: "bs-pub-nps", Digest: fmt.Sprintf("%064d", n), IssuedAt: t0, Sealed: []byte("sealed confirmation"),
	}
}

// parallel runs f(0..n-1) at once, starting them together, and returns
// their errors by i.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = f(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func citizenRoundTrip(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := citizen(1)
	c.TokenFingerprint = "token-1"
	c.IdentityMethod, c.CodeChannel, c.TextCapable = "token", "voice", false
	c.PasswordMustChange, c.PasswordFailures, c.PasswordLockedUntil = false, 2, t0.Add(time.Minute)
	c.LimitedGuardianship, c.ConsentSealed = true, []byte("sealed consent")
	c.RevokedAt, c.RevokeReason = t0.Add(time.Hour), "사망"
	id, err := s.InsertCitizen(ctx, c, history("approve"))
	if err != nil {
		t.Fatal(err)
	}
	c.ID = id
	for key, find := range map[string]func() (*store.Citizen, error){
		"id":       func() (*store.Citizen, error) { return s.CitizenByID(ctx, id) },
		"cert":     func() (*store.Citizen, error) { return s.CitizenByCert(ctx, c.CertFingerprint) },
		"rrn":      func() (*store.Citizen, error) { return s.CitizenByRRN(ctx, c.RRNIndex) },
		"login ID": func() (*store.Citizen, error) { return s.CitizenByLoginID(ctx, c.LoginID) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("by %s: %v", key, err)
		}
		if !reflect.DeepEqual(*got, c) {
			t.Errorf("by %s:\n got %+v\nwant %+v", key, *got, c)
		}
	}
	// The fields left empty come back empty, not as empty strings of NULL.
	id2 := approve(t, s, 2)
	got, err := s.CitizenByID(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	want := citizen(2)
	want.ID = id2
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("a plain citizen:\n got %+v\nwant %+v", *got, want)
	}
}

func citizenNotFound(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	approve(t, s, 1)
	for key, find := range map[string]func() (*store.Citizen, error){
		"id":             func() (*store.Citizen, error) { return s.CitizenByID(ctx, 999) },
		"cert":           func() (*store.Citizen, error) { return s.CitizenByCert(ctx, "cert-9") },
		"no certificate": func() (*store.Citizen, error) { return s.CitizenByCert(ctx, "") },
		"rrn":            func() (*store.Citizen, error) { return s.CitizenByRRN(ctx, []byte("rrn-9")) },
		"login ID":       func() (*store.Citizen, error) { return s.CitizenByLoginID(ctx, "user9") },
	} {
		if c, err := find(); !errors.Is(err, store.ErrNotFound) || c != nil {
			t.Errorf("by %s: %v, %v; want ErrNotFound", key, c, err)
		}
	}
}

func citizenDuplicates(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	first := citizen(1)
	first.TokenFingerprint = "token-1"
	if _, err := s.InsertCitizen(ctx, first, history("approve")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		column string
		edit   func(*store.Citizen)
	}{
		{"rrn", func(c *store.Citizen) { c.RRNIndex = first.RRNIndex }},
		{"cert", func(c *store.Citizen) { c.CertFingerprint = first.CertFingerprint }},
		{"token_cert", func(c *store.Citizen) { c.TokenFingerprint = first.TokenFingerprint }},
		{"login_id", func(c *store.Citizen) { c.LoginID = first.LoginID }},
	} {
		c := citizen(2)
		tc.edit(&c)
		_, err := s.InsertCitizen(ctx, c, history("approve"))
		var dup *store.DuplicateError
		if !errors.As(err, &dup) || dup.Column != tc.column || !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("the same %s: %v; want a DuplicateError naming it", tc.column, err)
		}
	}
	// Nothing of the refused inserts remains, history included.
	if _, err := s.CitizenByLoginID(ctx, "user2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused citizen was stored: %v", err)
	}
	if id := approve(t, s, 2); id == 0 {
		t.Error("id 0")
	} else if h, err := s.History(ctx, id); err != nil || len(h) != 1 {
		t.Errorf("history of the citizen after refused inserts: %+v, %v; want 1 row", h, err)
	}
}

func citizensWithoutCertificate(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	for n := range 3 {
		c := citizen(n)
		c.CertFingerprint = ""
		if _, err := s.InsertCitizen(ctx, c, history("approve")); err != nil {
			t.Fatalf("citizen %d without a certificate: %v", n, err)
		}
	}
	if c, err := s.CitizenByLoginID(ctx, "user1"); err != nil || c.CertFingerprint != "" || c.TokenFingerprint != "" {
		t.Fatalf("%+v, %v", c, err)
	}
}

func putCitizenHistory(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := citizen(1)
	id, err := s.PutCitizen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.History{{CitizenID: id, At: c.ApprovedAt, Actor: c.Clerk, Office: c.Office, Action: "approve", Detail: "{}"}}
	if h, err := s.History(ctx, id); err != nil || !reflect.DeepEqual(h, want) {
		t.Fatalf("history %+v, %v; want %+v", h, err, want)
	}
	if h, err := s.History(ctx, 999); err != nil || len(h) != 0 {
		t.Fatalf("history of nobody: %+v, %v", h, err)
	}
}

func historyAppendOnly(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	for _, q := range []string{
		`UPDATE approval_history SET actor = 'someone else'`,
		`DELETE FROM approval_history`,
		fmt.Sprintf(`DELETE FROM approval_history WHERE citizen_id = %d`, id),
	} {
		if err := db.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; want refused as append-only", q, err)
		}
	}
	// Nor can the citizen go, taking its history with it.
	if err := db.Exec(ctx, fmt.Sprintf(`DELETE FROM citizens WHERE id = %d`, id)); err == nil {
		t.Error("a citizen with history was deleted")
	}
	// Adding stays possible, oldest first.
	if err := s.RenewCitizen(ctx, id, t0.AddDate(2, 0, 0), t0.AddDate(4, 0, 0), history("renew")); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, id)
	if err != nil || len(h) != 2 || h[0].Actor != "김담당" || h[0].Action != "approve" || h[1].Action != "renew" {
		t.Fatalf("history %+v, %v", h, err)
	}
}

func renewAndRevoke(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	expires := t0.AddDate(2, 0, 0)
	next := expires.AddDate(2, 0, 0)
	if err := s.RenewCitizen(ctx, id, expires, next, history("renew")); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewCitizen(ctx, id, expires, next.AddDate(2, 0, 0), history("renew")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second renewal from the same state: %v; want ErrConflict", err)
	}
	if c, _ := s.CitizenByID(ctx, id); !c.ExpiresAt.Equal(next) {
		t.Fatalf("expires %v, want %v", c.ExpiresAt, next)
	}
	for _, tok := range []string{"t1", "t2"} {
		if err := s.PutSession(ctx, store.Session{TokenHash: []byte(tok), CitizenID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	other := approve(t, s, 2)
	if err := s.PutSession(ctx, store.Session{TokenHash: []byte("other"), CitizenID: other, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeCitizen(ctx, id, t0.Add(time.Minute), "본인 요청", history("revoke")); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"t1", "t2"} {
		if _, err := s.Session(ctx, []byte(tok)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s survived the revocation: %v", tok, err)
		}
	}
	if _, err := s.Session(ctx, []byte("other")); err != nil {
		t.Errorf("another citizen's session ended: %v", err)
	}
	if err := s.RevokeCitizen(ctx, id, t0.Add(2*time.Minute), "again", history("revoke")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second revocation: %v; want ErrConflict", err)
	}
	if err := s.RenewCitizen(ctx, id, next, next.AddDate(2, 0, 0), history("renew")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a renewal of a revoked approval: %v; want ErrConflict", err)
	}
	c, _ := s.CitizenByID(ctx, id)
	if !c.RevokedAt.Equal(t0.Add(time.Minute)) || c.RevokeReason != "본인 요청" {
		t.Fatalf("revoked %v %q", c.RevokedAt, c.RevokeReason)
	}
	if h, _ := s.History(ctx, id); len(h) != 3 {
		t.Fatalf("%d history rows, want 3 (the refused changes add none)", len(h))
	}
}

func replaceCitizen(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	approve(t, s, 2)
	if err := s.RevokeCitizen(ctx, id, t0, "lapsed", history("revoke")); err != nil {
		t.Fatal(err)
	}
	prev, _ := s.CitizenByID(ctx, id)
	if err := s.PutSession(ctx, store.Session{TokenHash: []byte("t"), CitizenID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A new certificate already registered to someone else is refused.
	taken := citizen(1)
	taken.CertFingerprint = "cert-2"
	var dup *store.DuplicateError
	if err := s.ReplaceCitizen(ctx, prev, taken, history("approve")); !errors.As(err, &dup) || dup.Column != "cert" {
		t.Fatalf("replacing with another's certificate: %v; want a DuplicateError naming cert", err)
	}
	next := citizen(1)
	next.CertFingerprint, next.Name, next.ApprovedAt, next.ExpiresAt = "cert-1b", "새 이름", t0.AddDate(0, 1, 0), t0.AddDate(2, 1, 0)
	if err := s.ReplaceCitizen(ctx, prev, next, history("approve")); err != nil {
		t.Fatal(err)
	}
	got, _ := s.CitizenByID(ctx, id)
	next.ID = id
	if !reflect.DeepEqual(*got, next) {
		t.Fatalf("replaced:\n got %+v\nwant %+v", *got, next)
	}
	if _, err := s.Session(ctx, []byte("t")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a session survived the replacement: %v", err)
	}
	// A second replacement from the same stale read changes nothing.
	again := next
	again.Name = "또 다른 이름"
	if err := s.ReplaceCitizen(ctx, prev, again, history("approve")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a replacement from a stale read: %v; want ErrConflict", err)
	}
	if h, _ := s.History(ctx, id); len(h) != 3 {
		t.Fatalf("%d history rows, want 3", len(h))
	}
}

func consentAndPassword(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	if err := s.SetConsent(ctx, id, true, []byte("sealed consent"), history("consent")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PasswordFailed(ctx, id, 5, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, id, "new hash", false, history("password")); err != nil {
		t.Fatal(err)
	}
	c, _ := s.CitizenByID(ctx, id)
	if !c.LimitedGuardianship || string(c.ConsentSealed) != "sealed consent" || c.PasswordHash != "new hash" ||
		c.PasswordMustChange || c.PasswordFailures != 0 || !c.PasswordLockedUntil.IsZero() {
		t.Fatalf("%+v", c)
	}
	if err := s.SetConsent(ctx, id, false, nil, history("consent")); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.CitizenByID(ctx, id); c.LimitedGuardianship || c.ConsentSealed != nil {
		t.Fatalf("consent withdrawn: %+v", c)
	}
	if h, _ := s.History(ctx, id); len(h) != 4 {
		t.Fatalf("%d history rows, want 4", len(h))
	}
	if err := s.SetConsent(ctx, 999, true, nil, history("consent")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("consent of nobody: %v", err)
	}
	if err := s.SetPassword(ctx, 999, "h", true, history("password")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("password of nobody: %v", err)
	}
}

func passwordFailures(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	lock := t0.Add(30 * time.Minute)
	for i := 1; i <= 3; i++ {
		until, err := s.PasswordFailed(ctx, id, 3, lock)
		if err != nil {
			t.Fatal(err)
		}
		if locked := !until.IsZero(); locked != (i == 3) || (locked && !until.Equal(lock)) {
			t.Fatalf("failure %d: locked until %v", i, until)
		}
	}
	c, _ := s.CitizenByID(ctx, id)
	if c.PasswordFailures != 0 || !c.PasswordLockedUntil.Equal(lock) {
		t.Fatalf("after the lock: %d failures, locked until %v", c.PasswordFailures, c.PasswordLockedUntil)
	}
	if _, err := s.PasswordFailed(ctx, id, 3, lock); err != nil {
		t.Fatal(err)
	}
	if err := s.PasswordSucceeded(ctx, id); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.CitizenByID(ctx, id); c.PasswordFailures != 0 {
		t.Fatalf("%d failures after a success", c.PasswordFailures)
	}
	if _, err := s.PasswordFailed(ctx, 999, 3, lock); err == nil {
		t.Error("a failure of nobody was counted")
	}
}

func challengeOnce(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	exp := t0.Add(2 * time.Minute)
	if err := s.PutChallenge(ctx, "nonce", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChallenge(ctx, "nonce", exp); err == nil {
		t.Error("a nonce was stored twice")
	}
	if got, err := s.TakeChallenge(ctx, "nonce"); err != nil || !got.Equal(exp) {
		t.Fatalf("take: %v, %v", got, err)
	}
	if _, err := s.TakeChallenge(ctx, "nonce"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a second take: %v; want ErrNotFound", err)
	}
	if _, err := s.TakeChallenge(ctx, "never issued"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown nonce: %v; want ErrNotFound", err)
	}
}

func challengeRace(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	const nonces, takers = 20, 8
	for i := range nonces {
		if err := s.PutChallenge(ctx, fmt.Sprint("nonce-", i), t0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range nonces {
		nonce := fmt.Sprint("nonce-", i)
		wins := 0
		for j, err := range parallel(takers, func(int) error { _, err := s.TakeChallenge(ctx, nonce); return err }) {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrNotFound):
				t.Errorf("taker %d of %s: %v", j, nonce, err)
			}
		}
		if wins != 1 {
			t.Errorf("%s was taken %d times", nonce, wins)
		}
	}
}

func sessionLifecycle(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	se := store.Session{TokenHash: []byte("token hash"), CitizenID: id, CertFingerprint: "cert-1", CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
	if err := s.PutSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession(ctx, se); err == nil {
		t.Error("a token was stored twice")
	}
	want := se
	want.Stage, want.LastSeenAt = store.StageCertificate, se.CreatedAt // the defaults
	if got, err := s.Session(ctx, se.TokenHash); err != nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("session %+v, %v; want %+v", got, err, want)
	}
	if err := s.TouchSession(ctx, se.TokenHash, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkVerified(ctx, se.TokenHash); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Session(ctx, se.TokenHash)
	if !got.Verified || !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after touch and verify: %+v", got)
	}
	if err := s.DeleteSession(ctx, se.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted session: %v", err)
	}
	if err := s.MarkVerified(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("verifying a deleted session: %v", err)
	}
	if err := s.DeleteSession(ctx, se.TokenHash); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if err := s.PutSession(ctx, store.Session{TokenHash: []byte("x"), CitizenID: 999, CreatedAt: t0, ExpiresAt: t0}); err == nil {
		t.Error("a session of nobody was stored")
	}
}

func sessionUpgrade(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	first := store.Session{TokenHash: []byte("password stage"), CitizenID: id, Stage: store.StagePassword, CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
	if err := s.PutSession(ctx, first); err != nil {
		t.Fatal(err)
	}
	next := store.Session{TokenHash: []byte("certificate stage"), CitizenID: id, CertFingerprint: "cert-1", Stage: store.StageCertificate,
		CreatedAt: t0.Add(time.Minute), LastSeenAt: t0.Add(2 * time.Minute), ExpiresAt: t0.Add(31 * time.Minute)}
	if err := s.UpgradeSession(ctx, first.TokenHash, next); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, first.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old token still works: %v", err)
	}
	if got, err := s.Session(ctx, next.TokenHash); err != nil || !reflect.DeepEqual(*got, next) {
		t.Fatalf("upgraded %+v, %v; want %+v", got, err, next)
	}
	again := next
	again.TokenHash = []byte("third")
	if err := s.UpgradeSession(ctx, first.TokenHash, again); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("upgrading a gone session: %v; want ErrNotFound", err)
	}
	if _, err := s.Session(ctx, again.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed upgrade stored its session: %v", err)
	}
	// Another citizen's session cannot be upgraded into this one's.
	other := approve(t, s, 2)
	stolen := again
	stolen.CitizenID = other
	if err := s.UpgradeSession(ctx, next.TokenHash, stolen); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("upgrading another citizen's session: %v; want ErrNotFound", err)
	}
}

func codeAttempts(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	tok := []byte("token")
	if err := s.PutSession(ctx, store.Session{TokenHash: tok, CitizenID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttemptCode(ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an attempt before any code: %v; want ErrNotFound", err)
	}
	code := store.Code{TokenHash: tok, CodeHash: []byte("code hash"), Channel: "sms", ExpiresAt: t0.Add(3 * time.Minute)}
	if err := s.PutCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		got, err := s.AttemptCode(ctx, tok)
		want := code
		want.Attempts = i
		if err != nil || !reflect.DeepEqual(*got, want) {
			t.Fatalf("attempt %d: %+v, %v; want %+v", i, got, err, want)
		}
	}
	// A new code replaces the old one and starts its count again.
	code2 := store.Code{TokenHash: tok, CodeHash: []byte("second code"), Channel: "voice", ExpiresAt: t0.Add(6 * time.Minute)}
	if err := s.PutCode(ctx, code2); err != nil {
		t.Fatal(err)
	}
	const guesses = 10
	seen := make([]bool, guesses)
	var mu sync.Mutex
	for _, err := range parallel(guesses, func(int) error {
		c, err := s.AttemptCode(ctx, tok)
		if err != nil {
			return err
		}
		if string(c.CodeHash) != "second code" || c.Channel != "voice" || c.Attempts < 0 || c.Attempts >= guesses {
			return fmt.Errorf("attempt saw %+v", c)
		}
		mu.Lock()
		defer mu.Unlock()
		if seen[c.Attempts] {
			return fmt.Errorf("two guesses were attempt %d", c.Attempts)
		}
		seen[c.Attempts] = true
		return nil
	}) {
		if err != nil {
			t.Error(err)
		}
	}
	if err := s.MarkVerified(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttemptCode(ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the code outlived the verification: %v", err)
	}
}

func codeCascade(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	tok := []byte("token")
	if err := s.PutSession(ctx, store.Session{TokenHash: tok, CitizenID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCode(ctx, store.Code{TokenHash: tok, CodeHash: []byte("h"), Channel: "sms", ExpiresAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession(ctx, store.Session{TokenHash: tok, CitizenID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttemptCode(ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a code outlived its session: %v", err)
	}
	if err := s.PutCode(ctx, store.Code{TokenHash: []byte("no session"), CodeHash: []byte("h"), Channel: "sms", ExpiresAt: t0}); err == nil {
		t.Error("a code without a session was stored")
	}
}

func codeSendLimits(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	other := approve(t, s, 2)
	gap := 30 * time.Second
	var limited *store.RateLimitedError
	if err := s.RecordCodeSend(ctx, id, t0, gap, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(10*time.Second), gap, 2); !errors.As(err, &limited) || !limited.RetryAt.Equal(t0.Add(gap)) {
		t.Fatalf("too soon: %v", err)
	}
	if err := s.RecordCodeSend(ctx, other, t0.Add(10*time.Second), gap, 2); err != nil {
		t.Fatalf("another citizen is not limited by this one: %v", err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(gap), gap, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(time.Minute), gap, 2); !errors.As(err, &limited) || !limited.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("over the hourly limit: %v", err)
	}
	if err := s.RecordCodeSend(ctx, id, t0.Add(time.Hour), gap, 2); err != nil {
		t.Fatalf("an hour on: %v", err)
	}
}

func codeSendRace(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	for _, tc := range []struct {
		name    string
		now     time.Time
		gap     time.Duration
		perHour int
		want    int
	}{
		{"by the gap", t0, time.Minute, 10, 1},
		{"by the hour", t0.Add(2 * time.Hour), 0, 3, 3},
	} {
		passed := 0
		for _, err := range parallel(8, func(int) error { return s.RecordCodeSend(ctx, id, tc.now, tc.gap, tc.perHour) }) {
			var limited *store.RateLimitedError
			switch {
			case err == nil:
				passed++
			case !errors.As(err, &limited):
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if passed != tc.want {
			t.Errorf("limited %s: %d of 8 concurrent sends passed, want %d", tc.name, passed, tc.want)
		}
	}
}

func clerks(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	c := store.Clerk{Login: "kim01", Name: "김담당", Office: "청운효자동 행정복지센터", PasswordHash: "hash", CreatedAt: t0}
	id, err := s.PutClerk(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = id
	for key, find := range map[string]func() (*store.Clerk, error){
		"login": func() (*store.Clerk, error) { return s.ClerkByLogin(ctx, "kim01") },
		"id":    func() (*store.Clerk, error) { return s.ClerkByID(ctx, id) },
	} {
		if got, err := find(); err != nil || !reflect.DeepEqual(*got, c) {
			t.Errorf("by %s: %+v, %v; want %+v", key, got, err, c)
		}
	}
	if _, err := s.ClerkByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown login: %v", err)
	}
	if _, err := s.ClerkByID(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}
	c2 := c
	c2.Name = "다른 사람"
	_, err = s.PutClerk(ctx, c2)
	var dup *store.DuplicateError
	if !errors.As(err, &dup) || dup.Column != "login" || !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a login taken twice: %v; want a DuplicateError naming login", err)
	}
	id2, err := s.PutClerk(ctx, store.Clerk{Login: "lee02", Name: "이담당", Office: "o", PasswordHash: "h", CreatedAt: t0})
	if err != nil || id2 == id {
		t.Errorf("a second clerk: %d, %v", id2, err)
	}
}

func clerkFailures(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id, err := s.PutClerk(ctx, store.Clerk{Login: "kim01", Name: "김담당", Office: "o", PasswordHash: "h", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	lock := t0.Add(15 * time.Minute)
	for i := 1; i <= 2; i++ {
		until, err := s.ClerkFailed(ctx, id, 2, lock)
		if err != nil {
			t.Fatal(err)
		}
		if locked := !until.IsZero(); locked != (i == 2) || (locked && !until.Equal(lock)) {
			t.Fatalf("failure %d: locked until %v", i, until)
		}
	}
	if c, _ := s.ClerkByID(ctx, id); c.Failures != 0 || !c.LockedUntil.Equal(lock) {
		t.Fatalf("after the lock: %+v", c)
	}
	if _, err := s.ClerkFailed(ctx, id, 2, lock); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClerkByID(ctx, id); c.Failures != 1 {
		t.Fatalf("%d failures, want 1", c.Failures)
	}
	if err := s.ClerkSucceeded(ctx, id); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClerkByID(ctx, id); c.Failures != 0 {
		t.Fatalf("%d failures after a success", c.Failures)
	}
	if _, err := s.ClerkFailed(ctx, id+100, 2, lock); err == nil {
		t.Error("a failure of nobody was counted")
	}
}

func clerkSessions(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id, err := s.PutClerk(ctx, store.Clerk{Login: "kim01", Name: "김담당", Office: "o", PasswordHash: "h", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	se := store.ClerkSession{TokenHash: []byte("clerk token"), ClerkID: id, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
	if err := s.PutClerkSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClerkSession(ctx, se.TokenHash); err != nil || !reflect.DeepEqual(*got, se) {
		t.Fatalf("%+v, %v; want %+v", got, err, se)
	}
	if err := s.TouchClerkSession(ctx, se.TokenHash, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClerkSession(ctx, se.TokenHash); !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("touched: %+v", got)
	}
	if err := s.DeleteClerkSession(ctx, se.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClerkSession(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted clerk session: %v", err)
	}
	if err := s.PutClerkSession(ctx, store.ClerkSession{TokenHash: []byte("x"), ClerkID: id + 100, CreatedAt: t0, ExpiresAt: t0}); err == nil {
		t.Error("a session of no clerk was stored")
	}
}

func confirmations(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	c := confirmation(id, 1)
	if err := s.InsertConfirmation(ctx, c); err != nil {
		t.Fatal(err)
	}
	for key, find := range map[string]func() (*store.Confirmation, error){
		"number": func() (*store.Confirmation, error) { return s.ConfirmationByNumber(ctx, c.IssueNumber) },
		"digest": func() (*store.Confirmation, error) { return s.ConfirmationByDigest(ctx, c.Digest) },
		"ID":     func() (*store.Confirmation, error) { return s.ConfirmationByID(ctx, id, c.ConfirmationID) },
	} {
		if got, err := find(); err != nil || !reflect.DeepEqual(*got, c) {
			t.Errorf("by %s: %+v, %v; want %+v", key, got, err, c)
		}
	}
	other := approve(t, s, 2)
	for key, find := range map[string]func() (*store.Confirmation, error){
		"number":               func() (*store.Confirmation, error) { return s.ConfirmationByNumber(ctx, "2026-999999") },
		"digest":               func() (*store.Confirmation, error) { return s.ConfirmationByDigest(ctx, "ff") },
		"ID":                   func() (*store.Confirmation, error) { return s.ConfirmationByID(ctx, id, "conf-9") },
		"another citizen's ID": func() (*store.Confirmation, error) { return s.ConfirmationByID(ctx, other, c.ConfirmationID) },
	} {
		if got, err := find(); !errors.Is(err, store.ErrNotFound) || got != nil {
			t.Errorf("unknown %s: %+v, %v; want ErrNotFound", key, got, err)
		}
	}
	// Another citizen may choose the same confirmation ID.
	c2 := confirmation(other, 2)
	c2.ConfirmationID = c.ConfirmationID
	if err := s.InsertConfirmation(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountConfirmations(ctx); err != nil || n != 2 {
		t.Fatalf("count %d, %v; want 2", n, err)
	}
	if err := s.InsertConfirmation(ctx, confirmation(999, 3)); err == nil || errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a confirmation of nobody: %v; want a failure other than ErrDuplicate", err)
	}
}

func confirmationDuplicates(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	first := confirmation(id, 1)
	if err := s.InsertConfirmation(ctx, first); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		edit func(*store.Confirmation)
	}{
		{"issue number", func(c *store.Confirmation) { c.IssueNumber = first.IssueNumber }},
		{"digest", func(c *store.Confirmation) { c.Digest = first.Digest }},
		{"citizen's ID", func(c *store.Confirmation) { c.ConfirmationID = first.ConfirmationID }},
	} {
		c := confirmation(id, 2)
		tc.edit(&c)
		if err := s.InsertConfirmation(ctx, c); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("the same %s: %v; want ErrDuplicate", tc.what, err)
		}
	}
	if n, _ := s.CountConfirmations(ctx); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

func confirmationsConcurrent(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	const writers, each = 8, 25
	for _, err := range parallel(writers, func(w int) error {
		for i := range each {
			if err := s.InsertConfirmation(ctx, confirmation(id, w*each+i)); err != nil {
				return err
			}
		}
		return nil
	}) {
		if err != nil {
			t.Error(err)
		}
	}
	if n, err := s.CountConfirmations(ctx); err != nil || n != writers*each {
		t.Fatalf("count %d, %v; want %d", n, err, writers*each)
	}
	for n := range writers * each {
		if _, err := s.ConfirmationByNumber(ctx, confirmation(id, n).IssueNumber); err != nil {
			t.Fatalf("confirmation %d: %v", n, err)
		}
	}
}

func confirmationBatch(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	var batch []store.Confirmation
	for n := range 500 {
		batch = append(batch, confirmation(id, n))
	}
	if err := s.InsertConfirmations(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ConfirmationByNumber(ctx, batch[499].IssueNumber); err != nil || !reflect.DeepEqual(*got, batch[499]) {
		t.Fatalf("the last of the batch: %+v, %v; want %+v", got, err, batch[499])
	}
	// A second batch whose last row repeats a stored digest leaves no trace.
	next := []store.Confirmation{confirmation(id, 1000), confirmation(id, 1001)}
	next[1].Digest = batch[0].Digest
	if err := s.InsertConfirmations(ctx, next); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("a colliding batch: %v; want ErrDuplicate", err)
	}
	if _, err := s.ConfirmationByNumber(ctx, next[0].IssueNumber); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a row of the refused batch was stored: %v", err)
	}
	if err := s.InsertConfirmations(ctx, nil); err != nil {
		t.Fatalf("an empty batch: %v", err)
	}
	if n, _ := s.CountConfirmations(ctx); n != len(batch) {
		t.Fatalf("%d confirmations, want %d", n, len(batch))
	}
}

// confirmationsMixed has writers whose inserts fail (duplicates) at the
// same time as writers whose inserts succeed: the failures must not undo the
// others that share their commit (SQLite groups writes into one
// transaction), nor leave a trace of themselves.
func confirmationsMixed(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	taken := confirmation(id, 0)
	taken.HistoryToken = []byte("token of the first")
	if err := s.InsertConfirmation(ctx, taken); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 30
	for _, err := range parallel(writers, func(w int) error {
		for i := range each {
			c := confirmation(id, 1+w*each+i)
			c.HistoryToken = fmt.Appendf(nil, "token %s", c.IssueNumber)
			if w%2 == 1 {
				c.Digest = taken.Digest // refused
			}
			err := s.InsertConfirmation(ctx, c)
			if w%2 == 1 && !errors.Is(err, store.ErrDuplicate) {
				return fmt.Errorf("a duplicate digest: %v; want ErrDuplicate", err)
			} else if w%2 == 0 && err != nil {
				return err
			}
		}
		return nil
	}) {
		if err != nil {
			t.Error(err)
		}
	}
	if n, err := s.CountConfirmations(ctx); err != nil || n != 1+writers/2*each {
		t.Fatalf("count %d, %v; want %d", n, err, 1+writers/2*each)
	}
	for w := range writers {
		for i := range each {
			c := confirmation(id, 1+w*each+i)
			_, err := s.ConfirmationByNumber(ctx, c.IssueNumber)
			number, terr := s.HistoryToken(ctx, fmt.Appendf(nil, "token %s", c.IssueNumber))
			if w%2 == 0 && (err != nil || terr != nil || number != c.IssueNumber) {
				t.Fatalf("confirmation %s: %v; its token: %q, %v", c.IssueNumber, err, number, terr)
			}
			if w%2 == 1 && (!errors.Is(err, store.ErrNotFound) || !errors.Is(terr, store.ErrNotFound)) {
				t.Fatalf("a refused confirmation left a trace: %v, token %v", err, terr)
			}
		}
	}
	if n, err := s.HistoryToken(ctx, taken.HistoryToken); err != nil || n != taken.IssueNumber {
		t.Fatalf("the token stored with the first: %q, %v", n, err)
	}
}

func confirmationRace(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	id := approve(t, s, 1)
	// The same submission retried at once on several servers: same ID,
	// different issue numbers drawn by each.
	stored := 0
	for i, err := range parallel(8, func(i int) error {
		c := confirmation(id, 1)
		c.IssueNumber = fmt.Sprintf("2026-%06d", 100+i)
		return s.InsertConfirmation(ctx, c)
	}) {
		switch {
		case err == nil:
			stored++
		case !errors.Is(err, store.ErrDuplicate):
			t.Errorf("insert %d: %v", i, err)
		}
	}
	if n, _ := s.CountConfirmations(ctx); stored != 1 || n != 1 {
		t.Fatalf("%d inserts succeeded, %d stored; want 1", stored, n)
	}
}

func citizensConcurrent(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	const n = 16
	ids := make([]int64, n)
	for _, err := range parallel(n, func(i int) (err error) {
		ids[i], err = s.InsertCitizen(ctx, citizen(i), history("approve"))
		return err
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Fatalf("id %d given twice", id)
		}
		seen[id] = true
		c, err := s.CitizenByID(ctx, id)
		if err != nil || c.LoginID != citizen(i).LoginID {
			t.Fatalf("citizen %d: %+v, %v", i, c, err)
		}
		if h, err := s.History(ctx, id); err != nil || len(h) != 1 || h[0].CitizenID != id {
			t.Fatalf("history of citizen %d: %+v, %v", i, h, err)
		}
	}
}

func citizenRace(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	stored := 0
	for i, err := range parallel(8, func(i int) error {
		c := citizen(100 + i)
		c.RRNIndex = []byte("the same person")
		_, err := s.InsertCitizen(ctx, c, history("approve"))
		return err
	}) {
		var dup *store.DuplicateError
		switch {
		case err == nil:
			stored++
		case !errors.As(err, &dup) || dup.Column != "rrn":
			t.Errorf("approval %d: %v; want a DuplicateError naming rrn", i, err)
		}
	}
	if stored != 1 {
		t.Fatalf("%d approvals of one person stored", stored)
	}
}

func institutionKeys(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	k := store.InstitutionKey{KeyHash: []byte("key hash"), InstitutionCode: "bs-pub-nps", Label: "연금 시스템", CreatedAt: t0}
	if err := s.PutInstitutionKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	k.KeyID = fmt.Sprintf("%x", k.KeyHash[:6]) // given by the store when left out
	if got, err := s.InstitutionKey(ctx, k.KeyHash); err != nil || !reflect.DeepEqual(*got, k) {
		t.Fatalf("%+v, %v; want %+v", got, err, k)
	}
	if err := s.PutInstitutionKey(ctx, k); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("a key stored twice: %v; want ErrDuplicate", err)
	}
	if _, err := s.InstitutionKey(ctx, []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown key: %v", err)
	}
}

func times(t *testing.T, db DB) {
	ctx, s := t.Context(), db.Store
	kst := time.FixedZone("KST", 9*3600)
	at := time.Date(2026, 3, 2, 18, 30, 0, 123_456_789, kst) // 09:30:00.123456789 UTC
	c := citizen(1)
	c.ApprovedAt, c.ExpiresAt = at, at.AddDate(2, 0, 0)
	id, err := s.InsertCitizen(ctx, c, store.History{At: at, Actor: "a", Office: "o", Action: "approve", Detail: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.CitizenByID(ctx, id)
	want := at.Truncate(time.Millisecond).UTC()
	if got.ApprovedAt != want || got.ApprovedAt.Location() != time.UTC {
		t.Errorf("approved at %v, want %v", got.ApprovedAt, want)
	}
	if !got.PasswordLockedUntil.IsZero() || !got.RevokedAt.IsZero() {
		t.Errorf("zero times came back as %v and %v", got.PasswordLockedUntil, got.RevokedAt)
	}
	if h, _ := s.History(ctx, id); len(h) != 1 || h[0].At != want {
		t.Errorf("history %+v, want at %v", h, want)
	}
	// Before 1970 and far ahead.
	for _, exp := range []time.Time{time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 1_000_000, time.UTC)} {
		nonce := exp.String()
		if err := s.PutChallenge(ctx, nonce, exp); err != nil {
			t.Fatal(err)
		}
		if got, err := s.TakeChallenge(ctx, nonce); err != nil || got != exp {
			t.Errorf("%v came back as %v, %v", exp, got, err)
		}
	}
}

func reopen(t *testing.T, db DB) {
	ctx := t.Context()
	id := approve(t, db.Store, 1)
	if err := db.Store.InsertConfirmation(ctx, confirmation(id, 1)); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		s, err := store.Open(db.URL)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if c, err := s.CitizenByID(ctx, id); err != nil || c.LoginID != "user1" {
			t.Errorf("open %d: citizen %+v, %v", i+1, c, err)
		}
		if n, err := s.CountConfirmations(ctx); err != nil || n != 1 {
			t.Errorf("open %d: %d confirmations, %v", i+1, n, err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
	// Both stores were open on one database at once: the first still works.
	if _, err := db.Store.CitizenByID(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func ping(t *testing.T, db DB) {
	ctx := t.Context()
	if err := db.Store.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Store.Ping(ctx); err == nil {
		t.Fatal("a closed store answered")
	}
}

// killedMidWrite runs a helper process that writes confirmations as fast as
// it can and says which it got acknowledged, kills it with SIGKILL while it
// writes, and opens the store again: every acknowledged confirmation is there,
// at most the one in flight besides, and the store takes new ones.
func killedMidWrite(t *testing.T, db DB) {
	ctx := t.Context()
	id := approve(t, db.Store, 1)
	var pattern []string
	for part := range strings.SplitSeq(t.Name(), "/") {
		pattern = append(pattern, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(pattern, "/"), "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+db.URL, childCitizenEnv+"="+strconv.FormatInt(id, 10))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	lines := bufio.NewScanner(out)
	killed := false
	kill := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() }) // a stuck child
	for lines.Scan() {
		if number, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			acked[number] = true
		}
		if len(acked) == 30 && !killed {
			cmd.Process.Kill() // SIGKILL; the lines already written are still read
			killed = true
		}
	}
	kill.Stop()
	cmd.Wait()
	if !killed {
		t.Fatalf("the helper stopped after %d acknowledged writes without being killed", len(acked))
	}
	s, err := store.Open(db.URL)
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer s.Close()
	for number := range acked {
		if _, err := s.ConfirmationByNumber(ctx, number); err != nil {
			t.Errorf("acknowledged confirmation %s: %v", number, err)
		}
	}
	n, err := s.CountConfirmations(ctx)
	if err != nil || n < len(acked) || n > len(acked)+1 {
		t.Errorf("%d confirmations stored (%v), %d acknowledged", n, err, len(acked))
	}
	if err := s.InsertConfirmation(ctx, confirmation(id, 1_000_000)); err != nil {
		t.Errorf("a write after the kill: %v", err)
	}
}

// killedMidWriteChild is the helper process of killedMidWrite.
func killedMidWriteChild(t *testing.T, dbURL string) {
	id, err := strconv.ParseInt(os.Getenv(childCitizenEnv), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute) // in case nobody kills us
	for i := 0; time.Now().Before(deadline); i++ {
		c := confirmation(id, i)
		if err := s.InsertConfirmation(ctx, c); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %s\n", c.IssueNumber)
	}
}
