package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/console"
	"github.com/bonsign/bonsign/client/server/institution"
	"github.com/bonsign/bonsign/client/server/password"
	"github.com/bonsign/bonsign/client/server/store"
)

// The institution side: officers of recipient institutions (수요기관), their
// logins with a password and a one-time code, their console sessions, and
// the API keys of institutions' own systems. The lookups themselves are in
// lookups.go.

// Limits of the officers' login.
const (
	OfficerMaxFailures = 5
	OfficerLockout     = 15 * time.Minute
	OfficerSessionIdle = 30 * time.Minute
	OfficerSessionTTL  = 10 * time.Hour // a working day
)

// totpIssuer names the server in officers' authenticator apps.
const totpIssuer = "bonsign"

// institutionStore is what the institution side needs from the store beyond
// Store.
type institutionStore interface {
	PutOfficer(ctx context.Context, o store.Officer) (int64, error)
	OfficerByLogin(ctx context.Context, login string) (*store.Officer, error)
	OfficerByID(ctx context.Context, id int64) (*store.Officer, error)
	OfficerFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	OfficerSucceeded(ctx context.Context, id, step int64) error
	SetOfficerDisabled(ctx context.Context, id int64, disabled bool) error
	PutOfficerSession(ctx context.Context, se store.OfficerSession) error
	OfficerSession(ctx context.Context, tokenHash []byte) (*store.OfficerSession, error)
	TouchOfficerSession(ctx context.Context, tokenHash []byte, at time.Time) error
	DeleteOfficerSession(ctx context.Context, tokenHash []byte) error

	InstitutionKeys(ctx context.Context, code string) ([]store.InstitutionKey, error)
	RevokeInstitutionKey(ctx context.Context, keyID string, at time.Time) error

	RecordLookup(ctx context.Context, l store.Lookup, since time.Time, max int, lockUntil time.Time) (time.Time, error)
	LookupLock(ctx context.Context, subject string) (time.Time, error)
	LookupsOf(ctx context.Context, issueNumber string) ([]store.Lookup, error)
	LookupsBy(ctx context.Context, officerID int64, limit int) ([]store.Lookup, error)
	LookupMisses(ctx context.Context, institutionCode string, limit int) ([]store.Lookup, error)
	PutHistoryToken(ctx context.Context, tokenHash []byte, issueNumber string, at time.Time) error
	HistoryToken(ctx context.Context, tokenHash []byte) (string, error)
}

var _ institutionStore = (*store.SQLite)(nil)

// instStore is the store as the institution side sees it.
func (s *Server) instStore() institutionStore {
	st, ok := s.store.(institutionStore)
	if !ok {
		panic(fmt.Sprintf("server: the store %T lacks the institution side's methods", s.store))
	}
	return st
}

// mountInstitution adds the citizen's lookup history and the officer console
// to mux. The officer login hashes a password (argon2id), so it counts
// against the bound on expensive requests.
func (s *Server) mountInstitution(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/lookups", s.handleLookupHistory)
	con := console.NewOfficer(s, console.Config{
		ForceSecure: s.ident.secureCookies,
		Key:         s.sealer.Index("officer-console", "csrf key"),
		Log:         s.log,
	})
	mux.Handle(console.OfficerPrefix, con)
	mux.HandleFunc("POST "+console.OfficerPrefix+"login", s.expensive(con.ServeHTTP))
	mux.Handle("GET /officer", http.RedirectHandler(console.OfficerPrefix, http.StatusSeeOther))
}

// institutionName is the directory's name of an institution code, or the
// code itself for one no longer in the directory.
func (s *Server) institutionName(code string) string {
	if e, ok := s.institutions.dir.Lookup(code); ok {
		return e.Name
	}
	return code
}

func (s *Server) officerOf(o *store.Officer) *institution.Officer {
	return &institution.Officer{ID: o.ID, Login: o.Login, Name: o.Name, InstitutionCode: o.InstitutionCode,
		InstitutionName: s.institutionName(o.InstitutionCode)}
}

