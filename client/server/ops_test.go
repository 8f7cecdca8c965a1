package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/internal/testpki"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	h := newHarness(t)
	if code, body := get(t, h.url+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, _ := get(t, h.url+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	c := h.loggedIn(h.citizen)
	conf := draft()
	r, err := c.Issue(context.Background(), conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	c.Verify(context.Background(), h.npsKey, r.IssueNumber, citizenName)
	c.Verify(context.Background(), h.npsKey, r.IssueNumber, "김아무개")
	_, body := get(t, h.url+"/metrics")
	for _, want := range []string{
		"bonsign_issuances_total 1",
		`bonsign_lookups_total{result="found"} 1`,
		`bonsign_lookups_total{result="not_found"} 1`,
		`bonsign_errors_total{code="not_found"} 1`,
		`bonsign_http_requests_total{route="POST /v1/confirmations",status="201"} 1`,
		"bonsign_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, secret := range []string{citizenRRN, strings.ReplaceAll(citizenRRN, "-", ""), citizenName, r.IssueNumber} {
		if strings.Contains(body, secret) {
			t.Errorf("the metrics leak %q", secret)
		}
	}
	// Readiness follows the store.
	h.db.Close()
	if code, _ := get(t, h.url+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the store closed: %d", code)
	}
}

// limitedServer is a server with tight limits, for the overload tests.
func limitedServer(t *testing.T, l server.Limits) string {
	t.Helper()
	db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, _ := pii.New(pii.NewKey())
	srv := server.New(db, sealer, testpki.NewCA(t, "ca").Pool(), server.WithLimits(l))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestPerAddressRateLimit(t *testing.T) {
	url := limitedServer(t, server.Limits{PerAddress: 1, Burst: 5})
	var limited int
	for range 20 {
		resp, err := http.Get(url + "/v1/institutions")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("a 429 without Retry-After")
			}
		}
	}
	if limited < 10 {
		t.Fatalf("only %d of 20 quick requests were limited, with a burst of 5", limited)
	}
	if code, _ := get(t, url+"/healthz"); code != 200 {
		t.Fatal("health checks must not be rate limited")
	}
}

// TestOverloadIsAnsweredQuickly: with every slot for public-key work taken,
// more such requests get 429 after the short wait instead of queueing.
func TestOverloadIsAnsweredQuickly(t *testing.T) {
	url := limitedServer(t, server.Limits{Expensive: 1, Wait: 50 * time.Millisecond})
	// Hold the one slot with a login whose body never finishes arriving.
	pr, pw := io.Pipe()
	defer pw.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/login", pr)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	pw.Write([]byte(`{"nonce":`))
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	status, e := post(t, url+"/v1/login", "", []byte(`{"nonce":"x","signature":""}`))
	if status != http.StatusTooManyRequests || e.Code != api.CodeRateLimited {
		t.Fatalf("overloaded login: %d %+v", status, e)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("the refusal took %v", time.Since(start))
	}
	pw.Close()
	wg.Wait()
}
