package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/store"
)

// randomToken returns n random bytes as unpadded base64url.
func (s *Server) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(t string) []byte {
	sum := sha256.Sum256([]byte(t))
	return sum[:]
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal error", "path", r.URL.Path, "err", err.Error())
	writeError(w, api.NewError(api.CodeInternal))
}

// handleChallenge issues a fresh single-use login nonce.
func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if e := decode(w, r, maxBody, &req); e != nil && r.ContentLength != 0 {
		writeError(w, e)
		return
	}
	nonce, err := s.randomToken(32)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	exp := s.now().Add(ChallengeTTL)
	if err := s.store.PutChallenge(r.Context(), nonce, exp); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ChallengeResponse{Nonce: nonce, ExpiresAt: exp.UTC().Format(time.RFC3339)})
}

// approvalError says why citizen c may not use the system at now (R1), or nil.
func approvalError(c *store.Citizen, now time.Time) *api.Error {
	switch {
	case !c.RevokedAt.IsZero() && !now.Before(c.RevokedAt):
		return api.NewError(api.CodeNotApproved).WithDetail("the approval was revoked")
	case !now.Before(c.ExpiresAt):
		return api.NewError(api.CodeApprovalExpired)
	case now.Before(c.ApprovedAt):
		return api.NewError(api.CodeNotApproved)
	}
	return nil
}

// handleLogin checks a signed nonce and opens a session (R5).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req api.LoginRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	now := s.now()
	// The nonce is taken before anything else is checked: a failed attempt uses it up.
	exp, err := s.store.TakeChallenge(r.Context(), req.Nonce)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeChallengeInvalid).WithDetail("unknown or already used nonce"))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if !now.Before(exp) {
		writeError(w, api.NewError(api.CodeChallengeInvalid).WithDetail("the nonce has expired"))
		return
	}
	sg, e := s.verifyCMS(req.Signature, api.LoginContent(req.Nonce), now)
	if e != nil {
		if e.Code == api.CodeContentMismatch {
			e = api.NewError(api.CodeSignatureInvalid).WithDetail("the signed content is not this login's nonce")
		}
		writeError(w, e)
		return
	}
	c, err := s.store.CitizenByCert(r.Context(), sg.fingerprint)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeNotApproved))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if e := approvalError(c, now); e != nil {
		writeError(w, e)
		return
	}
	token, err := s.randomToken(32)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	se := store.Session{TokenHash: hashToken(token), CitizenID: c.ID, CertFingerprint: sg.fingerprint,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := s.store.PutSession(r.Context(), se); err != nil {
		s.internal(w, r, err)
		return
	}
	rrn, phoneNo, err := s.openCitizen(c)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("login", "citizen", c.ID)
	writeJSON(w, http.StatusOK, api.LoginResponse{
		Token:          token,
		ExpiresAt:      se.ExpiresAt.UTC().Format(time.RFC3339),
		Name:           c.Name,
		MaskedRRN:      rrn.Masked(),
		IdentityMethod: c.IdentityMethod,
		Phone:          phone.Mask(phoneNo),
		ApprovalUntil:  c.ExpiresAt.UTC().Format(time.RFC3339),
	})
}

// openCitizen unseals the RRN and phone number of c.
func (s *Server) openCitizen(c *store.Citizen) (api.RRN, string, error) {
	rrn, err := s.sealer.Open(c.RRNSealed, "citizen.rrn")
	if err != nil {
		return "", "", fmt.Errorf("citizen %d rrn: %w", c.ID, err)
	}
	ph, err := s.sealer.Open(c.PhoneSealed, "citizen.phone")
	if err != nil {
		return "", "", fmt.Errorf("citizen %d phone: %w", c.ID, err)
	}
	return api.RRN(rrn), string(ph), nil
}

type sessionKey struct{}

// authed is a request's session and its citizen.
type authed struct {
	session *store.Session
	citizen *store.Citizen
}

// withSession requires a valid bearer session token whose citizen is still
// approved, and, when verified is true, a passed extra identity check.
func (s *Server) withSession(verified bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("an Authorization: Bearer session token is required"))
			return
		}
		now := s.now()
		se, err := s.store.Session(r.Context(), hashToken(token))
		if errors.Is(err, store.ErrNotFound) || err == nil && !now.Before(se.ExpiresAt) {
			writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("the session has ended"))
			return
		} else if err != nil {
			s.internal(w, r, err)
			return
		}
		c, err := s.store.CitizenByID(r.Context(), se.CitizenID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if e := approvalError(c, now); e != nil {
			writeError(w, e)
			return
		}
		if verified && !se.Verified {
			writeError(w, api.NewError(api.CodeIdentityRequired))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, &authed{session: se, citizen: c})))
	}
}

func sessionOf(r *http.Request) *authed { return r.Context().Value(sessionKey{}).(*authed) }

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteSession(r.Context(), sessionOf(r).session.TokenHash); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// codeIndex is the keyed hash under which a session's code is stored.
func (s *Server) codeIndex(tokenHash []byte, code string) []byte {
	return s.sealer.Index("code", base64.RawURLEncoding.EncodeToString(tokenHash)+":"+code)
}

// handleSendCode draws a 6-digit code and sends it to the citizen's phone.
func (s *Server) handleSendCode(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	n, err := randInt(s.rand, 1_000_000)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	code := fmt.Sprintf("%06d", n)
	now := s.now()
	exp := now.Add(CodeTTL)
	if err := s.store.PutCode(r.Context(), store.Code{TokenHash: a.session.TokenHash, CodeHash: s.codeIndex(a.session.TokenHash, code), ExpiresAt: exp}); err != nil {
		s.internal(w, r, err)
		return
	}
	_, phoneNo, err := s.openCitizen(a.citizen)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	msg := phone.Message{To: phoneNo, Channel: phone.SMS, SentAt: now,
		Text: fmt.Sprintf("[bonsign] 전자본인서명확인서 인증번호 %s (3분 안에 입력해 주세요)", code)}
	if err := s.phone.Send(r.Context(), msg); err != nil {
		s.internal(w, r, fmt.Errorf("phone gateway: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, api.CodeResponse{Channel: string(msg.Channel), Phone: phone.Mask(phoneNo), ExpiresAt: exp.UTC().Format(time.RFC3339)})
}

// handleVerifyCode checks the code the citizen typed: 3 minutes, 5 tries, one use.
func (s *Server) handleVerifyCode(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.VerifyCodeRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	c, err := s.store.AttemptCode(r.Context(), a.session.TokenHash)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeCodeExpired).WithDetail("no code was sent, or it was already used"))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	switch {
	case c.Attempts >= CodeAttempts:
		writeError(w, api.NewError(api.CodeTooManyAttempts))
	case !s.now().Before(c.ExpiresAt):
		writeError(w, api.NewError(api.CodeCodeExpired))
	case subtle.ConstantTimeCompare(c.CodeHash, s.codeIndex(a.session.TokenHash, strings.TrimSpace(req.Code))) != 1:
		writeError(w, api.NewError(api.CodeCodeInvalid).WithDetail("%d tries left", CodeAttempts-c.Attempts-1))
	default:
		if err := s.store.MarkVerified(r.Context(), a.session.TokenHash); err != nil {
			s.internal(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

func randInt(r io.Reader, max int64) (int64, error) {
	n, err := rand.Int(r, big.NewInt(max))
	if err != nil {
		return 0, err
	}
	return n.Int64(), nil
}
