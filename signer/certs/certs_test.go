package certs_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

const password = "npki-pass!"

var bankingPolicy = mustOID(1, 2, 410, 200005, 1, 1, 4)

func mustOID(ints ...uint64) x509.OID {
	o, err := x509.OIDFromInts(ints)
	if err != nil {
		panic(err)
	}
	return o
}

// writeNPKI makes <root>/<ca>/USER/<subject>/ with signCert.der and a
// signPri.key encrypted as bonsign re-encrypts keys.
func writeNPKI(t *testing.T, root, ca, subject string, leaf *testpki.Leaf, key *npki.Key) string {
	t.Helper()
	dir := filepath.Join(root, ca, "USER", subject)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	enc, err := npki.EncryptKey(key, []byte(password), 0)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, npki.CertFile), leaf.Cert.Raw, 0o600)
	os.WriteFile(filepath.Join(dir, npki.KeyFile), enc, 0o600)
	return dir
}

func npkiLeaf(t *testing.T, ca *testpki.CA, name string, o testpki.Options) (*testpki.Leaf, *npki.Key) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 20)
	rand.Read(r)
	key, err := npki.NewKey(priv, r)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := npki.MakeIdentifyDataExtension(name, "900101-1234568", r, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	o.Key = priv
	o.Extensions = []pkix.Extension{ext}
	o.Policies = []x509.OID{bankingPolicy}
	return ca.Issue(t, name+"()0010041202511250001", o), key
}

func TestFindsEveryKindOfSource(t *testing.T) {
	ca := testpki.NewCA(t, "yessignCA-Test Class 4")
	disk, usb := t.TempDir(), t.TempDir()
	good, goodKey := npkiLeaf(t, ca, "홍길동", testpki.Options{})
	goodDir := writeNPKI(t, disk, "yessign", "cn=홍길동()0010041202511250001,ou=personal4IB,o=yessign,c=kr", good, goodKey)
	old, oldKey := npkiLeaf(t, ca, "홍길동", testpki.Options{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
	writeNPKI(t, disk, "CrossCert", "cn=홍길동 old", old, oldKey)
	onStick, stickKey := npkiLeaf(t, ca, "홍길동", testpki.Options{})
	writeNPKI(t, usb, "SignKorea", "cn=홍길동 usb", onStick, stickKey)
	// A certificate folder whose certificate is damaged is listed, with why.
	broken := filepath.Join(disk, "KICA", "USER", "cn=broken")
	os.MkdirAll(broken, 0o700)
	os.WriteFile(filepath.Join(broken, npki.CertFile), []byte("not DER"), 0o600)
	os.WriteFile(filepath.Join(broken, npki.KeyFile), []byte("x"), 0o600)
	// A CA's real PBES1 test key: expired, and weakly protected.
	yessign, _ := filepath.Abs("../npki/testdata/yessign-test")

	p12Leaf := ca.Issue(t, "김철수", testpki.Options{ECDSA: true})
	p12 := p12Leaf.WriteP12(t, t.TempDir(), password)
	pemLeaf := ca.Issue(t, "이영희", testpki.Options{})
	pemDir := t.TempDir()
	certPath, keyPath := pemLeaf.WritePEM(t, pemDir)
	both := filepath.Join(pemDir, "both.pem")
	c, _ := os.ReadFile(certPath)
	k, _ := os.ReadFile(keyPath)
	os.WriteFile(both, append(c, k...), 0o600)

	l := certs.Find(certs.Options{
		NPKIRoots: []npki.Location{{Path: disk}, {Path: usb, Removable: true}, {Path: filepath.Join(disk, "missing")}},
		Files:     []string{p12, both, yessign, filepath.Join(pemDir, "nothing.p12")},
		NoTokens:  true,
	})
	defer l.Close()
	byPath := map[string]*certs.Entry{}
	for i := range l.Entries {
		byPath[l.Entries[i].Path] = &l.Entries[i]
	}
	if len(l.Entries) != 8 {
		for _, e := range l.Entries {
			t.Logf("%s %s %v", e.Kind, e.Path, e.Err)
		}
		t.Fatalf("found %d entries, want 8", len(l.Entries))
	}

	e := byPath[goodDir]
	if e == nil || e.Kind != certs.KindNPKI || e.Storage != certs.StorageDisk || e.Holder() != "홍길동" ||
		e.Issuer() != "yessign (금융결제원)" || e.WeakKeyProtection {
		t.Fatalf("the NPKI entry = %+v (holder %q, issuer %q)", e, e.Holder(), e.Issuer())
	}
	if ko, _ := e.Use(); ko != "은행·보험용" {
		t.Fatalf("use = %q", ko)
	}
	if v, days := e.ValidAt(time.Now()); v != certs.Valid || days < 360 {
		t.Fatalf("validity = %v, %d days", v, days)
	}
	id, err := e.Open(password)
	if err != nil {
		t.Fatal(err)
	}
	if r := signer.RandomNum(id); len(r) != 20 {
		t.Fatalf("R has %d bytes", len(r))
	}
	if _, err := e.Open("wrong"); !errors.Is(err, signer.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}

	for _, e := range l.Entries {
		switch {
		case e.Storage == certs.StorageRemovable:
			if e.Certificate == nil || !e.Certificate.Equal(onStick.Cert) {
				t.Errorf("the removable entry is %+v", e)
			}
		case e.Certificate != nil && e.Certificate.Equal(old.Cert):
			if v, _ := e.ValidAt(time.Now()); v != certs.Expired {
				t.Errorf("the expired certificate is %v", v)
			}
		case e.Path == broken:
			if e.Err == nil {
				t.Error("the damaged certificate has no error")
			}
		case e.Path == filepath.Join(yessign):
			if !e.WeakKeyProtection {
				t.Error("the PBES1 key is not flagged for re-encryption")
			}
		case e.Path == p12:
			if e.Kind != certs.KindPKCS12 || e.Certificate != nil {
				t.Errorf("the PKCS#12 entry is %+v", e)
			}
			id, err := e.Open(password)
			if err != nil || !id.Certificate.Equal(p12Leaf.Cert) {
				t.Errorf("open PKCS#12: %v", err)
			}
		case e.Path == both:
			if e.Kind != certs.KindPEM || e.Holder() != "이영희" {
				t.Errorf("the PEM entry is %+v", e)
			}
			if _, err := e.Open(""); err != nil {
				t.Errorf("open PEM: %v", err)
			}
		case filepath.Base(e.Path) == "nothing.p12":
			if e.Err == nil {
				t.Error("a missing file has no error")
			}
		}
	}
}

func TestFindsCertificatesOnAToken(t *testing.T) {
	module := testpki.SoftToken(t)
	ca := testpki.NewCA(t, "test CA")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := ca.Issue(t, "박보안", testpki.Options{Key: key})
	testpki.ImportLeaf(t, module, leaf, "01")
	l := certs.Find(certs.Options{NPKIRoots: []npki.Location{}, Modules: []string{module}})
	defer l.Close()
	if len(l.Entries) != 1 {
		t.Fatalf("found %+v", l.Entries)
	}
	e := l.Entries[0]
	if e.Kind != certs.KindToken || e.Storage != certs.StorageToken || e.Token.Label != testpki.SoftLabel || e.Holder() != "박보안" {
		t.Fatalf("token entry = %+v", e)
	}
	id, err := e.Open(testpki.SoftPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer id.Close()
	if _, err := id.SignCMS([]byte("x")); err != nil {
		t.Fatal(err)
	}
}
