package server_test

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/internal/testpki"
)

// crlServer serves one CRL on 127.0.0.1 and counts the fetches.
type crlServer struct {
	mu      sync.Mutex
	data    []byte
	status  int
	fetches int
	*httptest.Server
}

func newCRLServer(t *testing.T) *crlServer {
	c := &crlServer{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.fetches++
		if c.status != 0 {
			w.WriteHeader(c.status)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Write(c.data)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *crlServer) serve(data []byte, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data, c.status = data, status
}

func (c *crlServer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetches
}

// goCRL is a CRL of ca listing serials, valid from now for life.
func goCRL(t *testing.T, ca *testpki.CA, now time.Time, life time.Duration, serials ...*big.Int) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(now.Unix()), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(life)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: now.Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// opensslCRL has `openssl ca` revoke the certificates (PEM files) and
// generate the CRL, as a CA's own tooling would. It returns the PEM CRL.
func opensslCRL(t *testing.T, ca *testpki.CA, revoke ...*x509.Certificate) []byte {
	t.Helper()
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("ca.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	write("index.txt", nil)
	write("index.txt.attr", []byte("unique_subject = no\n"))
	write("crlnumber", []byte("1000\n"))
	cnf := write("ca.cnf", []byte(`[ ca ]
default_ca = test_ca
[ test_ca ]
dir              = `+dir+`
database         = $dir/index.txt
crlnumber        = $dir/crlnumber
certificate      = $dir/ca.pem
private_key      = $dir/ca.key
new_certs_dir    = $dir
default_md       = sha256
default_crl_days = 1
policy           = any
[ any ]
commonName = supplied
`))
	for i, c := range revoke {
		p := write("revoke"+string(rune('a'+i))+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
		testpki.Run(t, "openssl", "ca", "-config", cnf, "-revoke", p, "-crl_reason", "keyCompromise")
	}
	out := filepath.Join(dir, "crl.pem")
	testpki.Run(t, "openssl", "ca", "-config", cnf, "-gencrl", "-out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRevokedCertificatesCannotLogIn: the certificate's CRL distribution
// point is fetched over HTTP and honoured, whoever made the CRL.
func TestRevokedCertificatesCannotLogIn(t *testing.T) {
	der := func(pemData []byte) []byte {
		b, _ := pem.Decode(pemData)
		return b.Bytes
	}
	// Each case gets its own server (so no CRL is cached), its citizen leaf and
	// a bystander certificate of the same CA.
	tests := []struct {
		name string
		crl  func(h *harness, leaf, bystander *testpki.Leaf) []byte
		want api.Code
	}{
		{"a CRL made by openssl ca (PEM) that lists it", func(h *harness, leaf, _ *testpki.Leaf) []byte {
			return opensslCRL(t, h.ca, leaf.Cert)
		}, api.CodeCertRevoked},
		{"a CRL made by openssl ca, in DER", func(h *harness, leaf, _ *testpki.Leaf) []byte {
			return der(opensslCRL(t, h.ca, leaf.Cert))
		}, api.CodeCertRevoked},
		{"a CRL made by openssl ca that lists another certificate", func(h *harness, _, bystander *testpki.Leaf) []byte {
			return opensslCRL(t, h.ca, bystander.Cert)
		}, ""},
		{"a CRL made with x509.CreateRevocationList that lists it", func(h *harness, leaf, _ *testpki.Leaf) []byte {
			return goCRL(t, h.ca, h.clock(), time.Hour, leaf.Cert.SerialNumber)
		}, api.CodeCertRevoked},
		{"an empty CRL", func(h *harness, _, _ *testpki.Leaf) []byte { return goCRL(t, h.ca, h.clock(), time.Hour) }, ""},
		{"a CRL signed by another CA", func(h *harness, leaf, _ *testpki.Leaf) []byte {
			return goCRL(t, testpki.NewCA(t, "other CA"), h.clock(), time.Hour, leaf.Cert.SerialNumber)
		}, api.CodeRevocationUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crl := newCRLServer(t)
			h := newHarness(t)
			leaf := issueLeaf(t, h.ca, "서지우", leafOptions{crlURLs: []string{crl.URL + "/ca.crl"}})
			bystander := issueLeaf(t, h.ca, "남궁민", leafOptions{crlURLs: []string{crl.URL + "/ca.crl"}})
			h.approve(leaf, "서지우", "930303-2234561")
			crl.serve(tc.crl(h, leaf, bystander), 0)
			_, e := h.raw().certLogin(leaf, "", nil)
			if tc.want == "" {
				if e != nil {
					t.Fatalf("refused: %v", e)
				}
				return
			}
			wantAPICode(t, e, tc.want)
			if crl.count() != 1 {
				t.Fatalf("%d fetches", crl.count())
			}
		})
	}
}

// TestCRLsAreCachedUntilTheirNextUpdate.
func TestCRLsAreCachedUntilTheirNextUpdate(t *testing.T) {
	crl := newCRLServer(t)
	h := newHarness(t)
	leaf := issueLeaf(t, h.ca, "서지우", leafOptions{crlURLs: []string{crl.URL + "/ca.crl"}})
	h.approve(leaf, "서지우", "930303-2234561")
	crl.serve(goCRL(t, h.ca, h.clock(), time.Hour), 0)
	for range 3 {
		if _, e := h.raw().certLogin(leaf, "", nil); e != nil {
			t.Fatal(e)
		}
	}
	if n := crl.count(); n != 1 {
		t.Fatalf("%d fetches for three logins within the CRL's life, want 1", n)
	}
	// The CA revokes the certificate; the next CRL is fetched once the cached
	// one's next update has come.
	crl.serve(goCRL(t, h.ca, h.clock().Add(time.Hour), time.Hour, leaf.Cert.SerialNumber), 0)
	h.advance(time.Hour)
	_, e := h.raw().certLogin(leaf, "", nil)
	wantAPICode(t, e, api.CodeCertRevoked)
	if n := crl.count(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

// TestAnUnreachableCRLFollowsThePolicy: fail-closed refuses, fail-open lets
// the citizen in and says so in the log.
func TestAnUnreachableCRLFollowsThePolicy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy server.RevocationPolicy
		want   api.Code
	}{
		{"fail-closed", server.FailClosed, api.CodeRevocationUnavailable},
		{"fail-open", server.FailOpen, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crl := newCRLServer(t)
			crl.serve(nil, http.StatusServiceUnavailable)
			h := newHarness(t, server.WithRevocationPolicy(tc.policy))
			leaf := issueLeaf(t, h.ca, "서지우", leafOptions{crlURLs: []string{crl.URL + "/ca.crl"}})
			h.approve(leaf, "서지우", "930303-2234561")
			_, e := h.raw().certLogin(leaf, "", nil)
			if tc.want != "" {
				wantAPICode(t, e, tc.want)
				return
			}
			if e != nil {
				t.Fatal(e)
			}
			if !strings.Contains(h.logs.String(), "fail-open") {
				t.Fatal("a login let in without a revocation check left no warning")
			}
		})
	}
	t.Run("a CRL past its next update is not trusted", func(t *testing.T) {
		crl := newCRLServer(t)
		h := newHarness(t)
		crl.serve(goCRL(t, h.ca, h.clock().Add(-3*time.Hour), time.Hour), 0)
		leaf := issueLeaf(t, h.ca, "서지우", leafOptions{crlURLs: []string{crl.URL + "/ca.crl"}})
		h.approve(leaf, "서지우", "930303-2234561")
		_, e := h.raw().certLogin(leaf, "", nil)
		wantAPICode(t, e, api.CodeRevocationUnavailable)
	})
}
