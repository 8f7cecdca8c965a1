package server_test

import (
	"context"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/store/storetest"
	"github.com/bonsign/bonsign/internal/testpki"
)

// TestTwoServersShareOnePostgres runs the deployment that outgrows one
// machine: two API servers, each with its own connection pool, on one
// PostgreSQL database, behind a balancer that sends each request to the
// other server than the one before. Nothing may depend on which server a
// request reaches: the login's nonce, the phone code, the session, the
// retry of an issuance, the lookups' lockout and the logout.
func TestTwoServersShareOnePostgres(t *testing.T) {
	db := storetest.Postgres(t)
	second, err := store.Open(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	sealer, err := pii.New(pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	rk, err := receiptkey.Ephemeral()
	if err != nil {
		t.Fatal(err)
	}
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, citizenName, testpki.Options{NotAfter: time.Now().AddDate(3, 0, 0)})
	outbox := &phone.Outbox{} // the SMS provider both servers post to
	limits := server.LookupLimits{MaxMisses: 3, MissWindow: 10 * time.Minute, Lockout: 15 * time.Minute}
	var srvs [2]*server.Server
	var urls [2]*url.URL
	for i, st := range []store.Store{db.Store, second} {
		srvs[i] = server.New(st, sealer, ca.Pool(), server.WithReceiptKey(rk), server.WithPhoneGateway(outbox),
			server.WithLookupLimits(limits))
		ts := httptest.NewServer(srvs[i].Handler())
		t.Cleanup(ts.Close)
		urls[i], _ = url.Parse(ts.URL)
	}
	// The balancer: request n goes to server n%2.
	var n, hits [2]atomic.Int64
	balancer := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := n[0].Add(1) % 2
		hits[i].Add(1)
		r.SetURL(urls[i])
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(balancer.Close)
	ctx := context.Background()

	clerk, err := srvs[0].AddClerk(ctx, "clerk-1", "김담당", "청운효자동 행정복지센터", clerkPassword)
	if err != nil {
		t.Fatal(err)
	}
	granted, err := srvs[1].Approve(ctx, server.Approval{Name: citizenName, RRN: citizenRRN, Address: "서울특별시 종로구 세종대로 209",
		Phone: "010-2222-3333", IdentityMethod: server.MethodMobile, Office: clerk.Office, Clerk: clerk.Login, Certificate: leaf.Cert})
	if err != nil {
		t.Fatal(err)
	}
	npsKey, err := srvs[0].CreateInstitutionKey(ctx, npsCode, "test")
	if err != nil {
		t.Fatal(err)
	}

	// Login: the nonce from one server, the signed nonce to the other; the
	// code asked of one, answered to the other.
	c := client.New(balancer.URL)
	if _, err := c.Login(ctx, identity(leaf).SignCMS); err != nil {
		t.Fatalf("login across two servers: %v", err)
	}
	if _, err := c.RequestCode(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := outbox.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d codes sent, want 1", len(msgs))
	}
	if err := c.VerifyCode(ctx, codeRE.FindStringSubmatch(msgs[0].Text)[1]); err != nil {
		t.Fatalf("the code checked by the other server: %v", err)
	}

	// An issuance, and its retry on the other server after a lost answer.
	conf := draft()
	sig := sign(t, leaf, conf)
	first, err := c.IssueSigned(ctx, conf, sig)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.IssueSigned(ctx, conf, sig)
	if err != nil || again.Receipt.IssueNumber != first.Receipt.IssueNumber {
		t.Fatalf("the retry on the other server: %+v, %v; want issue number %s", again, err, first.Receipt.IssueNumber)
	}

	// The same new confirmation sent twice at once: the balancer gives one
	// to each server; one issuance.
	race := draft()
	raceSig := sign(t, leaf, race)
	var numbers [2]string
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.IssueSigned(ctx, race, raceSig)
			if err != nil {
				t.Errorf("submission %d: %v", i, err)
				return
			}
			numbers[i] = resp.Receipt.IssueNumber
		}()
	}
	wg.Wait()
	if numbers[0] == "" || numbers[0] != numbers[1] {
		t.Fatalf("one confirmation sent to both servers at once got %q and %q", numbers[0], numbers[1])
	}
	if count, err := db.Store.CountConfirmations(ctx); err != nil || count != 2 {
		t.Fatalf("%d confirmations stored, %v; want 2", count, err)
	}

	// The institution checks on both; misses on either count toward one
	// lockout, which both servers then apply.
	inst := client.New(balancer.URL)
	for range 2 {
		if v, err := inst.Verify(ctx, npsKey, first.Receipt.IssueNumber, citizenName); err != nil || v.Receipt.IssueNumber != first.Receipt.IssueNumber {
			t.Fatalf("verify: %+v, %v", v, err)
		}
	}
	for range limits.MaxMisses {
		if _, err := inst.Verify(ctx, npsKey, first.Receipt.IssueNumber, "홍길동"); err == nil {
			t.Fatal("a wrong name was verified")
		}
	}
	for range 2 {
		_, err := inst.Verify(ctx, npsKey, first.Receipt.IssueNumber, citizenName)
		wantCode(t, err, api.CodeLookupLocked)
	}
	history, err := client.New(balancer.URL).LookupHistory(ctx, first.HistoryToken)
	if err != nil || len(history.Lookups) != 2+limits.MaxMisses {
		t.Fatalf("the citizen's lookup history: %+v, %v; want %d lookups", history, err, 2+limits.MaxMisses)
	}

	// Revoked through one server: the session ends on both.
	if err := srvs[0].Revoke(ctx, *clerk, granted.ID, "본인 요청"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // one request to each server
		later := draft()
		_, err := c.IssueSigned(ctx, later, sign(t, leaf, later))
		wantCode(t, err, api.CodeUnauthenticated)
	}
	if hits[0].Load() < 5 || hits[1].Load() < 5 {
		t.Fatalf("the balancer sent %d and %d requests: both servers must have served", hits[0].Load(), hits[1].Load())
	}
}
