// Command bonsign-server runs the bonsign issuance server and its
// administrative operations.
//
//	bonsign-server serve -addr 127.0.0.1:8080 -db bonsign.db -key-file data.key -roots roots.pem
//	bonsign-server demo -data DIR
//	bonsign-server clerk-add -login kim01 -name 김담당 -office "청운효자동 행정복지센터"
//	bonsign-server approve -clerk kim01 -id-checked -name 홍길동 -rrn - -address ... -phone 010-1234-5678 ...
//	bonsign-server renew|revoke|show|consent -clerk kim01 -rrn - ...
//	bonsign-server institution-key -db ... -key-file ... -code bs-pub-nps -label "연금 시스템"
//	bonsign-server institution-key -list | -revoke KEYID
//	bonsign-server officer-add -institution bs-pub-nps -login kim.nps -name 김확인 [-qr kim.png]
//	bonsign-server officer-disable -login kim.nps
//
// Settings may also come from the environment (BONSIGN_ADDR for -addr) and
// from a TOML file named by -config or BONSIGN_CONFIG (addr = "..."); see
// config.go. docs/operations.md describes every command and setting. It builds
// without cgo.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // only on -debug-addr: the API has its own mux
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/client/server/tlsinit"
	"golang.org/x/time/rate"
)

const usage = `usage: bonsign-server <command> [flags]

commands:
  serve            run the issuance server
  init             make a private TLS CA and server certificate (small setups)
  demo             run a demo server with a demo CA, citizen and institution key
  clerk-add        create a clerk's account for the console and these commands
  approve          record a citizen's in-person approval
  renew            renew an approval (only in the 30 days before it expires)
  revoke           revoke an approval, with a reason
  show             show a citizen's approval and its history
  consent          record a legal representative's or limited guardian's consent
  institution-key  create (or -list, -revoke) an API key for an institution's system
  officer-add      create an institution officer's account: password and one-time codes
  officer-disable  close an institution officer's account

Run "bonsign-server <command> -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(args, log)
	case "init":
		err = initTLS(args)
	case "demo":
		err = runDemo(args, log)
	case "clerk-add", "approve", "renew", "revoke", "show", "consent":
		err = admin(cmd, args, os.Stdin, os.Stdout)
	case "institution-key":
		err = institutionKey(args, os.Stdout)
	case "officer-add", "officer-disable":
		err = officerCmd(cmd, args, os.Stdin, os.Stdout)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bonsign-server:", err)
		os.Exit(1)
	}
}

// common are the flags every command that opens the store shares.
type common struct {
	db, keyFile, roots      string
	receiptKey, receiptCert string
}

// register adds the shared flags to fs, and -config, which names the file
// the settings among them (and serve's) may also come from.
func (c *common) register(fs *flag.FlagSet) {
	fs.String(configFlag, "", "TOML file of settings, keyed by the flags' names: addr = \"0.0.0.0:8443\" (or set BONSIGN_CONFIG); the command line, then the environment, win over it")
	fs.StringVar(&c.db, "db", "bonsign.db", "SQLite database file, or a postgres:// URL of a PostgreSQL database")
	fs.StringVar(&c.keyFile, "key-file", "data.key", "file with the base64 64-byte key that seals personal data (created if missing); or set BONSIGN_DATA_KEY")
	fs.StringVar(&c.roots, "roots", "", "PEM file of the certificate authorities whose citizens' certificates are trusted")
	fs.StringVar(&c.receiptKey, "receipt-key", "receipt-key.pem", "PEM PKCS#8 key that signs receipts (created with -receipt-cert if both are missing)")
	fs.StringVar(&c.receiptCert, "receipt-cert", "receipt-cert.pem", "PEM certificate of the receipt key, which clients pin")
}

// open builds the server from the flags.
func (c *common) open(opts ...server.Option) (*server.Server, store.Store, error) {
	var key []byte
	var err error
	if env := os.Getenv("BONSIGN_DATA_KEY"); env != "" {
		key, err = pii.DecodeKey(env)
	} else {
		key, err = pii.LoadOrCreateKeyFile(c.keyFile)
	}
	if err != nil {
		return nil, nil, err
	}
	sealer, err := pii.New(key)
	if err != nil {
		return nil, nil, err
	}
	roots := x509.NewCertPool()
	if c.roots != "" {
		data, err := os.ReadFile(c.roots)
		if err != nil {
			return nil, nil, err
		}
		if !roots.AppendCertsFromPEM(data) {
			return nil, nil, fmt.Errorf("%s holds no PEM certificate", c.roots)
		}
	}
	rk, err := receiptkey.LoadOrCreate(c.receiptKey, c.receiptCert)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(c.db)
	if err != nil {
		return nil, nil, err
	}
	return server.New(st, sealer, roots, append(opts, server.WithReceiptKey(rk))...), st, nil
}

// serveConfig is what serve's flags fill in.
type serveConfig struct {
	common
	addr, revocation, webhook, webhookSecret string
	tlsCert, tlsKey, debugAddr               string
	years, rateBurst, maxCrypto, gcPercent   int
	rateLimit                                float64
	purgeEvery                               time.Duration
	secure                                   bool
	lookup                                   func() server.Option
}

// serveFlags builds serve's flags, which are every setting of the server:
// each is also read from the environment and the config file (loadSettings),
// and docs/operations.md lists them all (a test checks it).
func serveFlags() (*flag.FlagSet, *serveConfig) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	c := new(serveConfig)
	c.register(fs)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.IntVar(&c.years, "approval-years", 2, "years an approval (and a renewal) holds")
	fs.StringVar(&c.revocation, "revocation", "fail-closed", "when a certificate's CRL cannot be fetched: fail-closed (refuse the login) or fail-open (let it in, log a warning)")
	fs.BoolVar(&c.secure, "secure-cookies", false, "mark the consoles' cookies Secure even on plain HTTP (TLS ends at a proxy in front)")
	fs.StringVar(&c.webhook, "phone-webhook", "", "URL the identity codes are POSTed to (signed JSON) for an SMS/ARS provider; empty keeps them in memory (development only)")
	fs.StringVar(&c.webhookSecret, "phone-webhook-secret-file", "", "file holding the webhook's HMAC secret (or set BONSIGN_WEBHOOK_SECRET)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate to serve HTTPS with (see the init command); without it the server speaks plain HTTP, for a TLS proxy in front")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM key of -tls-cert")
	fs.Float64Var(&c.rateLimit, "rate-limit", float64(server.DefaultLimits().PerAddress), "requests per second one client address may make (0: no limit, e.g. behind a proxy that limits)")
	fs.IntVar(&c.rateBurst, "rate-burst", server.DefaultLimits().Burst, "requests one client address may make at once")
	fs.IntVar(&c.maxCrypto, "max-crypto", server.DefaultLimits().Expensive, "requests doing public-key work at the same time; more wait up to a moment, then get 429")
	fs.StringVar(&c.debugAddr, "debug-addr", "", "serve Go's profiler (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; never on a public one")
	fs.DurationVar(&c.purgeEvery, "purge-every", 5*time.Minute, "how often expired login nonces, sessions, codes and lookup locks are deleted from the store; 0 never (another server on the same database may do it)")
	fs.IntVar(&c.gcPercent, "gc-percent", 400, "how far the heap may grow between garbage collections, in percent of the live heap (Go's GOGC); higher spends memory to save CPU, -1 turns the collector off")
	c.lookup = lookupFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: bonsign-server serve [flags]

Every flag is also read from the environment (BONSIGN_ and its name, e.g.
BONSIGN_RATE_LIMIT) and from the -config file (rate-limit = 5). The command
line wins over the environment, the environment over the file.

`)
		fs.PrintDefaults()
	}
	return fs, c
}

