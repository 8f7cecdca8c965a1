package printout

import (
	"slices"
	"testing"
)

func TestViewerCommandOnEachSystem(t *testing.T) {
	const p = `C:\Users\홍길동\My Receipts\발급증 & 1.pdf`
	for goos, want := range map[string][]string{
		"windows": {"rundll32", "url.dll,FileProtocolHandler", p},
		"darwin":  {"open", p},
		"linux":   {"xdg-open", p},
		"freebsd": {"xdg-open", p},
	} {
		name, args := viewerCommand(goos, p)
		if got := append([]string{name}, args...); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}
