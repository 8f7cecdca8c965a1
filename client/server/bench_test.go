package server_test

import (
	"context"
	"testing"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
)

// BenchmarkIssue measures one full issuance over HTTP on 127.0.0.1: JSON,
// validation, CMS verification, sealing, and a durable SQLite write. The
// citizen's signatures are made before the timer starts.
func BenchmarkIssue(b *testing.B) {
	h := newHarness(b, server.WithLimits(server.Limits{})) // no per-address limit: one client sends everything
	c := h.loggedIn(h.citizen)
	confs := make([]api.Confirmation, b.N)
	sigs := make([][]byte, b.N)
	for i := range b.N {
		confs[i] = draft()
		sigs[i] = sign(b, h.citizen, confs[i])
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.Issue(ctx, confs[i], sigs[i]); err != nil {
			b.Fatal(err)
		}
	}
}
