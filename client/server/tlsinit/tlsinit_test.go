package tlsinit_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"os"
	"runtime"
	"testing"

	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/server/tlsinit"
)

// serve runs a TLS server with the Init certificate on 127.0.0.1.
func serve(t *testing.T, f tlsinit.Files) string {
	t.Helper()
	cfg, err := tlsinit.ServerConfig(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"institutions":[]}`))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "https://" + ln.Addr().String()
}

func TestPinnedCA(t *testing.T) {
	dir := t.TempDir()
	f, err := tlsinit.Init(dir, []string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(f.Key); runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("the key is %v, want owner-only", info.Mode().Perm())
	}
	url := serve(t, f)
	caPEM, _ := os.ReadFile(f.CA)
	cfg, err := tlsinit.ClientConfig(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(url, client.WithTLS(cfg)).Institutions(context.Background()); err != nil {
		t.Fatalf("a client pinning the CA: %v", err)
	}

	t.Run("a client pinning another CA refuses the server", func(t *testing.T) {
		other, _ := tlsinit.Init(t.TempDir(), []string{"127.0.0.1"})
		otherPEM, _ := os.ReadFile(other.CA)
		ocfg, _ := tlsinit.ClientConfig(otherPEM)
		if _, err := client.New(url, client.WithTLS(ocfg)).Institutions(context.Background()); !errors.Is(err, client.ErrUnreachable) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a client with only the system's roots refuses it", func(t *testing.T) {
		if _, err := client.New(url).Institutions(context.Background()); err == nil {
			t.Fatal("accepted the private CA without the pin")
		}
	})
	t.Run("TLS 1.1 and older are refused (a downgrade)", func(t *testing.T) {
		conn, err := tls.Dial("tcp", url[len("https://"):], &tls.Config{RootCAs: cfg.RootCAs, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatal("the server accepted TLS 1.1")
		}
	})
	t.Run("Init again keeps the files, so clients keep their pin", func(t *testing.T) {
		again, _ := tlsinit.Init(dir, []string{"127.0.0.1"})
		b, _ := os.ReadFile(again.CA)
		if string(b) != string(caPEM) {
			t.Fatal("Init replaced an existing CA")
		}
	})
}

func TestClientWithCA(t *testing.T) {
	f, err := tlsinit.Init(t.TempDir(), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, f)
	caPEM, _ := os.ReadFile(f.CA)
	if _, err := client.New(url, client.WithCA(caPEM)).Institutions(context.Background()); err != nil {
		t.Fatalf("pinned CA: %v", err)
	}
	if _, err := client.New(url, client.WithCA([]byte("no PEM here"))).Institutions(context.Background()); err == nil {
		t.Fatal("a client with an unreadable CA connected")
	}
}
