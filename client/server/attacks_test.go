package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/internal/testpki"
)

// TestNotYetValidCertificateCannotLogIn: a certificate whose validity starts
// tomorrow is refused like an expired one.
func TestNotYetValidCertificateCannotLogIn(t *testing.T) {
	h := newHarness(t)
	early := h.ca.Issue(t, citizenName, testpki.Options{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)})
	_, err := client.New(h.url).Login(context.Background(), identity(early).SignCMS)
	wantCode(t, err, api.CodeCertExpired)
}

// TestSQLMetacharactersAreJustText: every free-text field of a confirmation
// carries SQL metacharacters; the confirmation is issued and comes back to
// the institution byte for byte, and the store is intact.
func TestSQLMetacharactersAreJustText(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	ctx := context.Background()
	evil := `'; DROP TABLE confirmations;--"/*\%_`
	conf := draft()
	conf.Purpose = "매도 " + evil
	conf.Counterparty.Name = "상대 " + evil
	conf.Counterparty.Address = "주소 " + evil
	conf.Citizen.Address = "본인 주소 " + evil
	conf.Delegate = &api.Person{Name: "대리 " + evil, RRN: "850505-2345678", Address: "대리 주소 " + evil}
	r, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Verify(ctx, h.npsKey, r.IssueNumber, citizenName+"' OR '1'='1")
	wantCode(t, err, api.CodeNotFound) // a name with SQL in it matches nothing
	got, err = c.Verify(ctx, h.npsKey, r.IssueNumber, citizenName)
	if err != nil {
		t.Fatal(err)
	}
	if got.Confirmation.Purpose != conf.Purpose || *got.Confirmation.Delegate != *conf.Delegate || got.Confirmation.Counterparty != conf.Counterparty {
		t.Fatalf("the confirmation came back changed: %+v", got.Confirmation)
	}
	if h.count() != 1 {
		t.Fatalf("%d confirmations", h.count())
	}
}

// TestDeepJSONIsRefusedQuickly: a body nested ten thousand levels deep is
// refused with bad_request, without the server working long on it.
func TestDeepJSONIsRefusedQuickly(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	deep := `{"confirmation":{"purpose":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}`
	start := time.Now()
	status, e := post(t, h.url+"/v1/confirmations", c.Token(), []byte(deep))
	if status != http.StatusBadRequest || e.Code != api.CodeBadRequest {
		t.Fatalf("deep JSON: %d %+v", status, e)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
}

// TestIssueNumberEnumerationFindsNothing: guessing numbers with valid check
// digits gets the same not_found as a wrong name, and the lockout after ten
// misses (or the per-address limit, whichever comes first) soon stops the
// guessing.
func TestIssueNumberEnumerationFindsNothing(t *testing.T) {
	h := newHarness(t)
	c := client.New(h.url)
	limited := false
	for range 200 {
		n, _ := api.NewIssueNumber(nil)
		_, err := c.Verify(context.Background(), h.npsKey, n, citizenName)
		var e *api.Error
		if err == nil {
			t.Fatalf("a guessed number %s found something", n)
		}
		if ae, ok := err.(*api.Error); ok {
			e = ae
		}
		if e != nil && (e.Code == api.CodeRateLimited || e.Code == api.CodeLookupLocked) {
			limited = true
			break
		}
		wantCode(t, err, api.CodeNotFound)
	}
	if !limited {
		t.Fatal("200 guesses from one address in a burst were never rate limited")
	}
}
