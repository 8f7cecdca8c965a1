package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/store"
)

// SeedName is the name of the citizen Seed files confirmations under.
const SeedName = "시드시민"

// Seed fills the store with n synthetic confirmations of one seed citizen,
// sealed as real ones are (so institution lookups of them work), in batches
// of one transaction: for measuring how the server behaves as the store grows
// to a million confirmations. clerk must be an existing clerk's login, and
// cert a certificate the server trusts (it is approved as the seed citizen's).
func (s *Server) Seed(ctx context.Context, n int, clerk string, cert *x509.Certificate, progress func(done int)) error {
	bulk, ok := s.store.(interface {
		InsertConfirmations(context.Context, []store.Confirmation) error
	})
	if !ok {
		return errors.New("seed: this store has no bulk insert")
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	rrn := fmt.Sprintf("%02d0101-2%06d", 60+int(serial.Int64()%40), serial.Int64()%1000000)
	c, err := s.reg().ClerkByLogin(ctx, clerk)
	if err != nil {
		return fmt.Errorf("seed: clerk %q: %w", clerk, err)
	}
	g, err := s.Approve(ctx, Approval{Name: SeedName, RRN: rrn, Address: "서울특별시 종로구 시드로 1", Phone: "010-0000-0000",
		IdentityMethod: MethodMobile, Certificate: cert, Office: c.Office, Clerk: c.Login})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	// A signature of the size citizens' are (certificate included), so that
	// rows weigh what real ones do.
	fakeCMS := make([]byte, 1800)
	rand.Read(fakeCMS)
	const batch = 5000
	now := s.now()
	for done := 0; done < n; {
		recs := make([]store.Confirmation, 0, min(batch, n-done))
		for range cap(recs) {
			id := make([]byte, 16)
			rand.Read(id)
			conf := api.Confirmation{
				Version: api.ConfirmationVersion, ID: hex.EncodeToString(id), CreatedAt: now.In(api.KST).Format(time.RFC3339),
				Citizen: api.Person{Name: SeedName, RRN: rrn, Address: "서울특별시 종로구 시드로 1"},
				Purpose: "시드 데이터", Counterparty: api.Counterparty{Name: "주식회사 시드", ID: "220-81-62517", Address: "서울특별시 중구 세종대로 110"},
				Institution: api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
			}
			sc := sealedConfirmation{Confirmation: conf, Signature: fakeCMS}
			sealed, err := s.sealConfirmation(&sc)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(append(fakeCMS, id...))
			number, err := api.NewIssueNumber(s.rand)
			if err != nil {
				return err
			}
			recs = append(recs, store.Confirmation{IssueNumber: number, CitizenID: g.ID, ConfirmationID: conf.ID,
				InstitutionCode: conf.Institution.Code, Digest: hex.EncodeToString(sum[:]), IssuedAt: now, Sealed: sealed})
		}
		if err := bulk.InsertConfirmations(ctx, recs); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("seed: %w", err)
		} else if err == nil {
			done += len(recs)
		}
		if progress != nil {
			progress(done)
		}
	}
	return nil
}
