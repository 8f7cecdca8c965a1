package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/console"
	"github.com/bonsign/bonsign/client/server/password"
	"github.com/bonsign/bonsign/client/server/phone"
	"github.com/bonsign/bonsign/client/server/store"
)

// The approval registry (R1-R4): approvals granted in person by a clerk,
// renewed in the 30 days before they expire, revoked with a reason; every
// change an append-only history row. The rules themselves are in package
// approval; this file applies them to the store.

// Identity methods a citizen picks at approval (R3).
const (
	MethodMobile   = approval.MethodMobile
	MethodLandline = approval.MethodLandline
	MethodToken    = approval.MethodToken
)

// Approval is what a clerk records when approving a citizen in person (R1, R3, R4).
type Approval = approval.Request

// ErrAlreadyApproved is returned when the citizen already has an approval in
// force: it is renewed, not approved again.
var ErrAlreadyApproved = approval.ErrAlreadyApproved

// identity holds the settings and caches of the registry, the logins and the
// console. Its zero value is the default configuration.
type identity struct {
	validityYears int              // 0: approval.DefaultValidityYears
	revocation    RevocationPolicy // FailClosed unless set
	crlClient     *http.Client
	secureCookies bool // console cookies are Secure even on plain HTTP

	crlOnce sync.Once
	crl     *crlCache
}

// WithApprovalValidity sets how many years an approval (and a renewal) holds;
// the procedure says 2, some offices now use 4.
func WithApprovalValidity(years int) Option {
	return func(s *Server) { s.ident.validityYears = years }
}

// WithRevocationPolicy sets what happens when a certificate's CRL cannot be
// fetched: FailClosed (the default) refuses the login, FailOpen lets it in
// and logs a warning.
func WithRevocationPolicy(p RevocationPolicy) Option {
	return func(s *Server) { s.ident.revocation = p }
}

// WithCRLClient sets the HTTP client that fetches CRLs (default: 10-second
// timeout).
func WithCRLClient(c *http.Client) Option { return func(s *Server) { s.ident.crlClient = c } }

// WithSecureCookies makes the clerk console mark its cookies Secure even on
// plain HTTP requests: for a server behind a proxy that terminates TLS.
// Without it they are Secure exactly when the request came over TLS, since
// browsers do not send Secure cookies over plain HTTP.
func WithSecureCookies(always bool) Option { return func(s *Server) { s.ident.secureCookies = always } }

func (s *Server) validityYears() int {
	if s.ident.validityYears > 0 {
		return s.ident.validityYears
	}
	return approval.DefaultValidityYears
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.now() }

// mountIdentity adds the endpoints of the ID/password login, the password
// change, the token check and the clerk console to mux. What hashes a
// password (argon2id, 19 MiB each) or checks a signature counts against the
// server's bound on expensive requests.
func (s *Server) mountIdentity(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/login/password", s.expensive(s.handlePasswordLogin))
	mux.HandleFunc("POST /v1/password", s.withSession(false, s.expensive(s.handleChangePassword)))
	mux.HandleFunc("POST /v1/identity/token", s.withSession(false, s.expensive(s.handleTokenCheck)))
	con := console.New(s, console.Config{
		ForceSecure: s.ident.secureCookies,
		Key:         s.sealer.Index("console", "csrf and reference key"),
		Log:         s.log,
	})
	mux.Handle(console.Prefix, con)
	mux.HandleFunc("POST "+console.Prefix+"login", s.expensive(con.ServeHTTP))
	mux.Handle("GET /console", http.RedirectHandler(console.Prefix, http.StatusSeeOther))
}

