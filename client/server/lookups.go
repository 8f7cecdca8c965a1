package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/institution"
	"github.com/bonsign/bonsign/client/server/store"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/time/rate"
)

// Institutions' lookups (R10), by an officer in the console or by an
// institution's system with an API key, and what the citizen sees of them.
//
// A lookup answers with the confirmation only when its number exists, it is
// addressed to the caller's institution and the name is its citizen's. The
// three other cases give the caller one answer, reached by the same work:
// the number's row is read (or not), a sealed confirmation is opened (a
// decoy's when there is none), the name compared, one log row written and
// the caller's misses counted. The log records the truth, for the citizen.

// LookupLimits bound institutions' lookups. A zero rate disables its limit;
// a zero MaxMisses disables the lockout.
type LookupLimits struct {
	// PerOfficer is the sustained lookups per second of one officer, with
	// OfficerBurst at once.
	PerOfficer   rate.Limit
	OfficerBurst int
	// PerKey is the sustained lookups per second of one API key, with
	// KeyBurst at once.
	PerKey   rate.Limit
	KeyBurst int
	// PerAddress is the sustained lookups per second from one client address
	// (officers and keys together), with AddressBurst at once. It comes on
	// top of the server's limit on all requests (Limits.PerAddress).
	PerAddress   rate.Limit
	AddressBurst int
	// MaxMisses lookups that found nothing within MissWindow lock the
	// officer or key out of lookups for Lockout.
	MaxMisses  int
	MissWindow time.Duration
	Lockout    time.Duration
}

// DefaultLookupLimits suit people at a counter and an institution's batch
// jobs: an officer may check a number every second or so, a system five a
// second; ten misses in ten minutes look like probing and stop the officer
// or key for fifteen.
func DefaultLookupLimits() LookupLimits {
	return LookupLimits{
		PerOfficer: 1, OfficerBurst: 10,
		PerKey: 5, KeyBurst: 20,
		PerAddress: 10, AddressBurst: 40,
		MaxMisses: 10, MissWindow: 10 * time.Minute, Lockout: 15 * time.Minute,
	}
}

// WithLookupLimits sets the limits of institutions' lookups.
func WithLookupLimits(l LookupLimits) Option {
	return func(s *Server) { s.inst.limits = &l }
}

// institutionSide is the state of the institution side: its limits, the
// token buckets, and the decoy opened when a number exists nowhere.
type institutionSide struct {
	limits *LookupLimits // nil: DefaultLookupLimits

	once                      sync.Once
	officers, keys, addresses *addressLimiter
	decoy                     []byte // a sealed confirmation of no one
	decoyErr                  error
	effective                 LookupLimits
}

func (s *Server) side() *institutionSide {
	in := &s.inst
	in.once.Do(func() {
		in.effective = DefaultLookupLimits()
		if in.limits != nil {
			in.effective = *in.limits
		}
		l := in.effective
		in.officers = &addressLimiter{limit: l.PerOfficer, burst: l.OfficerBurst}
		in.keys = &addressLimiter{limit: l.PerKey, burst: l.KeyBurst}
		in.addresses = &addressLimiter{limit: l.PerAddress, burst: l.AddressBurst}
		in.decoy, in.decoyErr = s.makeDecoy()
	})
	return in
}

// makeDecoy seals a confirmation shaped like a real one, under a name no one
// can type, with a signature of a real one's size.
func (s *Server) makeDecoy() ([]byte, error) {
	nonce, err := s.randomToken(24)
	if err != nil {
		return nil, err
	}
	c := sealedConfirmation{Confirmation: api.Confirmation{
		Version: api.ConfirmationVersion, ID: strings.Repeat("0", 32), CreatedAt: time.Unix(0, 0).In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: "\x00" + nonce, RRN: "000000-0000000", Address: strings.Repeat("가", 30)},
		Purpose:      strings.Repeat("가", 10),
		Counterparty: api.Counterparty{Name: "가나다", ID: "000-00-00000", Address: strings.Repeat("가", 30)},
		Institution:  api.Institution{Code: "-", Name: "-"},
	}, Signature: make([]byte, 2400)}
	return s.sealConfirmation(&c)
}