// AddOfficer creates an officer's account at the institution with code (one
// of the directory's). The officer logs in with pw (drawn when "") and a
// one-time code from an authenticator app holding the returned TOTP secret;
// name is what citizens see in their lookup history. Both secrets are shown
// this once: the password is kept as an argon2id hash, the TOTP secret
// sealed.
func (s *Server) AddOfficer(ctx context.Context, code, login, name, pw string) (*institution.Enrollment, error) {
	code, login, name = strings.TrimSpace(code), strings.TrimSpace(login), strings.TrimSpace(name)
	inv := &approval.InvalidError{}
	if _, ok := s.institutions.byCode[code]; !ok {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "institution", Message: fmt.Sprintf("Institution: %q is not in the directory.", code),
			MessageKo: "기관: 기관 목록에 없는 코드입니다."})
	}
	if !approval.ValidLoginID(login) {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "login", Message: "Login: 4 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter.",
			MessageKo: "로그인 ID: 영문 소문자로 시작하는 4~32자"})
	}
	if name == "" || utf8.RuneCountInString(name) > api.MaxNameLen || !utf8.ValidString(name) {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "name", Message: "Name: required, at most 50 characters.", MessageKo: "성명: 50자 이내로 입력하세요."})
	}
	drawn := pw == ""
	if drawn {
		var err error
		if pw, err = password.Initial(s.rand); err != nil {
			return nil, err
		}
	} else if err := password.CheckNew(pw); err != nil {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "password", Message: err.Error(), MessageKo: "비밀번호: 10자 이상, 문자와 숫자 또는 기호를 섞어 주세요."})
	}
	if len(inv.Fields) > 0 {
		return nil, inv
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, err
	}
	uri, secret, err := institution.NewTOTP(totpIssuer, login, s.rand)
	if err != nil {
		return nil, err
	}
	id, err := s.instStore().PutOfficer(ctx, store.Officer{InstitutionCode: code, Login: login, Name: name, PasswordHash: hash,
		TOTPSealed: s.sealer.Seal([]byte(secret), "officer.totp"), CreatedAt: s.now()})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, fmt.Errorf("officer %q: %w", login, institution.ErrLoginTaken)
	} else if err != nil {
		return nil, err
	}
	s.log.Info("officer added", "officer", id, "institution", code)
	e := &institution.Enrollment{TOTPURI: uri, TOTPSecret: secret,
		Officer: institution.Officer{ID: id, Login: login, Name: name, InstitutionCode: code, InstitutionName: s.institutionName(code)}}
	if drawn {
		e.Password = pw
	}
	return e, nil
}

// DisableOfficer closes an officer's account: their sessions end and they
// cannot log in again. Their lookups stay in the log.
func (s *Server) DisableOfficer(ctx context.Context, login string) error {
	o, err := s.instStore().OfficerByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no officer %q", login)
	} else if err != nil {
		return err
	}
	if err := s.instStore().SetOfficerDisabled(ctx, o.ID, true); err != nil {
		return err
	}
	s.log.Info("officer disabled", "officer", o.ID)
	return nil
}

// OfficerLogin checks an officer's password and one-time code and opens a
// console session, whose token it returns. A wrong password, a wrong code and
// a code already used (RFC 6238 section 5.2: each is accepted once) all look
// alike (institution.ErrLoginFailed), as does an unknown login, in answer
// and as far as possible in time; each counts as a failure, and after
// OfficerMaxFailures in a row the account is locked for OfficerLockout
// (*institution.LockedError).
func (s *Server) OfficerLogin(ctx context.Context, login, pw, code string) (*institution.Officer, string, error) {
	st := s.instStore()
	o, err := st.OfficerByLogin(ctx, strings.TrimSpace(login))
	if errors.Is(err, store.ErrNotFound) || err == nil && o.Disabled {
		password.VerifyNothing(pw)
		institution.CheckTOTP(decoyTOTP, code, s.now())
		return nil, "", institution.ErrLoginFailed
	} else if err != nil {
		return nil, "", err
	}
	now := s.now()
	if now.Before(o.LockedUntil) {
		password.VerifyNothing(pw)
		return nil, "", &institution.LockedError{Until: o.LockedUntil}
	}
	pwOK, err := password.Verify(o.PasswordHash, pw)
	if err != nil {
		return nil, "", fmt.Errorf("officer %d: %w", o.ID, err)
	}
	secret, err := s.sealer.Open(o.TOTPSealed, "officer.totp")
	if err != nil {
		return nil, "", fmt.Errorf("officer %d: totp secret: %w", o.ID, err)
	}
	step, codeOK := institution.CheckTOTP(string(secret), code, now)
	if pwOK && codeOK {
		err = st.OfficerSucceeded(ctx, o.ID, step)
		if errors.Is(err, store.ErrReplayed) {
			codeOK = false
			s.log.Warn("officer one-time code replayed", "officer", o.ID)
		} else if err != nil {
			return nil, "", err
		}
	}
	if !pwOK || !codeOK {
		until, err := st.OfficerFailed(ctx, o.ID, OfficerMaxFailures, now.Add(OfficerLockout))
		if err != nil {
			return nil, "", err
		}
		s.log.Warn("officer login failed", "officer", o.ID, "locked", !until.IsZero())
		if !until.IsZero() {
			return nil, "", &institution.LockedError{Until: until}
		}
		return nil, "", institution.ErrLoginFailed
	}
	token, err := s.randomToken(32)
	if err != nil {
		return nil, "", err
	}
	err = st.PutOfficerSession(ctx, store.OfficerSession{TokenHash: hashToken(token), OfficerID: o.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(OfficerSessionTTL)})
	if err != nil {
		return nil, "", err
	}
	s.log.Info("officer login", "officer", o.ID)
	return s.officerOf(o), token, nil
}

