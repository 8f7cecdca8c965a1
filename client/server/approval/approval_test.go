package approval_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
)

func kst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, api.KST)
}

func TestExpiryIsMidnightInKoreaOnTheAnniversary(t *testing.T) {
	tests := []struct {
		name  string
		from  time.Time
		years int
		want  time.Time
	}{
		{"an afternoon approval", kst(2026, 11, 25, 14, 0), 2, kst(2028, 11, 25, 0, 0)},
		{"late evening UTC is the next day in Korea", time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), 2, kst(2028, 11, 26, 0, 0)},
		{"four years where an office uses four", kst(2026, 11, 25, 9, 0), 4, kst(2030, 11, 25, 0, 0)},
		{"from 29 February to 1 March of a common year", kst(2028, 2, 29, 10, 0), 2, kst(2030, 3, 1, 0, 0)},
		{"a renewal counts from the old expiry", kst(2028, 11, 25, 0, 0), 2, kst(2030, 11, 25, 0, 0)},
	}
	for _, tc := range tests {
		if got := approval.Expiry(tc.from, tc.years); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestRenewalWindowEdges(t *testing.T) {
	exp := kst(2028, 11, 25, 0, 0)
	day := 24 * time.Hour
	tests := []struct {
		name    string
		now     time.Time
		revoked time.Time
		want    error
		status  approval.Status
	}{
		{"31 days before", exp.Add(-31 * day), time.Time{}, &approval.RenewalTooEarlyError{}, approval.StatusValid},
		{"a nanosecond before the window", exp.Add(-30*day - 1), time.Time{}, &approval.RenewalTooEarlyError{}, approval.StatusValid},
		{"30 days before", exp.Add(-30 * day), time.Time{}, nil, approval.StatusRenewable},
		{"the last nanosecond", exp.Add(-1), time.Time{}, nil, approval.StatusRenewable},
		{"the expiry instant", exp, time.Time{}, approval.ErrExpired, approval.StatusExpired},
		{"after expiry", exp.Add(day), time.Time{}, approval.ErrExpired, approval.StatusExpired},
		{"revoked inside the window", exp.Add(-10 * day), exp.Add(-20 * day), approval.ErrRevoked, approval.StatusRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := approval.CheckRenewal(exp, tc.revoked, tc.now)
			var early *approval.RenewalTooEarlyError
			switch tc.want.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case *approval.RenewalTooEarlyError:
				if !errors.As(err, &early) || !early.Opens.Equal(kst(2028, 10, 26, 0, 0)) {
					t.Fatalf("got %v", err)
				}
			default:
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			}
			if got := approval.StatusAt(exp, tc.revoked, tc.now); got != tc.status {
				t.Fatalf("status %s, want %s", got, tc.status)
			}
		})
	}
}

func TestMinorUntilTheStartOfThe19thBirthday(t *testing.T) {
	tests := []struct {
		name  string
		rrn   api.RRN
		now   time.Time
		minor bool
	}{
		{"born 2007 (digit 3), the day before", "0711253123456", kst(2026, 11, 24, 23, 59), true},
		{"born 2007, on the 19th birthday at midnight", "0711253123456", kst(2026, 11, 25, 0, 0), false},
		{"born 2007, a nanosecond before midnight", "0711254123456", kst(2026, 11, 25, 0, 0).Add(-1), true},
		{"midnight in Korea is the afternoon before in UTC", "0711253123456", time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC), false},
		{"born 1907 (digit 1) is not 19 but 119", "0711251123456", kst(2026, 11, 24, 0, 0), false},
		{"born 1899 (digit 9)", "9912319123456", kst(2026, 1, 1, 0, 0), false},
		{"a foreign resident born 2010 (digit 7)", "1001017123456", kst(2026, 1, 1, 0, 0), true},
		{"born 29 February 2008: a minor on 28 February 2027", "0802294123456", kst(2027, 2, 28, 12, 0), true},
		{"born 29 February 2008: of age on 1 March 2027", "0802294123456", kst(2027, 3, 1, 0, 0), false},
	}
	for _, tc := range tests {
		got, err := approval.IsMinor(tc.rrn, tc.now)
		if err != nil || got != tc.minor {
			t.Errorf("%s: minor = %t, %v; want %t", tc.name, got, err, tc.minor)
		}
	}
}

