package main

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/client/server/institution"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestOfficerAndKeyCommands onboards an institution: an officer whose
// enrolment (password, otpauth URI, secret, QR code) logs in, and an API key
// that is listed and revoked.
func TestOfficerAndKeyCommands(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"-db", filepath.Join(dir, "bonsign.db"), "-key-file", filepath.Join(dir, "data.key"),
		"-receipt-key", filepath.Join(dir, "rk.pem"), "-receipt-cert", filepath.Join(dir, "rc.pem")}
	with := func(args ...string) []string { return append(append([]string{}, flags...), args...) }
	var out bytes.Buffer
	qr := filepath.Join(dir, "kim.png")

	err := officerCmd("officer-add", with("-institution", "bs-pub-nps", "-login", "kim.nps", "-name", "김확인", "-qr", qr), strings.NewReader(""), &out)
	if err != nil {
		t.Fatalf("officer-add: %v\n%s", err, &out)
	}
	text := out.String()
	pw := regexp.MustCompile(`password: (\S{4}-\S{4}-\S{4})`).FindStringSubmatch(text)
	uri := regexp.MustCompile(`(otpauth://totp/\S+)`).FindStringSubmatch(text)
	if !strings.Contains(text, "김확인, 국민연금공단 bs-pub-nps") || pw == nil || uri == nil {
		t.Fatalf("officer-add printed:\n%s", text)
	}
	u, _ := url.Parse(uri[1])
	secret := u.Query().Get("secret")
	if !strings.Contains(text, groups(secret)) {
		t.Fatalf("the secret is not printed for typing in:\n%s", text)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("the QR code: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || scanned.GetText() != uri[1] {
		t.Fatalf("the QR code reads %v, %v; want %s", scanned, err, uri[1])
	}
	if fi, _ := os.Stat(qr); fi.Mode().Perm() != 0o600 {
		t.Fatalf("the QR file is %v", fi.Mode())
	}

	var c common
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.register(fs)
	fs.Parse(flags)
	srv, st, err := c.open()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code, _ := institution.TOTPCode(secret, institution.TOTPStep(now))
	if _, _, err := srv.OfficerLogin(context.Background(), "kim.nps", pw[1], code); err != nil {
		t.Fatalf("the enrolment printed does not log in: %v", err)
	}
	st.Close()

	if err := officerCmd("officer-add", with("-institution", "x-casino", "-login", "lee.casino", "-name", "이"), strings.NewReader(""), &out); err == nil {
		t.Fatal("an officer of an institution not in the directory")
	}
	out.Reset()
	if err := officerCmd("officer-disable", with("-login", "kim.nps"), strings.NewReader(""), &out); err != nil || !strings.Contains(out.String(), "disabled") {
		t.Fatalf("officer-disable: %v %s", err, &out)
	}

	out.Reset()
	if err := institutionKey(with("-code", "bs-pub-nps"), &out); err == nil {
		t.Fatal("a key without a label")
	}
	if err := institutionKey(with("-code", "bs-pub-nps", "-label", "연금 지급 시스템"), &out); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out.String())
	if !strings.HasPrefix(key, "bsk_") {
		t.Fatalf("key %q", key)
	}
	out.Reset()
	if err := institutionKey(with("-list"), &out); err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`(?m)^([0-9a-f]{12})\s+bs-pub-nps\s+\S+ \S+\s+-\s+연금 지급 시스템$`).FindStringSubmatch(out.String())
	if id == nil {
		t.Fatalf("-list:\n%s", &out)
	}
	out.Reset()
	if err := institutionKey(with("-revoke", id[1]), &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	institutionKey(with("-list", "-code", "bs-pub-nps"), &out)
	if strings.Contains(out.String(), " -  ") {
		t.Fatalf("still working after -revoke:\n%s", &out)
	}
	if err := institutionKey(with("-revoke", id[1]), &out); err == nil {
		t.Fatal("revoked twice")
	}
}
