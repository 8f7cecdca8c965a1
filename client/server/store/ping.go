package store

import "context"

// Ping checks that the database answers, for the server's readiness check.
func (s *SQLite) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }
