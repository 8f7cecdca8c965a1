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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/password"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/signer/npki"
)

// Citizen login (R5). Two ways in:
//
//   - the certificate alone: POST /v1/login with a signed nonce;
//   - ID and password first (POST /v1/login/password), which opens a session
//     at the password stage, then the same POST /v1/login with that session's
//     token, which moves it to the certificate stage under a new token. A
//     session at the password stage whose initial password was never changed
//     may only change it (POST /v1/password) or log out.
//
// The certificate is bound to the approved citizen through its VID for Korean
// NPKI certificates (the client sends R, and the number when nothing else says
// who the citizen is), otherwise through the certificate registered at
// approval. Then comes the extra identity check chosen at approval: a code by
// phone (text or voice) or a signature by the security token's certificate.

// Limits of logins and sessions besides those in server.go.
const (
	// SessionIdleTimeout ends a session unused this long, before SessionTTL.
	SessionIdleTimeout = 15 * time.Minute
	// PasswordStageTTL is how long a session may stay at the password stage.
	PasswordStageTTL = 10 * time.Minute
	// PasswordMaxFailures wrong passwords in a row lock the account for
	// PasswordLockout.
	PasswordMaxFailures = 5
	PasswordLockout     = 30 * time.Minute
	// CodeResendGap is the shortest time between two codes sent to one
	// citizen, and CodesPerHour the most sent in any hour.
	CodeResendGap = 30 * time.Second
	CodesPerHour  = 5

	// touchEvery bounds how often a session's last use is written: the idle
	// timeout is exact to within this, and a busy session costs no write
	// per request.
	touchEvery = time.Minute
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

func bearer(r *http.Request) string {
	t, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return t
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal error", "path", r.URL.Path, "err", err.Error())
	writeError(w, api.NewError(api.CodeInternal))
}

// handleChallenge issues a fresh single-use nonce, for a login or a token check.
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

// takeNonce uses up a nonce: any attempt, failed or not, spends it.
func (s *Server) takeNonce(ctx context.Context, nonce string, now time.Time) (*api.Error, error) {
	exp, err := s.store.TakeChallenge(ctx, nonce)
	if errors.Is(err, store.ErrNotFound) {
		return api.NewError(api.CodeChallengeInvalid).WithDetail("unknown or already used nonce"), nil
	} else if err != nil {
		return nil, err
	}
	if !now.Before(exp) {
		return api.NewError(api.CodeChallengeInvalid).WithDetail("the nonce has expired"), nil
	}
	return nil, nil
}

// approvalError says why citizen c may not use the system at now (R1, R2), or nil.
func approvalError(c *store.Citizen, now time.Time) *api.Error {
	switch approval.StatusAt(c.ExpiresAt, c.RevokedAt, now) {
	case approval.StatusRevoked:
		return api.NewError(api.CodeApprovalRevoked)
	case approval.StatusExpired:
		return api.NewError(api.CodeApprovalExpired)
	}
	if now.Before(c.ApprovedAt) {
		return api.NewError(api.CodeNotApproved)
	}
	return nil
}

// pendingSession finds the password-stage session a certificate login
// continues: the live password-stage session of the request's bearer token.
// Any other token (none, ended, already at the certificate stage: clients
// keep their last token) is no password step, and the login stands on the
// certificate alone.
func (s *Server) pendingSession(r *http.Request, now time.Time) (*store.Session, error) {
	token := bearer(r)
	if token == "" {
		return nil, nil
	}
	se, err := s.store.Session(r.Context(), hashToken(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case se.Stage != store.StagePassword || !now.Before(se.ExpiresAt) || now.Sub(se.LastSeenAt) >= SessionIdleTimeout:
		return nil, nil
	}
	return se, nil
}

// handleLogin checks a signed nonce, binds the certificate to an approved
// citizen, checks its revocation, and opens a session (R5).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req api.LoginRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	ctx := r.Context()
	now := s.now()
	pending, err := s.pendingSession(r, now)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	sg, e, err := s.signedNonce(ctx, req.Nonce, req.Signature, api.LoginContent(req.Nonce), now)
	if err != nil {
		s.internal(w, r, err)
		return
	} else if e != nil {
		writeError(w, e)
		return
	}
	c, e, err := s.bindCertificate(ctx, sg, pending, &req)
	if err != nil {
		s.internal(w, r, err)
		return
	} else if e != nil {
		writeError(w, e)
		return
	}
	if e := approvalError(c, now); e != nil {
		writeError(w, e)
		return
	}
	if pending != nil && c.PasswordMustChange {
		writeError(w, api.NewError(api.CodePasswordChangeRequired))
		return
	}
	if e := s.revocationError(ctx, req.Signature, sg.cert, now); e != nil {
		writeError(w, e)
		return
	}
	token, err := s.randomToken(32)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	se := store.Session{TokenHash: hashToken(token), CitizenID: c.ID, CertFingerprint: sg.fingerprint,
		Stage: store.StageCertificate, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionTTL)}
	if pending != nil {
		err = s.reg().UpgradeSession(ctx, pending.TokenHash, se)
	} else {
		err = s.store.PutSession(ctx, se)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("the session has ended"))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	rrn, phoneNo, err := s.openCitizen(c)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	consent, err := s.consentOf(c)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("login", "citizen", c.ID, "password_first", pending != nil)
	writeJSON(w, http.StatusOK, api.LoginResponse{
		Token:                  token,
		ExpiresAt:              se.ExpiresAt.UTC().Format(time.RFC3339),
		Name:                   c.Name,
		MaskedRRN:              rrn.Masked(),
		IdentityMethod:         c.IdentityMethod,
		Phone:                  phone.Mask(phoneNo),
		ApprovalUntil:          c.ExpiresAt.UTC().Format(time.RFC3339),
		RenewableFrom:          approval.RenewalOpens(c.ExpiresAt).UTC().Format(time.RFC3339),
		IdleTimeoutSeconds:     int(SessionIdleTimeout / time.Second),
		PasswordChangeRequired: c.PasswordMustChange,
		Channels:               channels(c),
		GuardianConsent:        apiConsent(consent),
	})
}

