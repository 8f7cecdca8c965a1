package server_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/internal/testpki"
	_ "modernc.org/sqlite"
)

func (h *harness) record(rrn string) *approval.Record {
	h.t.Helper()
	r, err := h.srv.Lookup(context.Background(), rrn)
	if err != nil {
		h.t.Fatalf("lookup: %v", err)
	}
	return r
}

// TestApprovalEndsAtMidnightTwoCalendarYearsOn: approved at 14:00 Korean time
// on a day, valid through the day before the same date two years later.
func TestApprovalEndsAtMidnightTwoCalendarYearsOn(t *testing.T) {
	for _, years := range []int{2, 4} {
		h := newHarness(t, server.WithApprovalValidity(years))
		today := time.Now().In(api.KST)
		approvedAt := time.Date(today.Year(), today.Month(), today.Day(), 14, 0, 0, 0, api.KST)
		if approvedAt.After(time.Now()) {
			approvedAt = approvedAt.AddDate(0, 0, -1) // the certificates start a day ago
		}
		h.set(approvedAt)
		leaf := h.ca.Issue(t, "박철수", testpki.Options{NotAfter: time.Now().AddDate(5, 0, 0)})
		g := h.approve(leaf, "박철수", "700707-1234567")
		want := time.Date(approvedAt.Year()+years, approvedAt.Month(), approvedAt.Day(), 0, 0, 0, 0, api.KST)
		if !g.ExpiresAt.Equal(want) {
			t.Errorf("%d years: expires %s, want %s", years, g.ExpiresAt.In(api.KST), want)
		}
	}
}

// TestRenewalOnlyInTheThirtyDaysBeforeExpiry (R2): 31 days before expiry is
// too early, 30 days before is inside the window, and from the expiry instant
// on only a new in-person approval helps.
func TestRenewalOnlyInTheThirtyDaysBeforeExpiry(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name   string
		offset time.Duration // from the expiry
		want   error
	}{
		{"31 days before expiry is refused", -31 * day, &approval.RenewalTooEarlyError{}},
		{"30 days and a second before expiry is refused", -30*day - time.Second, &approval.RenewalTooEarlyError{}},
		{"exactly 30 days before expiry is allowed", -30 * day, nil},
		{"the last millisecond before expiry is allowed", -time.Millisecond, nil},
		{"at the expiry instant it is refused", 0, approval.ErrExpired},
		{"a day after expiry it is refused", day, approval.ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			rec := h.record(citizenRRN)
			h.set(rec.ExpiresAt.Add(tc.offset))
			after, err := h.srv.Renew(ctx, *h.clerk, rec.ID)
			var early *approval.RenewalTooEarlyError
			switch tc.want.(type) {
			case nil:
				if err != nil {
					t.Fatalf("renewal refused: %v", err)
				}
				if want := rec.ExpiresAt.In(api.KST).AddDate(2, 0, 0); !after.ExpiresAt.Equal(want) {
					t.Fatalf("renewed until %s, want %s (two years from the old expiry)", after.ExpiresAt, want)
				}
				last := after.History[len(after.History)-1]
				if last.Action != approval.ActionRenew || last.Actor != h.clerk.Login || last.Office != h.clerk.Office {
					t.Fatalf("history ends with %+v", last)
				}
				// The old expiry has passed; the renewed approval still logs in.
				h.set(rec.ExpiresAt.Add(time.Hour))
				if _, err := client.New(h.url).Login(ctx, identity(h.citizen).SignCMS); err != nil {
					t.Fatalf("login after renewal: %v", err)
				}
			case *approval.RenewalTooEarlyError:
				if !errors.As(err, &early) || !early.Opens.Equal(rec.ExpiresAt.Add(-30*day)) {
					t.Fatalf("got %v, want a refusal naming %s", err, rec.ExpiresAt.Add(-30*day))
				}
			default:
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			}
			if tc.want != nil && h.record(citizenRRN).ExpiresAt != rec.ExpiresAt {
				t.Fatal("a refused renewal changed the expiry")
			}
		})
	}
}

