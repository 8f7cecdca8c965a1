package directory_test

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/assets"
	"github.com/bonsign/bonsign/directory"
)

// bundled is the directory the binaries ship.
func bundled(tb testing.TB) *directory.Directory {
	tb.Helper()
	data := [][]byte{assets.Institutions}
	names, _ := fs.Glob(assets.InstitutionFiles, "institutions/*.json")
	for _, n := range names {
		b, err := assets.InstitutionFiles.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		data = append(data, b)
	}
	d, err := directory.Load(data...)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustDay(tb testing.TB, s string) directory.Day {
	tb.Helper()
	d, err := directory.ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func names(rs []directory.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Entry.Name)
	}
	return out
}

func TestSearchAsKoreansType(t *testing.T) {
	d := bundled(t)
	on := mustDay(t, "2026-11-25")
	for _, tc := range []struct {
		query, first string
		match        directory.Match
	}{
		{"국민연금공단", "국민연금공단", directory.MatchExact},
		{"국민연금", "국민연금공단", directory.MatchExact}, // an alias
		{"국민연", "국민연금공단", directory.MatchPrefix},
		{"국민연그", "국민연금공단", directory.MatchPrefix}, // 금 still being composed
		{"ㄱㅁㅇㄱ", "국민연금공단", directory.MatchInitials},
		{"ㄱㅁㅇㄱㄱㄷ", "국민연금공단", directory.MatchInitials},
		{"국민ㅇ", "국민연금공단", directory.MatchInitials},
		{"국 민 연 금 공 단", "국민연금공단", directory.MatchExact}, // spaces do not count
		{"주택도시보증", "주택도시보증공사", directory.MatchPrefix},
		{"ㅈㅌㄷㅅㅂㅈ", "주택도시보증공사", directory.MatchInitials},
		{"보증공사", "주택도시보증공사", directory.MatchSubstring},
		{"종로", "서울특별시 종로구", directory.MatchPrefix}, // 종로구청
		{"상수도", "서울특별시 상수도사업본부", directory.MatchWordPrefix},
		{"종로구청", "서울특별시 종로구", directory.MatchExact},
		{"ㅈㄹㄱ", "서울특별시 종로구", directory.MatchInitials},
		{"서울특별시종로구", "서울특별시 종로구", directory.MatchExact},
		{"lh", "한국토지주택공사", directory.MatchExact},
		{"1741000", "행정안전부", directory.MatchExact},
		{"행안부", "행정안전부", directory.MatchExact},
		{"새마을금고", "새마을금고중앙회", directory.MatchExact},
		{"ㅎㄱㅇㅎ", "한국은행", directory.MatchInitials},
		{"서울대", "서울대학교", directory.MatchExact},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rs, _ := d.Search(directory.Query{Text: tc.query, On: on, Limit: 10})
			if len(rs) == 0 {
				t.Fatalf("nothing found")
			}
			if rs[0].Entry.Name != tc.first || rs[0].Match != tc.match {
				t.Fatalf("first %s (%s), want %s (%s); all: %v", rs[0].Entry.Name, rs[0].Match, tc.first, tc.match, names(rs))
			}
		})
	}
}

func TestSearchRanksBetterMatchesFirst(t *testing.T) {
	d := bundled(t)
	rs, n := d.Search(directory.Query{Text: "서울", On: mustDay(t, "2026-11-25")})
	if n != len(rs) || n < 30 {
		t.Fatalf("%d results of %d", len(rs), n)
	}
	// The alias 서울 is an exact match of 서울특별시; then names that start
	// with 서울, shorter first; then later words; then the rest.
	if rs[0].Entry.Name != "서울특별시" || rs[0].Match != directory.MatchExact {
		t.Fatalf("first: %s %s", rs[0].Entry.Name, rs[0].Match)
	}
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if a.Match > b.Match {
			t.Fatalf("%s (%s) before %s (%s)", a.Entry.Name, a.Match, b.Entry.Name, b.Match)
		}
		if a.Match == b.Match && len([]rune(a.Entry.Name)) > len([]rune(b.Entry.Name)) {
			t.Fatalf("%s before the shorter %s", a.Entry.Name, b.Entry.Name)
		}
	}
	if !slices.Contains(names(rs), "서울대학교") {
		t.Fatalf("서울대학교 not found: %v", names(rs))
	}
	// The same search twice gives the same order.
	again, _ := d.Search(directory.Query{Text: "서울", On: mustDay(t, "2026-11-25")})
	if !slices.Equal(names(rs), names(again)) {
		t.Fatal("the order is not stable")
	}
}

