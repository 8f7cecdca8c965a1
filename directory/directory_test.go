package directory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/directory"
)

const fixture = `{
  "as_of": "2026-11-25",
  "sources": [{"id":"t","name":"test","date":"2026-11-25"}],
  "institutions": [
    {"code":"6280000","name":"인천광역시","category":"local","kind":"province","region":"6280000","source":"t"},
    {"code":"3490000","name":"인천광역시 중구","category":"local","kind":"municipality","parent":"6280000","region":"6280000","until":"2026-06-30","source":"t"},
    {"code":"3501000","name":"인천광역시 제물포구","category":"local","kind":"municipality","parent":"6280000","region":"6280000","from":"2026-07-01","source":"t"},
    {"code":"bs-pub-nps","name":"국민연금공단","category":"public","aliases":["국민연금"],"source":"t"}
  ]
}`

func TestEligibleOnTheDay(t *testing.T) {
	d, err := directory.Load([]byte(fixture))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code, name, day string
		want            bool
	}{
		{"3490000", "인천광역시 중구", "2026-06-30", true},
		{"3490000", "인천광역시 중구", "2026-07-01", false},   // abolished
		{"3501000", "인천광역시 제물포구", "2026-06-30", false}, // not yet in force
		{"3501000", "인천광역시 제물포구", "2026-07-01", true},
		{"bs-pub-nps", "국민연금공단", "2026-11-25", true},
		{"bs-pub-nps", "국민연금", "2026-11-25", false}, // an alias is not the name
		{"bs-pub-nps", "국민연금공단 ", "2026-11-25", false},
		{"x-casino", "카지노", "2026-11-25", false},
		{"bs-pub-nps", "국민연금공단", "", false}, // the zero day
	} {
		day, _ := directory.ParseDay(tc.day)
		if got := d.Eligible(tc.code, tc.name, day); got != tc.want {
			t.Errorf("Eligible(%s, %q, %s) = %v, want %v", tc.code, tc.name, tc.day, got, tc.want)
		}
	}
}

func TestDayIsTheKoreanCalendarDay(t *testing.T) {
	// 15:00 UTC on 30 June is already 1 July in Korea.
	if got := directory.DayOf(time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC)); got.String() != "2026-07-01" {
		t.Fatalf("DayOf = %s", got)
	}
	if got := directory.DayOf(time.Date(2026, 6, 30, 14, 59, 59, 0, time.UTC)); got.String() != "2026-06-30" {
		t.Fatalf("DayOf = %s", got)
	}
	for _, bad := range []string{"2026-7-1", "2026-02-30", "20260701", "yesterday"} {
		if _, err := directory.ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		}
	}
}

func TestInvalidDataIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, from, to string }{
		{"a duplicate code", `"code":"bs-pub-nps","name":"국민연금공단"`, `"code":"3490000","name":"국민연금공단"`},
		{"an unknown category", `"category":"public"`, `"category":"casino"`},
		{"an unknown source", `"aliases":["국민연금"],"source":"t"`, `"source":"nowhere"`},
		{"a parent not in the directory", `"parent":"6280000","region":"6280000","until"`, `"parent":"6289999","region":"6280000","until"`},
		{"a region that is not a province", `"parent":"6280000","region":"6280000","from"`, `"parent":"6280000","region":"3490000","from"`},
		{"until before from", `"from":"2026-07-01"`, `"from":"2026-07-01","until":"2026-06-30"`},
		{"a malformed day", `"until":"2026-06-30"`, `"until":"30.06.2026"`},
		{"a code of six digits", `"code":"3501000"`, `"code":"350100"`},
		{"a local code in capitals", `"code":"bs-pub-nps"`, `"code":"BS-PUB-NPS"`},
		{"a name with spaces around it", `"name":"국민연금공단"`, `"name":" 국민연금공단"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Replace(fixture, tc.from, tc.to, 1)
			if data == fixture {
				t.Fatal("the test does not change the fixture")
			}
			if _, err := directory.Load([]byte(data)); !errors.Is(err, directory.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("an unknown field", func(t *testing.T) {
		data := strings.Replace(fixture, `"as_of"`, `"asof":"x","as_of"`, 1)
		if _, err := directory.Load([]byte(data)); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("the same code in two files", func(t *testing.T) {
		if _, err := directory.Load([]byte(fixture), []byte(fixture)); !errors.Is(err, directory.ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestMarshalRoundTrips(t *testing.T) {
	f, err := directory.ParseFile([]byte(fixture))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := directory.ParseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := g.Marshal()
	if string(b) != string(b2) {
		t.Fatalf("not stable:\n%s\n%s", b, b2)
	}
	// One institution a line, sorted by category then code, HTML not escaped.
	lines := strings.Split(string(b), "\n")
	var inst []string
	for _, l := range lines {
		if strings.HasPrefix(l, `    {"code"`) {
			inst = append(inst, l)
		}
	}
	if len(inst) != 4 || !strings.Contains(inst[0], `"3490000"`) || !strings.Contains(inst[3], `"bs-pub-nps"`) {
		t.Fatalf("lines:\n%s", b)
	}
}

func TestLocalCodes(t *testing.T) {
	for code, local := range map[string]bool{"bs-pub-nps": true, "1741000": false, "B552015": false} {
		if directory.IsLocalCode(code) != local || !directory.ValidCode(code) {
			t.Errorf("%s: local %v valid %v", code, directory.IsLocalCode(code), directory.ValidCode(code))
		}
	}
	for _, bad := range []string{"", "bs-", "bs-Pub", "174100", "17410000", "x-casino"} {
		if directory.ValidCode(bad) {
			t.Errorf("ValidCode(%q)", bad)
		}
	}
}
