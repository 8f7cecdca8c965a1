package pkcs11token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/smallstep/pkcs7"
)

// world is a fake module with one token holding an RSA and an EC
// certificate with their keys, the CA certificate, and a key of another ID.
type world struct {
	f      *fake
	m      *Module
	tok    *fakeToken
	ca     *testpki.CA
	rsa    *testpki.Leaf
	ec     *testpki.Leaf
	rsaKey *fakeObject
	ecKey  *fakeObject
}

var (
	idRSA = []byte{0x01}
	idEC  = []byte{0x02}
	idCA  = []byte{0xCA}
)

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{f: newFake(), ca: testpki.NewCA(t, "test CA")}
	w.rsa = w.ca.Issue(t, "홍길동", testpki.Options{})
	w.ec = w.ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	w.tok = w.f.addToken(3, "KIM TOKEN", "1234")
	w.tok.addCert(idRSA, "signCert", w.rsa.Cert.Raw)
	w.tok.addCert(idCA, "CA", w.ca.Cert.Raw)
	w.tok.addCert(idEC, "signCert2", w.ec.Cert.Raw)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w.tok.addKey([]byte{0x09}, other) // a key whose ID no certificate has
	w.rsaKey = w.tok.addKey(idRSA, w.rsa.Key)
	w.ecKey = w.tok.addKey(idEC, w.ec.Key)
	m, err := open(w.f, "fake.so")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	w.m = m
	return w
}

func TestTokensListsEachPresentTokenWithItsPINState(t *testing.T) {
	w := newWorld(t)
	second := w.f.addToken(7, "SECOND", "0000")
	second.info.Flags |= ckfUserPINCountLow | ckfUserPINFinalTry | ckfProtectedAuthPath
	w.f.addToken(5, "PULLED", "0000").gone = true

	tokens, err := w.m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 2 {
		t.Fatalf("got %d tokens, want 2 (the pulled one skipped): %+v", len(tokens), tokens)
	}
	first := tokens[0]
	if first.Slot != 3 || first.Label != "KIM TOKEN" || first.Manufacturer != "Fake Maker" || first.Model != "F1" ||
		first.Serial != "0001" || first.PIN != 0 || first.PINPad || !first.Initialized {
		t.Errorf("first token: %+v", first)
	}
	if tokens[1].Slot != 7 || tokens[1].PIN != PINCountLow|PINFinalTry || !tokens[1].PINPad {
		t.Errorf("second token: %+v", tokens[1])
	}
}

func TestPINStateComesFromTheTokenFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  uint
		want   PINState
		ko, en string // substrings of the notice; "" means no notice
	}{
		{"a token with nothing to report says nothing", ckfLoginRequired | ckfTokenInitialized, 0, "", ""},
		{"a wrong PIN entered before is mentioned", ckfUserPINCountLow, PINCountLow, "PIN을 잘못 입력한 적이 있습니다", "A wrong PIN has been entered before"},
		{"the final try is announced instead of count-low", ckfUserPINCountLow | ckfUserPINFinalTry, PINCountLow | PINFinalTry, "마지막 시도입니다: 또 틀리면 보안토큰이 잠깁니다", "last try"},
		{"a locked token says only that it is locked", ckfUserPINLocked | ckfUserPINCountLow | ckfUserPINToBeChanged, PINLocked | PINCountLow | PINToBeChanged, "잠긴 보안토큰입니다", "is locked"},
		{"a PIN to be changed is mentioned", ckfUserPINToBeChanged, PINToBeChanged, "PIN을 바꿔야 합니다", "must be changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pinStateFromFlags(tc.flags)
			if got != tc.want {
				t.Fatalf("state %v, want %v", got, tc.want)
			}
			ko, en := got.Notice()
			if tc.ko == "" {
				if ko != "" || en != "" {
					t.Fatalf("notice %q / %q, want none", ko, en)
				}
				return
			}
			if !strings.Contains(ko, tc.ko) || !strings.Contains(en, tc.en) {
				t.Fatalf("notice %q / %q, want %q / %q", ko, en, tc.ko, tc.en)
			}
			if got.Locked() != (tc.want&PINLocked != 0) {
				t.Fatalf("Locked() = %v", got.Locked())
			}
		})
	}
	if ko, _ := (PINCountLow | PINFinalTry).Notice(); strings.Contains(ko, "적이 있습니다") {
		t.Errorf("final try also says count-low: %q", ko)
	}
	if ko, _ := (PINCountLow | PINToBeChanged).Notice(); !strings.Contains(ko, "적이 있습니다") || !strings.Contains(ko, "바꿔야") {
		t.Errorf("count-low and to-be-changed: %q", ko)
	}
	if s := (PINCountLow | PINLocked).String(); s != "count-low|locked" {
		t.Errorf("String() = %q", s)
	}
}

