// Package client speaks the bonsign issuance API (/v1) for the desktop app and
// the command line. It holds the session token of one logged-in citizen; a
// Client is safe for use by one flow at a time.
//
// Every failure the server reports comes back as an *api.Error with its stable
// code and sentences in Korean and English; network failures come back wrapped
// in ErrUnreachable.
package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/go-resty/resty/v2"
)

// ErrUnreachable wraps a failure to reach the server at all.
var ErrUnreachable = errors.New("the issuance server cannot be reached")

// Client is a connection to one issuance server.
type Client struct {
	r *resty.Client

	mu    sync.Mutex
	token string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client use hc (for TLS settings and tests).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.r = resty.NewWithClient(hc).SetBaseURL(c.r.BaseURL) }
}

// WithTLS makes the client speak TLS with cfg, for example trusting only the
// deployment's private CA (tlsinit.ClientConfig).
func WithTLS(cfg *tls.Config) Option {
	return func(c *Client) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg.Clone() // the transport adds its ALPN protocols to it
		c.r = resty.NewWithClient(&http.Client{Transport: tr}).SetBaseURL(c.r.BaseURL)
	}
}

// WithCA pins the server's CA: the client trusts the CA certificates in
// caPEM and nothing else, over TLS 1.2 or later. PEM holding no certificate
// leaves a client that trusts nothing, never one that falls back to the
// system's CAs.
func WithCA(caPEM []byte) Option {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return WithTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
}

// New returns a Client for the server at baseURL, e.g. "https://127.0.0.1:8443".
func New(baseURL string, opts ...Option) *Client {
	c := &Client{r: resty.New().SetBaseURL(baseURL)}
	for _, o := range opts {
		o(c)
	}
	c.r.SetTimeout(30*time.Second).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "bonsign-client/1")
	return c
}

// Token is the current session token, or "" when logged out.
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	return c.doAs(ctx, c.Token(), method, path, body, out)
}

// doAs sends one request with bearer token t ("" for none) and decodes the
// result into out or the server's error into an *api.Error.
func (c *Client) doAs(ctx context.Context, t, method, path string, body, out any) error {
	req := c.r.R().SetContext(ctx).SetError(&api.ErrorBody{})
	if t != "" {
		req.SetAuthToken(t)
	}
	if body != nil {
		req.SetBody(body)
	}
	if out != nil {
		req.SetResult(out)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.IsError() {
		if eb, ok := resp.Error().(*api.ErrorBody); ok && eb.Error != nil && eb.Error.Code != "" {
			return eb.Error
		}
		return fmt.Errorf("%s %s: unexpected status %s", method, path, resp.Status())
	}
	return nil
}

// Institutions lists the institutions a confirmation may be addressed to.
func (c *Client) Institutions(ctx context.Context) ([]api.Institution, error) {
	var out api.InstitutionsResponse
	if err := c.do(ctx, http.MethodGet, "/v1/institutions", nil, &out); err != nil {
		return nil, err
	}
	return out.Institutions, nil
}

// SignFunc signs content as a CMS SignedData carrying the signer's certificate;
// (*signer.Identity).SignCMS is one.
type SignFunc func(content []byte) ([]byte, error)

// Login runs the certificate login: it fetches a fresh nonce, has sign sign it,
// and exchanges the signature for a session.
func (c *Client) Login(ctx context.Context, sign SignFunc) (*api.LoginResponse, error) {
	var ch api.ChallengeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login/challenge", struct{}{}, &ch); err != nil {
		return nil, err
	}
	sig, err := sign(api.LoginContent(ch.Nonce))
	if err != nil {
		return nil, fmt.Errorf("sign login challenge: %w", err)
	}
	var out api.LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login", api.LoginRequest{Nonce: ch.Nonce, Signature: sig}, &out); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.token = out.Token
	c.mu.Unlock()
	return &out, nil
}

// RequestCode asks the server to send the extra identity check code to the
// citizen's registered phone.
func (c *Client) RequestCode(ctx context.Context) (*api.CodeResponse, error) {
	var out api.CodeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/identity/code", struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyCode submits the code the citizen received.
func (c *Client) VerifyCode(ctx context.Context, code string) error {
	return c.do(ctx, http.MethodPost, "/v1/identity/verify", api.VerifyCodeRequest{Code: code}, nil)
}

// Issue submits a signed confirmation and returns its receipt.
func (c *Client) Issue(ctx context.Context, conf api.Confirmation, signature []byte) (*api.Receipt, error) {
	var out api.IssueResponse
	if err := c.do(ctx, http.MethodPost, "/v1/confirmations", api.IssueRequest{Confirmation: conf, Signature: signature}, &out); err != nil {
		return nil, err
	}
	return &out.Receipt, nil
}

// ReceiptCertificate fetches the certificate whose key signs receipts, for
// pinning at first contact.
func (c *Client) ReceiptCertificate(ctx context.Context) (*x509.Certificate, error) {
	var out api.ReceiptCertificateResponse
	if err := c.do(ctx, http.MethodGet, "/v1/receipt-certificate", nil, &out); err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(out.Certificate)
	if err != nil {
		return nil, fmt.Errorf("receipt certificate: %w", err)
	}
	return cert, nil
}

// IssueSigned submits a signed confirmation and returns the server's answer:
// the receipt and the server's signature over its canonical JSON.
func (c *Client) IssueSigned(ctx context.Context, conf api.Confirmation, signature []byte) (*api.IssueResponse, error) {
	var out api.IssueResponse
	if err := c.do(ctx, http.MethodPost, "/v1/confirmations", api.IssueRequest{Confirmation: conf, Signature: signature}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Logout ends the session on the server and forgets the token.
func (c *Client) Logout(ctx context.Context) error {
	err := c.do(ctx, http.MethodPost, "/v1/logout", struct{}{}, nil)
	c.mu.Lock()
	c.token = ""
	c.mu.Unlock()
	return err
}

// Verify is the institution's lookup (R10): the confirmation with issueNumber,
// if it names name and is addressed to the institution that apiKey belongs to.
func (c *Client) Verify(ctx context.Context, apiKey, issueNumber, name string) (*api.VerifyResponse, error) {
	var out api.VerifyResponse
	req := api.VerifyRequest{IssueNumber: issueNumber, Name: name}
	if err := c.doAs(ctx, apiKey, http.MethodPost, "/v1/verify", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
