package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/bonsign/bonsign/directory"
)

// Field is a piece of an entry an export column can fill.
type Field string

// The fields profiles read.
const (
	FieldCode     Field = "code"     // the institution's code
	FieldName     Field = "name"     // its full name
	FieldType     Field = "type"     // what it is (기관유형, 학교종류)
	FieldParent   Field = "parent"   // the code of its parent (차상위기관코드)
	FieldTop      Field = "top"      // the code of its top institution (최상위기관코드)
	FieldStatus   Field = "status"   // in existence or abolished (존폐여부, 운영상태)
	FieldFrom     Field = "from"     // first day (생성일자)
	FieldUntil    Field = "until"    // day it was abolished (폐지일자)
	FieldRegion   Field = "region"   // province name (시도명)
	FieldAddress  Field = "address"  // address, whose first word is the province
	FieldMinistry Field = "ministry" // the supervising ministry's name (주무기관)
	FieldAltCode  Field = "alt_code" // an identifier that is not a 행정표준기관코드
)

// Profile is how one kind of public export maps to entries.
type Profile struct {
	// Name is the profile's name on the command line.
	Name string
	// Source describes the export; the command fills in its ID and date.
	Source directory.Source
	// Columns lists, for each field, the header names the export uses for it,
	// in order of preference.
	Columns map[Field][]string
	// Required are the fields without which a row means nothing.
	Required []Field
	// build turns a row into an entry, or says why the row is skipped.
	build func(r row, c *context) (directory.Entry, string)
}

// Profiles are the exports bonsign knows how to read.
func Profiles() []*Profile { return []*Profile{orgCodeProfile, schoolProfile, alioProfile} }

// ProfileByName finds a profile.
func ProfileByName(name string) (*Profile, bool) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// row is one export row read through the column mapping.
type row struct {
	get func(Field) string
}

// orgCodeProfile reads the institution code export of 행정표준코드관리시스템
// (code.go.kr → 기관코드 → 전체자료 내려받기).
var orgCodeProfile = &Profile{
	Name: "orgcode",
	Source: directory.Source{
		Name: "행정표준코드관리시스템 기관코드",
		URL:  "https://www.code.go.kr/stdcode/orgCodeL.do",
	},
	Columns: map[Field][]string{
		FieldCode:   {"기관코드", "orgCd"},
		FieldName:   {"전체기관명", "기관명", "orgNm"},
		FieldType:   {"유형분류_중_의미", "기관유형중분류", "기관유형(중분류)", "기관유형", "기관분류", "유형분류"},
		FieldParent: {"차상위기관코드", "상위기관코드", "uprOrgCd"},
		FieldTop:    {"최상위기관코드", "최상위기관", "topOrgCd"},
		FieldStatus: {"존폐여부", "존폐구분", "폐지여부", "사용여부"},
		FieldFrom:   {"생성일자", "신설일자"},
		FieldUntil:  {"폐지일자"},
	},
	Required: []Field{FieldCode, FieldName},
	build:    buildOrgCode,
}

// schoolProfile reads 학교기본정보: the NEIS Open API schoolInfo export
// (open.neis.go.kr), 학교알리미's school list, or 공공데이터포털's
// 전국초중등학교위치표준데이터.
var schoolProfile = &Profile{
	Name: "school",
	Source: directory.Source{
		Name: "학교기본정보 (나이스 교육정보 개방 포털)",
		URL:  "https://open.neis.go.kr",
	},
	Columns: map[Field][]string{
		FieldCode:    {"행정표준코드", "표준학교코드", "SD_SCHUL_CODE"},
		FieldAltCode: {"학교ID", "학교아이디"},
		FieldName:    {"학교명", "SCHUL_NM"},
		FieldType:    {"학교종류명", "학교급구분", "학교급", "SCHUL_KND_SC_NM"},
		FieldRegion:  {"시도명", "소재지명", "LCTN_SC_NM"},
		FieldAddress: {"도로명주소", "소재지도로명주소", "ORG_RDNMA", "소재지지번주소"},
		FieldStatus:  {"운영상태"},
		FieldFrom:    {"설립일자", "개교일", "FOND_YMD"},
	},
	Required: []Field{FieldName},
	build:    buildSchool,
}

