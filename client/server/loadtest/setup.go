package loadtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/client/server/store"
	"github.com/bonsign/bonsign/signer"
)

// The files Setup writes into its folder.
const (
	CAFile       = "ca.pem"         // the server's -roots
	CitizensFile = "citizens.json"  // the synthetic citizens, their keys included
	APIKeyFile   = "api-key"        // an institution API key for the lookups
	SecretFile   = "webhook.secret" // the phone webhook's HMAC secret
	Institution  = "bs-pub-nps"     // where the load's confirmations go
	institutionN = "국민연금공단"
)

// Citizen is one synthetic, approved citizen. The key is ECDSA P-256, so that
// the load tool's own signing takes little of the machine it shares with
// the server.
type Citizen struct {
	Name    string `json:"name"`
	RRN     string `json:"rrn"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
	KeyPEM  string `json:"key"`
	CertPEM string `json:"cert"`
}

// Identity opens the citizen's key and certificate.
func (c Citizen) Identity() (*signer.Identity, error) {
	return signer.ParsePEM([]byte(c.CertPEM+c.KeyPEM), "")
}

// Setup makes a CA and n citizens in dir, approves them on the server that
// open returns for that CA (built on the server's store), and creates an
// institution API key and a webhook secret. The server must then run with
// -roots dir/ca.pem and the webhook pointed at the load tool.
func Setup(ctx context.Context, dir string, n int, open func(roots *x509.CertPool) *server.Server) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := NewCA()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, CAFile), ca.PEM(), 0o644); err != nil {
		return err
	}
	srv := open(ca.Pool())
	if srv == nil {
		return errors.New("the server could not be opened")
	}
	clerk, err := srv.AddClerk(ctx, "loadclerk", "부하시험 담당", "부하시험 센터", randomSecret()[:24]+"-1a")
	if err != nil {
		return fmt.Errorf("add clerk: %w", err)
	}
	var citizens []Citizen
	for i := range n {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("부하%04d", i)
		cert, err := ca.Issue(key.Public(), name)
		if err != nil {
			return err
		}
		der, _ := x509.MarshalPKCS8PrivateKey(key)
		c := Citizen{
			Name:    name,
			RRN:     fmt.Sprintf("%02d0101-1%06d", 70+i%30, 100000+i),
			Address: "서울특별시 종로구 부하로 " + fmt.Sprint(i+1),
			Phone:   fmt.Sprintf("010-9%03d-%04d", i/10000, i%10000),
			KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
			CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		}
		if _, err := srv.Approve(ctx, server.Approval{
			Name: c.Name, RRN: c.RRN, Address: c.Address, Phone: c.Phone,
			IdentityMethod: server.MethodMobile, Certificate: cert,
			LoginID: fmt.Sprintf("load%05d", i), Office: clerk.Office, Clerk: clerk.Login,
		}); err != nil {
			return fmt.Errorf("approve citizen %d: %w", i, err)
		}
		citizens = append(citizens, c)
	}
	data, _ := json.Marshal(citizens)
	if err := os.WriteFile(filepath.Join(dir, CitizensFile), data, 0o600); err != nil {
		return err
	}
	key, err := srv.CreateInstitutionKey(ctx, Institution, "load test")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, APIKeyFile), []byte(key), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, SecretFile), []byte(randomSecret()), 0o600)
}

// dbOf is the store of a load folder: db (a postgres:// URL or a SQLite
// path) when given, else the folder's own SQLite file.
func dbOf(dir, db string) string {
	if db != "" {
		return db
	}
	return filepath.Join(dir, "bonsign.db")
}

// OpenLocal opens the server library on the load folder's key and its store
// (db, see dbOf; the running server is another process on the same store),
// trusting roots.
func OpenLocal(dir, db string, roots *x509.CertPool) (*server.Server, store.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	key, err := pii.LoadOrCreateKeyFile(filepath.Join(dir, "data.key"))
	if err != nil {
		return nil, nil, err
	}
	sealer, err := pii.New(key)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(dbOf(dir, db))
	if err != nil {
		return nil, nil, err
	}
	return server.New(st, sealer, roots), st, nil
}

// SetupLocal is Setup on the load folder's store (see dbOf), unless it was done.
func SetupLocal(ctx context.Context, dir, db string, n int) error {
	if _, err := os.Stat(filepath.Join(dir, CitizensFile)); err == nil {
		return nil
	}
	var st store.Store
	var openErr error
	err := Setup(ctx, dir, n, func(roots *x509.CertPool) *server.Server {
		var srv *server.Server
		srv, st, openErr = OpenLocal(dir, db, roots)
		return srv
	})
	if st != nil {
		st.Close()
	}
	return errors.Join(openErr, err)
}

// LoadCitizens reads what Setup wrote.
func LoadCitizens(dir string) ([]Citizen, error) {
	data, err := os.ReadFile(filepath.Join(dir, CitizensFile))
	if err != nil {
		return nil, err
	}
	var cs []Citizen
	return cs, json.Unmarshal(data, &cs)
}

func randomSecret() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 48)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}
