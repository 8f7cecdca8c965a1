package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/internal/testpki"
)

// TestAdminCommands runs the scripted onboarding a deployment would: a clerk
// account, an approval (the number read from standard input), a look, a
// refused early renewal, a revocation.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, "test CA")
	leaf := ca.Issue(t, "홍길동", testpki.Options{})
	certPath, _ := leaf.WritePEM(t, dir)
	common := []string{"-db", filepath.Join(dir, "bonsign.db"), "-key-file", filepath.Join(dir, "data.key"),
		"-roots", ca.WriteCA(t, dir), "-receipt-key", filepath.Join(dir, "rk.pem"), "-receipt-cert", filepath.Join(dir, "rc.pem")}
	run := func(stdin string, cmd string, args ...string) (string, error) {
		var out bytes.Buffer
		err := admin(cmd, append(append([]string{}, common...), args...), strings.NewReader(stdin), &out)
		return out.String(), err
	}
	const rrn = "900101-1234568"

	out, err := run("", "clerk-add", "-login", "kim01", "-name", "김담당", "-office", "청운효자동 행정복지센터")
	if err != nil || !regexp.MustCompile(`password: \S{4}-\S{4}-\S{4}`).MatchString(out) {
		t.Fatalf("clerk-add: %v\n%s", err, out)
	}
	if _, err := run("short\n", "clerk-add", "-login", "lee02", "-name", "이", "-office", "o", "-password-stdin"); err == nil {
		t.Fatal("a weak clerk password was accepted")
	}
	approve := []string{"-clerk", "kim01", "-rrn", "-", "-name", "홍길동", "-address", "서울특별시 종로구 세종대로 209",
		"-phone", "010-1234-5678", "-cert", certPath, "-login-id", "hong"}
	if _, err := run(rrn+"\n", "approve", approve...); err == nil || !strings.Contains(err.Error(), "-id-checked") {
		t.Fatalf("an approval without the ID check: %v", err)
	}
	if _, err := run(rrn+"\n", "approve", append(approve[2:], "-id-checked")...); err == nil || !strings.Contains(err.Error(), "-clerk") {
		t.Fatalf("an approval without a clerk: %v", err)
	}
	out, err = run(rrn+"\n", "approve", append(approve, "-id-checked")...)
	if err != nil || !strings.Contains(out, "login ID: hong") || !strings.Contains(out, "initial password: ") {
		t.Fatalf("approve: %v\n%s", err, out)
	}
	if _, err := run(rrn+"\n", "approve", append(approve, "-id-checked")...); err == nil {
		t.Fatal("a second approval was accepted")
	}
	out, err = run(strings.ReplaceAll(rrn, "-", "")+"\n", "show", "-rrn", "-")
	if err != nil || !strings.Contains(out, "900101-1******") || !strings.Contains(out, "status: valid") || !strings.Contains(out, "kim01") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	if strings.Contains(out, rrn) || strings.Contains(out, "9001011234568") {
		t.Fatal("show prints the whole number")
	}
	opens := time.Now().In(time.FixedZone("KST", 9*3600)).AddDate(2, 0, -30).Format("2006-01-02")
	if _, err := run(rrn+"\n", "renew", "-clerk", "kim01", "-rrn", "-"); err == nil || !strings.Contains(err.Error(), "renewal refused") ||
		!strings.Contains(err.Error(), opens[:7]) {
		t.Fatalf("an early renewal: %v", err)
	}
	if _, err := run(rrn+"\n", "revoke", "-clerk", "kim01", "-rrn", "-"); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("a revocation without a reason: %v", err)
	}
	if out, err := run(rrn+"\n", "revoke", "-clerk", "kim01", "-rrn", "-", "-reason", "본인 요청"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %s", err, out)
	}
	out, _ = run(rrn+"\n", "show", "-rrn", "-")
	if !strings.Contains(out, "status: revoked") || !strings.Contains(out, "본인 요청") || strings.Count(out, "kim01") < 2 {
		t.Fatalf("show after revoke:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "bonsign.db")); err != nil {
		t.Fatal(err)
	}
}
