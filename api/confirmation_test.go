package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/bonsign/bonsign/api"
)

func TestValidateAcceptsACompleteConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *api.Confirmation)
	}{
		{"with a delegate and a business as counterparty", func(c *api.Confirmation) {}},
		{"without a delegate", func(c *api.Confirmation) { c.Delegate = nil }},
		{"with a person as counterparty", func(c *api.Confirmation) { c.Counterparty.ID = "711231-2987654" }},
		{"with a foreign resident as counterparty", func(c *api.Confirmation) { c.Counterparty.ID = "950707-5123451" }},
		{"with a citizen's number that has no check digit", func(c *api.Confirmation) { c.Citizen.RRN = "201010-3987654" }},
		{"with the date in UTC", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25T05:03:00Z" }},
		{"with fractions of a second in the date", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25T14:03:00.123+09:00" }},
		{"with names of exactly the longest length in Hangul", func(c *api.Confirmation) {
			c.Citizen.Name = strings.Repeat("가", api.MaxNameLen)
			c.Counterparty.Name = strings.Repeat("가", api.MaxNameLen)
			c.Delegate.Name = strings.Repeat("가", api.MaxNameLen)
		}},
		{"with addresses of exactly the longest length in Hangul", func(c *api.Confirmation) {
			c.Citizen.Address = strings.Repeat("동", api.MaxAddressLen)
			c.Counterparty.Address = strings.Repeat("동", api.MaxAddressLen)
			c.Delegate.Address = strings.Repeat("동", api.MaxAddressLen)
		}},
		{"with a purpose of exactly the longest length in Hangul", func(c *api.Confirmation) {
			c.Purpose = strings.Repeat("용", api.MaxPurposeLen)
		}},
		{"with inner spaces, punctuation and Latin letters", func(c *api.Confirmation) {
			c.Citizen.Name = "John Smith-Kim"
			c.Purpose = "매도 (Sale) — 2/3 지분, \"서울\" <A동>"
		}},
	} {
		t.Run("a confirmation "+tc.name+" is valid", func(t *testing.T) {
			c := sampleConfirmation()
			tc.change(&c)
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// textFields are the free-text fields, each with its limit.
var textFields = []struct {
	field string
	max   int
	set   func(c *api.Confirmation, s string)
}{
	{"citizen.name", api.MaxNameLen, func(c *api.Confirmation, s string) { c.Citizen.Name = s }},
	{"citizen.address", api.MaxAddressLen, func(c *api.Confirmation, s string) { c.Citizen.Address = s }},
	{"purpose", api.MaxPurposeLen, func(c *api.Confirmation, s string) { c.Purpose = s }},
	{"counterparty.name", api.MaxNameLen, func(c *api.Confirmation, s string) { c.Counterparty.Name = s }},
	{"counterparty.address", api.MaxAddressLen, func(c *api.Confirmation, s string) { c.Counterparty.Address = s }},
	{"delegate.name", api.MaxNameLen, func(c *api.Confirmation, s string) { c.Delegate.Name = s }},
	{"delegate.address", api.MaxAddressLen, func(c *api.Confirmation, s string) { c.Delegate.Address = s }},
}

// badTexts are values no free-text field may hold.
func badTexts(max int) []struct{ name, value string } {
	return []struct{ name, value string }{
		{"empty", ""},
		{"only spaces", "   "},
		{"only an ideographic space", "\u3000"},
		{"one character too long", strings.Repeat("가", max+1)},
		{"far too long", strings.Repeat("a", 10*max)},
		{"with a leading space", " 홍길동"},
		{"with a trailing space", "홍길동 "},
		{"with a leading ideographic space", "\u3000홍길동"},
		{"with a trailing tab", "홍길동\t"},
		{"with a trailing no-break space", "홍길동\u00a0"},
		{"with a line feed inside", "홍\n길동"},
		{"with a carriage return inside", "홍\r길동"},
		{"with a tab inside", "홍\t길동"},
		{"with a NUL inside", "홍\x00길동"},
		{"with an escape character inside", "홍\x1b[31m길동"},
		{"with DEL inside", "홍\x7f길동"},
		{"with a C1 control inside", "홍\u0085길동"},
		{"with a C1 CSI inside", "홍\u009b길동"},
		{"with a line separator inside", "홍\u2028길동"},
		{"with a paragraph separator inside", "홍\u2029길동"},
		{"with invalid UTF-8", "홍\xff길동"},
		{"with a truncated UTF-8 sequence", "홍길\xeb\x8f"},
		{"with an encoded surrogate", "홍\xed\xa0\x80길동"},
	}
}

// wantFieldError checks that err is an invalid_field *api.Error naming exactly
// field, in English and in Korean.
func wantFieldError(t *testing.T, err error, field string) api.FieldError {
	t.Helper()
	if err == nil {
		t.Fatalf("Validate accepted it, want an error on %s", field)
	}
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate: %v (%T), want an *api.Error", err, err)
	}
	if e.Code != api.CodeInvalidField {
		t.Errorf("code %q, want %q", e.Code, api.CodeInvalidField)
	}
	if !errors.Is(err, api.NewError(api.CodeInvalidField)) {
		t.Errorf("errors.Is(err, NewError(invalid_field)) is false")
	}
	if s := e.Status(); s != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422", s)
	}
	var fields []string
	for _, fe := range e.Fields {
		fields = append(fields, fe.Field)
	}
	if len(e.Fields) != 1 || e.Fields[0].Field != field {
		t.Fatalf("fields %q, want exactly [%s]", fields, field)
	}
	fe := e.Fields[0]
	en, ko := api.FieldLabel(field)
	if ko == field || !hasHangul(ko) {
		t.Fatalf("FieldLabel(%q) has no Korean label: %q", field, ko)
	}
	if strings.TrimSpace(fe.Message) == "" || !strings.Contains(strings.ToLower(fe.Message), strings.ToLower(en)) {
		t.Errorf("English message %q does not name the field (%q)", fe.Message, en)
	}
	if !strings.Contains(fe.MessageKo, ko) || len(fe.MessageKo) <= len(ko)+2 {
		t.Errorf("Korean message %q does not name the field (%q) and say what is wrong", fe.MessageKo, ko)
	}
	return fe
}

func hasHangul(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) })
}