// registryStore is what the registry needs from the store beyond Store.
type registryStore interface {
	InsertCitizen(ctx context.Context, c store.Citizen, h store.History) (int64, error)
	ReplaceCitizen(ctx context.Context, prev *store.Citizen, c store.Citizen, h store.History) error
	RenewCitizen(ctx context.Context, id int64, prevExpires, expires time.Time, h store.History) error
	RevokeCitizen(ctx context.Context, id int64, at time.Time, reason string, h store.History) error
	SetConsent(ctx context.Context, id int64, limited bool, sealed []byte, h store.History) error
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, h store.History) error
	PasswordFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	PasswordSucceeded(ctx context.Context, id int64) error
	CitizenByLoginID(ctx context.Context, loginID string) (*store.Citizen, error)
	History(ctx context.Context, citizenID int64) ([]store.History, error)

	UpgradeSession(ctx context.Context, oldHash []byte, se store.Session) error
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	RecordCodeSend(ctx context.Context, citizenID int64, now time.Time, gap time.Duration, perHour int) error

	PutClerk(ctx context.Context, c store.Clerk) (int64, error)
	ClerkByLogin(ctx context.Context, login string) (*store.Clerk, error)
	ClerkByID(ctx context.Context, id int64) (*store.Clerk, error)
	ClerkFailed(ctx context.Context, id int64, max int, lockUntil time.Time) (time.Time, error)
	ClerkSucceeded(ctx context.Context, id int64) error
	PutClerkSession(ctx context.Context, se store.ClerkSession) error
	ClerkSession(ctx context.Context, tokenHash []byte) (*store.ClerkSession, error)
	TouchClerkSession(ctx context.Context, tokenHash []byte, at time.Time) error
	DeleteClerkSession(ctx context.Context, tokenHash []byte) error
}

var _ registryStore = (*store.SQLite)(nil)

// reg is the store as the registry sees it.
func (s *Server) reg() registryStore {
	r, ok := s.store.(registryStore)
	if !ok {
		panic(fmt.Sprintf("server: the store %T lacks the approval registry's methods", s.store))
	}
	return r
}

// history builds a history row; detail is marshalled to JSON and must hold no
// personal data in clear.
func history(at time.Time, actor, office, action string, detail map[string]any) store.History {
	d := "{}"
	if len(detail) > 0 {
		b, _ := json.Marshal(detail)
		d = string(b)
	}
	return store.History{At: at, Actor: actor, Office: office, Action: action, Detail: d}
}

// short names a certificate fingerprint in the history.
func short(fp string) string {
	if len(fp) > 16 {
		return "sha256:" + fp[:16]
	}
	return fp
}

// checkApprovalCert checks a certificate a clerk registers: it must be valid
// now, meant for signatures, and chain to the trust anchors (through chain).
func (s *Server) checkApprovalCert(field string, cert *x509.Certificate, chain []*x509.Certificate, now time.Time) error {
	if cert == nil {
		return nil
	}
	fail := func(en, ko string) error {
		inv := &approval.InvalidError{}
		inv.Fields = append(inv.Fields, api.FieldError{Field: field, Message: "Certificate: " + en, MessageKo: "인증서: " + ko})
		return inv
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return fail("it is outside its validity.", "유효기간이 지났거나 아직 시작되지 않았습니다.")
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fail("it may not be used for signatures.", "전자서명용 인증서가 아닙니다.")
	}
	inter := x509.NewCertPool()
	for _, c := range chain {
		inter.AddCert(c)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return fail("it was not issued by a recognised certificate authority.", "인정된 인증기관이 발급한 인증서가 아닙니다.")
	}
	return nil
}

