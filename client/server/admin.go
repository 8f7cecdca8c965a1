package server

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/store"
)

// Identity methods a citizen picks at approval (R3).
const (
	MethodMobile   = "mobile"
	MethodLandline = "landline"
	MethodToken    = "token"
)

// Approval is what a clerk records when approving a citizen in person (R1, R3).
type Approval struct {
	Name           string
	RRN            string
	Address        string
	Phone          string
	IdentityMethod string
	Certificate    *x509.Certificate // the certificate the citizen will log in with
	Office         string
	Clerk          string
}

// ErrAlreadyApproved is returned when the citizen or the certificate already
// has an approval.
var ErrAlreadyApproved = errors.New("server: this citizen or certificate is already approved")

// Approve records an in-person approval, valid ApprovalPeriod from now.
func (s *Server) Approve(ctx context.Context, a Approval) (int64, error) {
	rrn, err := api.ParseRRN(a.RRN)
	if err != nil {
		return 0, fmt.Errorf("approve: %w", err)
	}
	switch a.IdentityMethod {
	case MethodMobile, MethodLandline, MethodToken:
	default:
		return 0, fmt.Errorf("approve: unknown identity method %q", a.IdentityMethod)
	}
	if a.Name == "" || a.Address == "" || a.Phone == "" || a.Certificate == nil || a.Office == "" || a.Clerk == "" {
		return 0, errors.New("approve: name, address, phone, certificate, office and clerk are required")
	}
	now := s.now().Truncate(time.Millisecond)
	id, err := s.store.PutCitizen(ctx, store.Citizen{
		Name:            a.Name,
		RRNIndex:        s.sealer.Index("rrn", string(rrn)),
		RRNSealed:       s.sealer.Seal([]byte(rrn), "citizen.rrn"),
		AddressSealed:   s.sealer.Seal([]byte(a.Address), "citizen.address"),
		PhoneSealed:     s.sealer.Seal([]byte(a.Phone), "citizen.phone"),
		IdentityMethod:  a.IdentityMethod,
		CertFingerprint: Fingerprint(a.Certificate),
		Office:          a.Office,
		Clerk:           a.Clerk,
		ApprovedAt:      now,
		ExpiresAt:       now.Add(ApprovalPeriod),
	})
	if errors.Is(err, store.ErrDuplicate) {
		return 0, ErrAlreadyApproved
	}
	return id, err
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