// lookupCaller is who makes a lookup: an officer (officerID) or an
// institution's system (keyID), of one institution, from an address.
type lookupCaller struct {
	institution string
	officerID   int64
	keyID       string
	actor       string // the officer's name or the key's label
	channel     string // api.LookupByConsole or api.LookupByAPI
	addr        string
}

func (c *lookupCaller) record(number, result string, at time.Time) store.Lookup {
	return store.Lookup{IssueNumber: number, InstitutionCode: c.institution, OfficerID: c.officerID, KeyID: c.keyID,
		Actor: c.actor, Channel: c.channel, At: at, Result: result}
}

// admitLookup applies the rate limits and the lockout to c before a lookup:
// institution.ErrRateLimited or *institution.LookupLockedError when it may not
// look anything up now.
func (s *Server) admitLookup(ctx context.Context, c *lookupCaller) error {
	side := s.side()
	l, now := side.effective, s.now()
	subject := c.record("", "", now).Subject()
	switch {
	case l.PerAddress > 0 && !side.addresses.allow(c.addr, now),
		c.officerID != 0 && l.PerOfficer > 0 && !side.officers.allow(subject, now),
		c.keyID != "" && l.PerKey > 0 && !side.keys.allow(subject, now):
		s.metrics.lookups.WithLabelValues("rate_limited").Inc()
		return institution.ErrRateLimited
	}
	until, err := s.instStore().LookupLock(ctx, subject)
	if err != nil {
		return err
	}
	if now.Before(until) {
		s.metrics.lookups.WithLabelValues("locked").Inc()
		return &institution.LookupLockedError{Until: until}
	}
	return nil
}

