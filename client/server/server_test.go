package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/internal/testpki"
)

func TestIssuanceAndInstitutionLookup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.loggedIn(h.citizen)
	conf := draft()
	sig := sign(t, h.citizen, conf)
	r, err := c.Issue(ctx, conf, sig)
	if err != nil {
		t.Fatal(err)
	}
	if h.count() != 1 {
		t.Fatalf("stored %d confirmations, want 1", h.count())
	}
	got, err := c.Verify(ctx, h.npsKey, r.IssueNumber, citizenName)
	if err != nil {
		t.Fatal(err)
	}
	if got.Confirmation.Counterparty != conf.Counterparty || !bytes.Equal(got.Signature, sig) {
		t.Fatalf("lookup returned %+v", got.Confirmation)
	}
}

// TestLookupsThatMustNotRevealAnything: another institution, a wrong name and
// an unknown number all get the same answer (R10).
func TestLookupsThatMustNotRevealAnything(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.loggedIn(h.citizen)
	conf := draft()
	r, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	unknown, _ := api.NewIssueNumber(nil)
	var bodies []string
	for _, tc := range []struct{ name, key, number, citizen string }{
		{"another institution", h.hugKey, r.IssueNumber, citizenName},
		{"a wrong name", h.npsKey, r.IssueNumber, "김민수"},
		{"an unknown number", h.npsKey, unknown, citizenName},
	} {
		_, err := c.Verify(ctx, tc.key, tc.number, tc.citizen)
		e := wantCode(t, err, api.CodeNotFound)
		b, _ := json.Marshal(e)
		bodies = append(bodies, string(b))
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Fatalf("answers differ:\n%s", strings.Join(bodies, "\n"))
	}
	_, err = c.Verify(ctx, "bsk_not-a-key", r.IssueNumber, citizenName)
	wantCode(t, err, api.CodeUnauthenticated)
	// A mistyped number is caught by its check digit.
	typo := []byte(r.IssueNumber)
	typo[0] = '0' + (typo[0]-'0'+1)%10
	_, err = c.Verify(ctx, h.npsKey, string(typo), citizenName)
	if e := wantCode(t, err, api.CodeInvalidField); e.Fields[0].Field != "issue_number" {
		t.Fatalf("fields = %+v", e.Fields)
	}
}

func TestRefusedSubmissionsStoreNothing(t *testing.T) {
	h := newHarness(t)
	other := h.ca.Issue(t, "박철수", testpki.Options{})
	h.approve(other, "박철수", "700707-1234567")
	c := h.loggedIn(h.citizen)
	ctx := context.Background()

	tests := []struct {
		name  string
		build func() (api.Confirmation, []byte)
		want  api.Code
	}{
		{"a forged signature", func() (api.Confirmation, []byte) {
			conf := draft()
			sig := sign(t, h.citizen, conf)
			sig[len(sig)-10] ^= 0x55 // inside the RSA signature value at the end of the SignerInfo
			return conf, sig
		}, api.CodeSignatureInvalid},
		{"content that differs from the signed content", func() (api.Confirmation, []byte) {
			conf := draft()
			sig := sign(t, h.citizen, conf)
			conf.Purpose = "근저당 설정"
			return conf, sig
		}, api.CodeContentMismatch},
		{"a valid signature by another approved citizen", func() (api.Confirmation, []byte) {
			conf := draft()
			return conf, sign(t, other, conf)
		}, api.CodeSignerMismatch},
		{"a signature by a certificate of an unknown CA", func() (api.Confirmation, []byte) {
			conf := draft()
			stranger := testpki.NewCA(t, "rogue CA").Issue(t, citizenName, testpki.Options{})
			return conf, sign(t, stranger, conf)
		}, api.CodeCertUntrusted},
		{"another citizen's resident registration number", func() (api.Confirmation, []byte) {
			conf := draft()
			conf.Citizen.RRN = "700707-1234567"
			return conf, sign(t, h.citizen, conf)
		}, api.CodeCitizenMismatch},
		{"an institution not in the directory", func() (api.Confirmation, []byte) {
			conf := draft()
			conf.Institution = api.Institution{Code: "x-casino", Name: "카지노"}
			return conf, sign(t, h.citizen, conf)
		}, api.CodeUnknownInstitution},
		{"a known institution code under another name", func() (api.Confirmation, []byte) {
			conf := draft()
			conf.Institution.Name = "국민연금"
			return conf, sign(t, h.citizen, conf)
		}, api.CodeUnknownInstitution},
		{"a missing purpose", func() (api.Confirmation, []byte) {
			conf := draft()
			conf.Purpose = ""
			return conf, sign(t, h.citizen, conf)
		}, api.CodeInvalidField},
		{"a detached signature", func() (api.Confirmation, []byte) {
			conf := draft()
			content, _ := conf.Canonical()
			return conf, detached(t, h.citizen, content)
		}, api.CodeSignatureInvalid},
		{"no signature at all", func() (api.Confirmation, []byte) {
			return draft(), []byte("not a CMS")
		}, api.CodeSignatureInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf, sig := tc.build()
			_, err := c.Issue(ctx, conf, sig)
			wantCode(t, err, tc.want)
			if n := h.count(); n != 0 {
				t.Fatalf("%d confirmations stored after a refused submission", n)
			}
		})
	}
}

