package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/pii"
	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
)

// BenchmarkVerifyCMS measures the server's check of one citizen signature:
// parse, signature, chain.
func BenchmarkVerifyCMS(b *testing.B) {
	ca := testpki.NewCA(b, "bench CA")
	sealer, _ := pii.New(pii.NewKey())
	s := New(nil, sealer, ca.Pool())
	content := bytes.Repeat([]byte("가"), 700)
	for name, o := range map[string]testpki.Options{"RSA-2048": {}, "ECDSA-P256": {ECDSA: true}} {
		leaf := ca.Issue(b, "홍길동", o)
		id := &signer.Identity{Key: leaf.Key, Certificate: leaf.Cert, Chain: leaf.Chain}
		der, err := id.SignCMS(content)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			now := time.Now()
			for b.Loop() {
				if _, e := s.verifyCMS(der, content, now); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}
