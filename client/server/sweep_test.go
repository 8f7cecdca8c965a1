package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/store"
)

// TestSweepPurgesExpiredRows runs the server's sweeper against its store:
// an unanswered login nonce past its time goes, a live one stays.
func TestSweepPurgesExpiredRows(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.db.PutChallenge(ctx, "abandoned", h.clock().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := h.db.PutChallenge(ctx, "fresh", h.clock().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.srv.Sweep(ctx, 10*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.logs.String(), "purged expired rows") {
		if time.Now().After(deadline) {
			t.Fatalf("the sweeper logged no purge:\n%s", h.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done // Sweep returns when its context ends
	if _, err := h.db.TakeChallenge(context.Background(), "abandoned"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the expired nonce is still there: %v", err)
	}
	if _, err := h.db.TakeChallenge(context.Background(), "fresh"); err != nil {
		t.Errorf("the live nonce was purged: %v", err)
	}
}
