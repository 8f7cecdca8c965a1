package institution

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238 Appendix B, "12345678901234567890",
// in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// TestCodesAreThoseOfRFC6238: the test vectors of RFC 6238 Appendix B (SHA-1),
// whose 8-digit values end in our 6 digits.
func TestCodesAreThoseOfRFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},         // 94287082
		{1111111109, "081804"}, // 07081804
		{1111111111, "050471"}, // 14050471
		{1234567890, "005924"}, // 89005924
		{2000000000, "279037"}, // 69279037
	} {
		got, err := TOTPCode(rfcSecret, TOTPStep(time.Unix(tc.unix, 0)))
		if err != nil || got != tc.want {
			t.Errorf("T=%d: %q, %v; want %s", tc.unix, got, err, tc.want)
		}
	}
}

func TestCheckTOTPAcceptsOneStepEitherSideAndNoMore(t *testing.T) {
	now := time.Unix(1111111111, 0)
	cur := TOTPStep(now)
	for _, tc := range []struct {
		name   string
		offset int64
		ok     bool
	}{
		{"the current step's code", 0, true},
		{"the previous step's code (a slow typist)", -1, true},
		{"the next step's code (a phone clock ahead)", 1, true},
		{"a code two steps old", -2, false},
		{"a code two steps ahead", 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _ := TOTPCode(rfcSecret, cur+tc.offset)
			step, ok := CheckTOTP(rfcSecret, code, now)
			if ok != tc.ok || ok && step != cur+tc.offset {
				t.Fatalf("CheckTOTP = %d, %v", step, ok)
			}
		})
	}
	code, _ := TOTPCode(rfcSecret, cur)
	if _, ok := CheckTOTP(rfcSecret, code[:3]+" "+code[3:], now); !ok {
		t.Error("a code typed as two groups of three is refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := CheckTOTP(rfcSecret, bad, now); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNewTOTPMakesAnURIAuthenticatorsRead(t *testing.T) {
	uri, secret, err := NewTOTP("bonsign", "kim.nps", bytes.NewReader(bytes.Repeat([]byte{7}, 20)))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/bonsign:kim.nps" {
		t.Fatalf("uri %q", uri)
	}
	q := u.Query()
	if q.Get("secret") != secret || q.Get("issuer") != "bonsign" || q.Get("digits") != "6" || q.Get("period") != "30" ||
		q.Get("algorithm") != "SHA1" {
		t.Fatalf("uri %q", uri)
	}
	if len(secret) != 32 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("secret %q is not 160 bits of base32", secret)
	}
	now := time.Now()
	code, _ := TOTPCode(secret, TOTPStep(now))
	if _, ok := CheckTOTP(secret, code, now); !ok {
		t.Fatal("the secret's own code is refused")
	}
}
