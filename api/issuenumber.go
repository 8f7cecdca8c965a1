package api

import (
	"crypto/rand"
	"errors"
	"io"
	"strings"
)

// An issue number (발급번호) is 16 digits read aloud in groups of four,
// "1234-5678-9012-3456": 15 random digits and a Damm check digit, which catches
// every single wrong digit and every swap of two neighbouring digits, so a
// mistyped number is refused before it reaches the server.

// IssueNumberDigits is the number of digits, check digit included.
const IssueNumberDigits = 16

// ErrIssueNumber is returned for a malformed issue number or a failed check digit.
var ErrIssueNumber = errors.New("issue number must be 16 digits (1234-5678-9012-3456) and its check digit must match")

// dammTable is the totally anti-symmetric quasigroup of order 10 from H. M. Damm's
// 2004 thesis, as used by every Damm implementation.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

func damm(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}

// NewIssueNumber draws a fresh issue number from rand (crypto/rand.Reader when nil).
func NewIssueNumber(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [IssueNumberDigits - 1]byte
	digits := make([]byte, 0, IssueNumberDigits)
	for len(digits) < IssueNumberDigits-1 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", err
		}
		for _, x := range b {
			// Rejection sampling keeps the digits uniform: 250 = 25*10.
			if x < 250 && len(digits) < IssueNumberDigits-1 {
				digits = append(digits, '0'+x%10)
			}
		}
	}
	digits = append(digits, '0'+damm(string(digits)))
	return FormatIssueNumber(string(digits)), nil
}

// FormatIssueNumber groups 16 digits as 4-4-4-4.
func FormatIssueNumber(digits string) string {
	if len(digits) != IssueNumberDigits {
		return digits
	}
	return digits[0:4] + "-" + digits[4:8] + "-" + digits[8:12] + "-" + digits[12:16]
}

// issueNumberSeparators are what a person may type between the digits.
var issueNumberSeparators = strings.NewReplacer("-", "", " ", "")

// ParseIssueNumber accepts an issue number with or without hyphens and spaces,
// checks its check digit and returns it in its grouped form.
func ParseIssueNumber(s string) (string, error) {
	s = issueNumberSeparators.Replace(strings.TrimSpace(s))
	if len(s) != IssueNumberDigits || !allDigits(s) || damm(s) != 0 {
		return "", ErrIssueNumber
	}
	return FormatIssueNumber(s), nil
}
