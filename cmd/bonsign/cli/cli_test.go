package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/cmd/bonsign/cli"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer/npki"
)

// run runs the command line with env vars and no terminal.
func run(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = cli.Main(args, env)
	return code, out.String(), errb.String()
}

func TestSignAndVerify(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{})
	dir := t.TempDir()
	p12 := leaf.WriteP12(t, dir, "pw!")
	caPath := ca.WriteCA(t, dir)
	in := filepath.Join(dir, "contract.txt")
	os.WriteFile(in, []byte("매매계약서"), 0o600)
	out := filepath.Join(dir, "contract.p7s")

	code, _, stderr := run(t, map[string]string{cli.EnvPassword: "pw!"}, "sign", "--p12", p12, "--in", in, "--out", out)
	if code != 0 {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	// An independent implementation agrees.
	got := testpki.Run(t, "openssl", "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in", out, "-CAfile", caPath, "-purpose", "any")
	if string(got) != "매매계약서" {
		t.Fatalf("openssl says %q", got)
	}
	content := filepath.Join(dir, "out.txt")
	if code, _, stderr := run(t, nil, "verify", "--in", out, "--ca", caPath, "--out", content); code != 0 || !strings.Contains(stderr, "chain verified") {
		t.Fatalf("verify: %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(content); string(b) != "매매계약서" {
		t.Fatalf("verify wrote %q", b)
	}

	t.Run("a tampered signature fails verification", func(t *testing.T) {
		der, _ := os.ReadFile(out)
		der[len(der)-3] ^= 1
		bad := filepath.Join(dir, "bad.p7s")
		os.WriteFile(bad, der, 0o600)
		if code, _, _ := run(t, nil, "verify", "--in", bad, "--ca", caPath); code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
	})
	t.Run("another CA fails verification", func(t *testing.T) {
		other := testpki.NewCA(t, "other").WriteCA(t, t.TempDir())
		if code, _, stderr := run(t, nil, "verify", "--in", out, "--ca", other); code != 1 || !strings.Contains(stderr, "trusted") {
			t.Fatalf("exit %d %s", code, stderr)
		}
	})
	t.Run("a wrong password says so", func(t *testing.T) {
		code, _, stderr := run(t, map[string]string{cli.EnvPassword: "nope"}, "sign", "--p12", p12, "--in", in, "--out", out)
		if code != 1 || !strings.Contains(stderr, "wrong certificate password") {
			t.Fatalf("exit %d %s", code, stderr)
		}
	})
	t.Run("no password and no terminal is a usage error", func(t *testing.T) {
		code, _, stderr := run(t, nil, "sign", "--p12", p12, "--in", in, "--out", out)
		if code != 2 || !strings.Contains(stderr, cli.EnvPassword) {
			t.Fatalf("exit %d %s", code, stderr)
		}
	})
	t.Run("two sources at once is a usage error", func(t *testing.T) {
		if code, _, _ := run(t, nil, "sign", "--p12", p12, "--pem", caPath, "--in", in, "--out", out); code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
}

func TestSignWithAToken(t *testing.T) {
	module := testpki.SoftToken(t)
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "박보안", testpki.Options{ECDSA: true})
	testpki.ImportLeaf(t, module, leaf, "01")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out.p7s")
	os.WriteFile(in, []byte("hello"), 0o600)
	code, _, stderr := run(t, map[string]string{cli.EnvPIN: testpki.SoftPIN}, "sign", "--pkcs11", module, "--in", in, "--out", out)
	if code != 0 {
		t.Fatalf("sign with token: %d %s", code, stderr)
	}
	testpki.Run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", out, "-CAfile", ca.WriteCA(t, dir), "-purpose", "any")
}

func TestCertsAndRekey(t *testing.T) {
	// A copy of a CA's real PBES1 test key folder.
	src := "../../../signer/npki/testdata/yessign-test"
	dir := filepath.Join(t.TempDir(), "cn=HKD")
	os.MkdirAll(dir, 0o700)
	for _, f := range []string{npki.CertFile, npki.KeyFile} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o600)
	}
	code, stdout, _ := run(t, nil, "certs", "--npki", dir)
	if code != 0 || !strings.Contains(stdout, "HKD") || !strings.Contains(stdout, "expired") || !strings.Contains(stdout, "은행·보험용") {
		t.Fatalf("certs: %d\n%s", code, stdout)
	}
	const oldPW = "WTuA8Ev0lWXVFSiI!"
	vars := map[string]string{cli.EnvPassword: oldPW, cli.EnvNewPassword: "a new, longer passphrase"}
	if code, _, stderr := run(t, vars, "rekey", "--npki", dir, "--iterations", "5000"); code != 0 {
		t.Fatalf("rekey: %d %s", code, stderr)
	}
	if _, _, err := npki.Open(dir, []byte("a new, longer passphrase")); err != nil {
		t.Fatalf("the rekeyed key does not open with the new password: %v", err)
	}
	if _, _, err := npki.Open(dir, []byte(oldPW)); err == nil {
		t.Fatal("the rekeyed key still opens with the old password")
	}
	// Signing with the expired certificate is refused with the reason.
	in := filepath.Join(t.TempDir(), "in")
	os.WriteFile(in, []byte("x"), 0o600)
	code, _, stderr := run(t, map[string]string{cli.EnvPassword: "a new, longer passphrase"}, "sign", "--npki", dir, "--in", in, "--out", in+".p7s")
	if code != 1 || !strings.Contains(stderr, "expired") {
		t.Fatalf("signing with an expired certificate: %d %s", code, stderr)
	}
}