// TestLoginAtTheExpiryInstantIsRefused: R1 holds to the millisecond.
func TestLoginAtTheExpiryInstantIsRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rec := h.record(citizenRRN)
	h.set(rec.ExpiresAt.Add(-time.Millisecond))
	c := client.New(h.url)
	if _, err := c.Login(ctx, identity(h.citizen).SignCMS); err != nil {
		t.Fatalf("a millisecond before expiry: %v", err)
	}
	h.set(rec.ExpiresAt)
	_, err := client.New(h.url).Login(ctx, identity(h.citizen).SignCMS)
	wantCode(t, err, api.CodeApprovalExpired)
	// The session opened before expiry stops working too.
	_, err = c.RequestCode(ctx)
	wantCode(t, err, api.CodeApprovalExpired)
}

// TestRevocationEndsTheCitizensSessionsAtOnce: a logged-in, verified citizen
// is revoked; their session dies, and a new login says why.
func TestRevocationEndsTheCitizensSessionsAtOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.loggedIn(h.citizen)
	id := h.record(citizenRRN).ID

	var inv *approval.InvalidError
	if err := h.srv.Revoke(ctx, *h.clerk, id, "  "); !errors.As(err, &inv) {
		t.Fatalf("revocation without a reason: %v", err)
	}
	if err := h.srv.Revoke(ctx, *h.clerk, id, "본인 요청 (인증서 분실)"); err != nil {
		t.Fatal(err)
	}
	conf := draft()
	_, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
	wantCode(t, err, api.CodeUnauthenticated)
	if h.count() != 0 {
		t.Fatal("a revoked citizen's session issued a confirmation")
	}
	_, err = client.New(h.url).Login(ctx, identity(h.citizen).SignCMS)
	wantCode(t, err, api.CodeApprovalRevoked)
	if err := h.srv.Revoke(ctx, *h.clerk, id, "again"); !errors.Is(err, approval.ErrRevoked) {
		t.Fatalf("second revocation: %v", err)
	}
	if _, err := h.srv.Renew(ctx, *h.clerk, id); !errors.Is(err, approval.ErrRevoked) {
		t.Fatalf("renewal of a revoked approval: %v", err)
	}
	rec := h.record(citizenRRN)
	if rec.Status(h.clock()) != approval.StatusRevoked || rec.RevokeReason != "본인 요청 (인증서 분실)" {
		t.Fatalf("record after revocation: %+v", rec)
	}

	// A new in-person approval replaces the revoked one and keeps the history.
	g := h.approve(h.citizen, citizenName, citizenRRN)
	if !g.Reapproval || g.ID != id || g.InitialPassword == "" {
		t.Fatalf("re-approval: %+v", g)
	}
	if _, err := client.New(h.url).Login(ctx, identity(h.citizen).SignCMS); err != nil {
		t.Fatalf("login after re-approval: %v", err)
	}
	var actions []string
	for _, e := range h.record(citizenRRN).History {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "approve,revoke,reapprove" {
		t.Fatalf("history %v", actions)
	}
}