func TestCertificatesAreListedWithoutThePIN(t *testing.T) {
	w := newWorld(t)
	w.tok.addCert([]byte{0x77}, "broken", []byte("not DER"))
	certs, err := w.m.Certificates(3)
	if err != nil {
		t.Fatal(err)
	}
	if w.f.calls["login-user"] != 0 {
		t.Fatal("listing certificates logged in")
	}
	if len(certs) != 4 {
		t.Fatalf("got %d certificates, want 4", len(certs))
	}
	if !bytes.Equal(certs[0].ID, idRSA) || certs[0].Label != "signCert" || !certs[0].Certificate.Equal(w.rsa.Cert) || certs[0].Slot != 3 {
		t.Errorf("first: %+v", certs[0])
	}
	if !bytes.Equal(certs[2].ID, idEC) || !certs[2].Certificate.Equal(w.ec.Cert) {
		t.Errorf("third: %+v", certs[2])
	}
	if certs[3].Certificate != nil || certs[3].Err == nil || certs[3].Label != "broken" {
		t.Errorf("an unparseable certificate should be listed with its error: %+v", certs[3])
	}
	if len(w.f.sessions) != 0 {
		t.Errorf("%d sessions left open", len(w.f.sessions))
	}
	if _, err := w.m.Certificates(99); err == nil {
		t.Error("a slot that does not exist listed certificates")
	}
}

func TestIdentitySignsWithTheKeyOfTheCertificatesCKAID(t *testing.T) {
	content := []byte(`{"purpose":"부동산 매도","version":"bonsign-confirmation/1"}`)
	for _, tc := range []struct {
		name string
		id   []byte
		leaf func(*world) *testpki.Leaf
	}{
		{"RSA-2048", idRSA, func(w *world) *testpki.Leaf { return w.rsa }},
		{"ECDSA P-256", idEC, func(w *world) *testpki.Leaf { return w.ec }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			leaf := tc.leaf(w)
			id, err := w.m.Identity(3, tc.id, "1234")
			if err != nil {
				t.Fatal(err)
			}
			defer id.Key.(io.Closer).Close()
			if !id.Certificate.Equal(leaf.Cert) {
				t.Fatalf("certificate %v", id.Certificate.Subject)
			}
			if len(id.Chain) != 1 || !id.Chain[0].Equal(w.ca.Cert) {
				t.Fatalf("chain from the token: %v", id.Chain)
			}
			for range 3 {
				der, err := id.SignCMS(content)
				if err != nil {
					t.Fatal(err)
				}
				p7, err := pkcs7.Parse(der)
				if err != nil {
					t.Fatal(err)
				}
				if err := p7.VerifyWithChain(w.ca.Pool()); err != nil {
					t.Fatalf("CMS does not verify: %v", err)
				}
			}
			if n := w.f.calls["login-user"]; n != 1 {
				t.Fatalf("%d logins for three signatures, want 1", n)
			}
		})
	}
}

