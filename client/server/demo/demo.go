// Package demo runs a complete bonsign issuance system on 127.0.0.1 for
// newcomers and tests: a demo certificate authority, one approved demo citizen
// (fictional name and resident registration number) with a PKCS#12
// certificate file and an initial password, a demo clerk for the clerk console
// (/console/), an institution API key, a SQLite store and the development
// phone gateway whose outbox the app shows.
//
// Everything lives in one data directory and survives a restart; Start with
// reset wipes it first. Nothing here is fit for production: the keys are
// generated on the spot and kept in plain files.
package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/tlsinit"
	"software.sslmate.com/src/go-pkcs12"
)

// The demo citizen. The name is the customary placeholder of Korean forms and
// the number is fictional.
const (
	CitizenName    = "홍길동"
	CitizenRRN     = "900101-1234568"
	CitizenAddress = "서울특별시 종로구 세종대로 209 (데모)"
	CitizenPhone   = "010-0000-1234"
	// Password opens the demo citizen's PKCS#12 file.
	Password = "demo1234!"
	// InstitutionCode is the institution whose API key the demo creates.
	InstitutionCode = "bs-pub-nps"
	// ClerkLogin is the demo clerk's login for the console.
	ClerkLogin = "demo-clerk"
	// Office is the demo clerk's office.
	Office = "종로구 청운효자동 행정복지센터 (데모)"
)

// Env is a running demo.
type Env struct {
	URL         string // the server's base URL, e.g. http://127.0.0.1:41234
	Dir         string // the demo data directory
	CertPath    string // the demo citizen's PKCS#12 file
	CAPath      string // the demo CA certificate (PEM)
	Password    string
	Name        string
	RRN         string
	Address     string
	WalletDir   string // a wallet inside the demo data directory
	APIKey      string // the demo institution's API key
	Institution string // the demo institution's code

	ClerkLogin      string // the demo clerk's console login
	ClerkPassword   string
	LoginID         string // the demo citizen's ID for the ID/password login
	InitialPassword string // the demo citizen's initial password (until changed)

	// TLSCA is the PEM certificate of the private CA the server's TLS
	// certificate chains to, for clients to pin; nil when the demo speaks
	// plain HTTP. TLSCAPath is its file.
	TLSCA     []byte
	TLSCAPath string

	outbox *phone.Outbox
	http   *http.Server
	store  *store.SQLite
}

// state is what the demo keeps between runs, besides the database.
type state struct {
	APIKey          string `json:"api_key"`
	ClerkPassword   string `json:"clerk_password"`
	LoginID         string `json:"login_id"`
	InitialPassword string `json:"initial_password"`
}

// Start prepares the data directory dir (creating the CA, the citizen and the
// database on first use; wiping it first when reset is true) and starts the
// server on a free port of 127.0.0.1, over plain HTTP (for tests).
func Start(dir string, reset bool) (*Env, error) {
	return Open(dir, Options{Reset: reset})
}

// StartWithLogger is Start with a logger for the server's requests.
func StartWithLogger(dir string, reset bool, log *slog.Logger) (*Env, error) {
	return Open(dir, Options{Reset: reset, Logger: log})
}

// Options shape a demo.
type Options struct {
	Reset  bool         // wipe the data directory first
	Logger *slog.Logger // the server's log; nil discards it
	// TLS serves HTTPS with a private CA and server certificate made on
	// first use (tlsinit), which clients pin through Env.TLSCA.
	TLS bool
}

