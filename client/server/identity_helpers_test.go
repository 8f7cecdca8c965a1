package server_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer/npki"
)

// rawAPI is a raw caller of the /v1 API, for what the Go client does not send
// (R, the number, the password login). token is the session token, if any.
type rawAPI struct {
	t     testing.TB
	url   string
	token string
}

func (h *harness) raw() *rawAPI { return &rawAPI{t: h.t, url: h.url} }

// call POSTs body (JSON) to path and decodes the answer into out; it returns
// the API error, or nil, and the response.
func (a *rawAPI) call(path string, body, out any) (*api.Error, *http.Response) {
	a.t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(http.MethodPost, a.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		var eb api.ErrorBody
		if err := json.Unmarshal(data, &eb); err != nil || eb.Error == nil {
			a.t.Fatalf("%s: status %s, body %q", path, resp.Status, data)
		}
		return eb.Error, resp
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s: %v in %q", path, err, data)
		}
	}
	return nil, resp
}

// nonce fetches a fresh challenge.
func (a *rawAPI) nonce() string {
	a.t.Helper()
	var ch api.ChallengeResponse
	if e, _ := a.call("/v1/login/challenge", struct{}{}, &ch); e != nil {
		a.t.Fatal(e)
	}
	return ch.Nonce
}

// certLogin logs in with leaf, sending rrn and R when given; on success the
// session token becomes a's.
func (a *rawAPI) certLogin(leaf *testpki.Leaf, rrn string, r []byte) (*api.LoginResponse, *api.Error) {
	a.t.Helper()
	nonce := a.nonce()
	sig, err := identity(leaf).SignCMS(api.LoginContent(nonce))
	if err != nil {
		a.t.Fatal(err)
	}
	var out api.LoginResponse
	e, _ := a.call("/v1/login", api.LoginRequest{Nonce: nonce, Signature: sig, RRN: rrn, RandomNum: r}, &out)
	if e == nil {
		a.token = out.Token
		return &out, nil
	}
	return nil, e
}

// passwordLogin runs the first step of the ID/password login.
func (a *rawAPI) passwordLogin(id, pw string) (*api.PasswordLoginResponse, *api.Error) {
	a.t.Helper()
	var out api.PasswordLoginResponse
	e, _ := a.call("/v1/login/password", api.PasswordLoginRequest{LoginID: id, Password: pw}, &out)
	if e == nil {
		a.token = out.Token
		return &out, nil
	}
	return nil, e
}

// pass passes the phone check with the newest code of h's outbox.
func (a *rawAPI) pass(h *harness) {
	a.t.Helper()
	if e, _ := a.call("/v1/identity/code", struct{}{}, nil); e != nil {
		a.t.Fatalf("send code: %v", e)
	}
	if e, _ := a.call("/v1/identity/verify", api.VerifyCodeRequest{Code: h.lastCode()}, nil); e != nil {
		a.t.Fatalf("verify code: %v", e)
	}
}

// wantAPICode fails unless e has code.
func wantAPICode(t *testing.T, e *api.Error, code api.Code) {
	t.Helper()
	if e == nil || e.Code != code {
		t.Fatalf("got %v, want %s", e, code)
	}
}

// leafOptions shape the certificates testpki.Options cannot.
type leafOptions struct {
	extensions []pkix.Extension
	crlURLs    []string
	notAfter   time.Time
}

// issueLeaf makes an ECDSA certificate for name signed by ca.
func issueLeaf(t testing.TB, ca *testpki.CA, name string, o leafOptions) *testpki.Leaf {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().AddDate(3, 0, 0)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Country: []string{"KR"}},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              o.notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions:       o.extensions,
		CRLDistributionPoints: o.crlURLs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testpki.Leaf{Cert: cert, Key: key, Chain: []*x509.Certificate{ca.Cert}}
}

// npkiLeaf makes a certificate as a Korean CA issues it: an identifyData
// subjectAltName whose VID binds it to rrn through a fresh R, returned too.
func npkiLeaf(t testing.TB, ca *testpki.CA, name, rrn string) (*testpki.Leaf, []byte) {
	t.Helper()
	r := make([]byte, 20)
	rand.Read(r)
	ext, err := npki.MakeIdentifyDataExtension(name, rrn, r, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return issueLeaf(t, ca, name, leafOptions{extensions: []pkix.Extension{ext}}), r
}

// rrnBornOn makes a valid-looking resident registration number of someone
// born on day (female, Korean: century digit 2 or 4).
func rrnBornOn(day time.Time) string {
	d := day.In(api.KST)
	s := byte('2')
	if d.Year() >= 2000 {
		s = '4'
	}
	return d.Format("060102") + "-" + string(s) + "123456"
}

// scanFor reports which of needles occur in hay.
func scanFor(hay []byte, needles ...string) []string {
	var found []string
	for _, n := range needles {
		if bytes.Contains(hay, []byte(n)) {
			found = append(found, n)
		}
	}
	return found
}
