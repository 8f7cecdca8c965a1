package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/api"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// canonicalCases are known answers of RFC 8785. Each expected output was
// written by hand from the RFC, not produced by the code under test.
var canonicalCases = []struct {
	name, in, want string
}{
	// RFC 8785 section 3.2.2, without its numbers (bonsign accepts integers only).
	{
		"the RFC 8785 section 3.2.2 example gives the RFC's bytes",
		`{
		  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
		  "literals": [null, true, false]
		}`,
		`{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
	},
	// RFC 8785 section 3.2.3: the sorting example, with its published order.
	{
		"the RFC 8785 section 3.2.3 example sorts as the RFC does",
		`{
		  "\u20ac": "Euro Sign",
		  "\r": "Carriage Return",
		  "\ufb33": "Hebrew Letter Dalet With Dagesh",
		  "1": "One",
		  "\ud83d\ude00": "Emoji: Grinning Face",
		  "\u0080": "Control",
		  "\u00f6": "Latin Small Letter O With Diaeresis"
		}`,
		"{" + `"\r":"Carriage Return",` +
			`"1":"One",` +
			"\"\u0080\":\"Control\"," +
			`"ö":"Latin Small Letter O With Diaeresis",` +
			`"€":"Euro Sign",` +
			`"😀":"Emoji: Grinning Face",` +
			"\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
	},

	// Sorting by UTF-16 code units. A supplementary character is a surrogate pair
	// (0xD800-0xDBFF first), which sorts before U+E000..U+FFFF in UTF-16 but
	// after them in UTF-8 byte order.
	{
		"an emoji key sorts before a private-use key, as in UTF-16",
		"{\"\uE000\":1,\"\U0001F600\":2}",
		"{\"\U0001F600\":2,\"\uE000\":1}",
	},
	{
		"an emoji key sorts before a U+FFFF key, as in UTF-16",
		"{\"\uffff\":1,\"\U0001F600\":2}",
		"{\"\U0001F600\":2,\"\uffff\":1}",
	},
	{
		"an emoji key sorts before a full-width key, as in UTF-16",
		"{\"\uff21\":1,\"\U0001F600\":2}",
		"{\"\U0001F600\":2,\"\uff21\":1}",
	},
	{
		"Hangul keys sort before an emoji key, which sorts before U+E000",
		"{\"\uE000\":4,\"\U0001F600\":3,\"힣\":2,\"가\":1,\"a\":0}",
		"{\"a\":0,\"가\":1,\"힣\":2,\"\U0001F600\":3,\"\uE000\":4}",
	},
	{
		"two supplementary keys sort by their surrogate pairs",
		"{\"\U0001F600\":1,\"\U00010000\":2,\"\U0010FFFF\":3}",
		"{\"\U00010000\":2,\"\U0001F600\":1,\"\U0010FFFF\":3}",
	},
	{
		"a key that is a prefix of another sorts first",
		`{"ab":1,"a":2,"":3,"b":4}`,
		`{"":3,"a":2,"ab":1,"b":4}`,
	},
	{
		"upper case sorts before lower case",
		`{"b":1,"B":2,"a":3,"A":4}`,
		`{"A":4,"B":2,"a":3,"b":1}`,
	},

	// String escaping (RFC 8785 section 3.2.2.2, ECMAScript JSON.stringify).
	{"NUL is escaped as \\u0000", `"\u0000"`, `"\u0000"`},
	{"control characters are escaped in lower-case hex", `"\u001F\u000B\u0001\u001a"`, `"\u001f\u000b\u0001\u001a"`},
	{"backspace uses its short form", `"\u0008"`, `"\b"`},
	{"form feed uses its short form", `"\u000C"`, `"\f"`},
	{"line feed uses its short form", `"\u000a"`, `"\n"`},
	{"carriage return uses its short form", `"\u000D"`, `"\r"`},
	{"tab uses its short form", `"\u0009"`, `"\t"`},
	{"quote and backslash are escaped", `"\u0022\u005c"`, `"\"\\"`},
	{"a slash is not escaped", `"\/a/b"`, `"/a/b"`},
	{"< > & are not escaped", `"\u003c\u003e\u0026<>&"`, `"<>&<>&"`},
	{"U+2028 and U+2029 are not escaped", `"\u2028\u2029"`, "\"\u2028\u2029\""},
	{"DEL and C1 controls are not escaped", `"\u007f\u0085"`, "\"\u007f\u0085\""},
	{"escaped Hangul is written as is", `"\ud55c\uae00"`, `"한글"`},
	{"raw Hangul stays as is", `"전자본인서명확인서"`, `"전자본인서명확인서"`},
	{"an escaped surrogate pair becomes the character", `"\ud83d\ude00"`, "\"\U0001F600\""},
	{"Latin-1 letters are written as is", `"\u00e9\u00f6"`, `"éö"`},

	// Whitespace and structure.
	{"whitespace between tokens is removed", " {\n\t\"b\" : [ 1 , 2 ] ,\r\n \"a\" : { } }\n ", `{"a":{},"b":[1,2]}`},
	{"whitespace inside strings is kept", `{"a b":" c\td "}`, `{"a b":" c\td "}`},
	{"nested objects are sorted at every level", `{"z":{"y":{"b":1,"a":2},"x":[{"d":1,"c":2}]},"a":[]}`, `{"a":[],"z":{"x":[{"c":2,"d":1}],"y":{"a":2,"b":1}}}`},
	{"arrays keep their order", `[3,1,2,"b","a",null,true,false,[],{}]`, `[3,1,2,"b","a",null,true,false,[],{}]`},
	{"deeply nested arrays survive", `[[[[[[1]]]]],[[]]]`, `[[[[[[1]]]]],[[]]]`},
	{"literals are written as is", `[ true , false , null ]`, `[true,false,null]`},
	{"a bare string is a document", ` "x" `, `"x"`},
	{"a bare literal is a document", "null", "null"},

	// Integers.
	{"zero", "0", "0"},
	{"minus zero is zero", "-0", "0"},
	{"a negative integer", "-42", "-42"},
	{"the largest safe integer", "9007199254740991", "9007199254740991"},
	{"the smallest safe integer", "-9007199254740991", "-9007199254740991"},
	{"integers inside objects and arrays", `{"n":[0,1,-1,1234567890]}`, `{"n":[0,1,-1,1234567890]}`},
}

func TestCanonicalizeJSONGivesKnownAnswers(t *testing.T) {
	for _, tc := range canonicalCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.CanonicalizeJSON([]byte(tc.in))
			if err != nil {
				t.Fatalf("CanonicalizeJSON(%q): %v", tc.in, err)
			}
			if string(got) != tc.want {
				t.Errorf("CanonicalizeJSON(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalizeJSONRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"a fraction", "1.5"},
		{"a small fraction", "0.1"},
		{"a fraction inside an object", `{"a":[1,2.25]}`},
		{"a negative exponent", "1e-3"},
		{"a number too small to be anything but a fraction", "1e-400"},
		{"a fraction that a float64 would round to an integer", "1.0000000000000001"},
		// The doc comment promises magnitude below 2^53: 2^53 itself is not a
		// safe integer, and above it float64 silently changes the value.
		{"2^53", "9007199254740992"},
		{"2^53+1", "9007199254740993"},
		{"-(2^53+1)", "-9007199254740993"},
		{"2^53+1 written with a fraction", "9007199254740993.0"},
		{"an integer beyond int64", "99999999999999999999"},
		{"a huge exponent", "1e16"},
		{"an exponent beyond float64", "1e400"},
		{"trailing data after an object", `{} x`},
		{"a second document", `{}{}`},
		{"a second number", `1 2`},
		{"a stray closing brace", `{}}`},
		{"a stray closing bracket", `[1]]`},
		{"a stray closing bracket after a space", `{} ]`},
		{"an empty input", ``},
		{"an input of only whitespace", " \n\t"},
		{"a missing value", `{"a":}`},
		{"a single-quoted key", `{'a':1}`},
		{"a trailing comma", `[1,]`},
		{"NaN", `NaN`},
		{"an unterminated string", `"abc`},
		{"a raw control character in a string", "\"a\x01b\""},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if got, err := api.CanonicalizeJSON([]byte(tc.in)); err == nil {
				t.Errorf("CanonicalizeJSON(%q) = %q, want an error", tc.in, got)
			}
		})
	}
}

