package loadtest

import (
	"strings"
	"testing"
	"time"
)

func TestReportPrintsTheFiguresOfARun(t *testing.T) {
	r := &Report{
		Issue: Phase{Name: "issue", Count: 2000, Elapsed: time.Second, ServerCPU: 1400 * time.Millisecond, LoadCPU: 300 * time.Millisecond,
			latencies: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}},
		Lookup: Phase{Name: "lookup", Count: 4000, Elapsed: time.Second},
		Floors: []Floor{{PerSec: 3000, Cores: 2, Limited: "fsync"}, {PerSec: 4000, Cores: 2, Limited: "fsync"}},
	}
	var b strings.Builder
	r.Print(&b)
	out := b.String()
	for _, want := range []string{
		"issue CPU: server 700 µs per op (1.40 cores busy), load tool 150 µs per op (0.30 cores)",
		"issuances/s are 50% of the higher floor (4000/s)",
		"would do at most about 2857 issuances/s, 71% of the floor",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "lookup CPU") {
		t.Errorf("a phase without CPU figures printed some:\n%s", out)
	}
}
