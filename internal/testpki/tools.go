package testpki

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Tool returns the path of an outside program a test needs. Where it is
// missing the test is skipped on a developer's machine and fails in CI (CI is
// set), because there a missing tool is a broken set-up, not a reason to skip.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (make test installs it): %v", name, err)
	}
	t.Skipf("%s is not installed: run make deps", name)
	return ""
}

// Run runs an outside program and returns its standard output; a failure
// fails the test with the program's standard error.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(Tool(t, name), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}