func TestInvalidFieldNamesTheField(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	conf := draft()
	conf.Counterparty.ID = "123-45-67890" // wrong check digit
	_, err := c.Issue(context.Background(), conf, sign(t, h.citizen, conf))
	e := wantCode(t, err, api.CodeInvalidField)
	if len(e.Fields) != 1 || e.Fields[0].Field != "counterparty.id" || !strings.Contains(e.Fields[0].MessageKo, "사업자등록번호") {
		t.Fatalf("fields = %+v", e.Fields)
	}
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	t.Run("an unapproved citizen is refused", func(t *testing.T) {
		h := newHarness(t)
		stranger := h.ca.Issue(t, "최지우", testpki.Options{})
		_, err := client.New(h.url).Login(ctx, identity(stranger).SignCMS)
		wantCode(t, err, api.CodeNotApproved)
	})
	t.Run("an expired approval is refused", func(t *testing.T) {
		h := newHarness(t)
		// Two calendar years on, the approval (which ends at midnight at the
		// start of the anniversary, Korean time) has expired.
		now := h.clock()
		h.advance(now.AddDate(2, 0, 0).Sub(now))
		_, err := client.New(h.url).Login(ctx, identity(h.citizen).SignCMS)
		wantCode(t, err, api.CodeApprovalExpired)
	})
	t.Run("an expired certificate is refused", func(t *testing.T) {
		h := newHarness(t)
		old := h.ca.Issue(t, citizenName, testpki.Options{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
		_, err := client.New(h.url).Login(ctx, identity(old).SignCMS)
		wantCode(t, err, api.CodeCertExpired)
	})
	t.Run("a replayed nonce is refused", func(t *testing.T) {
		h := newHarness(t)
		var nonce string
		var sig []byte
		capture := func(content []byte) ([]byte, error) {
			nonce = strings.TrimPrefix(string(content), "bonsign-login:")
			s, err := identity(h.citizen).SignCMS(content)
			sig = s
			return s, err
		}
		if _, err := client.New(h.url).Login(ctx, capture); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(api.LoginRequest{Nonce: nonce, Signature: sig})
		status, e := post(t, h.url+"/v1/login", "", body)
		if status != http.StatusUnauthorized || e.Code != api.CodeChallengeInvalid {
			t.Fatalf("replay: %d %+v", status, e)
		}
	})
	t.Run("an expired nonce is refused", func(t *testing.T) {
		h := newHarness(t)
		slow := func(content []byte) ([]byte, error) {
			h.advance(3 * time.Minute)
			return identity(h.citizen).SignCMS(content)
		}
		_, err := client.New(h.url).Login(ctx, slow)
		wantCode(t, err, api.CodeChallengeInvalid)
	})
	t.Run("a signature over something else than the nonce is refused", func(t *testing.T) {
		h := newHarness(t)
		wrong := func([]byte) ([]byte, error) { return identity(h.citizen).SignCMS([]byte("bonsign-login:other")) }
		_, err := client.New(h.url).Login(ctx, wrong)
		wantCode(t, err, api.CodeSignatureInvalid)
	})
	t.Run("a token after logout is refused", func(t *testing.T) {
		h := newHarness(t)
		c := h.loggedIn(h.citizen)
		token := c.Token()
		if err := c.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		status, e := post(t, h.url+"/v1/identity/code", token, []byte(`{}`))
		if status != http.StatusUnauthorized || e.Code != api.CodeUnauthenticated {
			t.Fatalf("after logout: %d %+v", status, e)
		}
	})
	t.Run("an expired session is refused", func(t *testing.T) {
		h := newHarness(t)
		c := h.loggedIn(h.citizen)
		h.advance(31 * time.Minute)
		_, err := c.RequestCode(ctx)
		wantCode(t, err, api.CodeUnauthenticated)
	})
}

func TestIdentityCode(t *testing.T) {
	ctx := context.Background()
	login := func(h *harness) *client.Client {
		c := client.New(h.url)
		if _, err := c.Login(ctx, identity(h.citizen).SignCMS); err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrong := func(code string) string { return map[bool]string{true: "000000", false: "111111"}[code != "000000"] }

	t.Run("issuing without the check is refused", func(t *testing.T) {
		h := newHarness(t)
		c := login(h)
		conf := draft()
		_, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
		wantCode(t, err, api.CodeIdentityRequired)
	})
	t.Run("a wrong code is refused and the right one still works", func(t *testing.T) {
		h := newHarness(t)
		c := login(h)
		c.RequestCode(ctx)
		code := h.lastCode()
		wantCode(t, c.VerifyCode(ctx, wrong(code)), api.CodeCodeInvalid)
		if err := c.VerifyCode(ctx, code); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the sixth try is refused even with the right code", func(t *testing.T) {
		h := newHarness(t)
		c := login(h)
		c.RequestCode(ctx)
		code := h.lastCode()
		for range 5 {
			wantCode(t, c.VerifyCode(ctx, wrong(code)), api.CodeCodeInvalid)
		}
		wantCode(t, c.VerifyCode(ctx, code), api.CodeTooManyAttempts)
	})
	t.Run("an expired code is refused", func(t *testing.T) {
		h := newHarness(t)
		c := login(h)
		c.RequestCode(ctx)
		h.advance(3*time.Minute + time.Second)
		wantCode(t, c.VerifyCode(ctx, h.lastCode()), api.CodeCodeExpired)
	})
	t.Run("a used code cannot be replayed", func(t *testing.T) {
		h := newHarness(t)
		c := login(h)
		c.RequestCode(ctx)
		code := h.lastCode()
		if err := c.VerifyCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		wantCode(t, c.VerifyCode(ctx, code), api.CodeCodeExpired)
	})
	t.Run("a code is bound to its session", func(t *testing.T) {
		h := newHarness(t)
		a, b := login(h), login(h)
		a.RequestCode(ctx)
		wantCode(t, b.VerifyCode(ctx, h.lastCode()), api.CodeCodeExpired)
	})
}

// post sends a raw body and decodes the error, for inputs the client would never send.
func post(t *testing.T, url, token string, body []byte) (int, *api.Error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var eb api.ErrorBody
	json.Unmarshal(data, &eb)
	if eb.Error == nil {
		eb.Error = &api.Error{}
	}
	return resp.StatusCode, eb.Error
}

func TestMalformedRequests(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	conf := draft()
	good, _ := json.Marshal(api.IssueRequest{Confirmation: conf, Signature: sign(t, h.citizen, conf)})
	tests := []struct {
		name   string
		body   []byte
		status int
		code   api.Code
		detail string
	}{
		{"malformed JSON", []byte(`{"confirmation": {`), 400, api.CodeBadRequest, "ends in the middle"},
		{"a syntax error", []byte(`{"confirmation": x}`), 400, api.CodeBadRequest, "syntax error"},
		{"an unknown field", []byte(`{"confirmation": {}, "signature": "", "admin": true}`), 400, api.CodeBadRequest, "unknown field"},
		{"a wrong type", []byte(`{"confirmation": 5}`), 400, api.CodeBadRequest, "must be"},
		{"an empty body", nil, 400, api.CodeBadRequest, "empty"},
		{"two objects", append(append([]byte{}, good...), good...), 400, api.CodeBadRequest, "after the object"},
		{"an oversized body", []byte(`{"confirmation": {"purpose": "` + strings.Repeat("가", 200_000) + `"}}`), 413, api.CodeBodyTooLarge, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, e := post(t, h.url+"/v1/confirmations", c.Token(), tc.body)
			if status != tc.status || e.Code != tc.code || !strings.Contains(e.Detail, tc.detail) {
				t.Fatalf("got %d %+v, want %d %s with %q", status, e, tc.status, tc.code, tc.detail)
			}
		})
	}
	if h.count() != 0 {
		t.Fatal("a malformed request stored something")
	}
	status, e := post(t, h.url+"/v1/nowhere", "", []byte(`{}`))
	if status != 404 || e.Code != api.CodeNotFound {
		t.Fatalf("unknown endpoint: %d %+v", status, e)
	}
}

// TestRetriesNeverIssueTwice: a retry after a lost answer, whether it resends
// the same CMS or signs the same confirmation again, gets the first receipt;
// the same confirmation ID with other content is refused.
func TestRetriesNeverIssueTwice(t *testing.T) {
	h := newHarness(t)
	c := h.loggedIn(h.citizen)
	ctx := context.Background()
	conf := draft()
	first, err := c.Issue(ctx, conf, sign(t, h.citizen, conf))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Issue(ctx, conf, sign(t, h.citizen, conf)) // signed anew: another CMS
	if err != nil || again.IssueNumber != first.IssueNumber {
		t.Fatalf("re-signed retry: %v, %+v", err, again)
	}
	changed := conf
	changed.Purpose = "다른 용도"
	_, err = c.Issue(ctx, changed, sign(t, h.citizen, changed))
	wantCode(t, err, api.CodeConflict)
	if h.count() != 1 {
		t.Fatalf("%d confirmations stored, want 1", h.count())
	}
}
