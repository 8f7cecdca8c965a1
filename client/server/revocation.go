package server

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
)

// Certificate revocation (R5): a citizen's certificate is checked against the
// CRL (RFC 5280 section 5) named in its CRL distribution points, fetched over
// HTTP and cached until the CRL's nextUpdate. A CRL is trusted only when the
// certificate's own issuer signed it. When no CRL can be had, the server's
// RevocationPolicy decides.

// RevocationPolicy says what a login does when a certificate's CRL cannot be
// fetched or checked.
type RevocationPolicy int

const (
	// FailClosed refuses the login (revocation_unavailable): the default.
	FailClosed RevocationPolicy = iota
	// FailOpen lets the login in and logs a warning.
	FailOpen
)

// Limits of CRL fetching.
const (
	crlTimeout  = 10 * time.Second
	crlMaxBytes = 32 << 20
	// crlDefaultLife is how long a CRL without nextUpdate is cached.
	crlDefaultLife = time.Hour
)

// Errors of the revocation check.
var (
	errCertRevoked    = errors.New("the certificate is on its issuer's CRL")
	errCRLUnavailable = errors.New("no CRL could be fetched and checked")
)

// crlCache fetches and keeps CRLs by URL. It is safe for concurrent use.
type crlCache struct {
	client *http.Client

	mu      sync.Mutex
	entries map[string]*crlEntry
}

// crlEntry is one distribution point's CRL. mu serialises its refreshes, so
// concurrent logins fetch a CRL once.
type crlEntry struct {
	mu         sync.Mutex
	issuerRaw  []byte // the issuer certificate it was checked against
	revoked    map[string]bool
	nextUpdate time.Time
}

// crls returns the server's CRL cache.
func (s *Server) crls() *crlCache {
	s.ident.crlOnce.Do(func() {
		client := s.ident.crlClient
		if client == nil {
			client = &http.Client{Timeout: crlTimeout}
		}
		s.ident.crl = &crlCache{client: client, entries: map[string]*crlEntry{}}
	})
	return s.ident.crl
}

// check returns errCertRevoked when cert is on the CRL of one of its HTTP
// distribution points, nil when one such CRL says it is not, and an error
// wrapping errCRLUnavailable when none could be had. A certificate that names
// no distribution point is not checked (nil).
func (c *crlCache) check(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) error {
	if len(cert.CRLDistributionPoints) == 0 {
		return nil
	}
	var lastErr error
	for _, u := range cert.CRLDistributionPoints {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			lastErr = fmt.Errorf("distribution point %q: only HTTP is supported", u)
			continue
		}
		e := c.entry(u)
		revoked, err := e.lookup(ctx, c.client, u, cert, issuer, now)
		if err != nil {
			lastErr = err
			continue
		}
		if revoked {
			return errCertRevoked
		}
		return nil
	}
	return fmt.Errorf("%w: %v", errCRLUnavailable, lastErr)
}

func (c *crlCache) entry(url string) *crlEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[url]
	if e == nil {
		e = &crlEntry{}
		c.entries[url] = e
	}
	return e
}

// lookup says whether cert's serial is on the CRL at url, fetching it anew
// when the cached one has passed its nextUpdate or was checked against
// another issuer.
func (e *crlEntry) lookup(ctx context.Context, client *http.Client, url string, cert, issuer *x509.Certificate, now time.Time) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.revoked == nil || !now.Before(e.nextUpdate) || !bytes.Equal(e.issuerRaw, issuer.Raw) {
		if err := e.refresh(ctx, client, url, issuer, now); err != nil {
			return false, err
		}
	}
	return e.revoked[cert.SerialNumber.String()], nil
}

func (e *crlEntry) refresh(ctx context.Context, client *http.Client, url string, issuer *x509.Certificate, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, crlTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("crl %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("crl: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("crl %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, crlMaxBytes+1))
	if err != nil {
		return fmt.Errorf("crl %s: %w", url, err)
	}
	if len(data) > crlMaxBytes {
		return fmt.Errorf("crl %s: larger than %d bytes", url, crlMaxBytes)
	}
	if b, _ := pem.Decode(data); b != nil && b.Type == "X509 CRL" {
		data = b.Bytes
	}
	list, err := x509.ParseRevocationList(data)
	if err != nil {
		return fmt.Errorf("crl %s: %w", url, err)
	}
	if !bytes.Equal(list.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("crl %s: issued by another CA than the certificate", url)
	}
	if err := list.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("crl %s: signature: %w", url, err)
	}
	next := list.NextUpdate
	if next.IsZero() {
		next = now.Add(crlDefaultLife)
	}
	if !now.Before(next) {
		return fmt.Errorf("crl %s: stale (next update was %s)", url, next.UTC().Format(time.RFC3339))
	}
	revoked := make(map[string]bool, len(list.RevokedCertificateEntries))
	for _, r := range list.RevokedCertificateEntries {
		revoked[r.SerialNumber.String()] = true
	}
	e.revoked, e.nextUpdate, e.issuerRaw = revoked, next, issuer.Raw
	return nil
}

// issuerOf finds the certificate that issued cert, building the chain
// through the certificates of the CMS der to the trust anchors. It returns
// nil when cert is itself an anchor.
func (s *Server) issuerOf(der []byte, cert *x509.Certificate, now time.Time) *x509.Certificate {
	inter := x509.NewCertPool()
	if p7, err := pkcs7.Parse(der); err == nil {
		for _, c := range p7.Certificates {
			if !c.Equal(cert) {
				inter.AddCert(c)
			}
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil || len(chains) == 0 || len(chains[0]) < 2 {
		return nil
	}
	return chains[0][1]
}

// revocationError checks the signer of the CMS der, whose chain was already
// verified, against its CRL, and applies the revocation policy.
func (s *Server) revocationError(ctx context.Context, der []byte, cert *x509.Certificate, now time.Time) *api.Error {
	if len(cert.CRLDistributionPoints) == 0 {
		return nil
	}
	issuer := s.issuerOf(der, cert, now)
	if issuer == nil {
		return nil
	}
	err := s.crls().check(ctx, cert, issuer, now)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errCertRevoked):
		return api.NewError(api.CodeCertRevoked)
	case s.ident.revocation == FailOpen:
		s.log.Warn("revocation not checked: fail-open", "err", err.Error())
		return nil
	}
	s.log.Warn("revocation not checked: fail-closed", "err", err.Error())
	return api.NewError(api.CodeRevocationUnavailable).WithDetail("the certificate's CRL could not be fetched or checked")
}
