package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/api"
)

// FuzzCanonicalizeJSON: CanonicalizeJSON never panics, and what it accepts is
// one JSON document whose canonical form is valid JSON, means the same (numbers
// compared exactly, not as float64) and is its own canonical form.
//
//	go test ./api -run XXX -fuzz FuzzCanonicalizeJSON -fuzztime 60s
func FuzzCanonicalizeJSON(f *testing.F) {
	for _, tc := range canonicalCases {
		f.Add([]byte(tc.in))
	}
	for _, s := range []string{
		confirmationJSONOrderA, confirmationJSONOrderB,
		`1.5`, `1e2`, `-0`, `{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", `[[[[]]]]`, `{} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := api.CanonicalizeJSON(in)
		if err != nil {
			return
		}
		if !json.Valid(in) {
			t.Fatalf("accepted %q, which is not one JSON document, as %q", in, out)
		}
		if !json.Valid(out) {
			t.Fatalf("CanonicalizeJSON(%q) = %q, not valid JSON", in, out)
		}
		again, err := api.CanonicalizeJSON(out)
		if err != nil {
			t.Fatalf("CanonicalizeJSON(%q) = %q, which it then refuses: %v", in, out, err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		if err := sameJSON(decodeNumbers(t, in), decodeNumbers(t, out)); err != nil {
			t.Fatalf("CanonicalizeJSON(%q) = %q, which means something else: %v", in, out, err)
		}
	})
}

func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}

// sameJSON compares two decoded JSON values, numbers by their exact value.
func sameJSON(a, b any) error {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("object %v became %v", a, b)
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return fmt.Errorf("member %q lost", k)
			}
			if err := sameJSON(v, w); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
		}
		return nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("array %v became %v", a, b)
		}
		for i := range x {
			if err := sameJSON(x[i], y[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return fmt.Errorf("number %v became %v", a, b)
		}
		if !sameNumber(string(x), string(y)) {
			return fmt.Errorf("number %s became %s", x, y)
		}
		return nil
	default: // string, bool, nil
		if a != b {
			return fmt.Errorf("%#v became %#v", a, b)
		}
		return nil
	}
}

// sameNumber reports whether two JSON numbers have exactly the same value.
func sameNumber(a, b string) bool {
	ra, oka := exactNumber(a)
	rb, okb := exactNumber(b)
	return oka && okb && ra.Cmp(rb) == 0
}

// exactNumber is the exact value of a JSON number. An exponent of more than
// four digits would make big.Rat work for minutes; such a number is either
// zero or nothing an integer-only canonical form may accept.
func exactNumber(s string) (*big.Rat, bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp := strings.TrimLeft(strings.TrimLeft(s[i+1:], "+-"), "0")
		if len(exp) > 4 {
			if strings.Trim(s[:i], "-0.") == "" {
				return new(big.Rat), true
			}
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

// FuzzParseIssueNumber: ParseIssueNumber never panics, and what it accepts is
// the same digits, grouped, and parses to itself.
//
//	go test ./api -run XXX -fuzz FuzzParseIssueNumber -fuzztime 60s
func FuzzParseIssueNumber(f *testing.F) {
	for _, s := range []string{
		"1234-5678-9012-3450", "1234567890123450", "1234 5678 9012 3450",
		"0000-0000-0000-0000", "1234-5678-9012-3451", "../../etc", "1234-5678-9012-345X",
		"１２３４-５６７８-９０１２-３４５０", " 9999-9999-9999-9990 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := api.ParseIssueNumber(s)
		if err != nil {
			return
		}
		if !issueNumberForm.MatchString(out) {
			t.Fatalf("ParseIssueNumber(%q) = %q, not 4-4-4-4 digits", s, out)
		}
		again, err := api.ParseIssueNumber(out)
		if err != nil || again != out {
			t.Fatalf("ParseIssueNumber(%q) = %q, which re-parses as %q, %v", s, out, again, err)
		}
		digits := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s)
		}
		if digits(s) != digits(out) {
			t.Fatalf("ParseIssueNumber(%q) = %q: the digits changed", s, out)
		}
	})
}

var maskedForm = regexp.MustCompile(`^[0-9]{6}-[0-9]\*{6}$`)

// FuzzParseRRN: ParseRRN never panics, and an accepted number is 13 digits
// with a real birth date, masks to YYMMDD-S******, and parses again from its
// formatted form.
//
//	go test ./api -run XXX -fuzz FuzzParseRRN -fuzztime 60s
func FuzzParseRRN(f *testing.F) {
	for _, s := range []string{
		"900101-1234568", "9001011234568", "000229-3234567", "000229-1234567",
		"900230-1234568", "900101-A234568", "９００１０１-１２３４５６８", " 711231-2987654 ",
		"", "900101-", "-", "900101-1234568\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := api.ParseRRN(s)
		if err != nil {
			return
		}
		if len(r) != 13 || strings.Trim(string(r), "0123456789") != "" {
			t.Fatalf("ParseRRN(%q) = %q, not 13 digits", s, string(r))
		}
		m := r.Masked()
		if !maskedForm.MatchString(m) || m[:6] != string(r[:6]) || m[7] != r[6] {
			t.Fatalf("ParseRRN(%q).Masked() = %q", s, m)
		}
		if r.String() != m || fmt.Sprint(r) != m || fmt.Sprintf("%#v", r) != m {
			t.Fatalf("ParseRRN(%q) prints as %q / %q / %#v, want %q", s, r.String(), fmt.Sprint(r), r, m)
		}
		if _, err := r.BirthDate(); err != nil {
			t.Fatalf("ParseRRN(%q) accepted a number whose BirthDate fails: %v", s, err)
		}
		if again, err := api.ParseRRN(r.Formatted()); err != nil || again != r {
			t.Fatalf("ParseRRN(%q).Formatted() = %q re-parses as %q, %v", s, r.Formatted(), string(again), err)
		}
	})
}