func TestValidateRefusesABadTextField(t *testing.T) {
	for _, f := range textFields {
		for _, bad := range badTexts(f.max) {
			t.Run(f.field+" "+bad.name+" is refused", func(t *testing.T) {
				c := sampleConfirmation()
				f.set(&c, bad.value)
				wantFieldError(t, c.Validate(), f.field)
			})
		}
	}
}

func TestValidateRefusesABadField(t *testing.T) {
	for _, tc := range []struct {
		field, name string
		change      func(c *api.Confirmation)
	}{
		{"version", "empty", func(c *api.Confirmation) { c.Version = "" }},
		{"version", "of another format", func(c *api.Confirmation) { c.Version = "bonsign-confirmation/2" }},
		{"version", "with a trailing space", func(c *api.Confirmation) { c.Version = api.ConfirmationVersion + " " }},
		{"version", "in upper case", func(c *api.Confirmation) { c.Version = strings.ToUpper(api.ConfirmationVersion) }},

		{"id", "empty", func(c *api.Confirmation) { c.ID = "" }},
		{"id", "of 31 characters", func(c *api.Confirmation) { c.ID = "0123456789abcdef0123456789abcde" }},
		{"id", "of 33 characters", func(c *api.Confirmation) { c.ID = "0123456789abcdef0123456789abcdef0" }},
		{"id", "in upper-case hex", func(c *api.Confirmation) { c.ID = "0123456789ABCDEF0123456789ABCDEF" }},
		{"id", "with a non-hex letter", func(c *api.Confirmation) { c.ID = "0123456789abcdef0123456789abcdeg" }},
		{"id", "written as a UUID", func(c *api.Confirmation) { c.ID = "01234567-89ab-cdef-0123-456789abcdef" }},

		{"created_at", "empty", func(c *api.Confirmation) { c.CreatedAt = "" }},
		{"created_at", "without a zone", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25T14:03:00" }},
		{"created_at", "with a space for the T", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25 14:03:00+09:00" }},
		{"created_at", "on 30 February", func(c *api.Confirmation) { c.CreatedAt = "2026-02-30T14:03:00+09:00" }},
		{"created_at", "at hour 25", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25T25:03:00+09:00" }},
		{"created_at", "as a date only", func(c *api.Confirmation) { c.CreatedAt = "2026-11-25" }},
		{"created_at", "in Korean style", func(c *api.Confirmation) { c.CreatedAt = "2026년 11월 25일 14:03" }},

		{"citizen.rrn", "empty", func(c *api.Confirmation) { c.Citizen.RRN = "" }},
		{"citizen.rrn", "without the hyphen", func(c *api.Confirmation) { c.Citizen.RRN = "9001011234568" }},
		{"citizen.rrn", "with a space around it", func(c *api.Confirmation) { c.Citizen.RRN = " 900101-1234568" }},
		{"citizen.rrn", "on 30 February", func(c *api.Confirmation) { c.Citizen.RRN = "900230-1234568" }},
		{"citizen.rrn", "on 29 February 2001", func(c *api.Confirmation) { c.Citizen.RRN = "010229-3234567" }},
		{"citizen.rrn", "in month 13", func(c *api.Confirmation) { c.Citizen.RRN = "901301-1234568" }},
		{"citizen.rrn", "with a letter", func(c *api.Confirmation) { c.Citizen.RRN = "900101-A234568" }},
		{"citizen.rrn", "one digit too long", func(c *api.Confirmation) { c.Citizen.RRN = "900101-12345689" }},
		{"citizen.rrn", "far too long", func(c *api.Confirmation) { c.Citizen.RRN = strings.Repeat("9", 1000) }},
		{"citizen.rrn", "written as a business number", func(c *api.Confirmation) { c.Citizen.RRN = "220-81-62517" }},

		{"delegate.rrn", "empty", func(c *api.Confirmation) { c.Delegate.RRN = "" }},
		{"delegate.rrn", "without the hyphen", func(c *api.Confirmation) { c.Delegate.RRN = "8505052345674" }},
		{"delegate.rrn", "on 31 April", func(c *api.Confirmation) { c.Delegate.RRN = "850431-2345674" }},
		{"delegate.rrn", "one digit short", func(c *api.Confirmation) { c.Delegate.RRN = "850505-234567" }},

		{"counterparty.id", "empty", func(c *api.Confirmation) { c.Counterparty.ID = "" }},
		{"counterparty.id", "as a business number with a wrong check digit", func(c *api.Confirmation) { c.Counterparty.ID = "220-81-62518" }},
		{"counterparty.id", "as a business number without hyphens", func(c *api.Confirmation) { c.Counterparty.ID = "2208162517" }},
		{"counterparty.id", "as a business number with misplaced hyphens", func(c *api.Confirmation) { c.Counterparty.ID = "2208-16-2517" }},
		{"counterparty.id", "as a business number with spaces around it", func(c *api.Confirmation) { c.Counterparty.ID = " 220-81-62517 " }},
		{"counterparty.id", "as a resident number without the hyphen", func(c *api.Confirmation) { c.Counterparty.ID = "7112312987654" }},
		{"counterparty.id", "as a resident number on 30 February", func(c *api.Confirmation) { c.Counterparty.ID = "710230-2987654" }},
		{"counterparty.id", "as words", func(c *api.Confirmation) { c.Counterparty.ID = "없음" }},
		{"counterparty.id", "far too long", func(c *api.Confirmation) { c.Counterparty.ID = strings.Repeat("1", 1000) }},

		{"institution.code", "without a code", func(c *api.Confirmation) { c.Institution.Code = "" }},
		{"institution.code", "without a name", func(c *api.Confirmation) { c.Institution.Name = "" }},
		{"institution.code", "not chosen at all", func(c *api.Confirmation) { c.Institution = api.Institution{} }},
	} {
		t.Run(tc.field+" "+tc.name+" is refused", func(t *testing.T) {
			c := sampleConfirmation()
			tc.change(&c)
			wantFieldError(t, c.Validate(), tc.field)
		})
	}
}

// TestValidateNeverEchoesANumber keeps resident registration numbers out of
// error text, which ends up in logs and on screens.
func TestValidateNeverEchoesANumber(t *testing.T) {
	for _, tc := range []struct {
		name, secret string
		change       func(c *api.Confirmation)
	}{
		{"the citizen's number without the hyphen", "1234568", func(c *api.Confirmation) { c.Citizen.RRN = "9001011234568" }},
		{"the citizen's number with an impossible date", "1234568", func(c *api.Confirmation) { c.Citizen.RRN = "900230-1234568" }},
		{"the delegate's number without the hyphen", "2345674", func(c *api.Confirmation) { c.Delegate.RRN = "8505052345674" }},
		{"the counterparty's number without the hyphen", "2987654", func(c *api.Confirmation) { c.Counterparty.ID = "7112312987654" }},
	} {
		t.Run("an error on "+tc.name+" does not repeat it", func(t *testing.T) {
			c := sampleConfirmation()
			tc.change(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			body, jerr := json.Marshal(api.ErrorBody{Error: err.(*api.Error)})
			if jerr != nil {
				t.Fatal(jerr)
			}
			for _, out := range []string{err.Error(), string(body)} {
				if strings.Contains(out, tc.secret) {
					t.Errorf("%q shows the number", out)
				}
			}
		})
	}
}

func TestValidateListsEveryMissingField(t *testing.T) {
	c := api.Confirmation{Delegate: &api.Person{}}
	err := c.Validate()
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate: %v, want an *api.Error", err)
	}
	var got []string
	for _, fe := range e.Fields {
		got = append(got, fe.Field)
		if _, ko := api.FieldLabel(fe.Field); !strings.Contains(fe.MessageKo, ko) || !hasHangul(ko) {
			t.Errorf("%s: Korean message %q does not name the field", fe.Field, fe.MessageKo)
		}
	}
	want := []string{
		"version", "id", "created_at",
		"citizen.name", "citizen.rrn", "citizen.address",
		"purpose",
		"counterparty.name", "counterparty.id", "counterparty.address",
		"delegate.name", "delegate.rrn", "delegate.address",
		"institution.code",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("fields %q\nwant %q", got, want)
	}
}

func TestFieldLabelNamesEveryFieldInBothLanguages(t *testing.T) {
	for _, field := range []string{
		"version", "id", "created_at",
		"citizen.name", "citizen.rrn", "citizen.address",
		"purpose",
		"counterparty.name", "counterparty.id", "counterparty.address",
		"delegate.name", "delegate.rrn", "delegate.address",
		"institution.code",
	} {
		en, ko := api.FieldLabel(field)
		if strings.TrimSpace(en) == "" || hasHangul(en) || strings.Contains(en, ".") {
			t.Errorf("FieldLabel(%q) English = %q, want an English label", field, en)
		}
		if ko == field || !hasHangul(ko) {
			t.Errorf("FieldLabel(%q) Korean = %q, want a Korean label", field, ko)
		}
	}
	if en, ko := api.FieldLabel("no.such"); en != "no.such" || ko != "no.such" {
		t.Errorf("FieldLabel of an unknown path = %q, %q; want the path itself", en, ko)
	}
}