func TestIdentityRefusesAKeyThatIsNotTheCertificates(t *testing.T) {
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		name  string
		setup func(*world)
		id    []byte
		want  error
	}{
		{"no certificate has the ID", func(*world) {}, []byte{0x55}, ErrNoCertificate},
		{"the key with the ID was removed", func(w *world) { w.rsaKey.attrs[ckaID] = []byte{0x66} }, idRSA, ErrNoPrivateKey},
		{"the key with the ID is of another type", func(w *world) { w.rsaKey.attrs[ckaKeyType] = ul(ckkEC) }, idRSA, ErrNoPrivateKey},
		{"the key with the ID has another modulus", func(w *world) { w.rsaKey.attrs[ckaModulus] = otherRSA.N.Bytes() }, idRSA, ErrNoPrivateKey},
		{"the EC key with the ID is on another curve", func(w *world) {
			w.ecKey.attrs[ckaECParams], _ = asn1.Marshal(curveOIDs["P-384"])
		}, idEC, ErrNoPrivateKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w)
			_, err := w.m.Identity(3, tc.id, "1234")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if len(w.f.sessions) != 0 || w.tok.loggedIn {
				t.Fatalf("a failed Identity left %d sessions, logged in %v", len(w.f.sessions), w.tok.loggedIn)
			}
			if _, err := w.m.Identity(3, tc.id, "1234"); errors.Is(err, ErrBusy) {
				t.Fatalf("the slot stays busy after the failure: %v", err)
			}
		})
	}
	t.Run("a key whose modulus the token hides is paired by CKA_ID alone", func(t *testing.T) {
		w := newWorld(t)
		w.rsaKey.sensitive[ckaModulus] = true
		id, err := w.m.Identity(3, idRSA, "1234")
		if err != nil {
			t.Fatal(err)
		}
		id.Key.(io.Closer).Close()
	})
}

func TestAWrongPINIsReportedWithTheTokensStateAfterwards(t *testing.T) {
	w := newWorld(t)
	w.tok.maxTries = 3
	steps := []struct {
		want  error
		state PINState
	}{
		{ErrWrongPIN, PINCountLow},
		{ErrWrongPIN, PINCountLow | PINFinalTry},
		{ErrWrongPIN, PINCountLow | PINLocked}, // the try that locks
		{ErrPINLocked, PINCountLow | PINLocked},
		{ErrPINLocked, PINCountLow | PINLocked}, // even with the right PIN
	}
	for i, st := range steps {
		pin := "9999"
		if i == len(steps)-1 {
			pin = "1234"
		}
		_, err := w.m.Identity(3, idRSA, pin)
		if !errors.Is(err, st.want) {
			t.Fatalf("attempt %d: %v, want %v", i+1, err, st.want)
		}
		var pe *PINError
		if !errors.As(err, &pe) || !pe.StateKnown || pe.State != st.state || pe.Slot != 3 {
			t.Fatalf("attempt %d: %#v, want state %v", i+1, err, st.state)
		}
		tokens, _ := w.m.Tokens()
		if tokens[0].PIN != st.state {
			t.Fatalf("attempt %d: Tokens reports %v, want %v", i+1, tokens[0].PIN, st.state)
		}
	}
	if n := w.f.calls["login-user"]; n != 3 {
		t.Errorf("the locked token was sent the PIN: %d logins, want 3", n)
	}
	if len(w.f.sessions) != 0 {
		t.Errorf("%d sessions left open", len(w.f.sessions))
	}
}

func TestLoginErrorsMapToSentinels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rv     rv
		want   error
		notPIN bool
	}{
		{"CKR_PIN_INCORRECT is a wrong PIN", ckrPINIncorrect, ErrWrongPIN, false},
		{"CKR_PIN_LEN_RANGE is a wrong PIN", ckrPINLenRange, ErrWrongPIN, false},
		{"CKR_PIN_LOCKED without the flag is still locked", ckrPINLocked, ErrPINLocked, false},
		{"CKR_PIN_EXPIRED is an expired PIN", ckrPINExpired, ErrPINExpired, false},
		{"a removed token is not a PIN error", ckrDeviceRemoved, ErrTokenRemoved, true},
		{"a device error is not a PIN error", ckrDeviceError, rv(ckrDeviceError), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.tok.loginErr = tc.rv
			_, err := w.m.Identity(3, idRSA, "1234")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var pe *PINError
			if errors.As(err, &pe) == tc.notPIN {
				t.Fatalf("PINError: %v, want %v", !tc.notPIN, errors.As(err, &pe))
			}
			if !isRV(err, tc.rv) {
				t.Fatalf("the module's return value is lost: %v", err)
			}
			for _, s := range []error{ErrWrongPIN, ErrPINLocked, ErrPINExpired} {
				if s != tc.want && errors.Is(err, s) {
					t.Fatalf("also matches %v", s)
				}
			}
		})
	}
}

