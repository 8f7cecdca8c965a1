package app

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// npkiFolder writes an NPKI certificate folder for a certificate of ca.
func npkiFolder(t *testing.T, ca *testpki.CA, name string, o testpki.Options, iterations int) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 20)
	rand.Read(r)
	key, _ := npki.NewKey(priv, r)
	ext, err := npki.MakeIdentifyDataExtension(name, "900101-1234568", r, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	o.Key, o.Extensions = priv, []pkix.Extension{ext}
	leaf := ca.Issue(t, name+"()0010041", o)
	dir := filepath.Join(t.TempDir(), "NPKI", "yessign", "USER", "cn="+name)
	os.MkdirAll(dir, 0o700)
	enc, err := npki.EncryptKey(key, []byte("pw"), iterations)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, npki.CertFile), leaf.Cert.Raw, 0o600)
	os.WriteFile(filepath.Join(dir, npki.KeyFile), enc, 0o600)
	return dir
}

// TestCertificatePicker: expired certificates are listed greyed with the
// reason and cannot be used; a token asks for its PIN; an old NPKI key gets
// the offer to re-encrypt it.
func TestCertificatePicker(t *testing.T) {
	env := startDemo(t)
	ca := testpki.NewCA(t, "yessignCA Class 2")
	expired := npkiFolder(t, ca, "홍길동", testpki.Options{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)}, 1000)
	weak := npkiFolder(t, ca, "홍길동", testpki.Options{}, 2048)
	module := testpki.SoftToken(t)
	testpki.ImportLeaf(t, module, ca.Issue(t, "홍길동", testpki.Options{ECDSA: true}), "01")

	cfg := demoConfig(env)
	cfg.Certificates = certs.Options{NPKIRoots: []npki.Location{}, Files: []string{expired, weak}, Modules: []string{module}}
	h := newHarness(t, test.NewTempApp(t), cfg)
	test.Tap(screenOf[*homeScreen](h).issue)
	login := screenOf[*loginScreen](h)
	h.waitFor("the search to end", func() bool { return h.ui.certs != nil })
	es := h.ui.certs.Entries
	if len(es) != 4 {
		t.Fatalf("found %d certificates, want 4 (expired, weak, token, demo)", len(es))
	}
	find := func(kind certs.Kind, path string) int {
		for i, e := range es {
			if e.Kind == kind && (path == "" || e.Path == path) {
				return i
			}
		}
		t.Fatalf("no %s entry %s", kind, path)
		return -1
	}

	i := find(certs.KindNPKI, expired)
	line, usable := h.ui.entryLine(&es[i], time.Now())
	if usable || !h.ui.lang.contains(line, "만료됨") {
		t.Fatalf("the expired certificate reads %q (usable %v)", line, usable)
	}
	login.list.Select(i)
	test.Type(login.password, "pw")
	test.Tap(login.login)
	if login.errMsg.Text != txtCertNotUsable.ko {
		t.Fatalf("logging in with an expired certificate says %q", login.errMsg.Text)
	}

	login.list.Select(find(certs.KindNPKI, weak))
	if !login.rekey.Visible() || login.notice.Text != txtWeakKey.ko {
		t.Fatal("no offer to re-encrypt the old key")
	}

	login.list.Select(find(certs.KindToken, ""))
	if login.secretLbl.Text != txtTokenPIN.ko || login.rekey.Visible() {
		t.Fatalf("the token asks for %q", login.secretLbl.Text)
	}
}