// bindCertificate finds the approved citizen a login certificate belongs to.
// The citizen is the one of the password-stage session, or the holder of the
// number the client sent, or the one who registered this certificate. An NPKI
// certificate (one with a VID) must then give its VID from the citizen's
// number and the R the client sent; any other certificate must be the one
// registered at approval.
func (s *Server) bindCertificate(ctx context.Context, sg *signed, pending *store.Session, req *api.LoginRequest) (*store.Citizen, *api.Error, error) {
	_, _, _, vidErr := npki.VID(sg.cert)
	hasVID := vidErr == nil
	if vidErr != nil && !errors.Is(vidErr, npki.ErrNoVID) {
		return nil, api.NewError(api.CodeCertMismatch).WithDetail("the certificate's identifyData cannot be read"), nil
	}
	var c *store.Citizen
	var err error
	switch {
	case pending != nil:
		c, err = s.store.CitizenByID(ctx, pending.CitizenID)
	case req.RRN != "":
		rrn, perr := api.ParseRRN(req.RRN)
		if perr != nil {
			e := api.NewError(api.CodeInvalidField)
			e.Fields = []api.FieldError{{Field: "rrn", Message: "Resident registration number: 13 digits, YYMMDD-SBBBBBB.",
				MessageKo: "주민등록번호: 13자리 숫자(YYMMDD-SBBBBBB)로 입력하세요."}}
			return nil, e, nil
		}
		c, err = s.store.CitizenByRRN(ctx, s.sealer.Index("rrn", string(rrn)))
	default:
		c, err = s.store.CitizenByCert(ctx, sg.fingerprint)
	}
	if errors.Is(err, store.ErrNotFound) {
		if hasVID && pending == nil && req.RRN == "" {
			return nil, api.NewError(api.CodeNotApproved).WithDetail("an NPKI certificate not registered at approval needs the resident registration number (rrn) and R (random_num)"), nil
		}
		return nil, api.NewError(api.CodeNotApproved), nil
	} else if err != nil {
		return nil, nil, err
	}
	if !hasVID {
		if c.CertFingerprint == "" || subtle.ConstantTimeCompare([]byte(c.CertFingerprint), []byte(sg.fingerprint)) != 1 {
			return nil, api.NewError(api.CodeCertMismatch).WithDetail("not the certificate registered at approval"), nil
		}
		return c, nil, nil
	}
	if len(req.RandomNum) == 0 {
		e := api.NewError(api.CodeInvalidField)
		e.Fields = []api.FieldError{{Field: "random_num", Message: "An NPKI certificate needs R, the random number in its private key, to check its VID.",
			MessageKo: "공동인증서의 본인확인(VID)에는 개인키의 난수(R)가 필요합니다."}}
		return nil, e, nil
	}
	rrn, err := s.sealer.Open(c.RRNSealed, "citizen.rrn")
	if err != nil {
		return nil, nil, fmt.Errorf("citizen %d rrn: %w", c.ID, err)
	}
	// R and the number stay in this function: neither is logged nor stored.
	if err := npki.CheckVID(sg.cert, string(rrn), req.RandomNum); err != nil {
		return nil, api.NewError(api.CodeCertMismatch).WithDetail("the certificate's VID is not that of the approved citizen"), nil
	}
	return c, nil, nil
}

