// Package server is the bonsign issuance server: the /v1 REST API through which
// approved citizens log in with their certificate, pass the extra identity
// check, and have their signed confirmations issued, and through which
// institutions verify them.
//
// The server decides and stores; it never signs for a citizen. Every rule of the
// procedure that the server enforces is checked here, and every failure a client
// can see is an *api.Error with a stable code (see api/errors.go).
package server

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/signer"
)

// Store is what the server needs from its storage. *store.SQLite implements it.
type Store interface {
	PutCitizen(ctx context.Context, c store.Citizen) (int64, error)
	CitizenByCert(ctx context.Context, fingerprint string) (*store.Citizen, error)
	CitizenByRRN(ctx context.Context, index []byte) (*store.Citizen, error)
	CitizenByID(ctx context.Context, id int64) (*store.Citizen, error)

	PutChallenge(ctx context.Context, nonce string, expires time.Time) error
	TakeChallenge(ctx context.Context, nonce string) (time.Time, error)

	PutSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, tokenHash []byte) (*store.Session, error)
	MarkVerified(ctx context.Context, tokenHash []byte) error
	DeleteSession(ctx context.Context, tokenHash []byte) error

	PutCode(ctx context.Context, c store.Code) error
	AttemptCode(ctx context.Context, tokenHash []byte) (*store.Code, error)

	InsertConfirmation(ctx context.Context, c store.Confirmation) error
	ConfirmationByNumber(ctx context.Context, number string) (*store.Confirmation, error)
	ConfirmationByDigest(ctx context.Context, digest string) (*store.Confirmation, error)
	ConfirmationByID(ctx context.Context, citizenID int64, confirmationID string) (*store.Confirmation, error)

	PutInstitutionKey(ctx context.Context, k store.InstitutionKey) error
	InstitutionKey(ctx context.Context, keyHash []byte) (*store.InstitutionKey, error)
}

// PhoneGateway delivers identity check codes. *phone.Outbox is the
// development one.
type PhoneGateway interface {
	Send(ctx context.Context, m phone.Message) error
}

// Lifetimes and limits. The code rules follow DESIGN.md: short-lived, hashed,
// limited attempts.
const (
	ChallengeTTL   = 2 * time.Minute
	SessionTTL     = 30 * time.Minute
	CodeTTL        = 3 * time.Minute
	CodeAttempts   = 5
	ApprovalPeriod = 2 * 365 * 24 * time.Hour // refined per R2 by the approval registry

	maxBody      = 16 << 10  // every request but an issuance
	maxIssueBody = 256 << 10 // a confirmation, its CMS and the certificate chain
	// requestTimeout bounds the work of one request.
	requestTimeout = 30 * time.Second
)

// Server is the issuance server. Build it with New; it is safe for concurrent use.
type Server struct {
	store        Store
	sealer       *pii.Sealer
	roots        *x509.CertPool
	institutions *Directory
	phone        PhoneGateway
	now          func() time.Time
	rand         io.Reader
	log          *slog.Logger
	receiptKey   *receiptkey.Key
	ident        identity        // approval registry, logins, console: settings and caches (approval.go)
	inst         institutionSide // officers, lookups and their limits (institution.go, lookups.go)

	limits     Limits
	proxies    []*net.IPNet
	perAddress *addressLimiter
	slots      chan struct{} // one per request doing public-key work
	metrics    *metrics
	chains     *signer.ChainCache // certificates whose chain was verified lately
}

// Option configures a Server.
type Option func(*Server)

// WithClock makes the server read the time from now (tests move it).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithRand makes the server draw nonces, tokens, codes and issue numbers from r.
func WithRand(r io.Reader) Option { return func(s *Server) { s.rand = r } }

// WithPhoneGateway sets how identity check codes are sent.
func WithPhoneGateway(g PhoneGateway) Option { return func(s *Server) { s.phone = g } }

