package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/internal/testpki"
)

// sendCode asks for a code through a and returns the error and Retry-After.
func sendCode(a *rawAPI, channel string) (*api.CodeResponse, *api.Error, int) {
	var out api.CodeResponse
	e, resp := a.call("/v1/identity/code", api.CodeRequest{Channel: channel}, &out)
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return &out, e, retry
}

// TestCodeResendsAreRateLimited: one code per 30 seconds and five an hour to
// one citizen, whatever sessions ask.
func TestCodeResendsAreRateLimited(t *testing.T) {
	h := newHarness(t)
	a := h.raw()
	if _, e := a.certLogin(h.citizen, "", nil); e != nil {
		t.Fatal(e)
	}
	first, e, _ := sendCode(a, "")
	if e != nil {
		t.Fatal(e)
	}
	if want := h.clock().Add(30 * time.Second).UTC().Format(time.RFC3339); first.ResendAfter != want {
		t.Fatalf("resend_after %s, want %s", first.ResendAfter, want)
	}
	_, e, retry := sendCode(a, "")
	wantAPICode(t, e, api.CodeRateLimited)
	if retry != 30 {
		t.Fatalf("Retry-After %d, want 30", retry)
	}
	// Another session of the same citizen is limited alike.
	b := h.raw()
	if _, e := b.certLogin(h.citizen, "", nil); e != nil {
		t.Fatal(e)
	}
	h.advance(29 * time.Second)
	_, e, retry = sendCode(b, "")
	wantAPICode(t, e, api.CodeRateLimited)
	if retry != 1 {
		t.Fatalf("Retry-After %d, want 1", retry)
	}
	h.advance(time.Second)
	for i := 2; i <= 5; i++ {
		if _, e, _ := sendCode(a, ""); e != nil {
			t.Fatalf("code %d: %v", i, e)
		}
		h.advance(30 * time.Second)
	}
	// Five in the last two minutes: the sixth waits until the first is an hour old.
	_, e, retry = sendCode(a, "")
	wantAPICode(t, e, api.CodeRateLimited)
	if want := int((time.Hour - 150*time.Second) / time.Second); retry != want {
		t.Fatalf("Retry-After %d, want %d", retry, want)
	}
	// An hour after the first (in a new session: the old one has ended).
	h.advance(time.Duration(retry) * time.Second)
	c := h.raw()
	if _, e := c.certLogin(h.citizen, "", nil); e != nil {
		t.Fatal(e)
	}
	if _, e, _ := sendCode(c, ""); e != nil {
		t.Fatalf("an hour after the first: %v", e)
	}
	if e, _ := c.call("/v1/identity/verify", api.VerifyCodeRequest{Code: h.lastCode()}, nil); e != nil {
		t.Fatal(e)
	}
}

// TestCodeChannels: text or voice, as the phone allows; a citizen who cannot
// take a voice call chooses text.
func TestCodeChannels(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	login := func(leaf *testpki.Leaf) (*rawAPI, *api.LoginResponse) {
		a := h.raw()
		resp, e := a.certLogin(leaf, "", nil)
		if e != nil {
			t.Fatal(e)
		}
		return a, resp
	}
	last := func() phone.Message {
		m := h.outbox.Messages()
		return m[len(m)-1]
	}

	t.Run("mobile: text by default, voice on request", func(t *testing.T) {
		a, resp := login(h.citizen)
		if strings.Join(resp.Channels, ",") != "sms,voice" {
			t.Fatalf("channels %v", resp.Channels)
		}
		if r, e, _ := sendCode(a, ""); e != nil || r.Channel != "sms" || last().Channel != phone.SMS {
			t.Fatalf("default: %+v %v", r, e)
		}
		h.advance(30 * time.Second)
		r, e, _ := sendCode(a, "voice")
		m := last()
		if e != nil || r.Channel != "voice" || m.Channel != phone.Voice {
			t.Fatalf("voice: %+v %v", r, e)
		}
		spoken := strings.Join(strings.Split(m.Code, ""), ", ")
		if !strings.Contains(m.Text, spoken) {
			t.Fatalf("the call does not read the digits one by one: %q", m.Text)
		}
		if e, _ := a.call("/v1/identity/verify", api.VerifyCodeRequest{Code: m.Code}, nil); e != nil {
			t.Fatal(e)
		}
	})
	t.Run("landline: voice by default, text refused where the line cannot take it", func(t *testing.T) {
		leaf := h.ca.Issue(t, "노일반", testpki.Options{})
		ap := h.approval(leaf, "노일반", "500505-1234567")
		ap.IdentityMethod, ap.Phone = server.MethodLandline, "02-2100-3399"
		if _, err := h.srv.Approve(ctx, ap); err != nil {
			t.Fatal(err)
		}
		a, resp := login(leaf)
		if strings.Join(resp.Channels, ",") != "voice" || resp.Phone != "02-****-3399" {
			t.Fatalf("login %+v", resp)
		}
		_, e, _ := sendCode(a, "sms")
		if e == nil || e.Code != api.CodeInvalidField || e.Fields[0].Field != "channel" {
			t.Fatalf("text to a voice-only line: %+v", e)
		}
		if r, e, _ := sendCode(a, ""); e != nil || r.Channel != "voice" {
			t.Fatalf("default: %+v %v", r, e)
		}
	})
	t.Run("a landline that takes text, with text chosen at approval", func(t *testing.T) {
		leaf := h.ca.Issue(t, "문청각", testpki.Options{})
		ap := h.approval(leaf, "문청각", "520202-2234567")
		ap.IdentityMethod, ap.Phone, ap.TextCapable, ap.Channel = server.MethodLandline, "070-4321-8765", true, approval.ChannelSMS
		if _, err := h.srv.Approve(ctx, ap); err != nil {
			t.Fatal(err)
		}
		a, resp := login(leaf)
		if strings.Join(resp.Channels, ",") != "sms,voice" {
			t.Fatalf("channels %v", resp.Channels)
		}
		if r, e, _ := sendCode(a, ""); e != nil || r.Channel != "sms" {
			t.Fatalf("default: %+v %v", r, e)
		}
	})
}

