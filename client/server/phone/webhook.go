package phone

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook request.
const (
	// HeaderTimestamp carries the Unix time (seconds) at which the request was
	// signed.
	HeaderTimestamp = "X-Bonsign-Timestamp"
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256, keyed with
	// the shared secret, of the timestamp, a full stop, and the body.
	HeaderSignature = "X-Bonsign-Signature"
	// HeaderMessageID repeats the message id, for providers that deduplicate
	// on a header.
	HeaderMessageID = "X-Bonsign-Message-Id"
)

// MaxSkew is how far a webhook's timestamp may be from the receiver's clock.
// It bounds how long a captured request could be replayed.
const MaxSkew = 5 * time.Minute

// WebhookPayload is the JSON body a Webhook POSTs. The receiver (the
// provider's relay) delivers Text by SMS, or reads it out by an automated call
// when Channel is "voice"; Code is there for providers that compose their own
// message.
type WebhookPayload struct {
	ID       string  `json:"id"` // random; the same message is never sent with two ids
	To       string  `json:"to"`
	Channel  Channel `json:"channel"`
	Text     string  `json:"text"`
	Code     string  `json:"code"`
	Language string  `json:"language"` // "ko"
	SentAt   string  `json:"sent_at"`  // RFC 3339
}

// Webhook is the gateway to real SMS/ARS providers: each message is POSTed
// as JSON to URL, signed with an HMAC-SHA256 header that the receiver checks
// with VerifyRequest. Any answer other than 2xx is a failed send. It is safe
// for concurrent use.
type Webhook struct {
	URL    string
	Secret []byte // shared with the receiver; at least 32 random bytes
	// Client sends the requests; nil means one with a 10-second timeout.
	Client *http.Client
	// Now is the clock for the timestamp; nil means time.Now.
	Now func() time.Time
}

// Send POSTs m. Errors never contain the number or the code.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	if len(w.Secret) < 16 {
		return errors.New("phone: webhook: the secret is too short")
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return fmt.Errorf("phone: webhook: %w", err)
	}
	body, err := json.Marshal(WebhookPayload{
		ID: hex.EncodeToString(id), To: m.To, Channel: m.Channel, Text: m.Text, Code: m.Code,
		Language: "ko", SentAt: m.SentAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("phone: webhook: %w", err)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("phone: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "bonsign-server/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, body))
	req.Header.Set(HeaderMessageID, hex.EncodeToString(id))
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error names the URL, which is configuration, not personal data.
		return fmt.Errorf("phone: webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("phone: webhook: the receiver answered %s", resp.Status)
	}
	return nil
}

// Sign is the value of HeaderSignature for a request with timestamp ts and body.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is returned by VerifyRequest for a request that is not
// signed with the secret, or signed too long ago.
var ErrBadSignature = errors.New("phone: webhook signature does not verify")

// VerifyRequest is what a receiver runs: it checks the signature headers of r
// against body (already read from r) and secret, and that the timestamp is
// within MaxSkew of now.
func VerifyRequest(secret []byte, r *http.Request, body []byte, now time.Time) error {
	ts := r.Header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: the timestamp is %s off", ErrBadSignature, d.Round(time.Second))
	}
	got := r.Header.Get(HeaderSignature)
	if !strings.HasPrefix(got, "sha256=") || !hmac.Equal([]byte(got), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