// TestMinorsNeedTheirRepresentativesConsent (R4): under 19 on the clock's
// date, exactly to the start of the 19th birthday in Korea.
func TestMinorsNeedTheirRepresentativesConsent(t *testing.T) {
	today := time.Now().In(api.KST)
	birthday := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, api.KST) // midnight today, Korean time
	rrn := rrnBornOn(birthday.AddDate(-19, 0, 0))
	consent := &approval.ConsentRequest{Kind: approval.ConsentLegalRepresentative, Name: "이엄마", Relation: "모",
		RRN: "780303-2345678", Document: "가족관계증명서 (발급번호 1234-5678-9012)"}
	tests := []struct {
		name    string
		at      time.Time
		consent *approval.ConsentRequest
		want    error
	}{
		{"a minor without consent is refused", birthday.Add(-time.Nanosecond), nil, approval.ErrConsentRequired},
		{"a minor with the representative's consent is approved", birthday.Add(-time.Nanosecond), consent, nil},
		{"on the 19th birthday no consent is needed", birthday, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.set(tc.at)
			leaf := h.ca.Issue(t, "이민준", testpki.Options{})
			a := h.approval(leaf, "이민준", rrn)
			a.Consent = tc.consent
			g, err := h.srv.Approve(context.Background(), a)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil {
				return
			}
			login, e := h.raw().certLogin(leaf, "", nil)
			if e != nil {
				t.Fatal(e)
			}
			got := login.GuardianConsent
			if tc.consent == nil {
				if got != nil {
					t.Fatalf("an adult's login shows a consent: %+v", got)
				}
				return
			}
			if got == nil || got.Name != "이엄마" || got.Relation != "모" || got.MaskedRRN != "780303-2******" ||
				got.Kind != approval.ConsentLegalRepresentative || !strings.Contains(got.Document, "가족관계증명서") {
				t.Fatalf("login shows consent %+v", got)
			}
			if rec, _ := h.srv.LookupID(context.Background(), g.ID); rec.Consent == nil || !rec.Minor {
				t.Fatalf("record %+v", rec)
			}
		})
	}
}

// TestLimitedGuardianshipNeedsTheLimitedGuardiansConsent (R4).
func TestLimitedGuardianshipNeedsTheLimitedGuardiansConsent(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	leaf := h.ca.Issue(t, "최영수", testpki.Options{})
	a := h.approval(leaf, "최영수", "600606-1234561")
	a.LimitedGuardianship = true
	if _, err := h.srv.Approve(ctx, a); !errors.Is(err, approval.ErrConsentRequired) {
		t.Fatalf("without consent: %v", err)
	}
	a.Consent = &approval.ConsentRequest{Kind: approval.ConsentLegalRepresentative, Name: "최후견", Relation: "후견인", RRN: "650505-1234567", Document: "후견등기사항증명서"}
	if _, err := h.srv.Approve(ctx, a); !errors.Is(err, approval.ErrConsentRequired) {
		t.Fatalf("with a consent of the wrong kind: %v", err)
	}
	a.Consent.Kind = approval.ConsentLimitedGuardian
	if _, err := h.srv.Approve(ctx, a); err != nil {
		t.Fatal(err)
	}
	// An adult not under guardianship gets no consent recorded.
	b := h.approval(h.ca.Issue(t, "정하늘", testpki.Options{}), "정하늘", "800808-2345671")
	b.Consent = a.Consent
	var inv *approval.InvalidError
	if _, err := h.srv.Approve(ctx, b); !errors.As(err, &inv) || inv.Fields[0].Field != "consent.kind" {
		t.Fatalf("consent for an adult: %v", err)
	}
}