// Approve records an in-person approval, valid for the configured years from
// today, and returns what the clerk hands the citizen: the login ID and the
// initial password (shown once). A citizen whose earlier approval expired or
// was revoked is approved again in place, keeping their history; one whose
// approval is in force gets ErrAlreadyApproved (renew it instead).
func (s *Server) Approve(ctx context.Context, a Approval) (*approval.Granted, error) {
	n, rrn, warnings, err := a.Normalized()
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Millisecond)
	if err := s.checkApprovalCert("certificate", n.Certificate, n.Intermediates, now); err != nil {
		return nil, err
	}
	if n.TokenCertificate != n.Certificate {
		if err := s.checkApprovalCert("token_certificate", n.TokenCertificate, n.Intermediates, now); err != nil {
			return nil, err
		}
	}
	by := approval.Clerk{Login: n.Clerk, Office: n.Office}
	var consent *approval.Consent
	if n.Consent != nil && !n.Consent.Empty() {
		if consent, err = n.Consent.Validate(by, now); err != nil {
			return nil, err
		}
	}
	if err := approval.CheckNewConsent(rrn, n.LimitedGuardianship, consent, now); err != nil {
		return nil, err
	}
	initial, err := password.Initial(s.rand)
	if err != nil {
		return nil, err
	}
	hash, err := password.Hash(initial)
	if err != nil {
		return nil, err
	}
	c := store.Citizen{
		Name:                n.Name,
		RRNIndex:            s.sealer.Index("rrn", string(rrn)),
		RRNSealed:           s.sealer.Seal([]byte(rrn), "citizen.rrn"),
		AddressSealed:       s.sealer.Seal([]byte(n.Address), "citizen.address"),
		PhoneSealed:         s.sealer.Seal([]byte(n.Phone), "citizen.phone"),
		IdentityMethod:      n.IdentityMethod,
		CodeChannel:         n.Channel,
		TextCapable:         n.TextCapable,
		LoginID:             n.LoginID,
		PasswordHash:        hash,
		PasswordMustChange:  true,
		LimitedGuardianship: n.LimitedGuardianship,
		Office:              n.Office,
		Clerk:               n.Clerk,
		ApprovedAt:          now,
		ExpiresAt:           approval.Expiry(now, s.validityYears()),
	}
	if n.Certificate != nil {
		c.CertFingerprint = Fingerprint(n.Certificate)
	}
	if n.IdentityMethod == MethodToken {
		c.TokenFingerprint = Fingerprint(n.TokenCertificate)
	}
	if consent != nil {
		b, _ := json.Marshal(consent)
		c.ConsentSealed = s.sealer.Seal(b, "citizen.consent")
	}
	detail := map[string]any{
		"expires_at": c.ExpiresAt.In(api.KST).Format(time.RFC3339), "method": c.IdentityMethod, "channel": c.CodeChannel,
		"certificate": "vid", "limited_guardianship": c.LimitedGuardianship,
	}
	if c.CertFingerprint != "" {
		detail["certificate"] = short(c.CertFingerprint)
	}
	if c.TokenFingerprint != "" {
		detail["token_certificate"] = short(c.TokenFingerprint)
	}
	if consent != nil {
		detail["consent"] = consent.Kind
	}

	reg := s.reg()
	g := &approval.Granted{InitialPassword: initial, ApprovedAt: c.ApprovedAt, ExpiresAt: c.ExpiresAt, Warnings: warnings}
	prev, err := s.store.CitizenByRRN(ctx, c.RRNIndex)
	switch {
	case errors.Is(err, store.ErrNotFound):
		for try := 0; ; try++ {
			if n.LoginID == "" {
				if c.LoginID, err = s.drawLoginID(); err != nil {
					return nil, err
				}
			}
			detail["login_id"] = c.LoginID
			g.ID, err = reg.InsertCitizen(ctx, c, history(now, n.Clerk, n.Office, approval.ActionApprove, detail))
			var dup *store.DuplicateError
			if n.LoginID == "" && errors.As(err, &dup) && dup.Column == "login_id" && try < 5 {
				continue // a drawn ID collided: draw again
			}
			break
		}
	case err != nil:
		return nil, err
	default:
		if st := approval.StatusAt(prev.ExpiresAt, prev.RevokedAt, now); st == approval.StatusValid || st == approval.StatusRenewable {
			return nil, ErrAlreadyApproved
		}
		if c.LoginID == "" {
			c.LoginID = prev.LoginID
		}
		detail["login_id"] = c.LoginID
		g.ID, g.Reapproval = prev.ID, true
		err = reg.ReplaceCitizen(ctx, prev, c, history(now, n.Clerk, n.Office, approval.ActionReapprove, detail))
	}
	if err := registryError(err); err != nil {
		return nil, err
	}
	g.LoginID = c.LoginID
	s.log.Info("approved", "citizen", g.ID, "office", n.Office, "clerk", n.Clerk, "reapproval", g.Reapproval)
	return g, nil
}

// drawLoginID draws a login ID: "bs" and 8 random digits.
func (s *Server) drawLoginID() (string, error) {
	v, err := randInt(s.rand, 100_000_000)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("bs%08d", v), nil
}

// registryError maps store errors to the registry's.
func registryError(err error) error {
	var dup *store.DuplicateError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &dup) && dup.Column == "rrn":
		return ErrAlreadyApproved
	case errors.As(err, &dup) && (dup.Column == "cert" || dup.Column == "token_cert"):
		return approval.ErrCertificateTaken
	case errors.As(err, &dup) && dup.Column == "login_id":
		return approval.ErrLoginIDTaken
	case errors.Is(err, store.ErrConflict):
		return approval.ErrConflict
	case errors.Is(err, store.ErrNotFound):
		return approval.ErrNotFound
	}
	return err
}