func TestOneSigningSessionPerTokenAndClosing(t *testing.T) {
	w := newWorld(t)
	id, err := w.m.Identity(3, idRSA, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.m.Identity(3, idEC, "wrong PIN never checked"); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Identity on the slot: %v, want ErrBusy", err)
	}
	k := id.Key.(*Key)
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if w.tok.loggedIn || len(w.f.sessions) != 0 {
		t.Fatal("Close did not log out and close the session")
	}
	digest := make([]byte, 32)
	if _, err := k.Sign(nil, digest, crypto.SHA256); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sign after Close: %v", err)
	}
	id2, err := w.m.Identity(3, idEC, "1234")
	if err != nil {
		t.Fatalf("Identity after Close: %v", err)
	}
	if err := w.m.Close(); err != nil {
		t.Fatal(err)
	}
	if w.tok.loggedIn || len(w.f.sessions) != 0 || w.f.finalized != 1 || w.f.destroyed != 1 {
		t.Fatalf("Module.Close: logged in %v, %d sessions, finalized %d, destroyed %d",
			w.tok.loggedIn, len(w.f.sessions), w.f.finalized, w.f.destroyed)
	}
	if _, err := id2.Key.Sign(nil, digest, crypto.SHA256); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sign after Module.Close: %v", err)
	}
	if err := w.m.Close(); err != nil || w.f.finalized != 1 {
		t.Fatalf("second Module.Close: %v, finalized %d", err, w.f.finalized)
	}
	if _, err := w.m.Tokens(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Tokens after Close: %v", err)
	}
}

func TestAKeyThatAlwaysAuthenticatesIsNotAskedForThePINAgain(t *testing.T) {
	w := newWorld(t)
	w.ecKey.alwaysAuth = true
	id, err := w.m.Identity(3, idEC, "1234")
	if err != nil {
		t.Fatal(err)
	}
	defer id.Key.(io.Closer).Close()
	for range 2 {
		digest := make([]byte, 32)
		rand.Read(digest)
		sig, err := id.Key.Sign(nil, digest, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if !ecdsa.VerifyASN1(&w.ec.Key.(*ecdsa.PrivateKey).PublicKey, digest, sig) {
			t.Fatal("signature does not verify")
		}
	}
	if w.f.calls["login-user"] != 1 || w.f.calls["login-context"] != 2 {
		t.Fatalf("calls %v, want one user login and one context-specific login per signature", w.f.calls)
	}
	k := id.Key.(*Key)
	k.Close()
	if k.pin != nil {
		t.Fatal("the PIN is kept after Close")
	}
}

func TestSignMapsTheRemovedTokenAndRefusesPSS(t *testing.T) {
	w := newWorld(t)
	id, err := w.m.Identity(3, idRSA, "1234")
	if err != nil {
		t.Fatal(err)
	}
	digest := make([]byte, 32)
	if _, err := id.Key.Sign(nil, digest, &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, ErrPSS) {
		t.Fatalf("PSS: %v", err)
	}
	if _, err := id.Key.Sign(nil, digest[:20], crypto.SHA256); err == nil {
		t.Fatal("a digest of the wrong length was signed")
	}
	if _, err := id.Key.Sign(nil, make([]byte, 16), crypto.MD5); err == nil {
		t.Fatal("MD5 was signed")
	}
	w.tok.gone = true
	if _, err := id.Key.Sign(nil, digest, crypto.SHA256); !errors.Is(err, ErrTokenRemoved) {
		t.Fatalf("removed token: %v", err)
	}
	if err := id.Key.(io.Closer).Close(); err != nil {
		t.Fatalf("closing a Key whose token was removed: %v", err)
	}
}

// TestDigestInfoIsTheDERThatPKCS1v15Signs checks the prefixes against a
// DigestInfo built with encoding/asn1, and end to end: CKM_RSA_PKCS over our
// DigestInfo verifies as a PKCS #1 v1.5 signature of the digest.
func TestDigestInfoIsTheDERThatPKCS1v15Signs(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	oids := map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 3, 14, 3, 2, 26},
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
	for h, oid := range oids {
		t.Run(h.String(), func(t *testing.T) {
			digest := h.New()
			digest.Write([]byte("전자본인서명확인서"))
			sum := digest.Sum(nil)
			got, err := digestInfo(h, sum)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := asn1.Marshal(struct {
				Alg    pkix.AlgorithmIdentifier
				Digest []byte
			}{pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}, sum})
			if !bytes.Equal(got, want) {
				t.Fatalf("DigestInfo\n got %x\nwant %x", got, want)
			}
			sig, _ := rsa.SignPKCS1v15(nil, key, 0, got) // what CKM_RSA_PKCS does
			if err := rsa.VerifyPKCS1v15(&key.PublicKey, h, sum, sig); err != nil {
				t.Fatal(err)
			}
			if _, err := digestInfo(h, sum[1:]); err == nil {
				t.Fatal("a short digest was accepted")
			}
		})
	}
	if _, err := digestInfo(crypto.SHA3_256, make([]byte, 32)); err == nil {
		t.Fatal("a hash without a prefix was accepted")
	}
}

func TestRSToASN1(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		size := (curve.Params().BitSize + 7) / 8
		t.Run(curve.Params().Name+" signatures verify", func(t *testing.T) {
			key, _ := ecdsa.GenerateKey(curve, rand.Reader)
			for range 20 {
				digest := make([]byte, 32)
				rand.Read(digest)
				r, s, _ := ecdsa.Sign(rand.Reader, key, digest)
				rs := make([]byte, 2*size)
				r.FillBytes(rs[:size])
				s.FillBytes(rs[size:])
				der, err := rsToASN1(rs, size)
				if err != nil {
					t.Fatal(err)
				}
				if !ecdsa.VerifyASN1(&key.PublicKey, digest, der) {
					t.Fatal("does not verify")
				}
			}
		})
	}
	t.Run("leading zeros and high bits are encoded as DER INTEGERs", func(t *testing.T) {
		r := make([]byte, 32)
		r[31] = 0x01 // 31 leading zero bytes: INTEGER 1
		s := bytes.Repeat([]byte{0xFF}, 32)
		der, err := rsToASN1(append(r, s...), 32)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(der, &got); err != nil || len(rest) != 0 {
			t.Fatal(err)
		}
		if got.R.Cmp(big.NewInt(1)) != 0 || got.S.Cmp(new(big.Int).SetBytes(s)) != 0 {
			t.Fatalf("r=%v s=%x", got.R, got.S)
		}
		// INTEGER 1 is 02 01 01; s needs a 00 so it stays positive: 02 21 00 FF...
		if !bytes.Contains(der, []byte{0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0xFF}) {
			t.Fatalf("DER %x", der)
		}
	})
	for _, n := range []int{0, 1, 63, 65, 66} {
		if _, err := rsToASN1(make([]byte, n), 32); err == nil {
			t.Errorf("a %d-byte r||s for P-256 was accepted", n)
		}
	}
	if _, err := rsToASN1(make([]byte, 64), 32); err == nil {
		t.Error("r = s = 0 was accepted")
	}
}

func TestOpenKeepsAnotherOwnersInitialisation(t *testing.T) {
	f := newFake()
	f.initErr = rv(ckrCryptokiAlreadyInitialized)
	m, err := open(f, "shared.so")
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if f.finalized != 0 || f.destroyed != 1 {
		t.Fatalf("finalized %d (want 0: not ours), destroyed %d", f.finalized, f.destroyed)
	}

	f = newFake()
	f.initErr = rv(ckrDeviceError)
	if _, err := open(f, "broken.so"); err == nil || !isRV(err, ckrDeviceError) || f.destroyed != 1 {
		t.Fatalf("a failed Initialize: %v, destroyed %d", err, f.destroyed)
	}
}