// alioProfile reads the list of public institutions of ALIO (공공기관
// 경영정보 공개시스템, www.alio.go.kr), designated each year under 공공기관의
// 운영에 관한 법률.
var alioProfile = &Profile{
	Name: "alio",
	Source: directory.Source{
		Name: "ALIO 공공기관 지정 현황",
		URL:  "https://www.alio.go.kr",
	},
	Columns: map[Field][]string{
		FieldCode:     {"행정표준코드", "행정표준기관코드"},
		FieldAltCode:  {"기관코드", "ALIO기관코드", "apbaId"},
		FieldName:     {"기관명", "apbaNa"},
		FieldType:     {"기관유형", "유형", "apbaType"},
		FieldMinistry: {"주무기관", "주무부처", "jidtNm"},
	},
	Required: []Field{FieldName},
	build:    buildALIO,
}

// context is what builders may consult: the directory as it is and the
// import's day.
type context struct {
	base *directory.Directory
	day  directory.Day
}

var stdCodeRE = regexp.MustCompile(`^[0-9A-Z]{7}$`)

func buildOrgCode(r row, c *context) (directory.Entry, string) {
	e := directory.Entry{Code: r.get(FieldCode), Name: oneSpace(r.get(FieldName))}
	if !stdCodeRE.MatchString(e.Code) {
		return e, "code is not a 행정표준기관코드"
	}
	typ := r.get(FieldType)
	cat, kind, ok := orgType(typ, e.Name)
	if !ok {
		return e, fmt.Sprintf("type %q is not an eligible institution", typ)
	}
	e.Category, e.Kind = cat, kind
	if abolished(r.get(FieldStatus)) {
		until, ok := dayBefore(r.get(FieldUntil))
		if !ok {
			return e, "abolished, without a date"
		}
		e.Until = until
	}
	if from, ok := isoDay(r.get(FieldFrom)); ok {
		e.From = from
	}
	parent, top := r.get(FieldParent), r.get(FieldTop)
	switch {
	case kind == directory.KindProvince:
		e.Region = e.Code
	case c.isProvince(top):
		e.Region = top
	}
	for _, p := range []string{parent, top} {
		if p != "" && p != e.Code && c.known(p) {
			e.Parent = p
			break
		}
	}
	return e, ""
}

// orgType maps the type column of the code.go.kr export to a category.
func orgType(typ, name string) (directory.Category, directory.Kind, bool) {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(typ, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("광역자치단체"):
		return directory.Local, directory.KindProvince, true
	case has("기초자치단체"):
		return directory.Local, directory.KindMunicipality, true
	case has("중앙행정기관"):
		kind := directory.Kind("")
		switch {
		case strings.HasSuffix(name, "위원회"):
			kind = directory.KindCommission
		case strings.HasSuffix(name, "부"):
			kind = directory.KindMinistry
		case strings.HasSuffix(name, "처"):
			kind = directory.KindOffice
		case strings.HasSuffix(name, "청"):
			kind = directory.KindService
		}
		return directory.Central, kind, true
	case has("지방공사", "지방공단", "지방공기업"):
		return directory.LocalPublic, "", true
	case has("공공기관", "공기업", "준정부기관"):
		return directory.Public, "", true
	case has("특수법인"):
		return directory.Special, "", true
	case has("학교", "대학"):
		return directory.School, schoolKind(name), true
	case has("소속기관", "하부기관", "지방행정기관", "사업소", "행정시", "출장소", "직속기관"):
		return directory.Agency, "", true
	}
	return "", "", false
}

func buildSchool(r row, c *context) (directory.Entry, string) {
	e := directory.Entry{Code: r.get(FieldCode), Name: oneSpace(r.get(FieldName)), Category: directory.School}
	if e.Code == "" {
		alt := strings.ToLower(r.get(FieldAltCode))
		if !regexp.MustCompile(`^[a-z0-9]+$`).MatchString(alt) {
			return e, "no 행정표준코드 and no usable 학교ID"
		}
		e.Code = "bs-sch-" + alt
	} else if !stdCodeRE.MatchString(e.Code) {
		return e, "행정표준코드 is not seven digits"
	}
	switch st := r.get(FieldStatus); {
	case strings.Contains(st, "폐교"):
		return e, "closed (폐교)"
	}
	e.Kind = schoolKind(r.get(FieldType) + " " + e.Name)
	region := r.get(FieldRegion)
	if region == "" {
		region, _, _ = strings.Cut(r.get(FieldAddress), " ")
	}
	if reg, ok := c.region(region); ok {
		e.Region = reg
	}
	if from, ok := isoDay(r.get(FieldFrom)); ok {
		e.From = from
	}
	return e, ""
}

