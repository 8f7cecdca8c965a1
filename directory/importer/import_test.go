package importer_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/directory"
	"github.com/bonsign/bonsign/directory/importer"
)

// target is a small data file the fixtures are imported into.
const target = `{
  "as_of": "2026-11-01",
  "sources": [{"id":"old","name":"earlier data","date":"2026-08-12"}],
  "institutions": [
    {"code":"6110000","name":"서울특별시","category":"local","kind":"province","region":"6110000","source":"old"},
    {"code":"6280000","name":"인천광역시","category":"local","kind":"province","region":"6280000","source":"old"},
    {"code":"3490000","name":"인천광역시 중구","category":"local","kind":"municipality","parent":"6280000","region":"6280000","source":"old"},
    {"code":"6290000","name":"광주광역시","category":"local","kind":"province","region":"6290000","until":"2026-06-30","source":"old"},
    {"code":"6130000","name":"전남광주통합특별시","category":"local","kind":"province","region":"6130000","from":"2026-07-01","aliases":["광주광역시","전라남도"],"source":"old"},
    {"code":"1352000","name":"보건복지부","category":"central","kind":"ministry","source":"old"},
    {"code":"bs-pub-nps","name":"국민연금공단","category":"public","aliases":["국민연금"],"source":"old"}
  ]
}`

