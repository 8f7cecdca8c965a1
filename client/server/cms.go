package server

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/signer"
)

// signed is a CMS SignedData whose signature and certificate chain were checked.
type signed struct {
	content     []byte
	cert        *x509.Certificate
	fingerprint string // SHA-256 of the signer's certificate, hex
	digest      string // SHA-256 of the CMS itself, hex
}

// Fingerprint is the SHA-256 of a certificate's DER, in hex: how the server
// names a citizen's registered certificate.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// verifyCMS checks a citizen's CMS SignedData with signer.VerifyCMS against
// the server's trust anchors at now, and maps what is wrong to an API error.
// want, when not nil, must equal the encapsulated content exactly.
func (s *Server) verifyCMS(der []byte, want []byte, now time.Time) (*signed, *api.Error) {
	v, err := signer.VerifyCMS(der, signer.VerifyOptions{Roots: s.roots, Now: now, Content: want, Chains: s.chains})
	if err != nil {
		code := api.CodeSignatureInvalid
		switch {
		case errors.Is(err, signer.ErrContentMismatch):
			return nil, api.NewError(api.CodeContentMismatch)
		case errors.Is(err, signer.ErrCertExpired):
			code = api.CodeCertExpired
		case errors.Is(err, signer.ErrCertUntrusted):
			code = api.CodeCertUntrusted
		}
		return nil, api.NewError(code).WithDetail("%s", strings.TrimPrefix(err.Error(), "cms: "))
	}
	sum := sha256.Sum256(der)
	return &signed{content: v.Content, cert: v.Certificate, fingerprint: Fingerprint(v.Certificate), digest: hex.EncodeToString(sum[:])}, nil
}
