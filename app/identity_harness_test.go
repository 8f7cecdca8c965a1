package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// testClock is a clock a test moves. The app and the server each get their
// own, so a test can also make them disagree.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// idServer is a real issuance server on 127.0.0.1 (SQLite file, test CA,
// development phone gateway) on a clock the test moves, for the citizens the
// demo does not have: a landline, a security token, an NPKI certificate
// bound by its VID, a minor.
type idServer struct {
	url    string
	srv    *server.Server
	ca     *testpki.CA
	outbox *phone.Outbox
	clerk  *approval.Clerk
	clock  *testClock
}

func startIDServer(t *testing.T) *idServer {
	t.Helper()
	s := &idServer{outbox: &phone.Outbox{}, ca: testpki.NewCA(t, "test CA"), clock: newTestClock()}
	db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "bonsign.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, err := pii.New(pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	s.srv = server.New(db, sealer, s.ca.Pool(), server.WithClock(s.clock.now), server.WithPhoneGateway(s.outbox))
	api := s.srv.Handler()
	// The server's Date header tells the client the server's time: on a
	// moved clock it must be the moved one, as it is the real one in a
	// deployment.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", s.clock.now().UTC().Format(http.TimeFormat))
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	s.url = ts.URL
	if s.clerk, err = s.srv.AddClerk(context.Background(), "clerk-1", "김담당", "청운효자동 행정복지센터", "clerk-pass-1234"); err != nil {
		t.Fatal(err)
	}
	return s
}

// approve approves a citizen as a clerk would; a mobile phone unless a says
// otherwise.
func (s *idServer) approve(t *testing.T, a server.Approval) *approval.Granted {
	t.Helper()
	if a.Address == "" {
		a.Address = "서울특별시 종로구 세종대로 209"
	}
	if a.IdentityMethod == "" {
		a.IdentityMethod = server.MethodMobile
	}
	if a.IdentityMethod != server.MethodToken && a.Phone == "" {
		a.Phone = "010-2222-3333"
	}
	a.Office, a.Clerk = s.clerk.Office, s.clerk.Login
	g, err := s.srv.Approve(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// lastMessage is the newest message of the development phone.
func (s *idServer) lastMessage(t *testing.T) phone.Message {
	t.Helper()
	msgs := s.outbox.Messages()
	if len(msgs) == 0 {
		t.Fatal("the phone received no message")
	}
	return msgs[len(msgs)-1]
}

// p12Citizen approves a citizen whose PKCS#12 certificate is registered at
// approval, and returns the file (password p12Password).
func (s *idServer) p12Citizen(t *testing.T, a server.Approval) (path string, g *approval.Granted) {
	t.Helper()
	leaf := s.ca.Issue(t, a.Name, testpki.Options{})
	a.Certificate = leaf.Cert
	g = s.approve(t, a)
	return leaf.WriteP12(t, t.TempDir(), p12Password), g
}

const p12Password = "p12-pass-1234"

// idConfig is an app on s with the app clock clock, looking only at files
// and the token modules given.
func idConfig(t *testing.T, s *idServer, clock *testClock, files []string, modules ...string) Config {
	return Config{
		ServerURL: s.url,
		WalletDir: t.TempDir(),
		Certificates: certs.Options{NPKIRoots: []npki.Location{}, Files: files, Modules: modules,
			NoTokens: len(modules) == 0},
		Now: clock.now,
	}
}

// chooseCert waits on the login screen for the certificate at path to be
// found and chooses it.
func (h *harness) chooseCert(path string) *loginScreen {
	h.t.Helper()
	login := screenOf[*loginScreen](h)
	h.waitFor("the certificates to be found", func() bool { return h.ui.certs != nil })
	for i, e := range h.ui.certs.Entries {
		if e.Path == path {
			login.list.Select(i)
			return login
		}
	}
	h.t.Fatalf("no certificate %s among %d found", path, len(h.ui.certs.Entries))
	return nil
}

// certLogin goes from the home screen through the certificate login with
// the certificate at path.
func (h *harness) certLogin(path, password string) {
	h.t.Helper()
	test.Tap(screenOf[*homeScreen](h).issue)
	login := h.chooseCert(path)
	test.Type(login.password, password)
	test.Tap(login.login)
	h.waitFor("the login", func() bool { return h.ui.sess.login != nil })
}