// WithLogger sets the structured logger. Personal data is never logged.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithDirectory sets the eligible institutions (R7).
func WithDirectory(d *Directory) Option { return func(s *Server) { s.institutions = d } }

// WithReceiptKey sets the key that signs receipts. Without it New makes an
// ephemeral one, which clients cannot pin across restarts: for tests only.
func WithReceiptKey(k *receiptkey.Key) Option { return func(s *Server) { s.receiptKey = k } }

// New returns a server on st, sealing personal data with sealer and trusting
// citizens' certificates that chain to roots.
func New(st Store, sealer *pii.Sealer, roots *x509.CertPool, opts ...Option) *Server {
	s := &Server{
		store:  st,
		sealer: sealer,
		roots:  roots,
		phone:  &phone.Outbox{},
		now:    time.Now,
		rand:   rand.Reader,
		log:    slog.New(slog.DiscardHandler),
		limits: DefaultLimits(),
	}
	for _, o := range opts {
		o(s)
	}
	s.metrics = newMetrics()
	s.chains = signer.NewChainCache(100_000, 10*time.Minute)
	s.perAddress = &addressLimiter{limit: s.limits.PerAddress, burst: s.limits.Burst}
	if s.limits.Expensive > 0 {
		s.slots = make(chan struct{}, s.limits.Expensive)
	}
	if s.institutions == nil {
		s.institutions = DefaultDirectory()
	}
	if s.receiptKey == nil {
		k, err := receiptkey.Ephemeral()
		if err != nil {
			panic("server: cannot make a receipt key: " + err.Error())
		}
		s.receiptKey = k
	}
	return s
}

// Handler returns the HTTP handler of the /v1 API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/institutions", s.ServeDirectory)
	mux.HandleFunc("GET /v1/receipt-certificate", s.handleReceiptCertificate)
	mux.HandleFunc("POST /v1/login/challenge", s.handleChallenge)
	mux.HandleFunc("POST /v1/login", s.expensive(s.handleLogin))
	mux.HandleFunc("POST /v1/logout", s.withSession(false, s.handleLogout))
	mux.HandleFunc("POST /v1/identity/code", s.withSession(false, s.handleSendCode))
	mux.HandleFunc("POST /v1/identity/verify", s.withSession(false, s.handleVerifyCode))
	mux.HandleFunc("POST /v1/confirmations", s.withSession(true, s.expensive(s.handleIssue)))
	mux.HandleFunc("POST /v1/verify", s.expensive(s.handleVerify))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.Handle("GET /metrics", s.metricsHandler())
	s.mountIdentity(mux)    // the ID/password login, the token check and the clerk console (approval.go)
	s.mountInstitution(mux) // the citizen's lookup history and the officer console (institution.go)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, api.NewError(api.CodeNotFound).WithDetail("no endpoint %s %s", r.Method, r.URL.Path))
	})
	return s.serveAll(mux)
}

// HTTPServer wraps the handler in an http.Server with the timeouts a public
// server needs.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	code   api.Code // the API error code sent, if any
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// serveAll is the outermost layer: it bounds each request's time, applies
// the per-address limit, counts and times the request for the metrics, and
// logs method, path, status and duration; never bodies, never headers (they
// carry tokens), never personal data.
func (s *Server) serveAll(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		if s.limits.PerAddress > 0 && !operational(r.URL.Path) && !s.perAddress.allow(s.clientAddress(r), start) {
			sw.Header().Set("Retry-After", "1")
			writeError(sw, api.NewError(api.CodeRateLimited))
		} else {
			next.ServeHTTP(sw, r)
		}
		elapsed := time.Since(start)
		route := r.Pattern // set by the mux on r: a pattern, never the raw path
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		if sw.code != "" {
			s.metrics.errors.WithLabelValues(string(sw.code)).Inc()
		}
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", elapsed.Milliseconds())
	})
}

// operational paths are exempt from the per-address limit: monitoring polls them.
func operational(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}