// citizenFor finds the citizen with id for a clerk's operation.
func (s *Server) citizenFor(ctx context.Context, id int64) (*store.Citizen, error) {
	c, err := s.store.CitizenByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, approval.ErrNotFound
	}
	return c, err
}

// CitizenID finds the approval of the holder of a resident registration
// number (any form api.ParseRRN takes).
func (s *Server) CitizenID(ctx context.Context, rrnText string) (int64, error) {
	rrn, err := api.ParseRRN(rrnText)
	if err != nil {
		inv := &approval.InvalidError{}
		inv.Fields = append(inv.Fields, api.FieldError{Field: "rrn",
			Message: "Resident registration number: 13 digits, YYMMDD-SBBBBBB.", MessageKo: "주민등록번호: 13자리 숫자(YYMMDD-SBBBBBB)로 입력하세요."})
		return 0, inv
	}
	c, err := s.store.CitizenByRRN(ctx, s.sealer.Index("rrn", string(rrn)))
	if errors.Is(err, store.ErrNotFound) {
		return 0, approval.ErrNotFound
	} else if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// Lookup shows the approval of the holder of a resident registration number.
func (s *Server) Lookup(ctx context.Context, rrn string) (*approval.Record, error) {
	id, err := s.CitizenID(ctx, rrn)
	if err != nil {
		return nil, err
	}
	return s.LookupID(ctx, id)
}

// LookupID shows the approval with id, and its history.
func (s *Server) LookupID(ctx context.Context, id int64) (*approval.Record, error) {
	c, err := s.citizenFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.record(ctx, c)
}

func (s *Server) record(ctx context.Context, c *store.Citizen) (*approval.Record, error) {
	rrn, phoneNo, err := s.openCitizen(c)
	if err != nil {
		return nil, err
	}
	addr, err := s.sealer.Open(c.AddressSealed, "citizen.address")
	if err != nil {
		return nil, fmt.Errorf("citizen %d address: %w", c.ID, err)
	}
	consent, err := s.consentOf(c)
	if err != nil {
		return nil, err
	}
	now := s.now()
	minor, _ := approval.IsMinor(rrn, now)
	r := &approval.Record{
		ID: c.ID, Name: c.Name, MaskedRRN: rrn.Masked(), Address: string(addr), Phone: phone.Mask(phoneNo),
		IdentityMethod: c.IdentityMethod, Channel: c.CodeChannel, TextCapable: c.TextCapable,
		CertFingerprint: c.CertFingerprint, TokenFingerprint: c.TokenFingerprint,
		LoginID: c.LoginID, PasswordMustChange: c.PasswordMustChange, PasswordLocked: now.Before(c.PasswordLockedUntil),
		LimitedGuardianship: c.LimitedGuardianship, Minor: minor, Consent: consent,
		Office: c.Office, Clerk: c.Clerk, ApprovedAt: c.ApprovedAt, ExpiresAt: c.ExpiresAt,
		RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason,
	}
	hs, err := s.reg().History(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		r.History = append(r.History, approval.HistoryEntry{At: h.At, Actor: h.Actor, Office: h.Office, Action: h.Action, Detail: h.Detail})
	}
	return r, nil
}

// consentOf opens the consent recorded for c, or nil.
func (s *Server) consentOf(c *store.Citizen) (*approval.Consent, error) {
	if len(c.ConsentSealed) == 0 {
		return nil, nil
	}
	b, err := s.sealer.Open(c.ConsentSealed, "citizen.consent")
	if err != nil {
		return nil, fmt.Errorf("citizen %d consent: %w", c.ID, err)
	}
	var consent approval.Consent
	if err := json.Unmarshal(b, &consent); err != nil {
		return nil, fmt.Errorf("citizen %d consent: %w", c.ID, err)
	}
	return &consent, nil
}

// Renew extends an approval in force by the configured years from its current
// expiry, only in the 30 days before that expiry (R2). A minor's renewal needs
// the consent on record still.
func (s *Server) Renew(ctx context.Context, by approval.Clerk, id int64) (*approval.Record, error) {
	c, err := s.citizenFor(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Millisecond)
	if err := approval.CheckRenewal(c.ExpiresAt, c.RevokedAt, now); err != nil {
		return nil, err
	}
	rrn, _, err := s.openCitizen(c)
	if err != nil {
		return nil, err
	}
	consent, err := s.consentOf(c)
	if err != nil {
		return nil, err
	}
	if err := approval.CheckConsent(rrn, c.LimitedGuardianship, consent, now); err != nil {
		return nil, err
	}
	expires := approval.Expiry(c.ExpiresAt, s.validityYears())
	h := history(now, by.Login, by.Office, approval.ActionRenew, map[string]any{
		"expires_at": expires.In(api.KST).Format(time.RFC3339), "previous_expiry": c.ExpiresAt.In(api.KST).Format(time.RFC3339)})
	if err := registryError(s.reg().RenewCitizen(ctx, id, c.ExpiresAt, expires, h)); err != nil {
		return nil, err
	}
	s.log.Info("renewed", "citizen", id, "office", by.Office, "clerk", by.Login)
	return s.LookupID(ctx, id)
}

// Revoke revokes an approval with a reason; the citizen's sessions end at
// once, in the same transaction.
func (s *Server) Revoke(ctx context.Context, by approval.Clerk, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		inv := &approval.InvalidError{}
		inv.Fields = append(inv.Fields, api.FieldError{Field: "reason",
			Message: "Reason: required, at most 200 characters.", MessageKo: "취소 사유: 반드시 입력해야 합니다 (200자 이내)."})
		return inv
	}
	c, err := s.citizenFor(ctx, id)
	if err != nil {
		return err
	}
	if !c.RevokedAt.IsZero() {
		return approval.ErrRevoked
	}
	now := s.now().Truncate(time.Millisecond)
	// The reason is the clerk's words and could name people: it is kept on
	// the approval, the history says only that it was revoked.
	h := history(now, by.Login, by.Office, approval.ActionRevoke, nil)
	if err := registryError(s.reg().RevokeCitizen(ctx, id, now, reason, h)); err != nil {
		if errors.Is(err, approval.ErrConflict) {
			return approval.ErrRevoked
		}
		return err
	}
	s.log.Info("revoked", "citizen", id, "office", by.Office, "clerk", by.Login)
	return nil
}

