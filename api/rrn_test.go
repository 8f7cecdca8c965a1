package api_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
)

func TestParseRRNAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     api.RRN
	}{
		{"the hyphenated form", "900101-1234568", "9001011234568"},
		{"the 13 digits without the hyphen", "9001011234568", "9001011234568"},
		{"a number with surrounding spaces", " 900101-1234568\n", "9001011234568"},
		{"a number without a valid check digit (issued since 2020-10-05)", "201010-3987654", "2010103987654"},
		{"29 February of a leap year in the 2000s", "000229-3234567", "0002293234567"},
		{"29 February of a leap year in the 1900s", "960229-2234567", "9602292234567"},
		{"29 February 1896 (S=9)", "960229-9234567", "9602299234567"},
		{"31 December", "711231-1234567", "7112311234567"},
		{"a foreign resident born in the 1900s (S=5)", "950707-5123451", "9507075123451"},
		{"a foreign resident born in the 2000s (S=8)", "050707-8123451", "0507078123451"},
	} {
		t.Run(tc.name+" is accepted", func(t *testing.T) {
			got, err := api.ParseRRN(tc.in)
			if err != nil {
				t.Fatalf("ParseRRN: %v", err)
			}
			if got != tc.want {
				// Formatted, not %v: the test must see the digits to be useful.
				t.Errorf("ParseRRN = %s, want %s", got.Formatted(), tc.want.Formatted())
			}
		})
	}
}

func TestParseRRNRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"an empty string", "", api.ErrRRNForm},
		{"a number of 12 digits", "900101-123456", api.ErrRRNForm},
		{"a number of 14 digits", "900101-12345678", api.ErrRRNForm},
		{"a number of 14 digits without a hyphen", "90010112345678", api.ErrRRNForm},
		{"a space instead of the hyphen", "900101 1234568", api.ErrRRNForm},
		{"a hyphen in the wrong place", "90010-11234568", api.ErrRRNForm},
		{"two hyphens", "900101--234568", api.ErrRRNForm},
		{"a letter O for a zero", "9OO101-1234568", api.ErrRRNForm},
		{"a letter in the back part", "900101-12345X8", api.ErrRRNForm},
		{"a letter as the 7th digit", "900101-A234568", api.ErrRRNForm},
		{"a sign as the 7th digit", "900101-+234568", api.ErrRRNForm},
		{"a number in full-width digits", "９００１０１-１２３４５６８", api.ErrRRNForm},
		{"a number in Arabic-Indic digits", "٩٠٠١٠١-١٢٣٤٥٦٨", api.ErrRRNForm},
		{"30 February", "900230-1234568", api.ErrRRNDate},
		{"29 February 2001, not a leap year", "010229-3234567", api.ErrRRNDate},
		{"29 February 1900, not a leap year", "000229-1234567", api.ErrRRNDate},
		{"29 February 1800, not a leap year (S=0)", "000229-0234567", api.ErrRRNDate},
		{"month 13", "901301-1234568", api.ErrRRNDate},
		{"month 00", "900001-1234568", api.ErrRRNDate},
		{"day 00", "900100-1234568", api.ErrRRNDate},
		{"day 32", "900132-1234568", api.ErrRRNDate},
		{"31 April", "900431-1234568", api.ErrRRNDate},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			got, err := api.ParseRRN(tc.in)
			if err == nil {
				t.Fatalf("ParseRRN(%q) = %s, want an error", tc.in, got.Formatted())
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("ParseRRN(%q): %v, want %v", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), tc.in) && tc.in != "" {
				t.Errorf("the error %q repeats the number", err)
			}
		})
	}
}