// decoyTOTP is a TOTP secret of no one, checked against when the login is
// unknown so that the work done is the same.
const decoyTOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// OfficerSession finds the officer of a console session token; an expired
// or idle session ends (institution.ErrSessionEnded), as does every session
// of a disabled officer.
func (s *Server) OfficerSession(ctx context.Context, token string) (*institution.Officer, error) {
	st := s.instStore()
	se, err := st.OfficerSession(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, institution.ErrSessionEnded
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	ended, touch := sessionState(now, se.ExpiresAt, se.LastSeenAt, OfficerSessionIdle)
	if ended {
		if err := st.DeleteOfficerSession(ctx, se.TokenHash); err != nil {
			return nil, err
		}
		return nil, institution.ErrSessionEnded
	}
	o, err := st.OfficerByID(ctx, se.OfficerID)
	if err != nil {
		return nil, err
	}
	if o.Disabled {
		return nil, institution.ErrSessionEnded
	}
	if touch {
		if err := st.TouchOfficerSession(ctx, se.TokenHash, now); err != nil {
			return nil, err
		}
	}
	return s.officerOf(o), nil
}

// OfficerLogout ends a console session.
func (s *Server) OfficerLogout(ctx context.Context, token string) error {
	return s.instStore().DeleteOfficerSession(ctx, hashToken(token))
}

// ClientAddress is the address a request comes from, as the per-address
// limits see it (see WithTrustedProxy).
func (s *Server) ClientAddress(r *http.Request) string { return s.clientAddress(r) }

// KeyID names an institution API key in listings, logs and revocations: the
// hex of the first 6 bytes of its SHA-256. It reveals nothing of the key.
func KeyID(key string) string { return hex.EncodeToString(hashToken(key)[:6]) }

// InstitutionKey describes an institution API key, never the key itself.
type InstitutionKey struct {
	ID              string
	InstitutionCode string
	Label           string
	CreatedAt       time.Time
	RevokedAt       time.Time // zero while it works
}

// InstitutionKeys lists the API keys of an institution ("" for every
// institution), revoked ones included.
func (s *Server) InstitutionKeys(ctx context.Context, code string) ([]InstitutionKey, error) {
	ks, err := s.instStore().InstitutionKeys(ctx, code)
	if err != nil {
		return nil, err
	}
	out := make([]InstitutionKey, len(ks))
	for i, k := range ks {
		out[i] = InstitutionKey{ID: k.KeyID, InstitutionCode: k.InstitutionCode, Label: k.Label, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
	}
	return out, nil
}

// RevokeInstitutionKey stops the key with id (see KeyID) from working, at
// once. Its lookups stay in the log.
func (s *Server) RevokeInstitutionKey(ctx context.Context, id string) error {
	err := s.instStore().RevokeInstitutionKey(ctx, strings.ToLower(strings.TrimSpace(id)), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no working institution key %q", id)
	}
	if err == nil {
		s.log.Info("institution key revoked", "key", id)
	}
	return err
}