func TestConsentRules(t *testing.T) {
	now := kst(2026, 11, 25, 12, 0)
	minor, adult := api.RRN("1001014123456"), api.RRN("8001012123456")
	rep := &approval.Consent{Kind: approval.ConsentLegalRepresentative}
	guardian := &approval.Consent{Kind: approval.ConsentLimitedGuardian}
	tests := []struct {
		name    string
		rrn     api.RRN
		limited bool
		c       *approval.Consent
		ok      bool
	}{
		{"a minor without consent", minor, false, nil, false},
		{"a minor with the legal representative's", minor, false, rep, true},
		{"a minor with a limited guardian's", minor, false, guardian, false},
		{"an adult", adult, false, nil, true},
		{"under limited guardianship without consent", adult, true, nil, false},
		{"under limited guardianship with the guardian's", adult, true, guardian, true},
		{"under limited guardianship with a representative's", adult, true, rep, false},
	}
	for _, tc := range tests {
		if err := approval.CheckConsent(tc.rrn, tc.limited, tc.c, now); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if err := approval.CheckNewConsent(adult, false, rep, now); err == nil {
		t.Error("a consent for an adult was accepted")
	}
	// Validation keeps only the masked number.
	c, err := (&approval.ConsentRequest{Kind: approval.ConsentLegalRepresentative, Name: " 이엄마 ", Relation: "모", RRN: "780303-2345678", Document: "가족관계증명서"}).
		Validate(approval.Clerk{Login: "k", Office: "o"}, now)
	if err != nil || c.MaskedRRN != "780303-2******" || c.Name != "이엄마" || c.Clerk != "k" {
		t.Fatalf("%+v %v", c, err)
	}
	var inv *approval.InvalidError
	if _, err := (&approval.ConsentRequest{Kind: "friend"}).Validate(approval.Clerk{}, now); !errors.As(err, &inv) || len(inv.Fields) != 5 {
		t.Fatalf("an empty consent: %v", err)
	}
}

func TestRequestNormalization(t *testing.T) {
	base := approval.Request{Name: " 홍길동 ", RRN: "900101-1234568", Address: "서울", Phone: "010-1234-5678",
		IdentityMethod: approval.MethodMobile, Office: "o", Clerk: "c"}
	n, rrn, warnings, err := base.Normalized()
	if err != nil || rrn != "9001011234568" || n.Name != "홍길동" || n.Channel != approval.ChannelSMS || len(warnings) != 0 {
		t.Fatalf("%+v %v %v %v", n, rrn, warnings, err)
	}
	landline := base
	landline.IdentityMethod, landline.Phone = approval.MethodLandline, "02-123-4567"
	if n, _, _, err := landline.Normalized(); err != nil || n.Channel != approval.ChannelVoice {
		t.Fatalf("landline: %+v %v", n, err)
	}
	odd := base
	odd.RRN = "900101-1234567" // the old check digit fails
	if _, _, warnings, err := odd.Normalized(); err != nil || len(warnings) != 1 {
		t.Fatalf("check digit: %v %v", warnings, err)
	}
	for _, id := range []string{"ab", "1abc", "Abcd", "abc d", "abcdefghijabcdefghijabcdefghijabc"} {
		if approval.ValidLoginID(id) {
			t.Errorf("login ID %q accepted", id)
		}
	}
	for _, id := range []string{"hong", "kim.minseo-01", "bs12345678"} {
		if !approval.ValidLoginID(id) {
			t.Errorf("login ID %q refused", id)
		}
	}
}
