// Command bonsign-server runs the bonsign issuance server and its
// administrative operations.
//
//	bonsign-server serve -addr 127.0.0.1:8080 -db bonsign.db -key-file data.key -roots roots.pem
//	bonsign-server demo -data DIR
//	bonsign-server approve -db ... -key-file ... -name 홍길동 -rrn 900101-1234568 ...
//	bonsign-server institution-key -db ... -key-file ... -code bs-pub-nps -label "연금 시스템"
//
// It builds without cgo.
package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/demo"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/client/server/store"
)

const usage = `usage: bonsign-server <command> [flags]

commands:
  serve            run the issuance server
  demo             run a demo server with a demo CA, citizen and institution key
  approve          record a citizen's in-person approval
  institution-key  create an API key for an institution's system

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
	case "demo":
		err = runDemo(args, log)
	case "approve":
		err = approve(args)
	case "institution-key":
		err = institutionKey(args)
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

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "bonsign.db", "SQLite database file")
	fs.StringVar(&c.keyFile, "key-file", "data.key", "file with the base64 64-byte key that seals personal data (created if missing); or set BONSIGN_DATA_KEY")
	fs.StringVar(&c.roots, "roots", "", "PEM file of the certificate authorities whose citizens' certificates are trusted")
	fs.StringVar(&c.receiptKey, "receipt-key", "receipt-key.pem", "PEM PKCS#8 key that signs receipts (created with -receipt-cert if both are missing)")
	fs.StringVar(&c.receiptCert, "receipt-cert", "receipt-cert.pem", "PEM certificate of the receipt key, which clients pin")
}

// open builds the server from the flags.
func (c *common) open(opts ...server.Option) (*server.Server, *store.SQLite, error) {
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
	st, err := store.OpenSQLite(c.db)
	if err != nil {
		return nil, nil, err
	}
	return server.New(st, sealer, roots, append(opts, server.WithReceiptKey(rk))...), st, nil
}

func serve(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var c common
	c.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	fs.Parse(args)
	if c.roots == "" {
		return errors.New("-roots is required: without trust anchors no citizen can log in")
	}
	srv, st, err := c.open(server.WithLogger(log))
	if err != nil {
		return err
	}
	defer st.Close()
	hs := srv.HTTPServer(*addr)
	log.Info("listening", "addr", *addr)
	return runUntilSignal(hs, func() error { return hs.ListenAndServe() })
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
	fs.Parse(args)
	env, err := demo.StartWithLogger(*dir, *reset, log)
	if err != nil {
		return err
	}
	fmt.Printf("bonsign demo server: %s\n", env.URL)
	fmt.Printf("  citizen certificate: %s (password %s)\n", env.CertPath, env.Password)
	fmt.Printf("  citizen: %s, resident registration number %s (fictional)\n", env.Name, env.RRN)
	fmt.Printf("  institution %s API key: %s\n", env.Institution, env.APIKey)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return env.Close()
}

func approve(args []string) error {
	fs := flag.NewFlagSet("approve", flag.ExitOnError)
	var c common
	c.register(fs)
	var a server.Approval
	fs.StringVar(&a.Name, "name", "", "citizen's name")
	fs.StringVar(&a.RRN, "rrn", "", "resident registration number, YYMMDD-SBBBBBB")
	fs.StringVar(&a.Address, "address", "", "registered address")
	fs.StringVar(&a.Phone, "phone", "", "phone number for the identity check, e.g. 010-1234-5678")
	fs.StringVar(&a.IdentityMethod, "method", server.MethodMobile, "extra identity method: mobile, landline or token")
	fs.StringVar(&a.Office, "office", "", "approving office")
	fs.StringVar(&a.Clerk, "clerk", "", "approving clerk")
	certPath := fs.String("cert", "", "the citizen's certificate (PEM or DER)")
	fs.Parse(args)
	data, err := os.ReadFile(*certPath)
	if err != nil {
		return err
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	if a.Certificate, err = x509.ParseCertificate(data); err != nil {
		return fmt.Errorf("%s: %w", *certPath, err)
	}
	srv, st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := srv.Approve(context.Background(), a)
	if err != nil {
		return err
	}
	fmt.Printf("approved citizen %d\n", id)
	return nil
}

func institutionKey(args []string) error {
	fs := flag.NewFlagSet("institution-key", flag.ExitOnError)
	var c common
	c.register(fs)
	code := fs.String("code", "", "institution code from the directory")
	label := fs.String("label", "", "what the key is for")
	fs.Parse(args)
	srv, st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := srv.CreateInstitutionKey(context.Background(), *code, *label)
	if err != nil {
		return err
	}
	fmt.Println(key)
	return nil
}
