package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/directory"
)

var kst = time.FixedZone("KST", 9*60*60)

// TestInstitutionsNotInForceAreRefused issues through the real server: an
// institution abolished before today, or one that never was, is refused
// whatever the client sends, and nothing is stored; its successor is
// accepted.
func TestInstitutionsNotInForceAreRefused(t *testing.T) {
	if time.Now().Before(time.Date(2026, 7, 1, 0, 0, 0, 0, kst)) {
		t.Skip("the test needs a clock after the 2026-07-01 reorganisations")
	}
	h := newHarness(t)
	ctx := context.Background()
	c := h.loggedIn(h.citizen)
	for _, tc := range []struct {
		name string
		inst api.Institution
	}{
		{"인천 중구, abolished on 2026-06-30", api.Institution{Code: "3490000", Name: "인천광역시 중구"}},
		{"광주광역시, merged into 전남광주통합특별시", api.Institution{Code: "6290000", Name: "광주광역시"}},
		{"the new 동구 under the old province's name", api.Institution{Code: "5805000", Name: "광주광역시 동구"}},
		{"a search alias instead of the name", api.Institution{Code: "bs-pub-nps", Name: "국민연금"}},
		{"a code not in the directory", api.Institution{Code: "9999999", Name: "국민연금공단"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := draft()
			conf.Institution = tc.inst
			_, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
			wantCode(t, err, api.CodeUnknownInstitution)
			if n := h.count(); n != 0 {
				t.Fatalf("stored %d confirmations", n)
			}
		})
	}
	for _, inst := range []api.Institution{
		{Code: "3501000", Name: "인천광역시 제물포구"},
		{Code: "5805000", Name: "전남광주통합특별시 동구"},
		{Code: "6110000", Name: "서울특별시"},
	} {
		conf := draft()
		conf.Institution = inst
		r, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
		if err != nil {
			t.Fatalf("%s: %v", inst.Name, err)
		}
		if r.Institution != inst {
			t.Fatalf("receipt institution %+v", r.Institution)
		}
	}
}

func TestEligibilityFollowsTheDayOfIssue(t *testing.T) {
	d := server.DefaultDirectory()
	jemulpo := api.Institution{Code: "3501000", Name: "인천광역시 제물포구"}
	junggu := api.Institution{Code: "3490000", Name: "인천광역시 중구"}
	for _, tc := range []struct {
		at              time.Time
		jemulpo, junggu bool
	}{
		{time.Date(2026, 6, 30, 23, 59, 0, 0, kst), false, true},
		{time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC), true, false}, // already 1 July in Korea
		{time.Date(2026, 7, 1, 0, 0, 0, 0, kst), true, false},
	} {
		if got := d.EligibleOn(jemulpo, tc.at); got != tc.jemulpo {
			t.Errorf("제물포구 at %v: %v", tc.at, got)
		}
		if got := d.EligibleOn(junggu, tc.at); got != tc.junggu {
			t.Errorf("중구 at %v: %v", tc.at, got)
		}
		if got := d.WithClock(func() time.Time { return tc.at }).Eligible(jemulpo); got != tc.jemulpo {
			t.Errorf("Eligible with the clock at %v: %v", tc.at, got)
		}
	}
}

// getDirectory calls GET /v1/institutions?params on the directory handler.
func getDirectory(t *testing.T, srv *server.Server, params url.Values) (*server.DirectoryResponse, *api.Error) {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(srv.ServeDirectory))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/v1/institutions?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body api.ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("status %d: %v", resp.StatusCode, err)
		}
		return nil, body.Error
	}
	var out server.DirectoryResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return &out, nil
}

func itemNames(r *server.DirectoryResponse) []string {
	var out []string
	for _, it := range r.Institutions {
		out = append(out, it.Name)
	}
	return out
}