func TestSearchFilters(t *testing.T) {
	d := bundled(t)
	on := mustDay(t, "2026-11-25")
	t.Run("by category", func(t *testing.T) {
		rs, n := d.Search(directory.Query{Text: "ㄱ", Categories: []directory.Category{directory.Special}, On: on})
		if n == 0 {
			t.Fatal("nothing")
		}
		for _, r := range rs {
			if r.Entry.Category != directory.Special {
				t.Errorf("%s is %s", r.Entry.Name, r.Entry.Category)
			}
		}
	})
	t.Run("by two categories", func(t *testing.T) {
		rs, _ := d.Search(directory.Query{Categories: []directory.Category{directory.Public, directory.Special}, On: on})
		cats := map[directory.Category]bool{}
		for _, r := range rs {
			cats[r.Entry.Category] = true
		}
		if len(cats) != 2 || !cats[directory.Public] || !cats[directory.Special] {
			t.Errorf("categories %v", cats)
		}
	})
	t.Run("by region", func(t *testing.T) {
		rs, n := d.Search(directory.Query{Text: "중구", Region: "6260000", On: on})
		if n != 1 || rs[0].Entry.Name != "부산광역시 중구" {
			t.Fatalf("%v", names(rs))
		}
		all, _ := d.Search(directory.Query{Text: "중구", On: on})
		if len(all) < 5 {
			t.Fatalf("중구 without a region: %v", names(all))
		}
	})
	t.Run("by region and category", func(t *testing.T) {
		rs, _ := d.Search(directory.Query{Region: "6110000", Categories: []directory.Category{directory.Local}, On: on})
		if len(rs) != 26 { // 서울특별시 and its 25 districts
			t.Fatalf("%d: %v", len(rs), names(rs))
		}
	})
	t.Run("by day", func(t *testing.T) {
		for _, tc := range []struct {
			day  string
			want []string
		}{
			{"2026-06-30", []string{"인천광역시 중구"}},
			{"2026-07-01", nil},
		} {
			rs, _ := d.Search(directory.Query{Text: "중구", Region: "6280000", On: mustDay(t, tc.day)})
			if !slices.Equal(names(rs), tc.want) {
				t.Errorf("on %s: %v, want %v", tc.day, names(rs), tc.want)
			}
		}
	})
	t.Run("limit and total", func(t *testing.T) {
		rs, n := d.Search(directory.Query{Text: "ㅅ", On: on, Limit: 5})
		if len(rs) != 5 || n <= 5 {
			t.Fatalf("%d results of %d", len(rs), n)
		}
		full, _ := d.Search(directory.Query{Text: "ㅅ", On: on})
		if !slices.Equal(names(rs), names(full[:5])) {
			t.Fatalf("the limited results %v are not the first of %v", names(rs), names(full[:5]))
		}
	})
	t.Run("empty text lists in 가나다 order", func(t *testing.T) {
		rs, _ := d.Search(directory.Query{Categories: []directory.Category{directory.Special}, On: on})
		if !slices.IsSorted(names(rs)) || rs[0].Match != directory.MatchAll {
			t.Fatalf("%v", names(rs))
		}
	})
	t.Run("nothing matches", func(t *testing.T) {
		if rs, n := d.Search(directory.Query{Text: "카지노", On: on}); n != 0 || rs != nil {
			t.Fatalf("%v", names(rs))
		}
	})
}

