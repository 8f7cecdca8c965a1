package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
)

// maxChain bounds the certificates a CMS may carry, so that a crafted message
// cannot make chain building expensive.
const maxChain = 8

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

// verifyCMS checks a DER CMS SignedData: one signer, a SHA-2 digest, signed
// attributes whose message digest matches the encapsulated content, a valid
// signature, and a signer certificate valid at now that chains to the roots and
// may sign. want, when not nil, must equal the encapsulated content exactly.
func (s *Server) verifyCMS(der []byte, want []byte, now time.Time) (*signed, *api.Error) {
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("not a CMS SignedData: %v", err)
	}
	if len(p7.Signers) != 1 {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("exactly one signer is required, found %d", len(p7.Signers))
	}
	if len(p7.Certificates) > maxChain {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("too many certificates (%d)", len(p7.Certificates))
	}
	si := p7.Signers[0]
	switch {
	case si.DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256),
		si.DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA384),
		si.DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA512):
	default:
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("digest algorithm %v is not accepted: use SHA-256", si.DigestAlgorithm.Algorithm)
	}
	if len(si.AuthenticatedAttributes) == 0 {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("signed attributes are required")
	}
	if len(p7.Content) == 0 {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("the content must be encapsulated in the CMS")
	}
	if want != nil && !bytes.Equal(p7.Content, want) {
		return nil, api.NewError(api.CodeContentMismatch)
	}
	cert := p7.GetOnlySigner()
	if cert == nil {
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("the signer's certificate is not in the CMS")
	}
	// Signature first, without the chain: the library's chain check hides why it failed.
	if err := p7.Verify(); err != nil {
		var st *pkcs7.SigningTimeNotValidError
		if errors.As(err, &st) {
			return nil, api.NewError(api.CodeCertExpired).WithDetail("signed outside the certificate's validity")
		}
		return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("signature does not verify")
	}
	// CAdES-BES (RFC 5035): when the signer names its certificate, it must be
	// this one, so a certificate swapped in after signing is caught.
	for _, attr := range si.AuthenticatedAttributes {
		if !attr.Type.Equal(api.OIDSigningCertificateV2) {
			continue
		}
		var scv2 api.SigningCertificateV2
		if err := p7.UnmarshalSignedAttribute(api.OIDSigningCertificateV2, &scv2); err != nil {
			return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("the signing-certificate-v2 attribute cannot be read (only SHA-256 is accepted)")
		}
		if !scv2.Matches(cert) {
			return nil, api.NewError(api.CodeSignatureInvalid).WithDetail("the signing-certificate-v2 attribute names another certificate")
		}
	}
	if e := s.checkChain(cert, p7.Certificates, now); e != nil {
		return nil, e
	}
	sum := sha256.Sum256(der)
	return &signed{content: p7.Content, cert: cert, fingerprint: Fingerprint(cert), digest: hex.EncodeToString(sum[:])}, nil
}

// checkChain verifies that cert was valid at now, chains to a trusted root
// through the intermediates given, and is meant for signatures.
func (s *Server) checkChain(cert *x509.Certificate, intermediates []*x509.Certificate, now time.Time) *api.Error {
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return api.NewError(api.CodeCertExpired).WithDetail("certificate valid from %s to %s",
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return api.NewError(api.CodeCertUntrusted).WithDetail("the certificate may not be used for signatures")
	}
	pool := x509.NewCertPool()
	for _, c := range intermediates {
		if !c.Equal(cert) {
			pool.AddCert(c)
		}
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         s.roots,
		Intermediates: pool,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return api.NewError(api.CodeCertExpired).WithDetail("a certificate in the chain is outside its validity")
		}
		return api.NewError(api.CodeCertUntrusted).WithDetail("the certificate does not chain to a trusted certificate authority")
	}
	return nil
}
