package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Limits bound what one client address and the whole server may ask for, so
// that a flood gets quick 429 answers instead of an ever longer queue.
type Limits struct {
	// PerAddress is the sustained requests per second one client address may
	// make, with Burst requests at once. Zero disables the limit.
	PerAddress rate.Limit
	Burst      int
	// Expensive bounds the requests doing public-key work (login, issuance,
	// institution lookups) at the same time; the rest wait at most Wait and
	// are then answered 429 rate_limited ("the server is busy"), with
	// Retry-After.
	Expensive int
	Wait      time.Duration
}

// DefaultLimits suit one server on a few cores: generous for people, tight for
// scripts.
func DefaultLimits() Limits {
	return Limits{PerAddress: 20, Burst: 40, Expensive: 64, Wait: 2 * time.Second}
}

// WithLimits sets the request limits.
func WithLimits(l Limits) Option { return func(s *Server) { s.limits = l } }

// WithTrustedProxy makes the server take the client address from the last
// X-Forwarded-For entry when the request comes from a proxy whose address is in
// nets (a load balancer in front of several servers).
func WithTrustedProxy(nets ...*net.IPNet) Option { return func(s *Server) { s.proxies = nets } }

// addressLimiter is a token bucket per client address, forgotten after an idle
// while so the map stays small.
type addressLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func (a *addressLimiter) allow(addr string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.buckets == nil {
		a.buckets = map[string]*bucket{}
	}
	if now.Sub(a.swept) > time.Minute {
		for k, b := range a.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(a.buckets, k)
			}
		}
		a.swept = now
	}
	b := a.buckets[addr]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(a.limit, a.burst)}
		a.buckets[addr] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// clientAddress is the address a request comes from (see WithTrustedProxy).
func (s *Server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.proxies {
		if ip != nil && n.Contains(ip) {
			if fwd := lastForwarded(r.Header.Values("X-Forwarded-For")); fwd != "" {
				return fwd
			}
		}
	}
	return host
}

func lastForwarded(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == ',' {
			v = v[i+1:]
			break
		}
	}
	for len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	if net.ParseIP(v) == nil {
		return ""
	}
	return v
}

// metrics are the server's Prometheus metrics, on a registry of its own. Labels
// carry route patterns and error codes only: never anything a client sent.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	issuances prometheus.Counter
	lookups   *prometheus.CounterVec
	inflight  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bonsign_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bonsign_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bonsign_errors_total", Help: "API errors by code."}, []string{"code"}),
		issuances: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bonsign_issuances_total", Help: "Confirmations issued."}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bonsign_lookups_total", Help: "Institution lookups by result."}, []string{"result"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bonsign_expensive_inflight", Help: "Requests doing public-key work now."}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.errors, m.issuances, m.lookups, m.inflight,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// handleHealth answers while the process runs.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 when the store answers, 503 otherwise, so a load
// balancer sends no traffic to a server that cannot store anything.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.store.(interface{ Ping(context.Context) error }); ok {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			s.log.Warn("not ready", "err", err.Error())
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// expensive bounds the requests doing public-key work at once (Limits.Expensive).
func (s *Server) expensive(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.slots == nil {
			next(w, r)
			return
		}
		t := time.NewTimer(s.limits.Wait)
		defer t.Stop()
		select {
		case s.slots <- struct{}{}:
		case <-t.C:
			w.Header().Set("Retry-After", "1")
			writeError(w, api.NewError(api.CodeRateLimited).WithDetail("the server is busy"))
			return
		case <-r.Context().Done():
			return
		}
		s.metrics.inflight.Inc()
		defer func() {
			<-s.slots
			s.metrics.inflight.Dec()
		}()
		next(w, r)
	}
}

// metricsHandler serves the Prometheus text format.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// Sweep removes what has expired from the store (unanswered login nonces,
// ended sessions and their codes, old code-send records, lapsed lookup
// locks: store.PurgeExpired) now and then every interval, until ctx ends.
// Several servers on one database may all sweep: the deletes are the same.
func (s *Server) Sweep(ctx context.Context, every time.Duration) {
	p, ok := s.store.(interface {
		PurgeExpired(ctx context.Context, now time.Time) (int64, error)
	})
	if !ok {
		s.log.Warn("the store cannot purge expired rows", "store", fmt.Sprintf("%T", s.store))
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := p.PurgeExpired(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("purging expired rows", "err", err.Error())
		case n > 0:
			s.log.Info("purged expired rows", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