func TestDirectoryEndpoint(t *testing.T) {
	today := time.Date(2026, 11, 25, 10, 0, 0, 0, kst)
	srv := server.New(nil, nil, nil, server.WithClock(func() time.Time { return today }))

	t.Run("without parameters, everything in force today, by name", func(t *testing.T) {
		r, e := getDirectory(t, srv, nil)
		if e != nil {
			t.Fatal(e)
		}
		names := itemNames(r)
		if r.Total != len(names) || len(names) < 400 || !slices.IsSorted(names) || r.Date != "2026-11-25" {
			t.Fatalf("total %d, %d names, sorted %v, date %s", r.Total, len(names), slices.IsSorted(names), r.Date)
		}
		for _, want := range []string{"국민연금공단", "서울특별시", "인천광역시 제물포구", "한국은행"} {
			if !slices.Contains(names, want) {
				t.Errorf("%s is missing", want)
			}
		}
		if slices.Contains(names, "인천광역시 중구") || slices.Contains(names, "광주광역시") {
			t.Error("abolished institutions are listed")
		}
	})
	t.Run("initial consonants", func(t *testing.T) {
		r, e := getDirectory(t, srv, url.Values{"q": {"ㄱㅁㅇㄱ"}})
		if e != nil {
			t.Fatal(e)
		}
		if r.Institutions[0].Name != "국민연금공단" || r.Institutions[0].Match != "initials" || r.Institutions[0].Code != "bs-pub-nps" {
			t.Fatalf("%+v", r.Institutions[0])
		}
	})
	t.Run("region by name and category", func(t *testing.T) {
		r, e := getDirectory(t, srv, url.Values{"q": {"중구"}, "region": {"부산"}, "category": {"local"}})
		if e != nil {
			t.Fatal(e)
		}
		if !slices.Equal(itemNames(r), []string{"부산광역시 중구"}) || r.Institutions[0].Region != "6260000" || r.Institutions[0].Parent != "6260000" {
			t.Fatalf("%+v", r.Institutions)
		}
	})
	t.Run("several categories", func(t *testing.T) {
		r, e := getDirectory(t, srv, url.Values{"category": {"special,public"}, "limit": {"1000"}})
		if e != nil {
			t.Fatal(e)
		}
		for _, it := range r.Institutions {
			if it.Category != directory.Special && it.Category != directory.Public {
				t.Fatalf("%s is %s", it.Name, it.Category)
			}
		}
		if r.Total != len(r.Institutions) || r.Total < 50 {
			t.Fatalf("total %d", r.Total)
		}
	})
	t.Run("another day", func(t *testing.T) {
		for day, want := range map[string][]string{"2026-06-30": {"인천광역시 중구"}, "2026-07-01": nil} {
			r, e := getDirectory(t, srv, url.Values{"q": {"중구"}, "region": {"인천"}, "date": {day}})
			if e != nil {
				t.Fatal(e)
			}
			if !slices.Equal(itemNames(r), want) || r.Date != day {
				t.Errorf("on %s: %v", day, itemNames(r))
			}
		}
	})
	t.Run("limit and total", func(t *testing.T) {
		r, e := getDirectory(t, srv, url.Values{"q": {"ㅅ"}, "limit": {"3"}})
		if e != nil {
			t.Fatal(e)
		}
		if len(r.Institutions) != 3 || r.Total <= 3 {
			t.Fatalf("%d of %d", len(r.Institutions), r.Total)
		}
		r, _ = getDirectory(t, srv, url.Values{"q": {"ㅅ"}})
		if len(r.Institutions) != 50 {
			t.Fatalf("default limit: %d", len(r.Institutions))
		}
	})
	t.Run("readable as the old response", func(t *testing.T) {
		r, _ := getDirectory(t, srv, url.Values{"q": {"주택도시보증공사"}})
		b, _ := json.Marshal(r)
		var old api.InstitutionsResponse
		if err := json.Unmarshal(b, &old); err != nil || old.Institutions[0] != (api.Institution{Code: "bs-pub-hug", Name: "주택도시보증공사"}) {
			t.Fatalf("%v %+v", err, old)
		}
	})
	for _, tc := range []struct {
		name   string
		params url.Values
	}{
		{"an unknown category", url.Values{"category": {"casino"}}},
		{"a limit of 0", url.Values{"q": {"a"}, "limit": {"0"}}},
		{"a limit too high", url.Values{"limit": {"5000"}}},
		{"a malformed date", url.Values{"date": {"2026-13-01"}}},
		{"a region that is not a province", url.Values{"region": {"종로구"}}},
		{"a province abolished that day", url.Values{"region": {"6290000"}}},
		{"an unknown parameter", url.Values{"name": {"x"}}},
		{"a query too long", url.Values{"q": {string(make([]rune, 101))}}},
	} {
		t.Run(tc.name+" is a bad request", func(t *testing.T) {
			_, e := getDirectory(t, srv, tc.params)
			if e == nil || e.Code != api.CodeBadRequest || e.Detail == "" {
				t.Fatalf("error %+v", e)
			}
		})
	}
}

// TestDirectoryThroughTheAPI reads GET /v1/institutions of a running server
// the way the desktop client does.
func TestDirectoryThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	insts, err := h.loggedIn(h.citizen).Institutions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]string{}
	for _, in := range insts {
		byCode[in.Code] = in.Name
	}
	if byCode["bs-pub-nps"] != "국민연금공단" || byCode["1741000"] != "행정안전부" || byCode["3501000"] != "인천광역시 제물포구" {
		t.Fatalf("%d institutions, missing well-known ones", len(insts))
	}
	if _, ok := byCode["3490000"]; ok {
		t.Fatal("인천광역시 중구 is listed after its abolition")
	}
}

func TestLoadDirectoryFS(t *testing.T) {
	main := `{"as_of":"2026-11-25","sources":[{"id":"t","name":"t","date":"2026"}],"institutions":[
		{"code":"6110000","name":"서울특별시","category":"local","kind":"province","region":"6110000","source":"t"}]}`
	schools := `{"as_of":"2026-11-20","sources":[{"id":"s","name":"s","date":"2026-11-20"}],"institutions":[
		{"code":"7010057","name":"서울학교","category":"school","region":"6110000","source":"s"}]}`
	d, err := server.LoadDirectoryFS(fstest.MapFS{
		"institutions.json":         {Data: []byte(main)},
		"institutions/schools.json": {Data: []byte(schools)},
		"institutions/README.txt":   {Data: []byte("not data")},
		"elsewhere/ignored.json":    {Data: []byte("{")},
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, kst)
	if !d.EligibleOn(api.Institution{Code: "7010057", Name: "서울학교"}, at) {
		t.Fatal("the school of the second file is not eligible")
	}
	if _, err := server.LoadDirectoryFS(fstest.MapFS{"institutions/schools.json": {Data: []byte(schools)}}); err == nil {
		t.Fatal("loaded without institutions.json")
	}
}