func TestResolveRegion(t *testing.T) {
	d := bundled(t)
	on := mustDay(t, "2026-11-25")
	for in, want := range map[string]string{"6110000": "서울특별시", "서울": "서울특별시", "서울특별시": "서울특별시", "경기": "경기도", "광주": "전남광주통합특별시", "강원도": "강원특별자치도"} {
		if e, ok := d.ResolveRegion(in, on); !ok || e.Name != want {
			t.Errorf("ResolveRegion(%q) = %q, %v; want %s", in, e.Name, ok, want)
		}
	}
	if e, ok := d.ResolveRegion("광주", mustDay(t, "2026-06-30")); !ok || e.Name != "광주광역시" {
		t.Errorf("광주 before the merger: %q", e.Name)
	}
	for _, in := range []string{"3000000", "종로", "", "카지노"} {
		if e, ok := d.ResolveRegion(in, on); ok {
			t.Errorf("ResolveRegion(%q) = %s", in, e.Name)
		}
	}
}

// synthetic adds n schools with plausible names to the bundled data, the size
// of the whole school list (about 12,000 elementary, middle and high schools
// and 400 universities).
func synthetic(tb testing.TB, n int) *directory.Directory {
	tb.Helper()
	data := [][]byte{assets.Institutions}
	names, _ := fs.Glob(assets.InstitutionFiles, "institutions/*.json")
	for _, nm := range names {
		b, _ := assets.InstitutionFiles.ReadFile(nm)
		data = append(data, b)
	}
	base, err := directory.Load(data...)
	if err != nil {
		tb.Fatal(err)
	}
	regions := base.Regions(mustDay(tb, "2026-11-25"))
	places := []string{"서울", "한빛", "새솔", "푸른", "가람", "누리", "미래", "동산", "중앙", "신흥", "대성", "명덕", "한솔", "은행", "소나무", "하늘", "금빛", "다산", "세종", "광명"}
	kinds := []string{"초등학교", "중학교", "고등학교", "여자고등학교", "정보고등학교"}
	var b strings.Builder
	b.WriteString(`{"as_of":"2026-11-25","sources":[{"id":"synthetic","name":"synthetic","date":"2026-11-25"}],"institutions":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		name := fmt.Sprintf("%s%s%d%s", regions[i%len(regions)].Name[:6], places[i%len(places)], i%97, kinds[i%len(kinds)])
		fmt.Fprintf(&b, `{"code":"%07d","name":%q,"category":"school","region":%q,"source":"synthetic"}`, 7000000+i, name, regions[i%len(regions)].Code)
	}
	b.WriteString("]}")
	d, err := directory.Load(append(data, []byte(b.String()))...)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// BenchmarkSearch measures one search as the picker runs it (first 50
// results, in force today) on the bundled directory and on one with the whole
// school list.
//
//	go test ./directory -run '^$' -bench Search -benchmem
func BenchmarkSearch(b *testing.B) {
	on := mustDay(b, "2026-11-25")
	dirs := []struct {
		name string
		d    *directory.Directory
	}{{"bundled", bundled(b)}, {"with_13000_schools", synthetic(b, 13000)}}
	for _, dir := range dirs {
		for _, q := range []string{"국민연금공단", "ㄱㅁㅇㄱ", "국민ㅇ", "종로", "ㅅ", "학교", "없는기관이름"} {
			b.Run(dir.name+"/"+q, func(b *testing.B) {
				b.ReportMetric(float64(dir.d.Len()), "entries")
				for b.Loop() {
					dir.d.Search(directory.Query{Text: q, On: on, Limit: 50})
				}
			})
		}
	}
}

// BenchmarkLoad measures parsing and indexing the bundled data.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		bundled(b)
	}
}