// schoolKind reads the kind of school from its type or name.
func schoolKind(s string) directory.Kind {
	switch {
	case strings.Contains(s, "초등"):
		return directory.KindElementary
	case strings.Contains(s, "중학"):
		return directory.KindMiddle
	case strings.Contains(s, "고등"), strings.Contains(s, "과학영재"):
		return directory.KindHigh
	case strings.Contains(s, "특수"):
		return directory.KindSpecialEd
	case strings.Contains(s, "대학"):
		return directory.KindUniversity
	}
	return directory.KindOtherSch
}

func buildALIO(r row, c *context) (directory.Entry, string) {
	e := directory.Entry{Code: r.get(FieldCode), Name: oneSpace(r.get(FieldName)), Category: directory.Public}
	switch {
	case e.Code != "":
		if !stdCodeRE.MatchString(e.Code) {
			return e, "행정표준코드 is not a 행정표준기관코드"
		}
	case r.get(FieldAltCode) != "":
		alt := strings.ToLower(r.get(FieldAltCode))
		if !regexp.MustCompile(`^[a-z0-9]+$`).MatchString(alt) {
			return e, "ALIO code is not letters and digits"
		}
		e.Code = "bs-pub-alio-" + alt
	default:
		// A code derived from the name: stable as long as the name is.
		sum := sha256.Sum256([]byte(e.Name))
		e.Code = "bs-pub-n" + hex.EncodeToString(sum[:5])
	}
	if m := r.get(FieldMinistry); m != "" {
		if p, ok := c.central(m); ok {
			e.Parent = p
		}
	}
	return e, ""
}

// isProvince reports whether code is a province-level local government.
func (c *context) isProvince(code string) bool {
	if c.base == nil || code == "" {
		return false
	}
	e, ok := c.base.Lookup(code)
	return ok && e.Category == directory.Local && e.Kind == directory.KindProvince
}

func (c *context) known(code string) bool {
	if c.base == nil {
		return false
	}
	_, ok := c.base.Lookup(code)
	return ok
}

// region finds the province named s on the import's day, or on any day.
func (c *context) region(s string) (string, bool) {
	if c.base == nil || s == "" {
		return "", false
	}
	if e, ok := c.base.ResolveRegion(s, c.day); ok {
		return e.Code, true
	}
	if e, ok := c.base.ResolveRegion(s, 0); ok {
		return e.Code, true
	}
	return "", false
}

// central finds the central agency named name in force on the import's day.
func (c *context) central(name string) (string, bool) {
	if c.base == nil {
		return "", false
	}
	res, _ := c.base.Search(directory.Query{Text: name, Categories: []directory.Category{directory.Central}, On: c.day, Limit: 1})
	if len(res) == 1 && res[0].Match == directory.MatchExact {
		return res[0].Entry.Code, true
	}
	return "", false
}

// abolished reads the status columns of the exports.
func abolished(s string) bool {
	switch strings.TrimSpace(s) {
	case "1", "폐", "폐지", "Y", "y", "폐지기관":
		return true
	}
	return false
}

// isoDay reads a day written 2026-07-01, 2026.07.01 or 20260701.
func isoDay(s string) (string, bool) {
	s = strings.NewReplacer("-", "", ".", "", "/", "", " ", "").Replace(s)
	if len(s) < 8 {
		return "", false
	}
	t, err := time.Parse("20060102", s[:8])
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// dayBefore returns the last day in force of an institution abolished on s.
func dayBefore(s string) (string, bool) {
	d, ok := isoDay(s)
	if !ok {
		return "", false
	}
	t, _ := time.Parse(time.DateOnly, d)
	return t.AddDate(0, 0, -1).Format(time.DateOnly), true
}

// oneSpace collapses runs of spaces.
func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