// TestApprovalRefusals: what a clerk cannot record.
func TestApprovalRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	stranger := testpki.NewCA(t, "rogue CA").Issue(t, "김민서", testpki.Options{})
	tests := []struct {
		name  string
		edit  func(a *server.Approval)
		want  error
		field string
	}{
		{"an impossible birth date", func(a *server.Approval) { a.RRN = "901301-1234567" }, &approval.InvalidError{}, "rrn"},
		{"a number of 12 digits", func(a *server.Approval) { a.RRN = "900101-123456" }, &approval.InvalidError{}, "rrn"},
		{"a citizen already approved", func(a *server.Approval) { a.RRN = citizenRRN }, approval.ErrAlreadyApproved, ""},
		{"a certificate registered to another citizen", func(a *server.Approval) { a.Certificate = h.citizen.Cert }, approval.ErrCertificateTaken, ""},
		{"a certificate of an unknown CA", func(a *server.Approval) { a.Certificate = stranger.Cert }, &approval.InvalidError{}, "certificate"},
		{"no identity method", func(a *server.Approval) { a.IdentityMethod = "" }, &approval.InvalidError{}, "identity_method"},
		{"a security token without its certificate", func(a *server.Approval) { a.IdentityMethod = server.MethodToken; a.Certificate = nil }, &approval.InvalidError{}, "token_certificate"},
		{"text to a landline that cannot take it", func(a *server.Approval) {
			a.IdentityMethod, a.Channel, a.Phone = server.MethodLandline, approval.ChannelSMS, "02-123-4567"
		}, &approval.InvalidError{}, "channel"},
		{"a phone number that is not one", func(a *server.Approval) { a.Phone = "call me" }, &approval.InvalidError{}, "phone"},
		{"a login ID that is taken", func(a *server.Approval) { a.LoginID = "taken1" }, approval.ErrLoginIDTaken, ""},
	}
	first := h.approval(h.ca.Issue(t, "한가람", testpki.Options{}), "한가람", "850505-1234560")
	first.LoginID = "taken1"
	if _, err := h.srv.Approve(ctx, first); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := h.approval(h.ca.Issue(t, "박철수", testpki.Options{}), "박철수", "700707-1234567")
			tc.edit(&a)
			_, err := h.srv.Approve(ctx, a)
			var inv *approval.InvalidError
			if _, want := tc.want.(*approval.InvalidError); want {
				if !errors.As(err, &inv) || inv.Fields[0].Field != tc.field {
					t.Fatalf("got %v, want the field %s refused", err, tc.field)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if _, err := h.srv.CitizenID(ctx, "700707-1234567"); !errors.Is(err, approval.ErrNotFound) {
				t.Fatal("a refused approval was stored")
			}
		})
	}
}

// TestAnOldCheckDigitMismatchIsOnlyAWarning: numbers issued since October
// 2020 have no check digit.
func TestAnOldCheckDigitMismatchIsOnlyAWarning(t *testing.T) {
	h := newHarness(t)
	g := h.approve(h.ca.Issue(t, "강바다", testpki.Options{}), "강바다", "010101-4000001")
	if api.RRN("0101014000001").ChecksumOK() || len(g.Warnings) != 1 || !strings.Contains(g.Warnings[0], "검증번호") {
		t.Fatalf("warnings %q", g.Warnings)
	}
	rec := h.record("0101014000001")
	if rec.MaskedRRN != "010101-4******" || rec.Phone != "010-****-3333" || rec.Office != h.clerk.Office {
		t.Fatalf("record %+v", rec)
	}
}

// TestApprovalHistoryIsAppendOnly: every change adds a row, and the database
// itself refuses to change or remove one, whoever asks.
func TestApprovalHistoryIsAppendOnly(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	id := h.record(citizenRRN).ID
	if _, err := h.srv.ResetPassword(ctx, *h.clerk, id); err != nil {
		t.Fatal(err)
	}
	h.set(h.record(citizenRRN).ExpiresAt.Add(-10 * 24 * time.Hour))
	if _, err := h.srv.Renew(ctx, *h.clerk, id); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.Revoke(ctx, *h.clerk, id, "사망"); err != nil {
		t.Fatal(err)
	}
	rec := h.record(citizenRRN)
	var actions []string
	for _, e := range rec.History {
		actions = append(actions, e.Action)
		if e.Actor != h.clerk.Login || e.At.IsZero() {
			t.Errorf("history row without who or when: %+v", e)
		}
	}
	if strings.Join(actions, ",") != "approve,password_reset,renew,revoke" {
		t.Fatalf("history %v", actions)
	}

	db, err := sql.Open("sqlite", "file:"+h.dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`UPDATE approval_history SET actor = 'someone else'`,
		`UPDATE approval_history SET detail = '{}' WHERE action = 'revoke'`,
		`DELETE FROM approval_history`,
		`DELETE FROM approval_history WHERE action = 'renew'`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want it refused", q, err)
		}
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM approval_history`).Scan(&n)
	if n != 4 {
		t.Fatalf("%d history rows after the attempts, want 4", n)
	}
}