func TestCanonicalEscapesGoStringsAsJCSDoes(t *testing.T) {
	// encoding/json escapes <, >, &, U+2028 and U+2029 for HTML; JCS must not.
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"HTML characters are not escaped", "<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`},
		{"line and paragraph separators are not escaped", "a\u2028b\u2029c", "\"a\u2028b\u2029c\""},
		{"control characters use the short forms or lower-case hex", "\b\f\n\r\t\x00\x1f\x7f", `"\b\f\n\r\t\u0000\u001f` + "\x7f\""},
		{"Hangul and emoji are written as UTF-8", "홍길동 😀", `"홍길동 😀"`},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", "\"a\uFFFDb\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.Canonical(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Canonical(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalRefusesWhatJSONCannotHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"a float with a fraction", 1.5},
		{"an integer beyond 2^53", int64(1)<<53 + 1},
		{"a channel", make(chan int)},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if got, err := api.Canonical(tc.v); err == nil {
				t.Errorf("Canonical(%v) = %q, want an error", tc.v, got)
			}
		})
	}
}

// sampleConfirmation is a complete, valid confirmation with a delegate and a
// business as counterparty.
func sampleConfirmation() api.Confirmation {
	return api.Confirmation{
		Version:   api.ConfirmationVersion,
		ID:        "0123456789abcdef0123456789abcdef",
		CreatedAt: "2026-11-25T14:03:00+09:00",
		Citizen: api.Person{
			Name:    "홍길동",
			RRN:     "900101-1234568",
			Address: "서울특별시 종로구 세종대로 209",
		},
		Purpose: "부동산 매도 <아파트 101호> & 근저당 \"말소\"",
		Counterparty: api.Counterparty{
			Name:    "주식회사 예시부동산",
			ID:      "220-81-62517",
			Address: "서울특별시 중구 세종대로 110",
		},
		Delegate: &api.Person{
			Name:    "김대리",
			RRN:     "850505-2345674",
			Address: "서울특별시 마포구 월드컵로 1",
		},
		Institution: api.Institution{Code: "1100000", Name: "서울특별시 종로구청"},
	}
}

