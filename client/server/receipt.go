package server

import (
	"net/http"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
)

// signReceipt signs the receipt's canonical JSON with the receipt key as a
// detached CMS SignedData (SHA-256, CAdES-BES attributes), so that the wallet,
// and anyone with openssl, can check it offline against the pinned
// certificate. docs/receipt.md shows the openssl command.
func (s *Server) signReceipt(rc api.Receipt) ([]byte, error) {
	content, err := rc.Canonical()
	if err != nil {
		return nil, err
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cert := s.receiptKey.Certificate
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: api.OIDSigningCertificateV2, Value: api.NewSigningCertificateV2(cert)},
	}}
	if err := sd.AddSigner(cert, s.receiptKey.Signer, cfg); err != nil {
		return nil, err
	}
	sd.Detach()
	return sd.Finish()
}

// handleReceiptCertificate serves the receipt certificate (DER, base64 in
// JSON) for clients to pin at first contact.
func (s *Server) handleReceiptCertificate(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.ReceiptCertificateResponse{Certificate: s.receiptKey.Certificate.Raw})
}
