package password_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/client/server/password"
)

func TestHashAndVerify(t *testing.T) {
	h, err := password.Hash("한글-비밀번호-2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := password.Verify(h, "한글-비밀번호-2026"); !ok || err != nil {
		t.Fatalf("the right password: %t %v", ok, err)
	}
	if ok, _ := password.Verify(h, "한글-비밀번호-2027"); ok {
		t.Fatal("a wrong password verified")
	}
	h2, _ := password.Hash("한글-비밀번호-2026")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA"} {
		if _, err := password.Verify(bad, "x"); !errors.Is(err, password.ErrMalformed) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
	if password.VerifyNothing("x") {
		t.Fatal("VerifyNothing said yes")
	}
}

func TestInitialPasswords(t *testing.T) {
	form := regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`)
	seen := map[string]bool{}
	for range 200 {
		p, err := password.Initial(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !form.MatchString(p) || seen[p] {
			t.Fatalf("initial password %q", p)
		}
		seen[p] = true
		if err := password.CheckNew(p); err != nil {
			t.Fatalf("%q fails the policy it is changed under: %v", p, err)
		}
	}
	// The same randomness gives the same password: the reader is used.
	a, _ := password.Initial(bytes.NewReader(make([]byte, 12)))
	if a != "aaaa-aaaa-aaaa" {
		t.Fatalf("from zeros: %q", a)
	}
}

func TestPolicyForNewPasswords(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short1":                  false,
		"abcdefghijkl":            false, // letters only
		"123456789012":            false, // digits only
		"abcdefghij1":             true,
		"비밀번호는열글자이상1":             true,
		"correct horse battery":   true, // letters and spaces
		strings.Repeat("a1", 100): false,
	} {
		if err := password.CheckNew(pw); (err == nil) != ok {
			t.Errorf("CheckNew(%q) = %v, want ok=%t", pw, err, ok)
		}
	}
}
