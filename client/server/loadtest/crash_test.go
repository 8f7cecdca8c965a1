package loadtest

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/store/storetest"
	_ "modernc.org/sqlite"
)

// buildServer compiles the server binary, as an operator would run it.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bonsign-server")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/bonsign/bonsign/client/server/cmd/bonsign-server")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	return bin
}

// TestCrashLosesNothingAcknowledged kills the server with SIGKILL while
// citizens are issuing, starts it again, and checks that every issuance a
// client saw acknowledged is there, that retrying the ones in flight never
// issues twice, and that the database is intact: on SQLite and PostgreSQL.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server")
	}
	bin := buildServer(t)
	t.Run("SQLite", func(t *testing.T) { crashTest(t, bin, "") })
	t.Run("PostgreSQL", func(t *testing.T) { crashTest(t, bin, storetest.PostgresSchema(t)) })
}

// issuers are citizens issuing confirmations one after another until the
// server stops answering.
type issuers struct {
	mu       sync.Mutex
	acked    map[string]string           // issue number -> citizen name
	inFlight map[string]api.Confirmation // citizen -> the confirmation whose answer was lost
	sessions map[string]*Session
	wg       sync.WaitGroup
}

// startIssuers logs every citizen of cs in and has each issue until the
// server is gone; wg ends when they all have stopped.
func startIssuers(t *testing.T, cfg Config, cs []Citizen) *issuers {
	t.Helper()
	ctx := context.Background()
	is := &issuers{acked: map[string]string{}, inFlight: map[string]api.Confirmation{}, sessions: map[string]*Session{}}
	for _, cz := range cs {
		se, err := cfg.Login(ctx, cz)
		if err != nil {
			t.Fatal(err)
		}
		is.sessions[cz.Name] = se
		is.wg.Add(1)
		go func() {
			defer is.wg.Done()
			for {
				conf := se.Confirmation()
				resp, err := se.Issue(ctx, conf)
				is.mu.Lock()
				if err != nil {
					is.inFlight[cz.Name] = conf
					is.mu.Unlock()
					return // the server is gone
				}
				is.acked[resp.Receipt.IssueNumber] = cz.Name
				is.mu.Unlock()
			}
		}()
	}
	return is
}

// issuingServer sets up a load folder of six citizens, starts the server
// binary bin on it with the store db, and has the citizens issue until the
// server stops answering.
func issuingServer(t *testing.T, bin, db string) (dir string, srv *Server, cfg Config, is *issuers) {
	t.Helper()
	dir = t.TempDir()
	if err := SetupLocal(context.Background(), dir, db, 6); err != nil {
		t.Fatal(err)
	}
	cs, _ := LoadCitizens(dir)
	secret, _ := os.ReadFile(filepath.Join(dir, SecretFile))
	codes, err := ListenCodes("127.0.0.1:0", secret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { codes.Close() })
	if srv, err = StartServer(bin, dir, db, codes, true); err != nil {
		t.Fatal(err)
	}
	cfg = Config{URL: srv.URL, TLS: srv.TLS, Codes: codes}
	return dir, srv, cfg, startIssuers(t, cfg, cs)
}

// TestGracefulStopAnswersEveryRequestInFlight stops the server with SIGTERM
// while citizens are issuing: the server must finish every request it has
// begun and answer it, so that what it stored is exactly what the clients saw
// acknowledged, and exit cleanly.
func TestGracefulStopAnswersEveryRequestInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and stops a server")
	}
	bin := buildServer(t)
	t.Run("SQLite", func(t *testing.T) { gracefulTest(t, bin, "") })
	t.Run("PostgreSQL", func(t *testing.T) { gracefulTest(t, bin, storetest.PostgresSchema(t)) })
}

func gracefulTest(t *testing.T, bin, db string) {
	ctx := context.Background()
	dir, srv, _, is := issuingServer(t, bin, db)
	time.Sleep(1500 * time.Millisecond)
	if err := srv.Stop(); err != nil {
		t.Errorf("the server did not exit cleanly on SIGTERM: %v", err)
	}
	is.wg.Wait()
	if len(is.acked) == 0 {
		t.Fatal("nothing was issued before the stop")
	}
	st, err := store.Open(dbOf(dir, db))
	if err != nil {
		t.Fatalf("the store does not open after the stop: %v", err)
	}
	defer st.Close()
	rows, err := st.CountConfirmations(ctx)
	if err != nil || rows != len(is.acked) {
		t.Fatalf("%d confirmations stored (%v), %d acknowledged: a request in flight was cut off after its issuance", rows, err, len(is.acked))
	}
	for number := range is.acked {
		if _, err := st.ConfirmationByNumber(ctx, number); err != nil {
			t.Fatalf("acknowledged issuance %s is not stored: %v", number, err)
		}
	}
	t.Logf("%d issuances acknowledged before SIGTERM, all stored, none unanswered", len(is.acked))
}

func crashTest(t *testing.T, bin, db string) {
	ctx := context.Background()
	dir, srv, cfg, is := issuingServer(t, bin, db)
	defer srv.Stop()
	apiKey, _ := os.ReadFile(filepath.Join(dir, APIKeyFile))
	time.Sleep(1500 * time.Millisecond)
	srv.Kill()
	is.wg.Wait()
	acked, inFlight, sessions := is.acked, is.inFlight, is.sessions
	if len(acked) == 0 {
		t.Fatal("nothing was issued before the crash")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	lookups := cfg.newClient()
	for number, name := range acked {
		if _, err := lookups.Verify(ctx, strings.TrimSpace(string(apiKey)), number, name); err != nil {
			t.Fatalf("acknowledged issuance %s is gone after the crash: %v", number, err)
		}
	}
	// A retry of each confirmation whose answer was lost (in the session,
	// which outlives the process) issues it at most once: the same receipt
	// twice in a row, whether or not it was stored before the crash.
	for name, conf := range inFlight {
		se := sessions[name]
		first, err := se.Issue(ctx, conf)
		if err != nil {
			t.Fatalf("retry after the crash: %v", err)
		}
		again, err := se.Issue(ctx, conf)
		if err != nil || again.Receipt.IssueNumber != first.Receipt.IssueNumber {
			t.Fatalf("a second retry issued again: %v, %s vs %s", err, first.Receipt.IssueNumber, again.Receipt.IssueNumber)
		}
	}
	srv.Stop()
	if db == "" {
		sdb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bonsign.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var check string
		if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check: %q %v", check, err)
		}
	}
	// The store opens clean and holds no confirmation twice (the unique
	// index would refuse it, and every retry above got its first receipt).
	st, err := store.Open(dbOf(dir, db))
	if err != nil {
		t.Fatalf("the store does not open after the crash: %v", err)
	}
	defer st.Close()
	rows, err := st.CountConfirmations(ctx)
	if err != nil || rows < len(acked) || rows > len(acked)+len(inFlight) {
		t.Fatalf("%d rows (%v), %d acknowledged, %d in flight", rows, err, len(acked), len(inFlight))
	}
	t.Logf("%d issuances acknowledged before SIGKILL, %d in flight retried, %d stored", len(acked), len(inFlight), rows)
}
