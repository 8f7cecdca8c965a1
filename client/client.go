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
	"strconv"
	"strings"
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
		tr.TLSClientConfig = cfg.Clone()
		// HTTP/1.1 with keep-alive: a citizen's app sends one request at a
		// time, and HTTP/2's framing costs both ends CPU for nothing. A
		// Client shared by many goroutines (an institution's batch) keeps
		// a connection per goroutine instead of reconnecting.
		tr.ForceAttemptHTTP2 = false
		tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
		tr.MaxIdleConnsPerHost = 64
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
	_, err := c.send(ctx, t, method, path, body, out)
	return err
}

// send is doAs that also returns the response, for its headers; the
// response is nil when the server could not be reached.
func (c *Client) send(ctx context.Context, t, method, path string, body, out any) (*resty.Response, error) {
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
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.IsError() {
		if eb, ok := resp.Error().(*api.ErrorBody); ok && eb.Error != nil && eb.Error.Code != "" {
			return resp, eb.Error
		}
		return resp, fmt.Errorf("%s %s: unexpected status %s", method, path, resp.Status())
	}
	return resp, nil
}

// setToken makes t the session token.
func (c *Client) setToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
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

// LoginOption adds to a certificate login what some certificates need.
type LoginOption func(*api.LoginRequest)

// WithVID sends what binds a Korean NPKI certificate to its holder through
// the VID in it (KISA KCAC.TS.SIVID): R, the random number kept in the
// certificate's private key (signer.RandomNum of the opened identity), and
// the holder's resident registration number, which may be "" after
// PasswordLogin, when the server already knows whose login it is. Both are as
// secret as the number itself: the client puts them in the login's body only
// (send it over TLS), never in an error, and keeps neither.
func WithVID(rrn string, randomNum []byte) LoginOption {
	return func(r *api.LoginRequest) {
		r.RRN, r.RandomNum = rrn, randomNum
	}
}

// Login runs the certificate login: it fetches a fresh nonce, has sign sign it,
// and exchanges the signature for a session. After PasswordLogin (and, when
// the server asked for it, ChangePassword) it completes that login: the
// password-stage session is replaced by the new one.
func (c *Client) Login(ctx context.Context, sign SignFunc, opts ...LoginOption) (*api.LoginResponse, error) {
	var ch api.ChallengeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login/challenge", struct{}{}, &ch); err != nil {
		return nil, err
	}
	sig, err := sign(api.LoginContent(ch.Nonce))
	if err != nil {
		return nil, fmt.Errorf("sign login challenge: %w", err)
	}
	req := api.LoginRequest{Nonce: ch.Nonce, Signature: sig}
	for _, o := range opts {
		o(&req)
	}
	var out api.LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login", req, &out); err != nil {
		return nil, err
	}
	c.setToken(out.Token)
	return &out, nil
}

// PasswordLogin is the first step of the ID/password login: it checks the
// login ID and password the office handed over (or the citizen chose since)
// and holds a session that may only change the password (ChangePassword,
// which the server requires first when the answer's Next is
// "change_password") and finish the login with the certificate (Login).
// Five wrong passwords lock the account for a while (api.CodeAccountLocked).
func (c *Client) PasswordLogin(ctx context.Context, loginID, password string) (*api.PasswordLoginResponse, error) {
	var out api.PasswordLoginResponse
	req := api.PasswordLoginRequest{LoginID: loginID, Password: password}
	if err := c.do(ctx, http.MethodPost, "/v1/login/password", req, &out); err != nil {
		return nil, err
	}
	c.setToken(out.Token)
	return &out, nil
}

// ChangePassword replaces the citizen's password, which is how the initial
// password is changed at first use. The server refuses a new password that
// is too weak with api.CodeInvalidField, the field "new_password" saying why.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.do(ctx, http.MethodPost, "/v1/password", api.ChangePasswordRequest{CurrentPassword: current, NewPassword: next}, nil)
}

// RequestCode asks the server to send the extra identity check code to the
// citizen's registered phone, by the channel chosen at approval.
func (c *Client) RequestCode(ctx context.Context) (*api.CodeResponse, error) {
	sent, err := c.SendCode(ctx, "")
	if err != nil {
		return nil, err
	}
	return sent.Code, nil
}

