// Command bonsign is the citizen's desktop app for the electronic
// personal-signature confirmation (전자본인서명확인서). Without -server it runs
// against an embedded demo issuance server.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/bonsign/bonsign/app"
	"github.com/bonsign/bonsign/client/server/demo"
)

func main() {
	server := flag.String("server", "", "issuance server URL (without it, the embedded demo server runs)")
	demoMode := flag.Bool("demo", true, "run the embedded demo server when no -server is given")
	reset := flag.Bool("reset", false, "wipe the demo data before starting")
	data := flag.String("data", "", "data directory (default: bonsign in the user's configuration directory)")
	flag.Parse()
	if *data == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			log.Fatalf("bonsign: no data directory: %v (use -data)", err)
		}
		*data = filepath.Join(dir, "bonsign")
	}
	cfg := app.Config{ServerURL: *server, WalletDir: filepath.Join(*data, "wallet")}
	if *server == "" {
		if !*demoMode {
			log.Fatal("bonsign: give -server URL, or leave -demo on")
		}
		env, err := demo.Open(filepath.Join(*data, "demo"), demo.Options{Reset: *reset, TLS: true})
		if err != nil {
			log.Fatalf("bonsign: start the demo server: %v", err)
		}
		defer env.Close()
		cfg.ServerURL, cfg.ServerCA, cfg.WalletDir = env.URL, env.TLSCA, env.WalletDir
		cfg.Demo = &app.Demo{CertPath: env.CertPath, Password: env.Password, Name: env.Name,
			RRN: env.RRN, Address: env.Address, Outbox: env.Outbox,
			LoginID: env.LoginID, InitialPassword: env.InitialPassword}
	}
	a := fyneapp.NewWithID("kr.bonsign.app")
	w := a.NewWindow("bonsign 전자본인서명확인서")
	ui := app.New(a, w, cfg)
	defer ui.Close()
	w.Resize(fyne.NewSize(960, 700))
	w.ShowAndRun()
}