func TestKnownModulesPerSystem(t *testing.T) {
	env := func(vals map[string]string) func(string) string { return func(k string) string { return vals[k] } }
	win := knownModules("windows", env(map[string]string{"SystemRoot": `D:\WINNT`, "ProgramFiles": `D:\Apps`}))
	paths := map[string]bool{}
	for _, m := range win {
		paths[m.Path] = true
	}
	for _, want := range []string{
		`D:\WINNT\System32\eTPKCS11.dll`,
		`D:\WINNT\System32\eps2003csp11.dll`,
		`D:\Apps\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
	} {
		if !paths[want] {
			t.Errorf("windows list lacks %s: %v", want, win)
		}
	}
	if def := knownModules("windows", env(nil)); def[0].Path != `C:\Windows\System32\eTPKCS11.dll` {
		t.Errorf("without SystemRoot: %s", def[0].Path)
	}
	for _, goos := range []string{"linux", "darwin", "freebsd"} {
		for _, m := range knownModules(goos, env(nil)) {
			if !strings.HasPrefix(m.Path, "/") || m.Name == "" {
				t.Errorf("%s: %+v", goos, m)
			}
		}
	}
}

func TestModulesReturnsPickedThenKnownThatExist(t *testing.T) {
	known := []KnownModule{
		{Name: "A", Path: "/a.so"},
		{Name: "B", Path: "/b.so"},
		{Name: "C", Path: "/c.so"},
	}
	exists := func(p string) bool { return p != "/b.so" && p != "/missing.so" }
	got := available(exists, known, []string{"/mine.so", "/missing.so", "/c.so"})
	want := []KnownModule{
		{Name: "picked", Path: "/mine.so", Picked: true},
		{Name: "picked", Path: "/c.so", Picked: true},
		{Name: "A", Path: "/a.so"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	}
	if Modules(func(string) bool { return false }) != nil {
		t.Error("nothing exists, yet modules were returned")
	}
}

// TestOpenAMissingFile runs in every build: without cgo Open says so, with
// cgo it reports the missing file.
func TestOpenAMissingFile(t *testing.T) {
	_, err := Open("/nonexistent/module.so")
	if err == nil {
		t.Fatal("opened a missing module")
	}
	if cgoEnabled {
		if errors.Is(err, ErrNoCgo) {
			t.Fatal("cgo build says no cgo")
		}
	} else if !errors.Is(err, ErrNoCgo) || err.Error() != "pkcs11token: this build has no PKCS#11 support (built without cgo)" {
		t.Fatalf("no-cgo build: %v", err)
	}
}

// TestConcurrentUseIsSerialised signs and lists from several goroutines at
// once; run with -race, it checks that every call into the module is under
// the Module's mutex (the fake, like a session, is not safe for concurrent
// use).
func TestConcurrentUseIsSerialised(t *testing.T) {
	w := newWorld(t)
	id, err := w.m.Identity(3, idEC, "1234")
	if err != nil {
		t.Fatal(err)
	}
	defer id.Key.(io.Closer).Close()
	pub := &w.ec.Key.(*ecdsa.PrivateKey).PublicKey
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 10 {
				digest := make([]byte, 32)
				rand.Read(digest)
				sig, err := id.Key.Sign(nil, digest, crypto.SHA256)
				if err != nil {
					errs <- err
					return
				}
				if !ecdsa.VerifyASN1(pub, digest, sig) {
					errs <- errors.New("signature does not verify")
					return
				}
				if _, err := w.m.Certificates(3); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTheLastOfOurModulesFinalisesTheLibrary: two Modules on one library
// share its initialisation; closing the first leaves it working for the
// second, and the second's close finalises it.
func TestTheLastOfOurModulesFinalisesTheLibrary(t *testing.T) {
	f := newFake()
	first, err := open(f, "counted.so")
	if err != nil {
		t.Fatal(err)
	}
	f.initErr = rv(ckrCryptokiAlreadyInitialized) // what C_Initialize says the second time
	second, err := open(f, "counted.so")
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	if f.finalized != 0 {
		t.Fatal("closing the first Module finalised the library under the second")
	}
	if _, err := second.Tokens(); err != nil {
		t.Fatalf("the second Module after the first closed: %v", err)
	}
	second.Close()
	if f.finalized != 1 {
		t.Fatalf("finalized %d times, want 1 (by the last Module)", f.finalized)
	}
}
