package signer

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
)

// Why VerifyCMS refuses a signature. Each error it returns wraps one of these
// and says what exactly was wrong.
var (
	ErrBadSignature    = errors.New("cms: the signature is not valid")
	ErrContentMismatch = errors.New("cms: the signed content is not the expected content")
	ErrCertExpired     = errors.New("cms: the certificate is expired or not yet valid")
	ErrCertUntrusted   = errors.New("cms: the certificate does not chain to a trusted authority")
)

// maxCertificates bounds the certificates a CMS may carry, so that a crafted
// message cannot make chain building expensive.
const maxCertificates = 8

// VerifyOptions says what VerifyCMS checks beyond the signature itself.
type VerifyOptions struct {
	// Roots are the trusted authorities. Nil skips the chain check (the
	// caller then checks the certificate itself, e.g. against a pinned one).
	Roots *x509.CertPool
	// Now is when the certificate must be valid; zero means time.Now().
	Now time.Time
	// Content, when not nil, must equal the encapsulated content exactly or,
	// for a detached signature, is the content that was signed.
	Content []byte
	// Detached accepts a signature without encapsulated content (Content is
	// then what was signed). Otherwise the content must be inside the CMS.
	Detached bool
	// Chains, when not nil, remembers certificates whose chain to Roots
	// was verified, so that the next signature by the same certificate
	// skips building the chain again (about half of a verification's cost).
	Chains *ChainCache
}

// ChainCache remembers, for a while, which certificates chain to the roots.
// The validity dates and key usage are still checked on every signature; a
// revoked certificate must be refused by the caller's revocation check,
// which the cache does not replace. Safe for concurrent use.
type ChainCache struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	seen map[[32]byte]time.Time // certificate hash -> verified until
}

// NewChainCache remembers up to max certificates for ttl each.
func NewChainCache(max int, ttl time.Duration) *ChainCache {
	return &ChainCache{ttl: ttl, max: max, seen: map[[32]byte]time.Time{}}
}

func (c *ChainCache) known(cert *x509.Certificate, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.seen[sha256.Sum256(cert.Raw)]
	return ok && now.Before(until)
}

func (c *ChainCache) remember(cert *x509.Certificate, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) >= c.max {
		clear(c.seen) // simple and bounded: the busy certificates come back at once
	}
	until := now.Add(c.ttl)
	if cert.NotAfter.Before(until) {
		until = cert.NotAfter
	}
	c.seen[sha256.Sum256(cert.Raw)] = until
}

// Verified is a checked CMS signature.
type Verified struct {
	Content     []byte
	Certificate *x509.Certificate
}

// VerifyCMS checks a DER CMS SignedData the way bonsign requires: one signer,
// a SHA-2 digest, signed attributes whose message digest matches the content,
// a valid signature, a signing-certificate-v2 attribute (RFC 5035) naming the
// signer when present, and a signer certificate valid at Now that may sign and
// chains to Roots.
func VerifyCMS(der []byte, o VerifyOptions) (*Verified, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("%w: not a CMS SignedData: %v", ErrBadSignature, err)
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("%w: exactly one signer is required, found %d", ErrBadSignature, len(p7.Signers))
	}
	if len(p7.Certificates) > maxCertificates {
		return nil, fmt.Errorf("%w: too many certificates (%d)", ErrBadSignature, len(p7.Certificates))
	}
	si := p7.Signers[0]
	switch alg := si.DigestAlgorithm.Algorithm; {
	case alg.Equal(pkcs7.OIDDigestAlgorithmSHA256), alg.Equal(pkcs7.OIDDigestAlgorithmSHA384), alg.Equal(pkcs7.OIDDigestAlgorithmSHA512):
	default:
		return nil, fmt.Errorf("%w: digest algorithm %v is not accepted: use SHA-256", ErrBadSignature, alg)
	}
	if len(si.AuthenticatedAttributes) == 0 {
		return nil, fmt.Errorf("%w: signed attributes are required", ErrBadSignature)
	}
	switch {
	case len(p7.Content) == 0 && !o.Detached:
		return nil, fmt.Errorf("%w: the content must be encapsulated in the CMS", ErrBadSignature)
	case len(p7.Content) == 0 && o.Content == nil:
		return nil, fmt.Errorf("%w: the signature is detached and no content was given", ErrBadSignature)
	case len(p7.Content) == 0:
		p7.Content = o.Content
	case o.Content != nil && !bytes.Equal(p7.Content, o.Content):
		return nil, ErrContentMismatch
	}
	cert := p7.GetOnlySigner()
	if cert == nil {
		return nil, fmt.Errorf("%w: the signer's certificate is not in the CMS", ErrBadSignature)
	}
	// The signature first, without the chain: the library's chain check hides why it failed.
	if err := p7.Verify(); err != nil {
		var st *pkcs7.SigningTimeNotValidError
		if errors.As(err, &st) {
			return nil, fmt.Errorf("%w: signed outside the certificate's validity", ErrCertExpired)
		}
		return nil, fmt.Errorf("%w: the signature does not verify", ErrBadSignature)
	}
	// CAdES-BES: when the signer names its certificate, it must be this one,
	// so a certificate swapped in after signing is caught.
	for _, attr := range si.AuthenticatedAttributes {
		if !attr.Type.Equal(api.OIDSigningCertificateV2) {
			continue
		}
		var scv2 api.SigningCertificateV2
		if err := p7.UnmarshalSignedAttribute(api.OIDSigningCertificateV2, &scv2); err != nil {
			return nil, fmt.Errorf("%w: the signing-certificate-v2 attribute cannot be read (only SHA-256 is accepted)", ErrBadSignature)
		}
		if !scv2.Matches(cert) {
			return nil, fmt.Errorf("%w: the signing-certificate-v2 attribute names another certificate", ErrBadSignature)
		}
	}
	if err := checkCertificate(cert, p7.Certificates, o); err != nil {
		return nil, err
	}
	return &Verified{Content: p7.Content, Certificate: cert}, nil
}

// checkCertificate verifies that cert is valid at o.Now, may sign, and chains
// to o.Roots through the intermediates given.
func checkCertificate(cert *x509.Certificate, intermediates []*x509.Certificate, o VerifyOptions) error {
	if o.Now.Before(cert.NotBefore) || o.Now.After(cert.NotAfter) {
		return fmt.Errorf("%w: valid from %s to %s", ErrCertExpired,
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fmt.Errorf("%w: the certificate may not be used for signatures", ErrCertUntrusted)
	}
	if o.Roots == nil || o.Chains != nil && o.Chains.known(cert, o.Now) {
		return nil
	}
	pool := x509.NewCertPool()
	for _, c := range intermediates {
		if !c.Equal(cert) {
			pool.AddCert(c)
		}
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         o.Roots,
		Intermediates: pool,
		CurrentTime:   o.Now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return fmt.Errorf("%w: a certificate in the chain is outside its validity", ErrCertExpired)
		}
		return fmt.Errorf("%w: %v", ErrCertUntrusted, err)
	}
	if o.Chains != nil {
		o.Chains.remember(cert, o.Now)
	}
	return nil
}
