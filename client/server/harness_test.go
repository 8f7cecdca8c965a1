package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
	"github.com/smallstep/pkcs7"
)

const (
	citizenName = "김민서"
	citizenRRN  = "950315-2123456"
	npsCode     = "bs-pub-nps"
	npsName     = "국민연금공단"
	hugCode     = "bs-pub-hug"
)

// harness is a real server on 127.0.0.1 with a real SQLite file, a test CA,
// a clerk, one approved citizen, a clock the test moves, and the server's log
// lines kept for the test to read.
type harness struct {
	t       testing.TB
	srv     *server.Server
	db      *store.SQLite
	dbPath  string
	url     string
	ca      *testpki.CA
	citizen *testpki.Leaf
	outbox  *phone.Outbox
	npsKey  string // API key of 국민연금공단
	hugKey  string // API key of 주택도시보증공사
	clerk   *approval.Clerk
	logs    *logBuffer // every line the server logged, JSON

	mu  sync.Mutex
	now time.Time
}

// logBuffer collects log output safely from concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clerkPassword is the harness clerk's password.
const clerkPassword = "clerk-pass-1234"

// newHarness starts the server with opts added to the harness's own.
func newHarness(t testing.TB, opts ...server.Option) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Now(), outbox: &phone.Outbox{}, logs: &logBuffer{}}
	h.dbPath = filepath.Join(t.TempDir(), "bonsign.db")
	var err error
	if h.db, err = store.OpenSQLite(h.dbPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	sealer, err := pii.New(pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	h.ca = testpki.NewCA(t, "test CA")
	h.citizen = h.ca.Issue(t, citizenName, testpki.Options{NotAfter: time.Now().AddDate(3, 0, 0)})
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]server.Option{server.WithClock(h.clock), server.WithPhoneGateway(h.outbox), server.WithLogger(log)}, opts...)
	h.srv = server.New(h.db, sealer, h.ca.Pool(), opts...)
	ts := httptest.NewServer(h.srv.Handler())
	t.Cleanup(ts.Close)
	h.url = ts.URL
	ctx := context.Background()
	if h.clerk, err = h.srv.AddClerk(ctx, "clerk-1", "김담당", "청운효자동 행정복지센터", clerkPassword); err != nil {
		t.Fatal(err)
	}
	h.approve(h.citizen, citizenName, citizenRRN)
	if h.npsKey, err = h.srv.CreateInstitutionKey(ctx, npsCode, "test"); err != nil {
		t.Fatal(err)
	}
	if h.hugKey, err = h.srv.CreateInstitutionKey(ctx, hugCode, "test"); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// set moves the clock to t.
func (h *harness) set(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = t
}

// approve approves a citizen with a mobile phone and leaf as login certificate.
func (h *harness) approve(leaf *testpki.Leaf, name, rrn string) *approval.Granted {
	h.t.Helper()
	g, err := h.srv.Approve(context.Background(), h.approval(leaf, name, rrn))
	if err != nil {
		h.t.Fatal(err)
	}
	return g
}

// approval is the request approve sends, for tests to change.
func (h *harness) approval(leaf *testpki.Leaf, name, rrn string) server.Approval {
	a := server.Approval{
		Name: name, RRN: rrn, Address: "서울특별시 종로구 세종대로 209", Phone: "010-2222-3333",
		IdentityMethod: server.MethodMobile, Office: h.clerk.Office, Clerk: h.clerk.Login,
	}
	if leaf != nil {
		a.Certificate = leaf.Cert
	}
	return a
}

func identity(l *testpki.Leaf) *signer.Identity {
	return &signer.Identity{Key: l.Key, Certificate: l.Cert, Chain: l.Chain}
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

func (h *harness) lastCode() string {
	h.t.Helper()
	msgs := h.outbox.Messages()
	if len(msgs) == 0 {
		h.t.Fatal("no code sent")
	}
	return codeRE.FindStringSubmatch(msgs[len(msgs)-1].Text)[1]
}

// loggedIn returns a client logged in with leaf and past the phone check.
func (h *harness) loggedIn(leaf *testpki.Leaf) *client.Client {
	h.t.Helper()
	ctx := context.Background()
	c := client.New(h.url)
	if _, err := c.Login(ctx, identity(leaf).SignCMS); err != nil {
		h.t.Fatalf("login: %v", err)
	}
	if _, err := c.RequestCode(ctx); err != nil {
		h.t.Fatal(err)
	}
	if err := c.VerifyCode(ctx, h.lastCode()); err != nil {
		h.t.Fatalf("verify code: %v", err)
	}
	return c
}

func draft() api.Confirmation {
	b := make([]byte, 16)
	rand.Read(b)
	return api.Confirmation{
		Version:      api.ConfirmationVersion,
		ID:           hex.EncodeToString(b),
		CreatedAt:    time.Now().In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: citizenName, RRN: citizenRRN, Address: "서울특별시 종로구 세종대로 209"},
		Purpose:      "자동차 매도",
		Counterparty: api.Counterparty{Name: "이영희", ID: "800101-2345678", Address: "부산광역시 해운대구 센텀로 1"},
		Institution:  api.Institution{Code: npsCode, Name: npsName},
	}
}

func sign(t testing.TB, leaf *testpki.Leaf, conf api.Confirmation) []byte {
	t.Helper()
	content, err := conf.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := identity(leaf).SignCMS(content)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// wantCode fails the test unless err is an *api.Error with code.
func wantCode(t *testing.T, err error, code api.Code) *api.Error {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
	return e
}

func (h *harness) count() int {
	h.t.Helper()
	n, err := h.db.CountConfirmations(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// detached signs content as a detached CMS (the content left out).
func detached(t testing.TB, leaf *testpki.Leaf, content []byte) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(leaf.Cert, leaf.Key, leaf.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}