func TestRRNBirthDateFollowsTheSeventhDigit(t *testing.T) {
	for _, tc := range []struct {
		s    string // the 7th digit
		year int    // the birth year for YY = 85
	}{
		{"1", 1985}, {"2", 1985}, // Korean citizens, 1900s
		{"3", 2085}, {"4", 2085}, // Korean citizens, 2000s
		{"5", 1985}, {"6", 1985}, // foreign residents, 1900s
		{"7", 2085}, {"8", 2085}, // foreign residents, 2000s
		{"9", 1885}, {"0", 1885}, // born in the 1800s
	} {
		t.Run("S="+tc.s+" means born in "+fmt.Sprint(tc.year/100*100)+"s", func(t *testing.T) {
			r, err := api.ParseRRN("850315-" + tc.s + "234567")
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.BirthDate()
			if err != nil {
				t.Fatal(err)
			}
			want := time.Date(tc.year, time.March, 15, 0, 0, 0, 0, api.KST)
			if !got.Equal(want) {
				t.Errorf("BirthDate = %v, want %v", got, want)
			}
			if _, off := got.Zone(); off != 9*60*60 {
				t.Errorf("BirthDate is in a zone %d seconds from UTC, want KST (+9h)", off)
			}
		})
	}
}

func TestRRNBirthDateRefusesMalformedValues(t *testing.T) {
	for _, r := range []api.RRN{"", "900101123456", "900101-123456", "9001011234X68"} {
		if _, err := r.BirthDate(); !errors.Is(err, api.ErrRRNForm) {
			t.Errorf("RRN(%q).BirthDate: %v, want ErrRRNForm", string(r), err)
		}
	}
}

func TestRRNChecksumOK(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    api.RRN
		want bool
	}{
		{"a number with its check digit holds", "9001011234568", true},
		{"the same number with another last digit fails", "9001011234567", false},
		{"a sum = 0 mod 11 needs check digit 1", "9507075123451", true},
		{"a sum = 1 mod 11 needs check digit 0 (not 10)", "8001011000040", true},
		{"a sum = 1 mod 11 with check digit 1 fails", "8001011000041", false},
		{"a short value fails", "900101123456", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.ChecksumOK(); got != tc.want {
				t.Errorf("ChecksumOK(%s) = %v, want %v", tc.r.Formatted(), got, tc.want)
			}
		})
	}
}

func TestRRNMaskedShowsOnlyBirthDateAndSeventhDigit(t *testing.T) {
	for _, tc := range []struct {
		r    api.RRN
		want string
	}{
		{"9001011234568", "900101-1******"},
		{"7112312987654", "711231-2******"},
		{"", "******-*******"},
		{"900101-1234568", "******-*******"}, // not the 13-digit form: nothing is shown
	} {
		if got := tc.r.Masked(); got != tc.want {
			t.Errorf("Masked() = %q, want %q", got, tc.want)
		}
	}
}

func TestRRNFormattedIsTheFullNumber(t *testing.T) {
	if got := api.RRN("9001011234568").Formatted(); got != "900101-1234568" {
		t.Errorf("Formatted() = %q, want 900101-1234568", got)
	}
}

// sprintf is fmt.Sprintf called with a format that vet cannot see.
var sprintf = fmt.Sprintf

// leaks reports whether out shows the six digits after S of 900101-1234568 in
// any form fmt could write them: plain or as hex.
func leaks(out string) bool {
	const secret = "234568"
	return strings.Contains(out, secret) ||
		strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(secret)))
}

