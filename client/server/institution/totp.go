package institution

import (
	"crypto/subtle"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 with the values every authenticator app reads
// from an otpauth:// URI by default (HMAC-SHA-1, 30-second steps, 6 digits).
const (
	TOTPPeriod = 30 // seconds, RFC 6238 section 4.1 (X)
	TOTPDigits = 6
	// TOTPSkew is how many steps before and after the current one are
	// accepted, for a phone whose clock is a little off (RFC 6238 section 5.2).
	TOTPSkew = 1
	// totpSecretSize is 160 bits, as RFC 4226 section 4 (R6) recommends.
	totpSecretSize = 20
)

// NewTOTP draws a TOTP secret from r for an account and returns it as an
// otpauth:// URI (for a QR code) and in base32 (to type in).
func NewTOTP(issuer, account string, r io.Reader) (uri, secret string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod,
		SecretSize: totpSecretSize, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: r})
	if err != nil {
		return "", "", fmt.Errorf("institution: totp: %w", err)
	}
	return key.URL(), key.Secret(), nil
}

// TOTPStep is the time step t falls in (RFC 6238 section 4.2, T).
func TOTPStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// TOTPCode is the code of a step, as an authenticator app shows it.
func TOTPCode(secret string, step int64) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// CheckTOTP finds the step, within TOTPSkew of now's, whose code is code
// (spaces ignored). Whether that step may still be used is the caller's to
// decide: RFC 6238 section 5.2 says a code is accepted once, so only a step
// after the last accepted one passes.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	// Every candidate is computed and compared, a match or not, so the
	// time taken does not say which one matched.
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		want, err := TOTPCode(secret, s)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}
