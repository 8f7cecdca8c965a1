package testpki

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The SoftHSM2 token SoftToken makes.
const (
	SoftLabel = "T"
	SoftPIN   = "1234"
	SoftSOPIN = "12345678"
)

// softHSM2Paths are where distributions install libsofthsm2.
var softHSM2Paths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/opt/homebrew/lib/softhsm/libsofthsm2.so",
}

// SoftHSM2Module is the path of libsofthsm2. Where it is missing the test
// skips, except in CI (CI set), where it fails.
func SoftHSM2Module(tb testing.TB) string {
	tb.Helper()
	for _, p := range softHSM2Paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("SoftHSM2 is not installed (make test installs softhsm2 and opensc)")
	}
	tb.Skip("SoftHSM2 is not installed (apt-get install softhsm2 opensc)")
	return ""
}

// SoftToken initialises an empty SoftHSM2 token labelled SoftLabel in a
// temporary directory and points SOFTHSM2_CONF at it (SoftHSM2 reads it at
// C_Initialize: such tests must not run in parallel). It returns the module.
func SoftToken(tb testing.TB) string {
	tb.Helper()
	module := SoftHSM2Module(tb)
	Tool(tb, "softhsm2-util")
	Tool(tb, "pkcs11-tool")
	dir := tb.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		tb.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("SOFTHSM2_CONF", conf)
	Run(tb, "softhsm2-util", "--init-token", "--free", "--label", SoftLabel, "--so-pin", SoftSOPIN, "--pin", SoftPIN)
	return module
}

// ImportLeaf writes a software-made key and its certificate to the token
// under CKA_ID id, with pkcs11-tool as a person's CA software would.
func ImportLeaf(tb testing.TB, module string, leaf *Leaf, id string) {
	tb.Helper()
	dir := tb.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		tb.Fatal(err)
	}
	keyPath, certPath := filepath.Join(dir, "key.der"), filepath.Join(dir, "cert.der")
	os.WriteFile(keyPath, keyDER, 0o600)
	os.WriteFile(certPath, leaf.Cert.Raw, 0o600)
	WriteObject(tb, module, keyPath, "privkey", id, "signPri", "--usage-sign")
	WriteObject(tb, module, certPath, "cert", id, "signCert")
}

// WriteObject writes a file to the SoftToken token with pkcs11-tool.
func WriteObject(tb testing.TB, module, path, typ, id, label string, extra ...string) {
	tb.Helper()
	Run(tb, "pkcs11-tool", append([]string{"--module", module, "--token-label", SoftLabel,
		"--login", "--pin", SoftPIN, "--write-object", path, "--type", typ, "--id", id, "--label", label}, extra...)...)
}
