package api_test

import (
	"errors"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/api"
)

var issueNumberForm = regexp.MustCompile(`^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}$`)

// seeded is a reproducible stream of random bytes (ChaCha8 is an io.Reader).
func seeded(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// issueNumbers draws n issue numbers from a seeded stream.
func issueNumbers(t testing.TB, n int, seed byte) []string {
	t.Helper()
	r := seeded(seed)
	out := make([]string, n)
	for i := range out {
		s, err := api.NewIssueNumber(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out
}

func TestNewIssueNumberIsGroupedAndParses(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
	}{
		{"crypto/rand (nil reader)", nil},
		{"a seeded reader", seeded(1)},
	} {
		t.Run("a number from "+tc.name+" has the 4-4-4-4 form and parses to itself", func(t *testing.T) {
			for range 200 {
				n, err := api.NewIssueNumber(tc.r)
				if err != nil {
					t.Fatal(err)
				}
				if !issueNumberForm.MatchString(n) {
					t.Fatalf("NewIssueNumber = %q, want 4-4-4-4 digits", n)
				}
				got, err := api.ParseIssueNumber(n)
				if err != nil || got != n {
					t.Fatalf("ParseIssueNumber(%q) = %q, %v; want it unchanged", n, got, err)
				}
			}
		})
	}
}

func TestNewIssueNumberDrawsFreshNumbers(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range issueNumbers(t, 2000, 2) {
		if seen[n] {
			t.Fatalf("%s drawn twice in 2,000 draws", n)
		}
		seen[n] = true
	}
}

// scripted returns its bytes in order, in reads of at most chunk bytes, and then
// io.EOF.
type scripted struct {
	b     []byte
	chunk int
	reads int
}

func (s *scripted) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	s.reads++
	n := min(len(p), s.chunk, len(s.b))
	copy(p, s.b[:n])
	s.b = s.b[n:]
	return n, nil
}

func TestNewIssueNumberRejectsBytesFrom250Up(t *testing.T) {
	// 250..255 would make digits 0..5 more likely than 6..9; they must be
	// skipped, not folded in. Three full reads of them come first, then bytes
	// whose digits are known.
	var b []byte
	for i := range 45 {
		b = append(b, byte(250+i%6))
	}
	good := []byte{10, 21, 32, 43, 54, 65, 76, 87, 98, 109, 249, 0, 251, 1, 255, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	b = append(b, good...)
	for _, chunk := range []int{1, 7, 100} {
		r := &scripted{b: append([]byte(nil), b...), chunk: chunk}
		got, err := api.NewIssueNumber(r)
		if err != nil {
			t.Fatalf("reads of %d bytes: %v", chunk, err)
		}
		// Digits: 0 1 2 3 4 5 6 7 8 9 9 0 (251 skipped) 1 (255 skipped) 2 3, then the check digit.
		const want = "0123-4567-8990-123"
		if !strings.HasPrefix(got, want) {
			t.Errorf("reads of %d bytes: NewIssueNumber = %q, want %s and a check digit", chunk, got, want)
		}
		if _, err := api.ParseIssueNumber(got); err != nil {
			t.Errorf("reads of %d bytes: %q does not parse: %v", chunk, got, err)
		}
	}
}

func TestNewIssueNumberReportsAFailingReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
	}{
		{"an empty reader", &scripted{}},
		{"a reader of only rejected bytes", &scripted{b: []byte(strings.Repeat("\xff", 100)), chunk: 15}},
		{"a reader that runs out", &scripted{b: []byte{1, 2, 3, 4, 5}, chunk: 15}},
		{"a reader that fails", errReader{}},
	} {
		t.Run(tc.name+" gives an error", func(t *testing.T) {
			if got, err := api.NewIssueNumber(tc.r); err == nil {
				t.Errorf("NewIssueNumber = %q, want an error", got)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("entropy source broken") }

func TestParseIssueNumberAccepts(t *testing.T) {
	// Check digits computed by hand with the Damm table (H. M. Damm 2004).
	for _, tc := range []struct{ name, in, want string }{
		{"the grouped form", "1234-5678-9012-3450", "1234-5678-9012-3450"},
		{"the 16 digits alone", "1234567890123450", "1234-5678-9012-3450"},
		{"the number with spaces between groups", "1234 5678 9012 3450", "1234-5678-9012-3450"},
		{"a number with surrounding spaces", "  1234-5678-9012-3450\t", "1234-5678-9012-3450"},
		{"all zeros", "0000-0000-0000-0000", "0000-0000-0000-0000"},
		{"all nines", "9999-9999-9999-9990", "9999-9999-9999-9990"},
		{"the digits of pi", "3141-5926-5358-9795", "3141-5926-5358-9795"},
		{"a leading zero", "0123456789012345", "0123-4567-8901-2345"},
	} {
		t.Run(tc.name+" is accepted", func(t *testing.T) {
			got, err := api.ParseIssueNumber(tc.in)
			if err != nil {
				t.Fatalf("ParseIssueNumber(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseIssueNumber(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseIssueNumberRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"a wrong check digit", "1234-5678-9012-3451"},
		{"a number of 15 digits", "1234-5678-9012-345"},
		{"a number of 17 digits", "1234-5678-9012-3450-0"},
		{"an empty string", ""},
		{"a letter", "1234-5678-9012-345X"},
		{"a letter O for a zero", "1234-5678-9O12-3450"},
		{"a number in full-width digits", "１２３４-５６７８-９０１２-３４５０"},
		{"a path", "../../etc"},
		{"a path with valid digits", "../1234567890123450"},
		{"a slash", "1234/5678/9012/3450"},
		{"a dot", "1234.5678.9012.3450"},
		{"a sign", "+1234-5678-9012-3450"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if got, err := api.ParseIssueNumber(tc.in); !errors.Is(err, api.ErrIssueNumber) {
				t.Errorf("ParseIssueNumber(%q) = %q, %v; want ErrIssueNumber", tc.in, got, err)
			}
		})
	}
}

func TestFormatIssueNumberGroupsOnly16Digits(t *testing.T) {
	for in, want := range map[string]string{
		"1234567890123450": "1234-5678-9012-3450",
		"123":              "123",
		"":                 "",
	} {
		if got := api.FormatIssueNumber(in); got != want {
			t.Errorf("FormatIssueNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIssueNumberCatchesEverySingleDigitError substitutes every digit of 2,000
// drawn numbers with each of the nine other digits: all 288,000 typos must be
// refused.
func TestIssueNumberCatchesEverySingleDigitError(t *testing.T) {
	tried := 0
	for _, n := range issueNumbers(t, 2000, 3) {
		digits := []byte(strings.ReplaceAll(n, "-", ""))
		for i := range digits {
			orig := digits[i]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				digits[i] = d
				if got, err := api.ParseIssueNumber(string(digits)); err == nil {
					t.Fatalf("%s with digit %d changed to %c was accepted as %s", n, i+1, d, got)
				}
				tried++
			}
			digits[i] = orig
		}
	}
	if tried != 2000*16*9 {
		t.Fatalf("tried %d substitutions, want %d", tried, 2000*16*9)
	}
}

// TestIssueNumberCatchesEveryNeighbourSwap swaps every pair of neighbouring,
// different digits of 2,000 drawn numbers, the check digit included.
func TestIssueNumberCatchesEveryNeighbourSwap(t *testing.T) {
	tried := 0
	for _, n := range issueNumbers(t, 2000, 4) {
		digits := []byte(strings.ReplaceAll(n, "-", ""))
		for i := 0; i+1 < len(digits); i++ {
			if digits[i] == digits[i+1] {
				continue
			}
			digits[i], digits[i+1] = digits[i+1], digits[i]
			if got, err := api.ParseIssueNumber(string(digits)); err == nil {
				t.Fatalf("%s with digits %d and %d swapped was accepted as %s", n, i+1, i+2, got)
			}
			// Also as typed with the hyphens, where a swap can cross a group.
			if got, err := api.ParseIssueNumber(api.FormatIssueNumber(string(digits))); err == nil {
				t.Fatalf("%s with digits %d and %d swapped was accepted as %s", n, i+1, i+2, got)
			}
			digits[i], digits[i+1] = digits[i+1], digits[i]
			tried++
		}
	}
	// 15 neighbour pairs, 9 in 10 of them different: about 27,000.
	if tried < 25000 {
		t.Fatalf("only %d swaps tried", tried)
	}
}
