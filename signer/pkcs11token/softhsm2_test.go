//go:build cgo

package pkcs11token

// Tests against a real module, SoftHSM2. Each test makes its own token in a
// temporary directory; SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, so these
// tests set it with t.Setenv before Open and must not run in parallel.

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
)

const (
	softLabel = testpki.SoftLabel
	softPIN   = testpki.SoftPIN
)

// softToken makes a fresh SoftHSM2 token; see testpki.SoftToken.
func softToken(tb testing.TB) string { return testpki.SoftToken(tb) }

func importLeaf(tb testing.TB, module string, leaf *testpki.Leaf, id string) {
	testpki.ImportLeaf(tb, module, leaf, id)
}

func writeObject(tb testing.TB, module, path, typ, id, label string, extra ...string) {
	testpki.WriteObject(tb, module, path, typ, id, label, extra...)
}

// findToken returns the slot of the token labelled T.
func findToken(tb testing.TB, m *Module) TokenInfo {
	tb.Helper()
	tokens, err := m.Tokens()
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range tokens {
		if t.Label == softLabel {
			return t
		}
	}
	tb.Fatalf("no token labelled %s in %+v", softLabel, tokens)
	return TokenInfo{}
}

func TestSoftHSM2SignsCMSThatOpenSSLVerifies(t *testing.T) {
	content := []byte(`{"purpose":"부동산 매도","version":"bonsign-confirmation/1"}`)
	for name, o := range map[string]testpki.Options{"RSA-2048": {}, "ECDSA P-256": {ECDSA: true}} {
		t.Run(name, func(t *testing.T) {
			module := softToken(t)
			ca := testpki.NewCA(t, "test CA")
			leaf := ca.Issue(t, "홍길동", o)
			importLeaf(t, module, leaf, "01")
			caDER := filepath.Join(t.TempDir(), "ca.der")
			os.WriteFile(caDER, ca.Cert.Raw, 0o600)
			writeObject(t, module, caDER, "cert", "ca", "CA")

			m, err := Open(module)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			tok := findToken(t, m)
			if tok.Manufacturer != "SoftHSM project" || tok.PIN != 0 || !tok.Initialized {
				t.Fatalf("token %+v", tok)
			}
			certs, err := m.Certificates(tok.Slot)
			if err != nil {
				t.Fatal(err)
			}
			var leafCert *Cert
			for i, c := range certs {
				if c.Certificate != nil && c.Certificate.Equal(leaf.Cert) {
					leafCert = &certs[i]
				}
			}
			if len(certs) != 2 || leafCert == nil || !bytes.Equal(leafCert.ID, []byte{0x01}) || leafCert.Label != "signCert" {
				t.Fatalf("certificates %+v", certs)
			}

			id, err := m.Identity(tok.Slot, leafCert.ID, softPIN)
			if err != nil {
				t.Fatal(err)
			}
			defer id.Key.(io.Closer).Close()
			if len(id.Chain) != 1 || !id.Chain[0].Equal(ca.Cert) {
				t.Fatalf("chain %v", id.Chain)
			}
			der, err := id.SignCMS(content)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			sigPath := filepath.Join(dir, "sig.p7s")
			os.WriteFile(sigPath, der, 0o600)
			out := testpki.Run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath,
				"-CAfile", ca.WriteCA(t, dir), "-purpose", "any")
			if !bytes.Equal(out, content) {
				t.Fatalf("openssl returned %q", out)
			}
		})
	}
}

// TestSoftHSM2WrongPIN: a wrong PIN is ErrWrongPIN and the token then reports
// count-low. SoftHSM2 (2.6) never locks its user PIN, however often it is
// wrong; the test records that, so a SoftHSM2 that starts locking is noticed.
// Locking is tested with the fake.
func TestSoftHSM2WrongPIN(t *testing.T) {
	module := softToken(t)
	ca := testpki.NewCA(t, "test CA")
	importLeaf(t, module, ca.Issue(t, "홍길동", testpki.Options{ECDSA: true}), "01")
	m, err := Open(module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	slot := findToken(t, m).Slot

	const tries = 20
	for i := range tries {
		_, err := m.Identity(slot, []byte{0x01}, "9999")
		var pe *PINError
		if !errors.Is(err, ErrWrongPIN) || !errors.As(err, &pe) {
			t.Fatalf("wrong PIN, try %d: %v", i+1, err)
		}
		if !pe.StateKnown || pe.State&PINCountLow == 0 || pe.State.Locked() {
			t.Fatalf("try %d: state after a wrong PIN %v (known %v), want count-low", i+1, pe.State, pe.StateKnown)
		}
	}
	if tok := findToken(t, m); tok.PIN != PINCountLow {
		t.Fatalf("after %d wrong PINs Tokens reports %v, want count-low", tries, tok.PIN)
	}
	t.Logf("SoftHSM2 after %d wrong PINs: %v, not locked", tries, findToken(t, m).PIN)

	id, err := m.Identity(slot, []byte{0x01}, softPIN)
	if err != nil {
		t.Fatalf("the right PIN after wrong ones: %v", err)
	}
	id.Key.(io.Closer).Close()
	if tok := findToken(t, m); tok.PIN != 0 {
		t.Fatalf("after a good login the token reports %v", tok.PIN)
	}
}

// TestOpenAFileThatIsNotAModule: in a cgo build, a file that does not load
// as a shared library is ErrNotAModule.
func TestOpenAFileThatIsNotAModule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-module.so")
	os.WriteFile(path, []byte("hello"), 0o600)
	if _, err := Open(path); !errors.Is(err, ErrNotAModule) {
		t.Fatalf("got %v, want ErrNotAModule", err)
	}
}

// TestOpenSCLoads opens a second real module, OpenSC's, and lists its
// tokens: none on a machine without a card reader, but no error either way.
func TestOpenSCLoads(t *testing.T) {
	var path string
	for _, m := range Modules(nil) {
		if m.Name == "OpenSC" {
			path = m.Path
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OpenSC is not installed (apt-get install opensc)")
		}
		t.Skip("OpenSC is not installed (apt-get install opensc)")
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OpenSC (%s): %d tokens", path, len(tokens))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSoftHSM2Sign(b *testing.B) {
	for name, o := range map[string]testpki.Options{"RSA-2048": {}, "P-256": {ECDSA: true}} {
		b.Run(name, func(b *testing.B) {
			module := softToken(b)
			ca := testpki.NewCA(b, "test CA")
			importLeaf(b, module, ca.Issue(b, "홍길동", o), "01")
			m, err := Open(module)
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			id, err := m.Identity(findToken(b, m).Slot, []byte{0x01}, softPIN)
			if err != nil {
				b.Fatal(err)
			}
			defer id.Key.(io.Closer).Close()
			digest := sha256.Sum256([]byte("전자본인서명확인서"))
			b.Run("Sign", func(b *testing.B) {
				for b.Loop() {
					if _, err := id.Key.Sign(nil, digest[:], crypto.SHA256); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("SignCMS", func(b *testing.B) {
				content := bytes.Repeat([]byte("x"), 2048)
				for b.Loop() {
					if _, err := id.SignCMS(content); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