func serve(args []string, log *slog.Logger) error {
	fs, c := serveFlags()
	if err := loadSettings(fs, args, serveSettings); err != nil {
		return err
	}
	// The live heap is small (sessions and requests in flight), so letting it
	// grow 4 times before a collection costs tens of megabytes and saves
	// about an eighth of the CPU under load (docs/performance.md).
	debug.SetGCPercent(c.gcPercent)
	if c.debugAddr != "" {
		go func() { log.Error("debug listener", "err", http.ListenAndServe(c.debugAddr, http.DefaultServeMux)) }()
	}
	if c.roots == "" {
		return errors.New("-roots is required: without trust anchors no citizen can log in")
	}
	limits := server.DefaultLimits()
	limits.PerAddress, limits.Burst, limits.Expensive = rate.Limit(c.rateLimit), c.rateBurst, c.maxCrypto
	opts := []server.Option{server.WithLogger(log), server.WithApprovalValidity(c.years), server.WithSecureCookies(c.secure),
		server.WithLimits(limits), c.lookup()}
	switch c.revocation {
	case "fail-closed":
		opts = append(opts, server.WithRevocationPolicy(server.FailClosed))
	case "fail-open":
		opts = append(opts, server.WithRevocationPolicy(server.FailOpen))
	default:
		return fmt.Errorf("-revocation must be fail-closed or fail-open, not %q", c.revocation)
	}
	if c.webhook != "" {
		secret := []byte(os.Getenv("BONSIGN_WEBHOOK_SECRET"))
		if c.webhookSecret != "" {
			data, err := os.ReadFile(c.webhookSecret)
			if err != nil {
				return err
			}
			secret = []byte(strings.TrimSpace(string(data)))
		}
		if len(secret) < 32 {
			return errors.New("the phone webhook needs a secret of at least 32 characters (-phone-webhook-secret-file or BONSIGN_WEBHOOK_SECRET)")
		}
		opts = append(opts, server.WithPhoneGateway(&phone.Webhook{URL: c.webhook, Secret: secret}))
	} else {
		log.Warn("no -phone-webhook: identity codes are kept in memory and reach nobody (development only)")
	}
	srv, st, err := c.open(opts...)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.purgeEvery > 0 {
		sweep, stop := context.WithCancel(context.Background())
		swept := make(chan struct{})
		go func() { srv.Sweep(sweep, c.purgeEvery); close(swept) }()
		defer func() { stop(); <-swept }() // before the store closes
	}
	hs := srv.HTTPServer(c.addr)
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if c.tlsCert != "" {
		if hs.TLSConfig, err = tlsinit.ServerConfig(c.tlsCert, c.tlsKey); err != nil {
			return err
		}
		log.Info("listening", "addr", c.addr, "tls", true)
		return runUntilSignal(hs, func() error { return hs.ListenAndServeTLS("", "") })
	}
	log.Info("listening", "addr", c.addr, "tls", false)
	return runUntilSignal(hs, func() error { return hs.ListenAndServe() })
}

