package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/password"
	"github.com/bonsign/bonsign/client/server/store"
)

// Clerks' accounts and console sessions, and institutions' API keys: what the
// admin command and the clerk console manage.

// Limits of the clerks' login.
const (
	ClerkMaxFailures = 5
	ClerkLockout     = 15 * time.Minute
	ClerkSessionIdle = 30 * time.Minute
	ClerkSessionTTL  = 10 * time.Hour // a working day
)

// AddClerk creates a clerk account at an office. The password must meet the
// policy of password.CheckNew; login names follow approval.ValidLoginID.
func (s *Server) AddClerk(ctx context.Context, login, name, office, pw string) (*approval.Clerk, error) {
	login, name, office = strings.TrimSpace(login), strings.TrimSpace(name), strings.TrimSpace(office)
	inv := &approval.InvalidError{}
	if !approval.ValidLoginID(login) {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "login", Message: "Login: 4 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter.",
			MessageKo: "로그인 ID: 영문 소문자로 시작하는 4~32자"})
	}
	if name == "" || office == "" {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "office", Message: "Name and office are required.", MessageKo: "성명과 소속 기관이 필요합니다."})
	}
	if err := password.CheckNew(pw); err != nil {
		inv.Fields = append(inv.Fields, api.FieldError{Field: "password", Message: err.Error(), MessageKo: "비밀번호: 10자 이상, 문자와 숫자 또는 기호를 섞어 주세요."})
	}
	if len(inv.Fields) > 0 {
		return nil, inv
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, err
	}
	id, err := s.reg().PutClerk(ctx, store.Clerk{Login: login, Name: name, Office: office, PasswordHash: hash, CreatedAt: s.now()})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, fmt.Errorf("clerk %q: %w", login, approval.ErrLoginIDTaken)
	} else if err != nil {
		return nil, err
	}
	s.log.Info("clerk added", "clerk", id, "office", office)
	return &approval.Clerk{ID: id, Login: login, Name: name, Office: office}, nil
}

// Clerk finds a clerk's account by login, for the admin command.
func (s *Server) Clerk(ctx context.Context, login string) (*approval.Clerk, error) {
	c, err := s.reg().ClerkByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.Disabled {
		return nil, fmt.Errorf("no clerk %q", login)
	} else if err != nil {
		return nil, err
	}
	return &approval.Clerk{ID: c.ID, Login: c.Login, Name: c.Name, Office: c.Office}, nil
}

// ClerkLogin checks a clerk's password and opens a console session, whose
// token it returns. After ClerkMaxFailures wrong passwords in a row the
// account is locked for ClerkLockout (*approval.LockedError). An unknown login
// and a wrong password look alike (approval.ErrLoginFailed), in answer and in
// time.
func (s *Server) ClerkLogin(ctx context.Context, login, pw string) (*approval.Clerk, string, error) {
	reg := s.reg()
	c, err := reg.ClerkByLogin(ctx, strings.TrimSpace(login))
	if errors.Is(err, store.ErrNotFound) || err == nil && c.Disabled {
		password.VerifyNothing(pw)
		return nil, "", approval.ErrLoginFailed
	} else if err != nil {
		return nil, "", err
	}
	now := s.now()
	if now.Before(c.LockedUntil) {
		password.VerifyNothing(pw)
		return nil, "", &approval.LockedError{Until: c.LockedUntil}
	}
	ok, err := password.Verify(c.PasswordHash, pw)
	if err != nil {
		return nil, "", fmt.Errorf("clerk %d: %w", c.ID, err)
	}
	if !ok {
		until, err := reg.ClerkFailed(ctx, c.ID, ClerkMaxFailures, now.Add(ClerkLockout))
		if err != nil {
			return nil, "", err
		}
		s.log.Warn("clerk login failed", "clerk", c.ID, "locked", !until.IsZero())
		if !until.IsZero() {
			return nil, "", &approval.LockedError{Until: until}
		}
		return nil, "", approval.ErrLoginFailed
	}
	if c.Failures > 0 {
		if err := reg.ClerkSucceeded(ctx, c.ID); err != nil {
			return nil, "", err
		}
	}
	token, err := s.randomToken(32)
	if err != nil {
		return nil, "", err
	}
	err = reg.PutClerkSession(ctx, store.ClerkSession{TokenHash: hashToken(token), ClerkID: c.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(ClerkSessionTTL)})
	if err != nil {
		return nil, "", err
	}
	s.log.Info("clerk login", "clerk", c.ID)
	return &approval.Clerk{ID: c.ID, Login: c.Login, Name: c.Name, Office: c.Office}, token, nil
}

// ClerkSession finds the clerk of a console session token; an expired or
// idle session ends (approval.ErrSessionEnded).
func (s *Server) ClerkSession(ctx context.Context, token string) (*approval.Clerk, error) {
	reg := s.reg()
	se, err := reg.ClerkSession(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, approval.ErrSessionEnded
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	ended, touch := sessionState(now, se.ExpiresAt, se.LastSeenAt, ClerkSessionIdle)
	if ended {
		if err := reg.DeleteClerkSession(ctx, se.TokenHash); err != nil {
			return nil, err
		}
		return nil, approval.ErrSessionEnded
	}
	c, err := reg.ClerkByID(ctx, se.ClerkID)
	if err != nil {
		return nil, err
	}
	if c.Disabled {
		return nil, approval.ErrSessionEnded
	}
	if touch {
		if err := reg.TouchClerkSession(ctx, se.TokenHash, now); err != nil {
			return nil, err
		}
	}
	return &approval.Clerk{ID: c.ID, Login: c.Login, Name: c.Name, Office: c.Office}, nil
}

// ClerkLogout ends a console session.
func (s *Server) ClerkLogout(ctx context.Context, token string) error {
	return s.reg().DeleteClerkSession(ctx, hashToken(token))
}

// CreateInstitutionKey makes a new API key for an institution's system and
// returns it; only its hash is stored, so it is shown this once.
func (s *Server) CreateInstitutionKey(ctx context.Context, code, label string) (string, error) {
	if _, ok := s.institutions.byCode[code]; !ok {
		return "", fmt.Errorf("institution key: unknown institution %q", code)
	}
	key, err := s.randomToken(32)
	if err != nil {
		return "", err
	}
	key = "bsk_" + key
	err = s.store.PutInstitutionKey(ctx, store.InstitutionKey{KeyHash: hashToken(key), InstitutionCode: code, Label: label, CreatedAt: s.now()})
	if err != nil {
		return "", err
	}
	return key, nil
}

// sessionState says whether a console session (a clerk's or an officer's)
// has ended at now, through its lifetime or idleness, and whether its last
// use is old enough to be written down again.
func sessionState(now, expires, lastSeen time.Time, idle time.Duration) (ended, touch bool) {
	if !now.Before(expires) || now.Sub(lastSeen) >= idle {
		return true, false
	}
	return false, now.Sub(lastSeen) >= touchEvery
}