// Open starts a demo as Options say.
func Open(dir string, o Options) (env *Env, err error) {
	reset, log := o.Reset, o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if reset {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("demo: reset: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	env = &Env{
		Dir: dir, CertPath: filepath.Join(dir, "citizen.p12"), CAPath: filepath.Join(dir, "ca.pem"),
		Password: Password, Name: CitizenName, RRN: CitizenRRN, Address: CitizenAddress,
		WalletDir: filepath.Join(dir, "wallet"), Institution: InstitutionCode, outbox: &phone.Outbox{},
	}
	key, err := pii.LoadOrCreateKeyFile(filepath.Join(dir, "data.key"))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sealer, err := pii.New(key)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	db, err := store.OpenSQLite(filepath.Join(dir, "bonsign.db"))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	env.store = db
	statePath := filepath.Join(dir, "demo.json")
	var st state
	data, rerr := os.ReadFile(statePath)
	firstRun := errors.Is(rerr, os.ErrNotExist)
	if !firstRun && rerr != nil {
		return nil, fmt.Errorf("demo: %w", rerr)
	}
	if firstRun {
		if err := createPKI(env); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("demo: %s is damaged (start with -reset): %w", statePath, err)
	}
	caPEM, err := os.ReadFile(env.CAPath)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("demo: %s holds no certificate", env.CAPath)
	}
	rk, err := receiptkey.LoadOrCreate(filepath.Join(dir, "receipt-key.pem"), filepath.Join(dir, "receipt-cert.pem"))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	srv := server.New(env.store, sealer, roots, server.WithPhoneGateway(env.outbox), server.WithLogger(log), server.WithReceiptKey(rk))
	if firstRun {
		if st, err = seed(srv, env); err != nil {
			return nil, err
		}
		out, _ := json.MarshalIndent(st, "", "  ")
		if err := os.WriteFile(statePath, out, 0o600); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	env.APIKey = st.APIKey
	env.ClerkLogin, env.ClerkPassword = ClerkLogin, st.ClerkPassword
	env.LoginID, env.InitialPassword = st.LoginID, st.InitialPassword
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen: %w", err)
	}
	env.URL = "http://" + ln.Addr().String()
	env.http = srv.HTTPServer(ln.Addr().String())
	if o.TLS {
		f, err := tlsinit.Init(dir, []string{"127.0.0.1", "localhost"})
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("demo: %w", err)
		}
		if env.http.TLSConfig, err = tlsinit.ServerConfig(f.Cert, f.Key); err != nil {
			ln.Close()
			return nil, fmt.Errorf("demo: %w", err)
		}
		if env.TLSCA, err = os.ReadFile(f.CA); err != nil {
			ln.Close()
			return nil, fmt.Errorf("demo: %w", err)
		}
		env.TLSCAPath = f.CA
		env.URL = "https://" + ln.Addr().String()
		go env.http.ServeTLS(ln, "", "")
		return env, nil
	}
	go env.http.Serve(ln)
	return env, nil
}

// seed creates the demo clerk, approves the demo citizen through them, and
// creates the institution API key.
func seed(srv *server.Server, env *Env) (state, error) {
	var st state
	p12, err := os.ReadFile(env.CertPath)
	if err != nil {
		return st, fmt.Errorf("demo: %w", err)
	}
	_, cert, _, err := pkcs12.DecodeChain(p12, env.Password)
	if err != nil {
		return st, fmt.Errorf("demo: %w", err)
	}
	ctx := context.Background()
	st.ClerkPassword = "demo-clerk-1234"
	clerk, err := srv.AddClerk(ctx, ClerkLogin, "김담당 (데모)", Office, st.ClerkPassword)
	if err != nil {
		return st, fmt.Errorf("demo: add clerk: %w", err)
	}
	g, err := srv.Approve(ctx, server.Approval{
		Name: env.Name, RRN: env.RRN, Address: env.Address, Phone: CitizenPhone,
		IdentityMethod: server.MethodMobile, Certificate: cert, LoginID: "hong",
		Office: clerk.Office, Clerk: clerk.Login,
	})
	if err != nil {
		return st, fmt.Errorf("demo: approve citizen: %w", err)
	}
	st.LoginID, st.InitialPassword = g.LoginID, g.InitialPassword
	if st.APIKey, err = srv.CreateInstitutionKey(ctx, InstitutionCode, "demo"); err != nil {
		return st, fmt.Errorf("demo: %w", err)
	}
	return st, nil
}

// createPKI makes the demo CA and the citizen's RSA-2048 certificate in a
// PKCS#12 file (AES-256, PBKDF2, as OpenSSL 3 writes them).
func createPKI(env *Env) error {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Country: []string{"KR"}, Organization: []string{"bonsign demo"}, CommonName: "bonsign 데모 인증기관 (Demo CA)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	userKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	userTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Country: []string{"KR"}, Organization: []string{"bonsign demo"}, CommonName: env.Name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	userDER, err := x509.CreateCertificate(rand.Reader, userTmpl, ca, userKey.Public(), caKey)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	user, _ := x509.ParseCertificate(userDER)
	p12, err := pkcs12.Modern.Encode(userKey, user, []*x509.Certificate{ca}, env.Password)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(env.CertPath, p12, 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return os.WriteFile(env.CAPath, caPEM, 0o644)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n
}

// Outbox returns the texts the development phone gateway "sent", oldest first.
func (e *Env) Outbox() []string {
	var out []string
	for _, m := range e.outbox.Messages() {
		out = append(out, m.Text)
	}
	return out
}

// Close stops the server, waiting for requests in flight, and closes the store.
func (e *Env) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := e.http.Shutdown(ctx)
	return errors.Join(err, e.store.Close())
}