// sameName compares a name as typed with the name on a confirmation, in
// constant time: spaces around it are ignored, and both are put in Unicode
// NFC so that Hangul typed as decomposed jamo still matches.
func sameName(typed, want string) bool {
	a := norm.NFC.String(strings.TrimSpace(typed))
	b := norm.NFC.String(want)
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// lookup is one verification attempt of c, number already checked by
// api.ParseIssueNumber. It logs the attempt and answers with the stored
// confirmation when it is found, institution.ErrNotFound otherwise.
func (s *Server) lookup(ctx context.Context, c *lookupCaller, number, name string) (*store.Confirmation, *sealedConfirmation, error) {
	side := s.side()
	if side.decoyErr != nil {
		return nil, nil, side.decoyErr
	}
	rec, err := s.store.ConfirmationByNumber(ctx, number)
	exists := err == nil
	sealed := side.decoy
	if exists {
		sealed = rec.Sealed
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	sc, err := s.openSealed(sealed)
	if err != nil {
		return nil, nil, err
	}
	nameOK := sameName(name, sc.Confirmation.Citizen.Name)
	ours := exists && rec.InstitutionCode == c.institution
	result := store.LookupNoSuchNumber
	switch {
	case !exists:
	case !ours:
		result = store.LookupOtherInstitution
	case !nameOK:
		result = store.LookupWrongName
	default:
		result = store.LookupFound
	}
	now, l := s.now(), side.effective
	locked, err := s.instStore().RecordLookup(ctx, c.record(number, result, now), now.Add(-l.MissWindow), l.MaxMisses, now.Add(l.Lockout))
	if err != nil {
		return nil, nil, err
	}
	who := []any{"institution", c.institution, "channel", c.channel}
	if c.officerID != 0 {
		who = append(who, "officer", c.officerID)
	} else {
		who = append(who, "key", c.keyID)
	}
	if result != store.LookupFound {
		s.metrics.lookups.WithLabelValues("not_found").Inc()
		if !locked.IsZero() {
			s.log.Warn("lookups locked after misses", append(who, "until", locked.UTC().Format(time.RFC3339))...)
		}
		return nil, nil, institution.ErrNotFound
	}
	s.metrics.lookups.WithLabelValues("found").Inc()
	s.log.Info("verified", who...)
	return rec, sc, nil
}

// lookupError writes the API's answer to an error of admitLookup or lookup.
func (s *Server) lookupError(w http.ResponseWriter, r *http.Request, err error) {
	var locked *institution.LookupLockedError
	switch {
	case errors.Is(err, institution.ErrNotFound):
		writeError(w, api.NewError(api.CodeNotFound))
	case errors.Is(err, institution.ErrRateLimited):
		w.Header().Set("Retry-After", "1")
		writeError(w, api.NewError(api.CodeRateLimited).WithDetail("too many lookups: slow down"))
	case errors.As(err, &locked):
		secs := int(math.Ceil(locked.Until.Sub(s.now()).Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeError(w, api.NewError(api.CodeLookupLocked).WithDetail("too many lookups found nothing; blocked until %s",
			locked.Until.UTC().Format(time.RFC3339)))
	default:
		s.internal(w, r, err)
	}
}

// verified builds what the institution sees of a found confirmation.
func verified(rec *store.Confirmation, sc *sealedConfirmation) *institution.Verified {
	return &institution.Verified{Status: "issued", IssuedAt: rec.IssuedAt, Confirmation: sc.Confirmation,
		Receipt: receiptFor(&sc.Confirmation, rec.IssueNumber, rec.IssuedAt, rec.Digest)}
}

// OfficerVerify is an officer's lookup in the console (R10): the
// confirmation with issueNumber when it is addressed to the officer's
// institution and names name; institution.ErrNotFound in every other case.
// Also institution.ErrInvalidNumber, institution.ErrRateLimited and
// *institution.LookupLockedError.
func (s *Server) OfficerVerify(ctx context.Context, o institution.Officer, addr, issueNumber, name string) (*institution.Verified, error) {
	c := &lookupCaller{institution: o.InstitutionCode, officerID: o.ID, actor: o.Name, channel: api.LookupByConsole, addr: addr}
	if err := s.admitLookup(ctx, c); err != nil {
		return nil, err
	}
	number, err := api.ParseIssueNumber(issueNumber)
	if err != nil {
		return nil, institution.ErrInvalidNumber
	}
	rec, sc, err := s.lookup(ctx, c, number, name)
	if err != nil {
		return nil, err
	}
	return verified(rec, sc), nil
}

// OfficerLookups lists an officer's own lookups, newest first, at most
// limit: found or not, never why not.
func (s *Server) OfficerLookups(ctx context.Context, o institution.Officer, limit int) ([]institution.OwnLookup, error) {
	rows, err := s.instStore().LookupsBy(ctx, o.ID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]institution.OwnLookup, len(rows))
	seen := map[string]*sealedConfirmation{}
	for i, l := range rows {
		out[i] = institution.OwnLookup{At: l.At, IssueNumber: l.IssueNumber, Found: l.Result == store.LookupFound}
		if !out[i].Found {
			continue
		}
		sc, ok := seen[l.IssueNumber]
		if !ok {
			if sc, err = s.openConfirmation(ctx, l.IssueNumber); err != nil {
				return nil, err
			}
			seen[l.IssueNumber] = sc
		}
		rrn, _ := api.ParseRRN(sc.Confirmation.Citizen.RRN)
		out[i].Name, out[i].MaskedRRN, out[i].Purpose = sc.Confirmation.Citizen.Name, rrn.Masked(), sc.Confirmation.Purpose
	}
	return out, nil
}

func (s *Server) openConfirmation(ctx context.Context, number string) (*sealedConfirmation, error) {
	rec, err := s.store.ConfirmationByNumber(ctx, number)
	if err != nil {
		return nil, fmt.Errorf("confirmation of lookup: %w", err)
	}
	return s.openSealed(rec.Sealed)
}

// historyTokenPrefix starts every history token, so that one pasted into
// the wrong place is recognised.
const historyTokenPrefix = "bsh_"

// newHistoryToken makes a token that reads the lookups of the confirmation
// with number, keeping only its hash.
func (s *Server) newHistoryToken(ctx context.Context, number string) (string, error) {
	t, err := s.drawHistoryToken()
	if err != nil {
		return "", err
	}
	if err := s.instStore().PutHistoryToken(ctx, hashToken(t), number, s.now()); err != nil {
		return "", err
	}
	return t, nil
}

// drawHistoryToken draws a history token, not yet stored.
func (s *Server) drawHistoryToken() (string, error) {
	t, err := s.randomToken(32)
	if err != nil {
		return "", err
	}
	return historyTokenPrefix + t, nil
}

// handleLookupHistory answers GET /v1/lookups: every lookup of the
// confirmation whose history token is the bearer, newest first. The citizen's
// app calls it without a session: the token is the proof.
func (s *Server) handleLookupHistory(w http.ResponseWriter, r *http.Request) {
	t := bearer(r)
	if !strings.HasPrefix(t, historyTokenPrefix) {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("an Authorization: Bearer history token (bsh_…) is required"))
		return
	}
	number, err := s.instStore().HistoryToken(r.Context(), hashToken(t))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("unknown history token"))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	rows, err := s.instStore().LookupsOf(r.Context(), number)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	resp := api.LookupHistoryResponse{IssueNumber: number, Lookups: make([]api.LookupEntry, len(rows))}
	for i, l := range rows {
		resp.Lookups[i] = s.lookupEntry(l)
	}
	writeJSON(w, http.StatusOK, resp)
}

// lookupEntry is a log row as the citizen reads it.
func (s *Server) lookupEntry(l store.Lookup) api.LookupEntry {
	inst := s.institutionName(l.InstitutionCode)
	e := api.LookupEntry{At: l.At.In(api.KST).Format(time.RFC3339), Institution: api.Institution{Code: l.InstitutionCode, Name: inst},
		By: l.Actor, Channel: l.Channel, Result: l.Result}
	if l.Channel == api.LookupByAPI {
		e.By = api.LookupSystemLabel
	}
	when := l.At.In(api.KST).Format("2006-01-02 15:04")
	subject := inst + subjectParticle(inst)
	switch l.Result {
	case api.LookupFound:
		e.ResultKo = "확인"
		e.MessageKo = fmt.Sprintf("%s %s에 확인했습니다.", subject, when)
		e.Message = fmt.Sprintf("%s checked it on %s.", inst, when)
	case api.LookupWrongName:
		e.ResultKo = "성명 불일치"
		e.MessageKo = fmt.Sprintf("%s %s에 조회했으나 성명이 일치하지 않아 거절되었습니다.", subject, when)
		e.Message = fmt.Sprintf("%s looked it up on %s with another name, and was refused.", inst, when)
	case api.LookupOtherInstitution:
		e.ResultKo = "제출기관 아님"
		e.MessageKo = fmt.Sprintf("%s %s에 조회했으나 이 확인서의 제출기관이 아니어서 거절되었습니다.", subject, when)
		e.Message = fmt.Sprintf("%s looked it up on %s, but it is not addressed to them, and was refused.", inst, when)
	}
	return e
}

// subjectParticle is the Korean subject particle after word: 이 after a
// final consonant (국민연금공단이, 한국은행이), 가 after a vowel
// (주택도시보증공사가), 이(가) when the word does not end in Hangul.
func subjectParticle(word string) string {
	r := []rune(strings.TrimSpace(word))
	if len(r) == 0 {
		return "이(가)"
	}
	last := r[len(r)-1]
	if last < 0xAC00 || last > 0xD7A3 {
		return "이(가)"
	}
	if (last-0xAC00)%28 != 0 {
		return "이"
	}
	return "가"
}