func load(t *testing.T) (*directory.File, *directory.Directory) {
	t.Helper()
	f, err := directory.ParseFile([]byte(target))
	if err != nil {
		t.Fatal(err)
	}
	d, err := directory.New(f)
	if err != nil {
		t.Fatal(err)
	}
	return f, d
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entry(t *testing.T, f *directory.File, code string) directory.Entry {
	t.Helper()
	for _, e := range f.Institutions {
		if e.Code == code {
			return e
		}
	}
	t.Fatalf("%s is not in the file", code)
	return directory.Entry{}
}

func changes(rep *importer.Report, op importer.Op) []string {
	var out []string
	for _, c := range rep.Changes {
		if c.Op == op {
			out = append(out, c.Code)
		}
	}
	slices.Sort(out)
	return out
}

func TestDecodeEncodings(t *testing.T) {
	for _, tc := range []struct {
		file, encoding string
		delim          rune
	}{
		{"orgcode-cp949.txt", importer.EncodingCP949, '\t'},
		{"schools-utf8-bom.csv", importer.EncodingUTF8BOM, ','},
		{"schools-standard-cp949.csv", importer.EncodingCP949, ','},
		{"alio.csv", importer.EncodingUTF8, ','},
	} {
		tab, err := importer.ReadTable(fixture(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if tab.Encoding != tc.encoding || tab.Delimiter != tc.delim {
			t.Errorf("%s: %s, %q; want %s, %q", tc.file, tab.Encoding, tab.Delimiter, tc.encoding, tc.delim)
		}
		// The first header is Korean text, decoded, without the BOM.
		if h := tab.Header[0]; !strings.HasPrefix(h, "기관코드") && !strings.HasPrefix(h, "시도교육청코드") && !strings.HasPrefix(h, "학교ID") {
			t.Errorf("%s: first header %q", tc.file, h)
		}
	}
	if _, _, err := importer.Decode([]byte("\xef\xbb\xbf\xff\xfe")); err == nil {
		t.Error("a BOM before bytes that are not UTF-8 was accepted")
	}
}

func TestImportOrgCodes(t *testing.T) {
	f, base := load(t)
	out, rep, err := importer.Import(f, fixture(t, "orgcode-cp949.txt"), importer.Options{
		Profile: mustProfile(t, "orgcode"), Base: base,
		Source: directory.Source{ID: "mois-orgcode-2026-12", Date: "2026-12-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 11 || rep.Duplicates != 1 || rep.Unchanged != 0 {
		t.Fatalf("report: %s", rep.Summary())
	}
	if got := changes(rep, importer.OpAdd); !slices.Equal(got, []string{"1741000", "3000000", "3010000", "3501000"}) {
		t.Errorf("added %v", got)
	}
	// 서울특별시 gets its creation day; 인천 중구 its last day.
	if got := changes(rep, importer.OpUpdate); !slices.Equal(got, []string{"3490000", "6110000"}) {
		t.Errorf("updated %v", got)
	}
	if got := changes(rep, importer.OpLink); !slices.Equal(got, []string{"bs-pub-nps"}) {
		t.Errorf("linked %v", got)
	}
	// 국회 (not eligible), a five-digit code and an abolished entry without a
	// date are skipped, each with its reason.
	if got := changes(rep, importer.OpSkip); len(got) != 3 {
		t.Errorf("skipped %v", rep.Changes)
	}
	jongno := entry(t, out, "3000000")
	if jongno.Category != directory.Local || jongno.Kind != directory.KindMunicipality || jongno.Parent != "6110000" ||
		jongno.Region != "6110000" || jongno.Source != "mois-orgcode-2026-12" || jongno.From != "1988-05-01" {
		t.Errorf("종로구: %+v", jongno)
	}
	if e := entry(t, out, "3010000"); e.Name != "서울특별시 중구" {
		t.Errorf("double spaces kept: %q", e.Name)
	}
	if e := entry(t, out, "3490000"); e.Until != "2026-06-30" {
		t.Errorf("인천 중구 abolished on 2026-07-01 is in force until %q", e.Until)
	}
	if e := entry(t, out, "1741000"); e.Category != directory.Central || e.Kind != directory.KindMinistry {
		t.Errorf("행정안전부: %+v", e)
	}
	// The published local code stays; the official one is recorded beside it.
	if e := entry(t, out, "bs-pub-nps"); e.StdCode != "B552015" || e.Aliases[0] != "국민연금" {
		t.Errorf("국민연금공단: %+v", e)
	}
	if out.AsOf != "2026-12-01" || !slices.ContainsFunc(out.Sources, func(s directory.Source) bool {
		return s.ID == "mois-orgcode-2026-12" && s.Name == "행정표준코드관리시스템 기관코드" && s.Date == "2026-12-01"
	}) {
		t.Errorf("source not recorded: %+v, as of %s", out.Sources, out.AsOf)
	}
	if _, err := directory.New(out); err != nil {
		t.Fatalf("the merged file is invalid: %v", err)
	}
	// The target is untouched, and a second import of the same export changes
	// nothing.
	if len(f.Institutions) != 7 {
		t.Fatal("the target was modified")
	}
	d2, _ := directory.New(out)
	again, rep2, err := importer.Import(out, fixture(t, "orgcode-cp949.txt"), importer.Options{
		Profile: mustProfile(t, "orgcode"), Base: d2,
		Source: directory.Source{ID: "mois-orgcode-2026-12", Date: "2026-12-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep2.Count(importer.OpAdd) + rep2.Count(importer.OpUpdate) + rep2.Count(importer.OpLink); n != 0 {
		t.Fatalf("the second import changed %d entries: %s", n, rep2.Summary())
	}
	b1, _ := out.Marshal()
	b2, _ := again.Marshal()
	if string(b1) != string(b2) {
		t.Fatal("the second import changed the file")
	}
}

func TestImportSchools(t *testing.T) {
	f, base := load(t)
	out, rep, err := importer.Import(f, fixture(t, "schools-utf8-bom.csv"), importer.Options{
		Profile: mustProfile(t, "school"), Base: base,
		Source: directory.Source{ID: "neis-school-2026-11", Date: "2026-11-20"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(rep, importer.OpAdd); !slices.Equal(got, []string{"7999001", "7999002", "7999003", "7999004"}) {
		t.Fatalf("added %v (%s)", got, rep.Summary())
	}
	for code, want := range map[string]struct {
		kind   directory.Kind
		region string
	}{
		"7999001": {directory.KindElementary, "6110000"},
		"7999002": {directory.KindMiddle, "6110000"},     // from the address
		"7999003": {directory.KindHigh, "6130000"},       // 광주광역시 is now 전남광주통합특별시
		"7999004": {directory.KindElementary, "6110000"}, // 폐교 only in the other layout
	} {
		e := entry(t, out, code)
		if e.Category != directory.School || e.Kind != want.kind || e.Region != want.region {
			t.Errorf("%s: %+v", code, e)
		}
	}
	if got := changes(rep, importer.OpSkip); !slices.Equal(got, []string{"79990"}) {
		t.Errorf("skipped %v", got)
	}

	// The 표준데이터 layout: no 행정표준코드, a 학교ID, and 운영상태.
	out2, rep2, err := importer.Import(f, fixture(t, "schools-standard-cp949.csv"), importer.Options{
		Profile: mustProfile(t, "school"), Base: base,
		Source: directory.Source{ID: "school-standard-2026-08", Date: "2026-08-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(rep2, importer.OpAdd); !slices.Equal(got, []string{"bs-sch-b000999901"}) {
		t.Fatalf("added %v", got)
	}
	if e := entry(t, out2, "bs-sch-b000999901"); e.From != "1999-03-01" || e.Region != "6110000" {
		t.Errorf("%+v", e)
	}
	if rep2.Count(importer.OpSkip) != 1 || !strings.Contains(rep2.Changes[0].Detail+rep2.Changes[1].Detail, "폐교") {
		t.Errorf("the closed school: %+v", rep2.Changes)
	}
}

func TestImportALIO(t *testing.T) {
	f, base := load(t)
	out, rep, err := importer.Import(f, fixture(t, "alio.csv"), importer.Options{
		Profile: mustProfile(t, "alio"), Base: base,
		Source: directory.Source{ID: "alio-2026", Date: "2026-01-30"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// 국민연금공단 is already there under its published code: no duplicate.
	if got := changes(rep, importer.OpAdd); !slices.Equal(got, []string{"bs-pub-alio-c9901", "bs-pub-alio-c9902"}) {
		t.Fatalf("added %v (%s)", got, rep.Summary())
	}
	if rep.Unchanged != 1 {
		t.Errorf("국민연금공단 not matched by name: %s", rep.Summary())
	}
	if e := entry(t, out, "bs-pub-alio-c9901"); e.Parent != "1352000" || e.Category != directory.Public {
		t.Errorf("the supervising ministry is not the parent: %+v", e)
	}
	if e := entry(t, out, "bs-pub-alio-c9902"); e.Parent != "" {
		t.Errorf("an unknown ministry became a parent: %+v", e)
	}
}

func TestImportPrunesOnlyWhenAsked(t *testing.T) {
	f, base := load(t)
	// A first import, then an export without 제물포구.
	out, _, err := importer.Import(f, fixture(t, "orgcode-cp949.txt"), importer.Options{
		Profile: mustProfile(t, "orgcode"), Base: base, Source: directory.Source{ID: "m", Date: "2026-12-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := importer.ReadTable(fixture(t, "orgcode-cp949.txt"))
	var lines []string
	lines = append(lines, strings.Join(tab.Header, "\t"))
	for _, r := range tab.Rows {
		if r[0] != "3501000" {
			lines = append(lines, strings.Join(r, "\t"))
		}
	}
	smaller := []byte(strings.Join(lines, "\n"))
	d, _ := directory.New(out)
	for _, prune := range []bool{false, true} {
		res, rep, err := importer.Import(out, smaller, importer.Options{
			Profile: mustProfile(t, "orgcode"), Base: d, Prune: prune, Source: directory.Source{ID: "m", Date: "2026-12-02"},
		})
		if err != nil {
			t.Fatal(err)
		}
		has := slices.ContainsFunc(res.Institutions, func(e directory.Entry) bool { return e.Code == "3501000" })
		if prune {
			if has || !slices.Equal(changes(rep, importer.OpRemove), []string{"3501000"}) {
				t.Errorf("prune: kept %v, %s", has, rep.Summary())
			}
		} else if !has || !slices.Equal(changes(rep, importer.OpMissing), []string{"3501000"}) {
			t.Errorf("no prune: kept %v, %s", has, rep.Summary())
		}
	}
}

func TestImportColumnMapping(t *testing.T) {
	f, base := load(t)
	export := []byte("CODE,FULL NAME,TYPE\n3000000,서울특별시 종로구,기초자치단체\n")
	opt := importer.Options{Profile: mustProfile(t, "orgcode"), Base: base, Source: directory.Source{ID: "m", Date: "2026-12-01"}}
	if _, _, err := importer.Import(f, export, opt); err == nil || !strings.Contains(err.Error(), "CODE, FULL NAME, TYPE") {
		t.Fatalf("missing columns: %v", err)
	}
	opt.Columns = map[importer.Field]string{importer.FieldCode: "CODE", importer.FieldName: "full name", importer.FieldType: "TYPE"}
	out, rep, err := importer.Import(f, export, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(importer.OpAdd) != 1 || entry(t, out, "3000000").Name != "서울특별시 종로구" {
		t.Fatalf("%s", rep.Summary())
	}
	opt.Columns = map[importer.Field]string{importer.FieldCode: "NOPE"}
	if _, _, err := importer.Import(f, export, opt); err == nil {
		t.Fatal("a mapping to a missing column was accepted")
	}
}

func mustProfile(t *testing.T, name string) *importer.Profile {
	t.Helper()
	p, ok := importer.ProfileByName(name)
	if !ok {
		t.Fatalf("no profile %s", name)
	}
	return p
}
