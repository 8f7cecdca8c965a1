package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
)

// Config is one load run against a running server.
type Config struct {
	URL         string
	TLS         *tls.Config // nil for plain HTTP
	Citizens    []Citizen
	Codes       *CodeReceiver
	APIKey      string
	Concurrency int           // citizens issuing at the same time
	Duration    time.Duration // of each phase
	Lookups     int           // institution lookup workers
	ServerPID   int           // when set, the server's CPU time is measured too (Linux)
	// Presign confirmations are signed, spread over the citizens, before
	// the issuance phase starts: citizens sign on their own computers, so
	// a load tool sharing the server's cores should not spend them on it
	// during the measurement. Each is still a fresh confirmation with a
	// CMS of its own; a citizen whose are used up signs anew.
	Presign int
}

// signedConfirmation is a confirmation and its citizen's CMS.
type signedConfirmation struct {
	conf api.Confirmation
	sig  []byte
}

// Phase is what one phase measured.
type Phase struct {
	Name    string
	Count   int
	Errors  map[api.Code]int
	Elapsed time.Duration
	// ServerCPU and LoadCPU are the CPU time the server and the load tool
	// used during the phase; zero when not measured.
	ServerCPU, LoadCPU time.Duration
	latencies          []time.Duration
}

// cpuPerOp is d per operation of p, in microseconds.
func (p *Phase) cpuPerOp(d time.Duration) float64 {
	return float64(d.Microseconds()) / float64(max(p.Count, 1))
}

// PerSec is the phase's throughput.
func (p *Phase) PerSec() float64 { return float64(p.Count) / p.Elapsed.Seconds() }

// Quantile is the q-th latency (0.5, 0.99).
func (p *Phase) Quantile(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	slices.Sort(p.latencies)
	return p.latencies[min(len(p.latencies)-1, int(q*float64(len(p.latencies))))]
}

// Report is a whole run.
type Report struct {
	Issue, Lookup Phase
	// Floors are the floor measured before the run and after it (the
	// disk's fsync time moves between measurements); the higher one counts.
	Floors []Floor
	Issued []string // the issue numbers, in no order
}

// Print writes the table the load tool prints.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "phase\tops\tops/s\tp50\tp99\terrors")
	for _, p := range []*Phase{&r.Issue, &r.Lookup} {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%v\t%v\t%s\n", p.Name, p.Count, p.PerSec(),
			p.Quantile(0.5).Round(10*time.Microsecond), p.Quantile(0.99).Round(10*time.Microsecond), errText(p.Errors))
	}
	tw.Flush()
	for _, p := range []*Phase{&r.Issue, &r.Lookup} {
		if p.ServerCPU > 0 && p.Elapsed > 0 {
			fmt.Fprintf(w, "%s CPU: server %.0f µs per op (%.2f cores busy), load tool %.0f µs per op (%.2f cores)\n", p.Name,
				p.cpuPerOp(p.ServerCPU), p.ServerCPU.Seconds()/p.Elapsed.Seconds(), p.cpuPerOp(p.LoadCPU), p.LoadCPU.Seconds()/p.Elapsed.Seconds())
		}
	}
	var best Floor
	for _, f := range r.Floors {
		fmt.Fprintf(w, "floor: %s\n", f)
		if f.PerSec > best.PerSec {
			best = f
		}
	}
	if best.PerSec > 0 {
		fmt.Fprintf(w, "issuances/s are %.0f%% of the higher floor (%.0f/s)\n", 100*r.Issue.PerSec()/best.PerSec, best.PerSec)
		if perOp := r.Issue.cpuPerOp(r.Issue.ServerCPU); perOp > 0 {
			alone := float64(best.Cores) / (perOp / 1e6)
			fmt.Fprintf(w, "the server alone on these %d cores (no load tool beside it) would do at most about %.0f issuances/s, %.0f%% of the floor\n",
				best.Cores, alone, 100*alone/best.PerSec)
		}
	}
}

