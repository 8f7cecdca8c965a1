package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fixtures are the importer's test exports.
const fixtures = "../../../../directory/importer/testdata"

const dataFile = `{
  "as_of": "2026-11-01",
  "sources": [{"id":"old","name":"earlier data","date":"2026-08-12"}],
  "institutions": [
    {"code":"6110000","name":"서울특별시","category":"local","kind":"province","region":"6110000","from":"1988-05-01","source":"old"},
    {"code":"6280000","name":"인천광역시","category":"local","kind":"province","region":"6280000","source":"old"},
    {"code":"6130000","name":"전남광주통합특별시","category":"local","kind":"province","region":"6130000","from":"2026-07-01","aliases":["광주광역시"],"source":"old"},
    {"code":"bs-pub-nps","name":"국민연금공단","category":"public","source":"old"}
  ]
}`

func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "institutions.json"), []byte(dataFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, &out); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestImportDryRunWritesNothing(t *testing.T) {
	dir := dataDir(t)
	out := runOK(t, "import", "-profile", "school", "-in", filepath.Join(fixtures, "schools-utf8-bom.csv"),
		"-data", dir, "-source-id", "neis-school-2026-11", "-date", "2026-11-20", "-dry-run")
	for _, want := range []string{"5 rows (UTF-8 with BOM, comma-separated): 4 added", "+ 7999001 bonsign시험초등학교 (school, elementary, region 6110000)",
		"! 79990 bonsign코드오류학교", "dry run"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "institutions", "schools.json")); !os.IsNotExist(err) {
		t.Fatalf("the dry run wrote a file: %v", err)
	}
}

func TestImportWritesACanonicalFileOnce(t *testing.T) {
	dir := dataDir(t)
	args := []string{"import", "-profile", "orgcode", "-in", filepath.Join(fixtures, "orgcode-cp949.txt"),
		"-data", dir, "-source-id", "mois-orgcode-2026-12", "-date", "2026-12-01"}
	out := runOK(t, args...)
	if !strings.Contains(out, "EUC-KR (CP949), tab-separated") || !strings.Contains(out, "wrote ") {
		t.Fatalf("output:\n%s", out)
	}
	path := filepath.Join(dir, "institutions.json")
	first, _ := os.ReadFile(path)
	if !strings.Contains(string(first), `"code":"3000000","name":"서울특별시 종로구"`) || !strings.Contains(string(first), `"std_code":"B552015"`) {
		t.Fatalf("file:\n%s", first)
	}
	// fmt leaves it as it is: it is canonical already.
	runOK(t, "fmt", path)
	if again, _ := os.ReadFile(path); !bytes.Equal(again, first) {
		t.Fatal("the written file is not in canonical form")
	}
	// A second import of the same export changes nothing.
	out = runOK(t, args...)
	if !strings.Contains(out, "0 added, 0 updated, 0 linked") {
		t.Fatalf("second import:\n%s", out)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, first) {
		t.Fatal("the second import changed the file")
	}
	out = runOK(t, "check", "-data", dir, "-date", "2026-12-01")
	if !strings.Contains(out, "local/municipality") || !strings.Contains(out, "public ") {
		t.Fatalf("check:\n%s", out)
	}
}

func TestImportRefusesWhatWouldBreakTheDirectory(t *testing.T) {
	dir := dataDir(t)
	// The school list's regions are resolved against the directory; into a
	// file of its own whose source lacks an id, nothing is written.
	var out bytes.Buffer
	err := run([]string{"import", "-profile", "school", "-in", filepath.Join(fixtures, "schools-utf8-bom.csv"), "-data", dir, "-date", "2026-11-20"}, &out)
	if err == nil || !strings.Contains(err.Error(), "-source-id") {
		t.Fatalf("err = %v", err)
	}
	err = run([]string{"import", "-profile", "casino", "-in", "x", "-data", dir}, &out)
	if err == nil || !strings.Contains(err.Error(), "unknown profile") {
		t.Fatalf("err = %v", err)
	}
	// A damaged data file stops the import before anything is written.
	os.WriteFile(filepath.Join(dir, "institutions.json"), []byte(strings.Replace(dataFile, `"source":"old"}`, `"source":"missing"}`, 1)), 0o644)
	err = run([]string{"import", "-profile", "alio", "-in", filepath.Join(fixtures, "alio.csv"), "-data", dir, "-source-id", "a", "-date", "2026-01-30"}, &out)
	if err == nil || !strings.Contains(err.Error(), "before the import") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckTheBundledData(t *testing.T) {
	out := runOK(t, "check", "-data", "../../../../assets", "-date", "2026-07-01")
	for _, want := range []string{`local/municipality\s+227 `, `local/province\s+16 `} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("check lacks %q:\n%s", want, out)
		}
	}
}
