// Command bonsign-load measures a bonsign issuance server: it sets up
// synthetic approved citizens, starts the server binary against their CA,
// has many of them issue confirmations at once and institutions look them
// up, and prints issuances/s, lookups/s and p50/p99 latency beside the floor
// (one CMS verification + one receipt signature + one fsync'd write)
// measured in the same run on the same machine.
//
//	bonsign-load bench -server bin/bonsign-server -dir /tmp/load -duration 20s
//	bonsign-load seed  -dir /tmp/load -n 1000000   # grow the store, then bench again
package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/loadtest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bonsign-load bench|seed [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "bench":
		err = bench(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: bonsign-load bench|seed [flags]")
		os.Exit(2)
	}
	if err != nil {
		log.Fatalf("bonsign-load: %v", err)
	}
}

func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dir := fs.String("dir", "bonsign-load", "the load folder (its store is filled)")
	db := fs.String("db", "", "the store: a postgres:// URL, or empty for the folder's SQLite file")
	n := fs.Int("n", 100000, "confirmations to add")
	citizens := fs.Int("citizens", 64, "synthetic citizens, if the folder is new")
	fs.Parse(args)
	log.Printf("setting up (once per folder)...")
	if err := loadtest.SetupLocal(context.Background(), *dir, *db, *citizens); err != nil {
		return err
	}
	cert, err := loadtest.SelfSigned(server.SeedName)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	srv, st, err := loadtest.OpenLocal(*dir, *db, roots)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	last := time.Now()
	err = srv.Seed(context.Background(), *n, "loadclerk", cert, func(done int) {
		if time.Since(last) > 5*time.Second {
			log.Printf("seeded %d of %d", done, *n)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	count, _ := st.CountConfirmations(context.Background())
	log.Printf("seeded %d confirmations in %v; the store holds %d", *n, time.Since(start).Round(time.Second), count)
	return nil
}

func bench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	bin := fs.String("server", "bin/bonsign-server", "the server binary to start")
	dir := fs.String("dir", "bonsign-load", "the load folder: store, keys, synthetic citizens")
	db := fs.String("db", "", "the store: a postgres:// URL, or empty for the folder's SQLite file")
	citizens := fs.Int("citizens", 64, "synthetic citizens to set up (first run only)")
	conc := fs.Int("concurrency", 32, "citizens issuing at the same time")
	lookups := fs.Int("lookups", 32, "institution lookup workers")
	dur := fs.Duration("duration", 15*time.Second, "length of each phase")
	useTLS := fs.Bool("tls", true, "serve and connect over TLS (the private CA of the init command)")
	presign := fs.Int("presign", 0, "confirmations the citizens sign before the issuance phase (citizens sign on their own computers; without, the load tool spends the server's cores on it during the run)")
	debugAddr := fs.String("debug-addr", "", "start the server with its profiler on this address (e.g. 127.0.0.1:6060)")
	fs.Parse(args)
	log.Printf("setting up (once per folder)...")
	if err := loadtest.SetupLocal(context.Background(), *dir, *db, *citizens); err != nil {
		return err
	}
	cs, err := loadtest.LoadCitizens(*dir)
	if err != nil {
		return err
	}
	secret, err := os.ReadFile(filepath.Join(*dir, loadtest.SecretFile))
	if err != nil {
		return err
	}
	apiKey, err := os.ReadFile(filepath.Join(*dir, loadtest.APIKeyFile))
	if err != nil {
		return err
	}
	codes, err := loadtest.ListenCodes("127.0.0.1:0", secret)
	if err != nil {
		return err
	}
	defer codes.Close()

	var extra []string
	if *debugAddr != "" {
		extra = append(extra, "-debug-addr", *debugAddr)
	}
	srv, err := loadtest.StartServer(*bin, *dir, *db, codes, *useTLS, extra...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	url, tlsCfg := srv.URL, srv.TLS

	log.Printf("measuring the floor...")
	floor, err := loadtest.MeasureFloor(*dir, 2*time.Second)
	if err != nil {
		return err
	}
	log.Printf("running %d issuing citizens and %d lookup workers for %v each over %s...", *conc, *lookups, *dur, url)
	rep, err := loadtest.Run(context.Background(), loadtest.Config{
		URL: url, TLS: tlsCfg, Citizens: cs, Codes: codes, APIKey: strings.TrimSpace(string(apiKey)),
		Concurrency: *conc, Duration: *dur, Lookups: *lookups, ServerPID: srv.PID(), Presign: *presign,
	})
	if err != nil {
		return err
	}
	log.Printf("measuring the floor again...")
	after, err := loadtest.MeasureFloor(*dir, 2*time.Second)
	if err != nil {
		return err
	}
	rep.Floors = []loadtest.Floor{floor, after}
	rep.Print(os.Stdout)
	return nil
}