func errText(m map[api.Code]int) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for c, n := range m {
		parts = append(parts, fmt.Sprintf("%s:%d", c, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

type recorder struct {
	mu sync.Mutex
	Phase
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		var e *api.Error
		code := api.Code("transport")
		if errors.As(err, &e) {
			code = e.Code
		}
		if r.Errors == nil {
			r.Errors = map[api.Code]int{}
		}
		r.Errors[code]++
		return
	}
	r.Count++
	r.latencies = append(r.latencies, d)
}

func (c Config) newClient() *client.Client {
	if c.TLS != nil {
		return client.New(c.URL, client.WithTLS(c.TLS))
	}
	return client.New(c.URL)
}

// Run logs the citizens in (certificate and phone code), then has
// Concurrency of them issue confirmations for Duration, then has Lookups
// workers verify the issued numbers for Duration.
func Run(ctx context.Context, c Config) (*Report, error) {
	if c.Concurrency > len(c.Citizens) {
		return nil, fmt.Errorf("%d workers need %d citizens, only %d set up", c.Concurrency, c.Concurrency, len(c.Citizens))
	}
	sessions := make([]*Session, c.Concurrency)
	var wg sync.WaitGroup
	errs := make(chan error, c.Concurrency)
	for i := range c.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			se, err := c.Login(ctx, c.Citizens[i])
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = se
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}

	if err := presign(sessions, c.Presign); err != nil {
		return nil, err
	}
	rep := &Report{}
	issue := &recorder{Phase: Phase{Name: "issue"}}
	var issuedMu sync.Mutex
	cpu := c.cpuMeter()
	start := time.Now()
	for _, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < c.Duration && ctx.Err() == nil {
				var resp *api.IssueResponse
				var err error
				t0 := time.Now()
				if n := len(s.presigned); n > 0 {
					sc := s.presigned[n-1]
					s.presigned = s.presigned[:n-1]
					t0 = time.Now()
					resp, err = s.Client.IssueSigned(ctx, sc.conf, sc.sig)
				} else {
					resp, err = s.Issue(ctx, s.Confirmation())
				}
				issue.add(time.Since(t0), err)
				if err == nil {
					issuedMu.Lock()
					rep.Issued = append(rep.Issued, resp.Receipt.IssueNumber+"\x00"+s.Citizen.Name)
					issuedMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	issue.Elapsed = time.Since(start)
	issue.ServerCPU, issue.LoadCPU = cpu()
	rep.Issue = issue.Phase

	lookup := &recorder{Phase: Phase{Name: "lookup"}}
	if c.Lookups > 0 && len(rep.Issued) > 0 {
		cl := c.newClient()
		cpu = c.cpuMeter()
		start = time.Now()
		for w := range c.Lookups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; time.Since(start) < c.Duration && ctx.Err() == nil; i += c.Lookups {
					num, name, _ := strings.Cut(rep.Issued[i%len(rep.Issued)], "\x00")
					t0 := time.Now()
					_, err := cl.Verify(ctx, c.APIKey, num, name)
					lookup.add(time.Since(t0), err)
				}
			}()
		}
		wg.Wait()
		lookup.Elapsed = time.Since(start)
		lookup.ServerCPU, lookup.LoadCPU = cpu()
	}
	rep.Lookup = lookup.Phase
	return rep, nil
}

// cpuMeter starts measuring the CPU time of the server and of this
// process; the function it returns gives both since then (zeros when either
// cannot be read).
func (c Config) cpuMeter() func() (server, load time.Duration) {
	s0, ok1 := cpuTime(c.ServerPID)
	l0, ok2 := cpuTime(0)
	return func() (time.Duration, time.Duration) {
		s1, ok3 := cpuTime(c.ServerPID)
		l1, ok4 := cpuTime(0)
		if c.ServerPID == 0 || !ok1 || !ok2 || !ok3 || !ok4 {
			return 0, 0
		}
		return s1 - s0, l1 - l0
	}
}

// presign signs n confirmations, spread over sessions, on every core.
func presign(sessions []*Session, n int) error {
	if n <= 0 {
		return nil
	}
	per := (n + len(sessions) - 1) / len(sessions)
	work := make(chan *Session)
	errs := make(chan error, len(sessions))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				for range per {
					conf := s.Confirmation()
					content, err := conf.Canonical()
					if err == nil {
						var sig []byte
						if sig, err = s.sign(content); err == nil {
							s.presigned = append(s.presigned, signedConfirmation{conf, sig})
							continue
						}
					}
					errs <- err
					break
				}
			}
		}()
	}
	for _, s := range sessions {
		work <- s
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

// Session is a citizen logged in and past the phone check.
type Session struct {
	Client    *client.Client
	Citizen   Citizen
	sign      func([]byte) ([]byte, error)
	presigned []signedConfirmation
}

// Login logs citizen cz in with their certificate and passes the phone code
// check, reading the code from the webhook receiver.
func (c Config) Login(ctx context.Context, cz Citizen) (*Session, error) {
	id, err := cz.Identity()
	if err != nil {
		return nil, err
	}
	cl := c.newClient()
	if _, err := cl.Login(ctx, id.SignCMS); err != nil {
		return nil, fmt.Errorf("login %s: %w", cz.Name, err)
	}
	code := c.Codes.Expect(cz.Phone)
	if _, err := cl.RequestCode(ctx); err != nil {
		return nil, fmt.Errorf("code %s: %w", cz.Name, err)
	}
	select {
	case got := <-code:
		if err := cl.VerifyCode(ctx, got); err != nil {
			return nil, fmt.Errorf("verify code %s: %w", cz.Name, err)
		}
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("no code reached the webhook for %s", cz.Name)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &Session{Client: cl, Citizen: cz, sign: id.SignCMS}, nil
}

// Confirmation is a fresh, valid confirmation of the session's citizen.
func (s *Session) Confirmation() api.Confirmation { return confirmationFor(s.Citizen) }

// Issue signs conf (anew each call, as a citizen retrying would) and submits it.
func (s *Session) Issue(ctx context.Context, conf api.Confirmation) (*api.IssueResponse, error) {
	content, err := conf.Canonical()
	if err != nil {
		return nil, err
	}
	sig, err := s.sign(content)
	if err != nil {
		return nil, err
	}
	return s.Client.IssueSigned(ctx, conf, sig)
}

// confirmationFor is a fresh, valid confirmation of citizen cz.
func confirmationFor(cz Citizen) api.Confirmation {
	b := make([]byte, 16)
	rand.Read(b)
	return api.Confirmation{
		Version:      api.ConfirmationVersion,
		ID:           hex.EncodeToString(b),
		CreatedAt:    time.Now().In(api.KST).Format(time.RFC3339),
		Citizen:      api.Person{Name: cz.Name, RRN: cz.RRN, Address: cz.Address},
		Purpose:      "부동산 매도 (부하시험)",
		Counterparty: api.Counterparty{Name: "주식회사 부하시험", ID: "220-81-62517", Address: "서울특별시 중구 세종대로 110"},
		Institution:  api.Institution{Code: Institution, Name: institutionN},
	}
}