// RecordConsent records or replaces the consent of a citizen's legal
// representative or limited guardian (R4), and whether they are under
// limited guardianship.
func (s *Server) RecordConsent(ctx context.Context, by approval.Clerk, id int64, limited bool, req approval.ConsentRequest) error {
	c, err := s.citizenFor(ctx, id)
	if err != nil {
		return err
	}
	now := s.now().Truncate(time.Millisecond)
	consent, err := req.Validate(by, now)
	if err != nil {
		return err
	}
	rrn, _, err := s.openCitizen(c)
	if err != nil {
		return err
	}
	if err := approval.CheckNewConsent(rrn, limited, consent, now); err != nil {
		return err
	}
	b, _ := json.Marshal(consent)
	h := history(now, by.Login, by.Office, approval.ActionConsent, map[string]any{"consent": consent.Kind, "limited_guardianship": limited})
	if err := registryError(s.reg().SetConsent(ctx, id, limited, s.sealer.Seal(b, "citizen.consent"), h)); err != nil {
		return err
	}
	s.log.Info("consent recorded", "citizen", id, "office", by.Office, "clerk", by.Login)
	return nil
}

// ResetPassword draws a new initial password for a citizen, to be changed at
// first use, and returns it (shown once).
func (s *Server) ResetPassword(ctx context.Context, by approval.Clerk, id int64) (string, error) {
	if _, err := s.citizenFor(ctx, id); err != nil {
		return "", err
	}
	initial, err := password.Initial(s.rand)
	if err != nil {
		return "", err
	}
	hash, err := password.Hash(initial)
	if err != nil {
		return "", err
	}
	now := s.now().Truncate(time.Millisecond)
	h := history(now, by.Login, by.Office, approval.ActionPasswordReset, nil)
	if err := registryError(s.reg().SetPassword(ctx, id, hash, true, h)); err != nil {
		return "", err
	}
	return initial, nil
}

// apiConsent is the consent as the API shows it to the citizen.
func apiConsent(c *approval.Consent) *api.GuardianConsent {
	if c == nil {
		return nil
	}
	return &api.GuardianConsent{Kind: c.Kind, Name: c.Name, Relation: c.Relation, MaskedRRN: c.MaskedRRN,
		Document: c.Document, RecordedAt: c.RecordedAt.UTC().Format(time.RFC3339)}
}