// CodeSent is what a code request achieved.
type CodeSent struct {
	// Code is the server's answer; nil when it refused.
	Code *api.CodeResponse
	// ValidFor is how long the code stays valid, and ResendIn how long until
	// another code may be asked for. Both are measured on the server's clock
	// (its Date header), so that a wrong clock on this computer does not
	// shift a countdown.
	ValidFor time.Duration
	ResendIn time.Duration
}

// SendCode asks the server to send the extra identity check code to the
// citizen's registered phone by channel: "sms" (a text message), "voice" (an
// automated call that reads it out) or "" for the citizen's default. The
// channels a citizen may choose are in their login response
// (api.LoginResponse.Channels).
//
// Sends are rate limited. When the server refuses for that, the error is its
// *api.Error (api.CodeRateLimited) and the result's ResendIn still says how
// long to wait (the server's Retry-After).
func (c *Client) SendCode(ctx context.Context, channel string) (CodeSent, error) {
	var out api.CodeResponse
	resp, err := c.send(ctx, c.Token(), http.MethodPost, "/v1/identity/code", api.CodeRequest{Channel: channel}, &out)
	if err != nil {
		var sent CodeSent
		if resp != nil {
			sent.ResendIn = retryAfter(resp.Header(), serverTime(resp.Header()))
		}
		return sent, err
	}
	now := serverTime(resp.Header())
	sent := CodeSent{Code: &out}
	if t, err := time.Parse(time.RFC3339, out.ExpiresAt); err == nil {
		sent.ValidFor = max(t.Sub(now), 0)
	}
	if t, err := time.Parse(time.RFC3339, out.ResendAfter); err == nil {
		sent.ResendIn = max(t.Sub(now), 0)
	}
	return sent, nil
}

// serverTime is the time the server answered, from its Date header
// (RFC 9110 section 6.6.1), or this computer's time without one.
func serverTime(h http.Header) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t
	}
	return time.Now()
}

// retryAfter reads a Retry-After header (RFC 9110 section 10.2.3): a number
// of seconds or a date, the latter taken against now. It is 0 without one.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(n)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// VerifyCode submits the code the citizen received.
func (c *Client) VerifyCode(ctx context.Context, code string) error {
	return c.do(ctx, http.MethodPost, "/v1/identity/verify", api.VerifyCodeRequest{Code: code}, nil)
}

// CheckToken is the extra identity check of a citizen who chose the security
// token (보안토큰) at approval: it fetches a fresh nonce and has sign sign
// api.IdentityContent(nonce) with the token's certificate, the one registered
// at approval; the server then lets the session issue.
func (c *Client) CheckToken(ctx context.Context, sign SignFunc) error {
	var ch api.ChallengeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login/challenge", struct{}{}, &ch); err != nil {
		return err
	}
	sig, err := sign(api.IdentityContent(ch.Nonce))
	if err != nil {
		return fmt.Errorf("sign identity check: %w", err)
	}
	return c.do(ctx, http.MethodPost, "/v1/identity/token", api.TokenCheckRequest{Nonce: ch.Nonce, Signature: sig}, nil)
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

// Logout ends the session on the server and forgets the token. A login that
// completes meanwhile keeps its own, newer token.
func (c *Client) Logout(ctx context.Context) error {
	t := c.Token()
	err := c.doAs(ctx, t, http.MethodPost, "/v1/logout", struct{}{}, nil)
	c.mu.Lock()
	if c.token == t {
		c.token = ""
	}
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

// LookupHistory fetches who looked one confirmation up, newest first, refused
// attempts included, with the history token its issuance answered with
// (api.IssueResponse.HistoryToken). It needs no session: the token is the
// proof, so keep it as secret as the wallet itself.
func (c *Client) LookupHistory(ctx context.Context, historyToken string) (*api.LookupHistoryResponse, error) {
	var out api.LookupHistoryResponse
	if err := c.doAs(ctx, historyToken, http.MethodGet, "/v1/lookups", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