// TestRRNNeverPrintsTheLastSixDigits is the privacy rule: however an RRN reaches
// fmt or a logger by mistake, the digits after S do not come out.
func TestRRNNeverPrintsTheLastSixDigits(t *testing.T) {
	r, err := api.ParseRRN("900101-1234568")
	if err != nil {
		t.Fatal(err)
	}
	type holder struct{ RRN api.RRN }
	for _, tc := range []struct {
		name string
		out  func() string
	}{
		{"String", r.String},
		{"GoString", r.GoString},
		{"fmt.Sprint", func() string { return fmt.Sprint(r) }},
		{"fmt.Sprintln", func() string { return fmt.Sprintln(r) }},
		// fmt.Sprintf through a variable: vet rightly flags %d on a string type,
		// and that mistake is exactly the one to survive.
		{"%v", func() string { return sprintf("%v", r) }},
		{"%+v", func() string { return sprintf("%+v", r) }},
		{"%s", func() string { return sprintf("%s", r) }},
		{"%#v", func() string { return sprintf("%#v", r) }},
		{"%q", func() string { return sprintf("%q", r) }},
		{"%x", func() string { return sprintf("%x", r) }},
		{"%X", func() string { return sprintf("%X", r) }},
		{"%20s", func() string { return sprintf("%20s", r) }},
		// A wrong verb makes fmt print the raw value as %!d(api.RRN=...) unless the
		// type formats itself for every verb.
		{"%d", func() string { return sprintf("%d", r) }},
		{"%t", func() string { return sprintf("%t", r) }},
		{"a struct field with %v", func() string { return fmt.Sprintf("%v", holder{r}) }},
		{"a struct field with %+v", func() string { return fmt.Sprintf("%+v", holder{r}) }},
		{"a struct field with %#v", func() string { return fmt.Sprintf("%#v", holder{r}) }},
		{"a slice with %v", func() string { return fmt.Sprintf("%v", []api.RRN{r}) }},
		{"a map with %#v", func() string { return fmt.Sprintf("%#v", map[string]api.RRN{"rrn": r}) }},
		{"an error wrapping it", func() string { return fmt.Errorf("citizen %v: %w", r, errors.New("x")).Error() }},
		// The issuance server logs with slog's JSON handler, which marshals
		// values of unknown kinds with encoding/json, not with String.
		{"slog's JSON handler", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("login", "rrn", r)
			return buf.String()
		}},
		{"slog's text handler", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("login", "rrn", r)
			return buf.String()
		}},
		{"slog.Any in a group", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("login", slog.Group("citizen", slog.Any("rrn", r)))
			return buf.String()
		}},
	} {
		t.Run(tc.name+" does not print the last six digits", func(t *testing.T) {
			out := tc.out()
			if leaks(out) {
				t.Errorf("output %q shows the last six digits", out)
			}
			if !strings.Contains(out, "900101") && !strings.Contains(strings.ToLower(out), "393030313031") {
				t.Errorf("output %q does not show the masked number at all", out)
			}
		})
	}
}

func TestParseBRNAccepts(t *testing.T) {
	// Check digits computed by hand with the National Tax Service algorithm:
	// weights 1,3,7,1,3,7,1,3,5, plus the tens of 5 x the 9th digit.
	for _, tc := range []struct{ name, in, want string }{
		{"a published number", "220-81-62517", "220-81-62517"},
		{"the same number without hyphens", "2208162517", "220-81-62517"},
		{"a number with surrounding spaces", " 220-81-62517 ", "220-81-62517"},
		{"a number whose 9th digit adds a carry", "124-81-66665", "124-81-66665"},
		{"a number with check digit 1", "104-81-66661", "104-81-66661"},
		{"a number with a 9th digit of 9", "000-00-00091", "000-00-00091"},
		{"a sequential number", "123-45-67891", "123-45-67891"},
		{"a number with check digit 8", "2148700008", "214-87-00008"},
	} {
		t.Run(tc.name+" is accepted", func(t *testing.T) {
			got, err := api.ParseBRN(tc.in)
			if err != nil {
				t.Fatalf("ParseBRN(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseBRN(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseBRNRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"a wrong check digit", "220-81-62518"},
		{"every other wrong check digit", "220-81-62510"},
		{"a changed digit", "220-81-62417"},
		{"two swapped digits", "220-18-62517"},
		{"a check digit that leaves out the carry of 5 x the 9th digit", "000-00-00055"},
		{"a number of 9 digits", "220-81-6251"},
		{"a number of 11 digits", "220-81-625170"},
		{"an empty string", ""},
		{"a number with a letter", "22O-81-62517"},
		{"a number in full-width digits", "２２０-８１-６２５１７"},
		{"an RRN", "900101-1234568"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if got, err := api.ParseBRN(tc.in); !errors.Is(err, api.ErrBRN) {
				t.Errorf("ParseBRN(%q) = %q, %v; want ErrBRN", tc.in, got, err)
			}
		})
	}
}