// receiver is an SMS/ARS provider's relay on 127.0.0.1: it checks each
// request's signature itself, with the shared secret, as a provider would.
type receiver struct {
	secret []byte
	status int

	mu       sync.Mutex
	got      []phone.WebhookPayload
	rejected []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get("X-Bonsign-Timestamp")
	m := hmac.New(sha256.New, rc.secret)
	m.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !hmac.Equal([]byte(r.Header.Get("X-Bonsign-Signature")), []byte(want)) {
		rc.rejected = append(rc.rejected, "signature")
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if err := phone.VerifyRequest(rc.secret, r, body, time.Now()); err != nil {
		rc.rejected = append(rc.rejected, err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p phone.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, p)
	if rc.status != 0 {
		w.WriteHeader(rc.status)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// TestWebhookGatewaySignsWhatItSends: the code reaches a receiver on
// 127.0.0.1 that verifies the HMAC; a wrong secret, a changed body and an old
// timestamp are refused; a failing receiver is a failed send.
func TestWebhookGatewaySignsWhatItSends(t *testing.T) {
	secret := []byte("a shared secret of at least 32 bytes, for the test")
	rc := &receiver{secret: secret}
	ts := httptest.NewServer(rc)
	defer ts.Close()
	h := newHarness(t, server.WithPhoneGateway(&phone.Webhook{URL: ts.URL + "/send", Secret: secret}))
	a := h.raw()
	if _, e := a.certLogin(h.citizen, "", nil); e != nil {
		t.Fatal(e)
	}
	if _, e, _ := sendCode(a, "voice"); e != nil {
		t.Fatal(e)
	}
	if len(rc.got) != 1 || len(rc.rejected) != 0 {
		t.Fatalf("receiver got %d, rejected %v", len(rc.got), rc.rejected)
	}
	p := rc.got[0]
	if p.To != "010-2222-3333" || p.Channel != phone.Voice || len(p.Code) != 6 || p.Language != "ko" || len(p.ID) != 32 {
		t.Fatalf("payload %+v", p)
	}
	if e, _ := a.call("/v1/identity/verify", api.VerifyCodeRequest{Code: p.Code}, nil); e != nil {
		t.Fatalf("the code the receiver got does not verify: %v", e)
	}

	ctx := context.Background()
	msg := phone.Message{To: "010-1111-2222", Channel: phone.SMS, Text: "t", Code: "123456", SentAt: time.Now()}
	wrong := &phone.Webhook{URL: ts.URL, Secret: []byte("another secret, also long enough to be accepted")}
	if err := wrong.Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong secret: %v", err)
	}
	stale := &phone.Webhook{URL: ts.URL, Secret: secret, Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }}
	if err := stale.Send(ctx, msg); err == nil {
		t.Fatal("a ten-minute-old timestamp was accepted")
	}
	// A body changed on the way no longer matches its signature.
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set(phone.HeaderTimestamp, stamp)
	req.Header.Set(phone.HeaderSignature, phone.Sign(secret, stamp, []byte(`{"code":"123456"}`)))
	if err := phone.VerifyRequest(secret, req, []byte(`{"code":"654321"}`), time.Now()); err == nil {
		t.Fatal("a changed body verified")
	}
	if len(rc.rejected) != 2 {
		t.Fatalf("rejections %v", rc.rejected)
	}

	// A receiver that fails makes the send fail, and says so without the code.
	rc.status = http.StatusInternalServerError
	h.advance(30 * time.Second)
	_, e, _ := sendCode(a, "")
	wantAPICode(t, e, api.CodeInternal)
	if last := rc.got[len(rc.got)-1]; strings.Contains(h.logs.String(), last.Code) || strings.Contains(h.logs.String(), last.To) {
		t.Fatal("the log holds the code or the number")
	}
}
