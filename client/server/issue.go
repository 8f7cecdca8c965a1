package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/store"
)

// storedReceiptSignature is the receipt signature kept with sc, when the
// receipt key that made it is still the server's; nil otherwise.
func (s *Server) storedReceiptSignature(sc *sealedConfirmation) []byte {
	if len(sc.ReceiptSignature) == 0 || sc.ReceiptCert != Fingerprint(s.receiptKey.Certificate) {
		return nil
	}
	return sc.ReceiptSignature
}

// receiptFor builds the receipt (R9) of a stored confirmation.
func receiptFor(c *api.Confirmation, number string, issuedAt time.Time, digest string) api.Receipt {
	rrn, _ := api.ParseRRN(c.Citizen.RRN)
	r := api.Receipt{
		IssueNumber: number,
		IssuedAt:    issuedAt.In(api.KST).Format(time.RFC3339),
		Name:        c.Citizen.Name,
		MaskedRRN:   rrn.Masked(),
		Purpose:     c.Purpose,
		Institution: c.Institution,
		Digest:      digest,
	}
	if c.Delegate != nil {
		r.Delegate = c.Delegate.Name
	}
	return r
}

// handleIssue verifies and stores a signed confirmation (R6-R8) and returns its
// receipt (R9). Submitting the same signed confirmation again returns the same
// receipt and issues nothing new.
func (s *Server) handleIssue(w http.ResponseWriter, r *http.Request) {
	a := sessionOf(r)
	var req api.IssueRequest
	if e := decode(w, r, maxIssueBody, &req); e != nil {
		writeError(w, e)
		return
	}
	conf := &req.Confirmation
	if err := conf.Validate(); err != nil {
		writeError(w, err.(*api.Error))
		return
	}
	if !s.institutions.EligibleOn(conf.Institution, s.now()) {
		writeError(w, api.NewError(api.CodeUnknownInstitution).WithDetail("institution code %q", conf.Institution.Code))
		return
	}
	rrn, _ := api.ParseRRN(conf.Citizen.RRN)
	if conf.Citizen.Name != a.citizen.Name || string(a.citizen.RRNIndex) != string(s.sealer.Index("rrn", string(rrn))) {
		writeError(w, api.NewError(api.CodeCitizenMismatch))
		return
	}
	canonical, err := conf.Canonical()
	if err != nil {
		writeError(w, api.NewError(api.CodeBadRequest).WithDetail("the confirmation cannot be canonicalised"))
		return
	}
	now := s.now()
	sg, e := s.verifyCMS(req.Signature, canonical, now)
	if e != nil {
		writeError(w, e)
		return
	}
	if sg.fingerprint != a.session.CertFingerprint {
		writeError(w, api.NewError(api.CodeSignerMismatch))
		return
	}
	rec := store.Confirmation{
		CitizenID:       a.citizen.ID,
		ConfirmationID:  conf.ID,
		InstitutionCode: conf.Institution.Code,
		Digest:          sg.digest,
		IssuedAt:        now.Truncate(time.Millisecond),
	}
	// The first history token is stored with the confirmation, in one commit.
	token, err := s.drawHistoryToken()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	rec.HistoryToken = hashToken(token)
	var receiptSig []byte
	// Issue numbers are random: on the rare collision, draw again.
	for range 5 {
		if rec.IssueNumber, err = api.NewIssueNumber(s.rand); err != nil {
			s.internal(w, r, err)
			return
		}
		// The receipt is signed once, here, and kept with the confirmation.
		if receiptSig, err = s.signReceipt(receiptFor(conf, rec.IssueNumber, rec.IssuedAt, rec.Digest)); err != nil {
			s.internal(w, r, err)
			return
		}
		sc := sealedConfirmation{Confirmation: *conf, Signature: req.Signature,
			ReceiptSignature: receiptSig, ReceiptCert: Fingerprint(s.receiptKey.Certificate)}
		if rec.Sealed, err = s.sealConfirmation(&sc); err != nil {
			s.internal(w, r, err)
			return
		}
		err = s.store.InsertConfirmation(r.Context(), rec)
		if !errors.Is(err, store.ErrDuplicate) {
			break
		}
		// The CMS, the citizen's confirmation ID or the issue number is
		// taken already. A retry, after an answer was lost, gets the first
		// receipt and issues nothing new: recognised by the CMS itself, or
		// by the confirmation ID when the citizen signed the same content
		// again. Otherwise the number was taken: draw another.
		if prev, e := s.previousIssuance(r, a, conf, sg.digest); e != nil {
			writeError(w, e)
			return
		} else if prev != nil {
			s.writeReceipt(w, r, http.StatusOK, receiptFor(conf, prev.IssueNumber, prev.IssuedAt, prev.Digest), nil, "")
			return
		}
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("issued", "citizen", a.citizen.ID, "institution", rec.InstitutionCode)
	s.metrics.issuances.Inc()
	s.writeReceipt(w, r, http.StatusCreated, receiptFor(conf, rec.IssueNumber, rec.IssuedAt, rec.Digest), receiptSig, token)
}

// previousIssuance finds an earlier issuance of the same confirmation: the
// same CMS, or the same confirmation ID with the same content. The same ID
// with other content is a conflict; a CMS already issued to another citizen
// is refused.
func (s *Server) previousIssuance(r *http.Request, a *authed, conf *api.Confirmation, digest string) (*store.Confirmation, *api.Error) {
	prev, err := s.store.ConfirmationByDigest(r.Context(), digest)
	if err == nil {
		if prev.CitizenID != a.citizen.ID {
			return nil, api.NewError(api.CodeSignerMismatch)
		}
		return prev, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		s.log.Error("internal error", "err", err.Error())
		return nil, api.NewError(api.CodeInternal)
	}
	prev, err = s.store.ConfirmationByID(r.Context(), a.citizen.ID, conf.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		s.log.Error("internal error", "err", err.Error())
		return nil, api.NewError(api.CodeInternal)
	}
	sc, err := s.openSealed(prev.Sealed)
	if err != nil {
		s.log.Error("internal error", "err", err.Error())
		return nil, api.NewError(api.CodeInternal)
	}
	before, _ := sc.Confirmation.Canonical()
	now, _ := conf.Canonical()
	if string(before) != string(now) {
		return nil, api.NewError(api.CodeConflict)
	}
	return prev, nil
}

// writeReceipt sends the receipt, signed with sig or now when sig is nil,
// and token, or a new token when token is "", for the citizen to read the
// confirmation's lookups with. Every answer to an issuance, a retry's too,
// carries a token of its own: the server keeps only their hashes, so a token
// whose answer was lost cannot be sent again.
func (s *Server) writeReceipt(w http.ResponseWriter, r *http.Request, status int, rc api.Receipt, sig []byte, token string) {
	var err error
	if sig == nil {
		if sig, err = s.signReceipt(rc); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	if token == "" {
		if token, err = s.newHistoryToken(r.Context(), rc.IssueNumber); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	writeJSON(w, status, api.IssueResponse{Receipt: rc, ReceiptSignature: sig, HistoryToken: token})
}

// handleVerify is an institution's lookup through the API (R10), with an
// institution API key. The confirmation comes back only when the caller's
// institution is its recipient and the name matches; any other case gets the
// same not_found answer after the same work, so probing learns nothing (see
// lookup). Every attempt is logged for the citizen to see; the key's
// lookups are rate limited, and locked out after too many misses.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("an Authorization: Bearer institution API key is required"))
		return
	}
	ik, err := s.store.InstitutionKey(r.Context(), hashToken(key))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("unknown institution API key"))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ik.RevokedAt.IsZero() {
		writeError(w, api.NewError(api.CodeUnauthenticated).WithDetail("the institution API key was revoked"))
		return
	}
	c := &lookupCaller{institution: ik.InstitutionCode, keyID: ik.KeyID, actor: ik.Label, channel: api.LookupByAPI, addr: s.clientAddress(r)}
	if err := s.admitLookup(r.Context(), c); err != nil {
		s.lookupError(w, r, err)
		return
	}
	var req api.VerifyRequest
	if e := decode(w, r, maxBody, &req); e != nil {
		writeError(w, e)
		return
	}
	number, err := api.ParseIssueNumber(req.IssueNumber)
	var fields []api.FieldError
	if err != nil {
		fields = append(fields, api.FieldError{Field: "issue_number", Message: "Issue number: check the 16 digits; one of them is wrong.", MessageKo: "발급번호: 16자리 숫자 중 틀린 숫자가 있습니다. 다시 확인해 주세요."})
	}
	if strings.TrimSpace(req.Name) == "" {
		fields = append(fields, api.FieldError{Field: "name", Message: "Name: the citizen's name is required.", MessageKo: "성명: 본인의 성명을 입력해 주세요."})
	}
	if len(fields) > 0 {
		e := api.NewError(api.CodeInvalidField)
		e.Fields = fields
		writeError(w, e)
		return
	}
	rec, sc, err := s.lookup(r.Context(), c, number, req.Name)
	if err != nil {
		s.lookupError(w, r, err)
		return
	}
	rc := receiptFor(&sc.Confirmation, rec.IssueNumber, rec.IssuedAt, rec.Digest)
	rsig := s.storedReceiptSignature(sc)
	if rsig == nil { // issued under an earlier receipt key, or before signatures were kept
		if rsig, err = s.signReceipt(rc); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, api.VerifyResponse{
		Status:           "issued",
		Receipt:          rc,
		ReceiptSignature: rsig,
		Confirmation:     sc.Confirmation,
		Signature:        sc.Signature,
	})
}