// The same confirmation written with its members in two different orders and
// with different whitespace and escapes.
const (
	confirmationJSONOrderA = `{
  "version": "bonsign-confirmation/1",
  "id": "0123456789abcdef0123456789abcdef",
  "created_at": "2026-11-25T14:03:00+09:00",
  "citizen": {"name": "홍길동", "rrn": "900101-1234568", "address": "서울특별시 종로구 세종대로 209"},
  "purpose": "부동산 매도 \u003c아파트 101호\u003e \u0026 근저당 \"말소\"",
  "counterparty": {"name": "주식회사 예시부동산", "id": "220-81-62517", "address": "서울특별시 중구 세종대로 110"},
  "delegate": {"name": "김대리", "rrn": "850505-2345674", "address": "서울특별시 마포구 월드컵로 1"},
  "institution": {"code": "1100000", "name": "서울특별시 종로구청"}
}`
	confirmationJSONOrderB = `{"institution":{"name":"서울특별시 종로구청","code":"1100000"},
"delegate":{"address":"서울특별시 마포구 월드컵로 1","rrn":"850505-2345674","name":"김대리"},
"purpose":"부동산 매도 <아파트 101호> & 근저당 \"말소\"","counterparty":{"address":"서울특별시 중구 세종대로 110","id":"220-81-62517","name":"\uc8fc\uc2dd\ud68c\uc0ac 예시부동산"},
"citizen":{"rrn":"900101-1234568","address":"서울특별시 종로구 세종대로 209","name":"홍길동"},
"created_at":"2026-11-25T14:03:00+09:00","id":"0123456789abcdef0123456789abcdef","version":"bonsign-confirmation/1"}`
)

func TestConfirmationCanonicalIsStableAcrossFieldOrder(t *testing.T) {
	want, err := func() ([]byte, error) { c := sampleConfirmation(); return c.Canonical() }()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, in string }{
		{"members in declaration order", confirmationJSONOrderA},
		{"members in reverse order with escapes", confirmationJSONOrderB},
	} {
		t.Run(tc.name+" decode to the same signed bytes", func(t *testing.T) {
			var c api.Confirmation
			if err := json.Unmarshal([]byte(tc.in), &c); err != nil {
				t.Fatal(err)
			}
			got, err := c.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Canonical()\n got %s\nwant %s", got, want)
			}
		})
		t.Run(tc.name+" canonicalise to the same bytes as text", func(t *testing.T) {
			got, err := api.CanonicalizeJSON([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("CanonicalizeJSON()\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestConfirmationCanonicalWithoutDelegateOmitsTheMember(t *testing.T) {
	c := sampleConfirmation()
	c.Delegate = nil
	got, err := c.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte(`"delegate"`)) {
		t.Errorf("Canonical() = %s, want no delegate member", got)
	}
}

// TestConfirmationCanonicalMatchesGolden pins the exact bytes a citizen signs for
// the sample confirmation. If it fails, the signed format changed: that needs a
// new ConfirmationVersion, not a new golden file (go test -run Golden -update).
func TestConfirmationCanonicalMatchesGolden(t *testing.T) {
	c := sampleConfirmation()
	got, err := c.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "confirmation.canonical.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Canonical()\n got %s\nwant %s", got, want)
	}
	// The golden file itself must be in canonical form and in key order.
	if again, err := api.CanonicalizeJSON(want); err != nil || !bytes.Equal(again, want) {
		t.Errorf("the golden file is not canonical: %v", err)
	}
	if i, j := strings.Index(string(want), `"citizen"`), strings.Index(string(want), `"version"`); i != 1 || j < i {
		t.Errorf("members are not sorted: citizen at %d, version at %d", i, j)
	}
}
