package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// RRN is a resident registration number (주민등록번호) in its 13-digit form
// without the hyphen. It is personal data: never log it, show it with Masked.
type RRN string

// Errors returned by ParseRRN.
var (
	ErrRRNForm = errors.New("resident registration number must be 13 digits (YYMMDD-SBBBBBB)")
	ErrRRNDate = errors.New("resident registration number has an impossible birth date")
)

// ParseRRN accepts "YYMMDD-SBBBBBB" or the 13 digits alone, and checks the form,
// the birth date and the century/sex digit S. The old check digit is not checked:
// numbers issued since 2020-10-05 have none (see ChecksumOK).
func ParseRRN(s string) (RRN, error) {
	s = strings.TrimSpace(s)
	if len(s) == 14 && s[6] == '-' {
		s = s[:6] + s[7:]
	}
	if len(s) != 13 || !allDigits(s) {
		return "", ErrRRNForm
	}
	r := RRN(s)
	if _, err := r.BirthDate(); err != nil {
		return "", err
	}
	return r, nil
}

// century maps the 7th digit to the century of birth (1-4 Korean citizens,
// 5-8 foreign residents, 9 and 0 born in the 1800s). Every digit has one.
func (r RRN) century() int {
	switch r[6] {
	case '1', '2', '5', '6':
		return 1900
	case '3', '4', '7', '8':
		return 2000
	}
	return 1800
}

// BirthDate is the date of birth the number encodes, at midnight in Korea.
func (r RRN) BirthDate() (time.Time, error) {
	if len(r) != 13 || !allDigits(string(r)) {
		return time.Time{}, ErrRRNForm
	}
	y := r.century() + int(r[0]-'0')*10 + int(r[1]-'0')
	m := time.Month(int(r[2]-'0')*10 + int(r[3]-'0'))
	d := int(r[4]-'0')*10 + int(r[5]-'0')
	t := time.Date(y, m, d, 0, 0, 0, 0, KST)
	if t.Year() != y || t.Month() != m || t.Day() != d {
		return time.Time{}, ErrRRNDate
	}
	return t, nil
}

// ChecksumOK reports whether the old check digit (weights 2..9,2..5, mod 11)
// holds. A mismatch is only a warning: newer and foreign numbers often fail it.
func (r RRN) ChecksumOK() bool {
	if len(r) != 13 {
		return false
	}
	weights := [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}
	sum := 0
	for i, w := range weights {
		sum += int(r[i]-'0') * w
	}
	return (11-sum%11)%10 == int(r[12]-'0')
}

// Masked is the form shown to people: "900101-1******".
func (r RRN) Masked() string {
	if len(r) != 13 {
		return "******-*******"
	}
	return string(r[:6]) + "-" + string(r[6]) + "******"
}

// Formatted is the full number with its hyphen, for the confirmation itself only.
func (r RRN) Formatted() string {
	if len(r) != 13 {
		return string(r)
	}
	return string(r[:6]) + "-" + string(r[6:])
}

// String masks, so that a number printed by mistake does not leak.
func (r RRN) String() string { return r.Masked() }

// GoString masks too (fmt's %#v).
func (r RRN) GoString() string { return r.Masked() }

// Format masks for every fmt verb: without it, a wrong verb such as %d would
// print the whole number in fmt's "%!d(api.RRN=...)" complaint.
func (r RRN) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			io.WriteString(f, r.GoString())
			return
		}
		fallthrough
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), r.Masked())
	default:
		fmt.Fprintf(f, "%%!%c(api.RRN=%s)", verb, r.Masked())
	}
}

// LogValue masks in structured logs: slog's JSON handler would otherwise
// marshal the underlying string.
func (r RRN) LogValue() slog.Value { return slog.StringValue(r.Masked()) }

// KST is Korea Standard Time (UTC+9, no daylight saving), the zone of every date
// the procedure speaks of.
var KST = time.FixedZone("KST", 9*60*60)

// ErrBRN is returned by ParseBRN.
var ErrBRN = errors.New("business registration number must be 10 digits (XXX-XX-XXXXX) with a valid check digit")

// ParseBRN accepts a business registration number (사업자등록번호) "XXX-XX-XXXXX"
// or its 10 digits, and checks its check digit (National Tax Service algorithm:
// weights 1,3,7,1,3,7,1,3,5, plus the tens of 5 times the 9th digit).
func ParseBRN(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "-", "")
	if len(s) != 10 || !allDigits(s) {
		return "", ErrBRN
	}
	weights := [9]int{1, 3, 7, 1, 3, 7, 1, 3, 5}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	sum += int(s[8]-'0') * 5 / 10
	if (10-sum%10)%10 != int(s[9]-'0') {
		return "", ErrBRN
	}
	return fmt.Sprintf("%s-%s-%s", s[:3], s[3:5], s[5:]), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