// initTLS makes a private CA and a server certificate for small setups.
func initTLS(args []string) error {
	fs := flag.NewFlagSet("init", flag.ExitOnError)
	dir := fs.String("dir", ".", "folder for tls-ca.pem (give it to clients), tls-cert.pem and tls-key.pem")
	hosts := fs.String("hosts", "127.0.0.1,localhost", "comma-separated names and addresses the server answers to")
	fs.Parse(args)
	f, err := tlsinit.Init(*dir, strings.Split(*hosts, ","))
	if err != nil {
		return err
	}
	fmt.Printf("CA for clients to pin: %s\nserve with: -tls-cert %s -tls-key %s\n", f.CA, f.Cert, f.Key)
	return nil
}

// runUntilSignal runs start until SIGINT or SIGTERM, then shuts hs down,
// letting requests in flight finish.
func runUntilSignal(hs *http.Server, start func() error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- start() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

func runDemo(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	dir := fs.String("data", "bonsign-demo", "demo data directory")
	reset := fs.Bool("reset", false, "wipe the demo data first")
	plain := fs.Bool("plain-http", false, "serve plain HTTP instead of HTTPS with the demo's private CA")
	fs.Parse(args)
	env, err := demo.Open(*dir, demo.Options{Reset: *reset, Logger: log, TLS: !*plain})
	if err != nil {
		return err
	}
	fmt.Printf("bonsign demo server: %s\n", env.URL)
	if env.TLSCAPath != "" {
		fmt.Printf("  its private TLS CA: %s (curl: export CURL_CA_BUNDLE=%s)\n", env.TLSCAPath, env.TLSCAPath)
	}
	fmt.Printf("  citizen certificate: %s (password %s)\n", env.CertPath, env.Password)
	fmt.Printf("  citizen: %s, resident registration number %s (fictional)\n", env.Name, env.RRN)
	fmt.Printf("  institution %s API key: %s\n", env.Institution, env.APIKey)
	fmt.Printf("  clerk console: %s/console/ (login %s, password %s)\n", env.URL, env.ClerkLogin, env.ClerkPassword)
	fmt.Printf("  officer console: %s/officer/ (add an officer: cd %s && bonsign-server officer-add -institution %s -login kim.nps -name 김확인)\n",
		env.URL, env.Dir, env.Institution)
	fmt.Printf("  citizen's ID/password login: %s, initial password %s\n", env.LoginID, env.InitialPassword)
	fmt.Println("  the demo phone's messages (the identity check codes) appear below:")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for seen := 0; ; {
		select {
		case <-ctx.Done():
			return env.Close()
		case <-time.After(300 * time.Millisecond):
		}
		msgs := env.Outbox()
		for _, m := range msgs[min(seen, len(msgs)):] {
			fmt.Printf("  [demo phone] %s\n", m)
		}
		seen = len(msgs)
	}
}
