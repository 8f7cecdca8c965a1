package npki

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
	"github.com/bonsign/bonsign/signer"
)

func TestOpen(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	k := newKey(t, testRSA())
	pw := []byte("pw1234!")
	keyFile := sealPBES1(t, k.info, pw, 2048)
	cert := issue(t, ca, testRSA(), "홍길동()0011")

	t.Run("a folder opens to an identity that signs CMS", func(t *testing.T) {
		dir := writeFolder(t, filepath.Join(t.TempDir(), "cn=홍길동"), cert, keyFile)
		id, key, err := Open(dir, pw)
		if err != nil {
			t.Fatal(err)
		}
		if !id.Certificate.Equal(cert) || !bytes.Equal(key.RandomNum(), testR) || len(id.Chain) != 0 {
			t.Fatal("opened something else")
		}
		cms, err := id.SignCMS([]byte("전자본인서명확인서"))
		if err != nil || len(cms) == 0 {
			t.Fatalf("SignCMS: %v", err)
		}
	})
	t.Run("a key of another certificate is refused", func(t *testing.T) {
		other := issue(t, ca, testECDSA(t), "김철수")
		dir := writeFolder(t, filepath.Join(t.TempDir(), "x"), other, keyFile)
		if _, _, err := Open(dir, pw); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("%v, want ErrKeyMismatch", err)
		}
	})
	t.Run("a wrong password is ErrWrongPassword", func(t *testing.T) {
		dir := writeFolder(t, filepath.Join(t.TempDir(), "x"), cert, keyFile)
		if _, _, err := Open(dir, []byte("nope")); !errors.Is(err, signer.ErrWrongPassword) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("a folder without the key says which file is missing", func(t *testing.T) {
		dir := writeFolder(t, filepath.Join(t.TempDir(), "x"), cert, keyFile)
		os.Remove(filepath.Join(dir, KeyFile))
		if _, _, err := Open(dir, pw); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v", err)
		}
	})
}

// TestRekey turns an old PBES1 file into PBES2 under a new password.
func TestRekey(t *testing.T) {
	k := newKey(t, testRSA())
	oldPW, newPW := []byte("old-pw"), []byte("new-pw-더 길게")
	old := sealPBES1(t, k.info, oldPW, 2048)
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFile)
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := Rekey(path, oldPW, newPW, 5000); err != nil {
		t.Fatal(err)
	}

	now := mustRead(t, path)
	var epki encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(now, &epki); err != nil || !epki.Algorithm.Algorithm.Equal(oidPBES2) {
		t.Fatalf("the new file is %v (%v), want PBES2", epki.Algorithm.Algorithm, err)
	}
	if _, err := ParseKey(now, oldPW); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password on the new file: %v", err)
	}
	k2, err := ParseKey(now, newPW)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.RandomNum(), testR) || !bytes.Equal(k2.info, k.info) {
		t.Fatal("the key or R changed")
	}
	backups, _ := filepath.Glob(path + ".bak-*")
	if len(backups) != 1 || !bytes.Equal(mustRead(t, backups[0]), old) {
		t.Fatalf("backups %v", backups)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	t.Run("a second rekey in the same second keeps both backups", func(t *testing.T) {
		if err := Rekey(path, newPW, oldPW, 1000); err != nil {
			t.Fatal(err)
		}
		if err := Rekey(path, oldPW, newPW, 1000); err != nil {
			t.Fatal(err)
		}
		backups, _ := filepath.Glob(path + ".bak-*")
		if len(backups) != 3 {
			t.Fatalf("backups %v", backups)
		}
	})
	t.Run("a wrong old password changes nothing", func(t *testing.T) {
		before := mustRead(t, path)
		backups, _ := filepath.Glob(path + ".bak-*")
		if err := Rekey(path, []byte("wrong"), []byte("x"), 1000); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%v", err)
		}
		after, _ := filepath.Glob(path + ".bak-*")
		if !bytes.Equal(mustRead(t, path), before) || len(after) != len(backups) {
			t.Fatal("the file or the backups changed")
		}
	})
}

// TestFind walks NPKI trees laid out as the CAs' programs lay them out.
func TestFind(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	k := newKey(t, testRSA())
	keyFile := sealPBES1(t, k.info, []byte("pw"), 1)
	cert := issue(t, ca, testRSA(), "홍길동()0011")

	root := filepath.Join(t.TempDir(), "NPKI")
	good := writeFolder(t, filepath.Join(root, "yessign", "USER", "cn=홍길동()0011,ou=personal4IB,o=yessign,c=kr"), cert, keyFile)
	broken := writeFolder(t, filepath.Join(root, "CrossCert", "USER", "cn=김철수"), cert, keyFile)
	os.WriteFile(filepath.Join(broken, CertFile), []byte("not a certificate"), 0o644)
	noKey := writeFolder(t, filepath.Join(root, "SignKorea", "USER", "cn=이영희"), cert, keyFile)
	os.Remove(filepath.Join(noKey, KeyFile))
	mixedCase := writeFolder(t, filepath.Join(root, "KICA", "User", "cn=박민수"), cert, keyFile)
	os.MkdirAll(filepath.Join(root, "NCASign", "USER"), 0o755) // empty
	os.WriteFile(filepath.Join(root, "readme.txt"), nil, 0o644)

	type found struct {
		ca, subject, dir string
		ok               bool
	}
	summarize := func(entries []Entry) []found {
		var out []found
		for _, e := range entries {
			if (e.Err == nil) != (e.Certificate != nil) {
				t.Fatalf("entry %s has both or neither of a certificate and an error", e.Dir)
			}
			if e.Certificate != nil && !e.Certificate.Equal(cert) {
				t.Fatalf("entry %s: wrong certificate", e.Dir)
			}
			out = append(out, found{e.CA, e.Subject, e.Dir, e.Err == nil})
		}
		return out
	}
	all := []found{
		{"CrossCert", "cn=김철수", broken, false},
		{"KICA", "cn=박민수", mixedCase, true},
		{"yessign", "cn=홍길동()0011,ou=personal4IB,o=yessign,c=kr", good, true},
	}

	for _, tc := range []struct {
		name string
		root string
		want []found
	}{
		{"an NPKI folder lists every CA's certificates, a bad one with its error", root, all},
		{"the folder above NPKI (a USB stick) finds the NPKI folder", filepath.Dir(root), all},
		{"a CA folder lists its certificates", filepath.Join(root, "yessign"), all[2:]},
		{"a USER folder lists its certificates", filepath.Join(root, "KICA", "User"), all[1:2]},
		{"a certificate folder is itself", good, all[2:]},
		{"a folder of no certificates lists none", filepath.Join(root, "NCASign"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := Find(tc.root)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(entries); !slices.Equal(got, tc.want) {
				t.Fatalf("found %v\nwant %v", got, tc.want)
			}
		})
	}
	t.Run("a bad certificate's error says which file", func(t *testing.T) {
		entries, _ := Find(root)
		if entries[0].Err == nil || !strings.Contains(entries[0].Err.Error(), filepath.Join(broken, CertFile)) {
			t.Fatalf("%v", entries[0].Err)
		}
	})
	t.Run("a missing folder is an error", func(t *testing.T) {
		if _, err := Find(filepath.Join(root, "nowhere")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("the entries open", func(t *testing.T) {
		entries, _ := Find(root)
		for _, e := range entries {
			if e.Err != nil {
				continue
			}
			if _, _, err := Open(e.Dir, []byte("pw")); err != nil {
				t.Fatalf("%s: %v", e.Dir, err)
			}
		}
	})
}
