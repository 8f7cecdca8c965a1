package server

import (
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/smallstep/pkcs7"
)

// TestSigningCertificateV2MustNameTheSigner: a CAdES attribute that names
// another certificate than the one that signed is refused.
func TestSigningCertificateV2MustNameTheSigner(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	signerLeaf := ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	other := ca.Issue(t, "홍길동", testpki.Options{ECDSA: true})
	sealer, _ := pii.New(pii.NewKey())
	s := New(nil, sealer, ca.Pool())
	content := []byte("content")
	build := func(named *testpki.Leaf) []byte {
		sd, err := pkcs7.NewSignedData(content)
		if err != nil {
			t.Fatal(err)
		}
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
			{Type: api.OIDSigningCertificateV2, Value: api.NewSigningCertificateV2(named.Cert)}}}
		if err := sd.AddSignerChain(signerLeaf.Cert, signerLeaf.Key, signerLeaf.Chain, cfg); err != nil {
			t.Fatal(err)
		}
		der, err := sd.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if _, e := s.verifyCMS(build(signerLeaf), content, time.Now()); e != nil {
		t.Fatalf("the right certificate was refused: %v", e)
	}
	if _, e := s.verifyCMS(build(other), content, time.Now()); e == nil || e.Code != api.CodeSignatureInvalid {
		t.Fatalf("another certificate named: %v, want signature_invalid", e)
	}
}