// channels lists the phone channels c may choose, their default first.
func channels(c *store.Citizen) []string {
	var out []string
	switch c.IdentityMethod {
	case MethodMobile:
		out = []string{approval.ChannelSMS, approval.ChannelVoice}
	case MethodLandline:
		out = []string{approval.ChannelVoice}
		if c.TextCapable {
			out = append(out, approval.ChannelSMS)
		}
	default:
		return nil
	}
	if i := slices.Index(out, c.CodeChannel); i > 0 {
		out[0], out[i] = out[i], out[0]
	}
	return out
}

// handlePasswordLogin is the first step of the ID/password login: it checks
// the password and opens a session at the password stage, which the
// certificate login completes.
func (s *Server) handlePasswordLogin(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordLoginRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	ctx := r.Context()
	now := s.now()
	reg := s.reg()
	c, err := reg.CitizenByLoginID(ctx, strings.ToLower(strings.TrimSpace(req.LoginID)))
	if errors.Is(err, store.ErrNotFound) {
		password.VerifyNothing(req.Password)
		writeError(w, api.NewError(api.CodeLoginFailed))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if e, err := s.checkPassword(ctx, c, req.Password, now); err != nil {
		s.internal(w, r, err)
		return
	} else if e != nil {
		writeError(w, e)
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
	se := store.Session{TokenHash: hashToken(token), CitizenID: c.ID, Stage: store.StagePassword,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(PasswordStageTTL)}
	if err := s.store.PutSession(ctx, se); err != nil {
		s.internal(w, r, err)
		return
	}
	next := "certificate"
	if c.PasswordMustChange {
		next = "change_password"
	}
	s.log.Info("password login", "citizen", c.ID)
	writeJSON(w, http.StatusOK, api.PasswordLoginResponse{Token: token, ExpiresAt: se.ExpiresAt.UTC().Format(time.RFC3339),
		PasswordChangeRequired: c.PasswordMustChange, Next: next})
}

// checkPassword checks a citizen's password, counting failures and locking
// the account after PasswordMaxFailures in a row.
func (s *Server) checkPassword(ctx context.Context, c *store.Citizen, pw string, now time.Time) (*api.Error, error) {
	if now.Before(c.PasswordLockedUntil) {
		password.VerifyNothing(pw)
		return lockedError(c.PasswordLockedUntil), nil
	}
	ok, err := password.Verify(c.PasswordHash, pw)
	if err != nil {
		return nil, fmt.Errorf("citizen %d password: %w", c.ID, err)
	}
	reg := s.reg()
	if !ok {
		until, err := reg.PasswordFailed(ctx, c.ID, PasswordMaxFailures, now.Add(PasswordLockout))
		if err != nil {
			return nil, err
		}
		if !until.IsZero() {
			s.log.Warn("citizen password locked", "citizen", c.ID)
			return lockedError(until), nil
		}
		return api.NewError(api.CodeLoginFailed), nil
	}
	if c.PasswordFailures > 0 {
		return nil, reg.PasswordSucceeded(ctx, c.ID)
	}
	return nil, nil
}

func lockedError(until time.Time) *api.Error {
	return api.NewError(api.CodeAccountLocked).WithDetail("locked until %s", until.UTC().Format(time.RFC3339))
}

// handleChangePassword changes the citizen's password; it is how the initial
// password is replaced at first use.
func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.ChangePasswordRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	ctx := r.Context()
	now := s.now()
	if e, err := s.checkPassword(ctx, a.citizen, req.CurrentPassword, now); err != nil {
		s.internal(w, r, err)
		return
	} else if e != nil {
		writeError(w, e)
		return
	}
	var problem string
	switch {
	case password.CheckNew(req.NewPassword) != nil:
		problem = fmt.Sprintf("New password: at least %d characters, with letters and digits or symbols.|새 비밀번호: %d자 이상으로, 문자와 숫자 또는 기호를 섞어 주세요.", password.MinLength, password.MinLength)
	case req.NewPassword == req.CurrentPassword:
		problem = "New password: it must differ from the current one.|새 비밀번호: 지금 비밀번호와 달라야 합니다."
	case strings.Contains(strings.ToLower(req.NewPassword), a.citizen.LoginID):
		problem = "New password: it must not contain the login ID.|새 비밀번호: 아이디를 포함할 수 없습니다."
	}
	if problem != "" {
		en, ko, _ := strings.Cut(problem, "|")
		e := api.NewError(api.CodeInvalidField)
		e.Fields = []api.FieldError{{Field: "new_password", Message: en, MessageKo: ko}}
		writeError(w, e)
		return
	}
	hash, err := password.Hash(req.NewPassword)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	h := history(now.Truncate(time.Millisecond), "citizen", "", approval.ActionPasswordChange, nil)
	if err := s.reg().SetPassword(ctx, a.citizen.ID, hash, false, h); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("password changed", "citizen", a.citizen.ID)
	writeJSON(w, http.StatusOK, struct{}{})
}

type sessionKey struct{}

// authed is a request's session and its citizen.
type authed struct {
	session *store.Session
	citizen *store.Citizen
}

// liveSession finds the session of token, ending it when it has expired or
// been idle too long.
func (s *Server) liveSession(ctx context.Context, token string, now time.Time) (*store.Session, *api.Error, error) {
	se, err := s.store.Session(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.NewError(api.CodeUnauthenticated).WithDetail("the session has ended"), nil
	} else if err != nil {
		return nil, nil, err
	}
	var why string
	switch {
	case !now.Before(se.ExpiresAt):
		why = "the session has expired"
	case now.Sub(se.LastSeenAt) >= SessionIdleTimeout:
		why = "the session was idle too long"
	default:
		if now.Sub(se.LastSeenAt) >= touchEvery {
			if err := s.reg().TouchSession(ctx, se.TokenHash, now); err != nil {
				return nil, nil, err
			}
		}
		return se, nil, nil
	}
	if err := s.store.DeleteSession(ctx, se.TokenHash); err != nil {
		return nil, nil, err
	}
	return nil, api.NewError(api.CodeUnauthenticated).WithDetail("%s", why), nil
}

// withSession requires a valid bearer session token whose citizen is still
// approved, and, when verified is true, a passed extra identity check. A
// session at the password stage passes when verified is false: the handlers
// that need the certificate stage check it themselves.
func (s *Server) withSession(verified bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("an Authorization: Bearer session token is required"))
			return
		}
		now := s.now()
		se, e, err := s.liveSession(r.Context(), token, now)
		if err != nil {
			s.internal(w, r, err)
			return
		} else if e != nil {
			writeError(w, e)
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

// identityStageError says why a session may not take the extra identity check
// by method, or nil.
func identityStageError(a *authed, method string) *api.Error {
	if a.session.Stage != store.StageCertificate {
		return api.NewError(api.CodeLoginIncomplete)
	}
	if (method == MethodToken) != (a.citizen.IdentityMethod == MethodToken) {
		ko, en := approval.MethodLabel(a.citizen.IdentityMethod)
		return api.NewError(api.CodeIdentityMethodMismatch).WithDetail("the method chosen at approval is %s (%s)", en, ko)
	}
	return nil
}

// codeIndex is the keyed hash under which a session's code is stored.
func (s *Server) codeIndex(tokenHash []byte, code string) []byte {
	return s.sealer.Index("code", base64.RawURLEncoding.EncodeToString(tokenHash)+":"+code)
}

// codeText is what the citizen reads, or hears: a voice call reads the digits
// one by one, twice.
func codeText(code string, ch phone.Channel) string {
	if ch == phone.Voice {
		spoken := strings.Join(strings.Split(code, ""), ", ")
		return fmt.Sprintf("전자본인서명확인서 발급시스템입니다. 인증번호를 알려 드립니다. %s. 다시 한 번 알려 드립니다. %s.", spoken, spoken)
	}
	return fmt.Sprintf("[bonsign] 전자본인서명확인서 인증번호 %s (3분 안에 입력해 주세요)", code)
}

// handleSendCode draws a 6-digit code and sends it to the citizen's phone by
// the channel asked for (or the default chosen at approval). Sends to one
// citizen are limited: one per CodeResendGap, CodesPerHour an hour.
func (s *Server) handleSendCode(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.CodeRequest
	if e := decode(w, r, maxBody, &req); e != nil && r.ContentLength != 0 {
		writeError(w, e)
		return
	}
	if e := identityStageError(a, MethodMobile); e != nil {
		writeError(w, e)
		return
	}
	allowed := channels(a.citizen)
	ch := req.Channel
	if ch == "" {
		ch = allowed[0]
	}
	if !slices.Contains(allowed, ch) {
		e := api.NewError(api.CodeInvalidField)
		e.Fields = []api.FieldError{{Field: "channel", Message: fmt.Sprintf("Channel: this phone can be reached by %s.", strings.Join(allowed, " or ")),
			MessageKo: "수신 방법: 등록된 전화로 받을 수 없는 방법입니다."}}
		writeError(w, e)
		return
	}
	now := s.now()
	err := s.reg().RecordCodeSend(r.Context(), a.citizen.ID, now, CodeResendGap, CodesPerHour)
	var limited *store.RateLimitedError
	if errors.As(err, &limited) {
		wait := max(int(limited.RetryAt.Sub(now).Seconds()+0.999), 1)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeError(w, api.NewError(api.CodeRateLimited).WithDetail("another code can be sent in %d seconds", wait))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	n, err := randInt(s.rand, 1_000_000)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	code := fmt.Sprintf("%06d", n)
	exp := now.Add(CodeTTL)
	if err := s.store.PutCode(r.Context(), store.Code{TokenHash: a.session.TokenHash, CodeHash: s.codeIndex(a.session.TokenHash, code),
		Channel: ch, ExpiresAt: exp}); err != nil {
		s.internal(w, r, err)
		return
	}
	_, phoneNo, err := s.openCitizen(a.citizen)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	msg := phone.Message{To: phoneNo, Channel: phone.Channel(ch), SentAt: now, Code: code, Text: codeText(code, phone.Channel(ch))}
	if err := s.phone.Send(r.Context(), msg); err != nil {
		s.internal(w, r, fmt.Errorf("phone gateway: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, api.CodeResponse{Channel: ch, Phone: phone.Mask(phoneNo), ExpiresAt: exp.UTC().Format(time.RFC3339),
		ResendAfter: now.Add(CodeResendGap).UTC().Format(time.RFC3339)})
}

// handleVerifyCode checks the code the citizen typed: 3 minutes, 5 tries, one use.
func (s *Server) handleVerifyCode(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.VerifyCodeRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	if e := identityStageError(a, MethodMobile); e != nil {
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

// handleTokenCheck is the extra identity check for a citizen who chose the
// security token: a fresh nonce signed with the token's certificate, the one
// registered at approval.
func (s *Server) handleTokenCheck(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.TokenCheckRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	if e := identityStageError(a, MethodToken); e != nil {
		writeError(w, e)
		return
	}
	ctx := r.Context()
	now := s.now()
	sg, e, err := s.signedNonce(ctx, req.Nonce, req.Signature, api.IdentityContent(req.Nonce), now)
	if err != nil {
		s.internal(w, r, err)
		return
	} else if e != nil {
		writeError(w, e)
		return
	}
	if subtle.ConstantTimeCompare([]byte(sg.fingerprint), []byte(a.citizen.TokenFingerprint)) != 1 {
		writeError(w, api.NewError(api.CodeCertMismatch).WithDetail("not the security token's certificate registered at approval"))
		return
	}
	if e := s.revocationError(ctx, req.Signature, sg.cert, now); e != nil {
		writeError(w, e)
		return
	}
	if err := s.store.MarkVerified(ctx, a.session.TokenHash); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("token check passed", "citizen", a.citizen.ID)
	writeJSON(w, http.StatusOK, struct{}{})
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

func randInt(r io.Reader, max int64) (int64, error) {
	n, err := rand.Int(r, big.NewInt(max))
	if err != nil {
		return 0, err
	}
	return n.Int64(), nil
}

// signedNonce takes the single-use nonce (before anything else is checked,
// so that a failed attempt uses it up) and verifies that signature signs
// exactly content, the nonce bound to its purpose.
func (s *Server) signedNonce(ctx context.Context, nonce string, signature, content []byte, now time.Time) (*signed, *api.Error, error) {
	if e, err := s.takeNonce(ctx, nonce, now); err != nil || e != nil {
		return nil, e, err
	}
	sg, e := s.verifyCMS(signature, content, now)
	if e != nil && e.Code == api.CodeContentMismatch {
		e = api.NewError(api.CodeSignatureInvalid).WithDetail("the signed content is not this nonce")
	}
	return sg, e, nil
}
