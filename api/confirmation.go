package api

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ConfirmationVersion names the format of the canonical confirmation. A change to
// the fields or their meaning gets a new version.
const ConfirmationVersion = "bonsign-confirmation/1"

// Field length limits, in characters. Names and addresses as long as any in the
// resident register fit; anything longer is an input mistake or an attack.
const (
	MaxNameLen    = 50
	MaxAddressLen = 200
	MaxPurposeLen = 500
)

// Person is someone the confirmation names with a resident registration number:
// the citizen, or the delegate.
type Person struct {
	Name    string `json:"name"`
	RRN     string `json:"rrn"` // "YYMMDD-SBBBBBB"
	Address string `json:"address"`
}

// Counterparty is the other side of the transaction (거래상대방): a person with a
// resident registration number or a business with a business registration number.
type Counterparty struct {
	Name    string `json:"name"`
	ID      string `json:"id"` // RRN "YYMMDD-SBBBBBB" or BRN "XXX-XX-XXXXX"
	Address string `json:"address"`
}

// Institution is a recipient institution (수요기관).
type Institution struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Confirmation is the electronic personal-signature confirmation (R6): what the
// citizen signs. Its canonical JSON (Canonical) is the content of the citizen's
// CMS signature.
type Confirmation struct {
	Version      string       `json:"version"`
	ID           string       `json:"id"` // random, chosen by the client: two drafts never sign the same bytes
	CreatedAt    string       `json:"created_at"`
	Citizen      Person       `json:"citizen"`
	Purpose      string       `json:"purpose"`
	Counterparty Counterparty `json:"counterparty"`
	Delegate     *Person      `json:"delegate,omitempty"`
	Institution  Institution  `json:"institution"`
}

// Canonical is the RFC 8785 form of c: the exact bytes the citizen signs.
func (c *Confirmation) Canonical() ([]byte, error) { return Canonical(c) }

// fieldNames gives each field its name in English and Korean for messages.
var fieldNames = map[string][2]string{
	"version":              {"format version", "형식 버전"},
	"id":                   {"confirmation ID", "확인서 식별번호"},
	"created_at":           {"date of writing", "작성 일시"},
	"citizen.name":         {"your name", "성명"},
	"citizen.rrn":          {"your resident registration number", "주민등록번호"},
	"citizen.address":      {"your registered address", "주소(주민등록상 주소)"},
	"purpose":              {"purpose", "용도"},
	"counterparty.name":    {"counterparty's name", "거래상대방 성명(상호)"},
	"counterparty.id":      {"counterparty's resident or business registration number", "거래상대방 주민등록번호 또는 사업자등록번호"},
	"counterparty.address": {"counterparty's address", "거래상대방 주소"},
	"delegate.name":        {"delegate's name", "위임받은 사람 성명"},
	"delegate.rrn":         {"delegate's resident registration number", "위임받은 사람 주민등록번호"},
	"delegate.address":     {"delegate's address", "위임받은 사람 주소"},
	"institution.code":     {"recipient institution", "제출기관(수요기관)"},
}

// FieldLabel returns the English and Korean label of a field path.
func FieldLabel(field string) (en, ko string) {
	n, ok := fieldNames[field]
	if !ok {
		return field, field
	}
	return n[0], n[1]
}

type validator struct{ errs []FieldError }

func (v *validator) add(field, en, ko string) {
	label, lko := FieldLabel(field)
	v.errs = append(v.errs, FieldError{
		Field:     field,
		Message:   capitalise(label) + ": " + en,
		MessageKo: lko + ": " + ko,
	})
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func (v *validator) text(field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.add(field, "this is required.", "반드시 입력해야 합니다.")
	case !utf8.ValidString(s):
		v.add(field, "contains invalid characters.", "사용할 수 없는 문자가 있습니다.")
	case utf8.RuneCountInString(s) > max:
		v.add(field, "is too long.", "너무 깁니다.")
	case s != strings.TrimSpace(s):
		v.add(field, "must not start or end with spaces.", "앞뒤에 공백이 있으면 안 됩니다.")
	case hasControl(s):
		v.add(field, "contains control characters.", "제어 문자가 들어 있습니다.")
	}
}

func (v *validator) rrn(field, s string) {
	if _, err := ParseRRN(s); err != nil {
		switch err {
		case ErrRRNDate:
			v.add(field, "the birth date in it is not a real date.", "앞자리의 생년월일이 올바르지 않습니다.")
		default:
			v.add(field, "write 13 digits as YYMMDD-1234567.", "숫자 13자리를 YYMMDD-1234567 형식으로 입력해 주세요.")
		}
		return
	}
	if len(s) != 14 || s[6] != '-' {
		v.add(field, "write it with the hyphen, as YYMMDD-1234567.", "YYMMDD-1234567처럼 하이픈(-)을 넣어 입력해 주세요.")
	}
}

// hasControl reports control characters and invisible format characters
// (Unicode Cf: bidi overrides, zero-width joiners and spaces): these can make
// a signed name or purpose display differently from what it says.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// Validate checks every field and returns an *Error with code invalid_field
// listing each problem, or nil. It checks form only; whether the citizen is the
// logged-in one and the institution eligible is the server's business.
func (c *Confirmation) Validate() error {
	var v validator
	if c.Version != ConfirmationVersion {
		v.add("version", "must be "+ConfirmationVersion+".", ConfirmationVersion+"이어야 합니다.")
	}
	if len(c.ID) != 32 || !isLowerHex(c.ID) {
		v.add("id", "must be 32 lower-case hexadecimal characters.", "16진수 32자리여야 합니다.")
	}
	if _, err := time.Parse(time.RFC3339, c.CreatedAt); err != nil {
		v.add("created_at", "must be a date-time like 2026-11-25T14:03:00+09:00.", "2026-11-25T14:03:00+09:00 형식의 일시여야 합니다.")
	}
	v.text("citizen.name", c.Citizen.Name, MaxNameLen)
	v.rrn("citizen.rrn", c.Citizen.RRN)
	v.text("citizen.address", c.Citizen.Address, MaxAddressLen)
	v.text("purpose", c.Purpose, MaxPurposeLen)
	v.text("counterparty.name", c.Counterparty.Name, MaxNameLen)
	if _, err := ParseRRN(c.Counterparty.ID); err == nil {
		v.rrn("counterparty.id", c.Counterparty.ID)
	} else if brn, err := ParseBRN(c.Counterparty.ID); err != nil {
		v.add("counterparty.id", "write a resident registration number (YYMMDD-1234567) or a business registration number (123-45-67890).", "주민등록번호(YYMMDD-1234567) 또는 사업자등록번호(123-45-67890)를 정확히 입력해 주세요.")
	} else if brn != c.Counterparty.ID {
		v.add("counterparty.id", "write the business registration number with hyphens, as 123-45-67890.", "사업자등록번호는 123-45-67890처럼 하이픈(-)을 넣어 입력해 주세요.")
	}
	v.text("counterparty.address", c.Counterparty.Address, MaxAddressLen)
	if d := c.Delegate; d != nil {
		v.text("delegate.name", d.Name, MaxNameLen)
		v.rrn("delegate.rrn", d.RRN)
		v.text("delegate.address", d.Address, MaxAddressLen)
	}
	if c.Institution.Code == "" || c.Institution.Name == "" {
		v.add("institution.code", "choose the institution you will submit this to.", "제출할 기관을 선택해 주세요.")
	}
	if len(v.errs) == 0 {
		return nil
	}
	e := NewError(CodeInvalidField)
	e.Fields = v.errs
	return e
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}
