package cli

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/certs"
	"github.com/bonsign/bonsign/signer/npki"
)

// sourceFlags are the flags that name where a certificate is.
type sourceFlags struct {
	npki, p12, pem, pkcs11 multi
	slot                   int
	id                     string
}

func (s *sourceFlags) register(fs *flag.FlagSet, withToken bool) {
	fs.Var(&s.npki, "npki", "an NPKI folder: an NPKI base folder, or a certificate folder with signCert.der and signPri.key (repeatable)")
	fs.Var(&s.p12, "p12", "a PKCS#12 file (.p12, .pfx) (repeatable)")
	fs.Var(&s.pem, "pem", "a PEM file with the certificate and its PKCS#8 key (repeatable)")
	fs.Var(&s.pkcs11, "pkcs11", "a PKCS#11 module of a hardware token (repeatable)")
	if withToken {
		fs.IntVar(&s.slot, "slot", -1, "the token slot, when the module has several tokens")
		fs.StringVar(&s.id, "id", "", "the CKA_ID (hex) of the token certificate, when the token holds several")
	}
}

// find lists the certificates the flags name; with no flags at all, every
// certificate found in the usual places.
func (s *sourceFlags) find() *certs.List {
	o := certs.Options{Files: append(append(append([]string{}, s.npki...), s.p12...), s.pem...), Modules: s.pkcs11}
	if len(s.npki)+len(s.p12)+len(s.pem)+len(s.pkcs11) > 0 {
		o.NPKIRoots = []npki.Location{}
		if len(s.pkcs11) == 0 {
			o.NoTokens = true
		}
	}
	return certs.Find(o)
}

func certsCmd(args []string, env Env) error {
	fs := newFlags("certs", env)
	var s sourceFlags
	s.register(fs, false)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l := s.find()
	defer l.Close()
	now := time.Now()
	if *asJSON {
		type row struct {
			Holder, Issuer, Use, Kind, Storage, Path, Status string
			NotAfter                                         string `json:",omitempty"`
			DaysLeft                                         int
			WeakKeyProtection                                bool
		}
		var rows []row
		for _, e := range l.Entries {
			ko, _ := e.Use()
			v, days := e.ValidAt(now)
			r := row{Holder: e.Holder(), Issuer: e.Issuer(), Use: ko, Kind: string(e.Kind), Storage: string(e.Storage),
				Path: e.Path, Status: status(e, v), DaysLeft: days, WeakKeyProtection: e.WeakKeyProtection}
			if e.Certificate != nil {
				r.NotAfter = e.Certificate.NotAfter.UTC().Format(time.RFC3339)
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(l.Entries) == 0 {
		fmt.Fprintln(env.Stdout, "no certificates found")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tHOLDER\tISSUER\tUSE\tEXPIRES\tSTATUS\tSTORAGE\tPATH")
	for i, e := range l.Entries {
		ko, _ := e.Use()
		v, days := e.ValidAt(now)
		expires := "-"
		if e.Certificate != nil {
			expires = e.Certificate.NotAfter.In(time.Local).Format("2006-01-02")
			if v == certs.Valid {
				expires += fmt.Sprintf(" (%d days)", days)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, e.Holder(), e.Issuer(), ko, expires, status(e, v), e.Storage, e.Path)
	}
	return tw.Flush()
}

func status(e certs.Entry, v certs.Validity) string {
	switch {
	case e.Err != nil:
		return "unreadable: " + e.Err.Error()
	case v == certs.Expired:
		return "expired"
	case v == certs.NotYetValid:
		return "not yet valid"
	case e.Kind == certs.KindPKCS12:
		return "password needed to read"
	case e.WeakKeyProtection:
		return "valid (old key encryption: run bonsign rekey)"
	}
	return "valid"
}

// pick chooses the one certificate the sign flags name.
func (s *sourceFlags) pick() (*certs.List, *certs.Entry, error) {
	if len(s.npki)+len(s.p12)+len(s.pem)+len(s.pkcs11) != 1 {
		return nil, nil, usageError{"name exactly one certificate: --npki DIR, --p12 FILE, --pem FILE or --pkcs11 MODULE"}
	}
	l := s.find()
	var match []*certs.Entry
	for i := range l.Entries {
		e := &l.Entries[i]
		if e.Token != nil && (s.slot >= 0 && e.Token.Slot != uint(s.slot) || s.id != "" && hex.EncodeToString(e.Token.ID) != s.id) {
			continue
		}
		match = append(match, e)
	}
	switch len(match) {
	case 1:
		return l, match[0], nil
	case 0:
		l.Close()
		return nil, nil, errors.New("no certificate found there")
	}
	l.Close()
	return nil, nil, usageError{fmt.Sprintf("%d certificates found there: name one certificate folder, or --slot and --id for a token", len(match))}
}

func signCmd(args []string, env Env) error {
	fs := newFlags("sign", env)
	var s sourceFlags
	s.register(fs, true)
	in := fs.String("in", "", "the file to sign")
	out := fs.String("out", "", "where to write the CMS (DER)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return usageError{"--in and --out are required"}
	}
	content, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	l, e, err := s.pick()
	if err != nil {
		return err
	}
	defer l.Close()
	if e.Err != nil {
		return e.Err
	}
	switch v, _ := e.ValidAt(time.Now()); v {
	case certs.Expired:
		return fmt.Errorf("the certificate expired on %s: renew it with its CA", e.Certificate.NotAfter.Format("2006-01-02"))
	case certs.NotYetValid:
		return fmt.Errorf("the certificate is valid only from %s", e.Certificate.NotBefore.Format("2006-01-02"))
	}
	name, prompt := EnvPassword, fmt.Sprintf("password of %s's certificate: ", e.Holder())
	if e.Kind == certs.KindToken {
		ko, en := e.Token.PIN.Notice()
		if ko != "" {
			fmt.Fprintf(env.Stderr, "%s / %s\n", ko, en)
		}
		if e.Token.PIN.Locked() {
			return errors.New("the token's PIN is locked")
		}
		name, prompt = EnvPIN, fmt.Sprintf("PIN of token %s: ", e.Token.Label)
	}
	pw, err := secret(env, name, prompt)
	if err != nil {
		return err
	}
	id, err := e.Open(pw)
	if err != nil {
		return err
	}
	defer id.Close()
	der, err := id.SignCMS(content)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, der, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "signed %s as %s into %s\n", filepath.Base(*in), id.HolderName(), *out)
	return nil
}

func verifyCmd(args []string, env Env) error {
	fs := newFlags("verify", env)
	in := fs.String("in", "", "the CMS to verify (DER or PEM)")
	caFile := fs.String("ca", "", "PEM file of trusted certificate authorities (without it the chain is not checked)")
	contentFile := fs.String("content", "", "the signed content, for a detached signature or to check an attached one")
	out := fs.String("out", "", "write the signed content to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return usageError{"--in is required"}
	}
	der, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	if b, _ := pem.Decode(der); b != nil {
		der = b.Bytes
	}
	var o signer.VerifyOptions
	if *contentFile != "" {
		if o.Content, err = os.ReadFile(*contentFile); err != nil {
			return err
		}
		o.Detached = true
	}
	if *caFile != "" {
		data, err := os.ReadFile(*caFile)
		if err != nil {
			return err
		}
		o.Roots = x509.NewCertPool()
		if !o.Roots.AppendCertsFromPEM(data) {
			return fmt.Errorf("%s holds no PEM certificate", *caFile)
		}
	}
	v, err := signer.VerifyCMS(der, o)
	if err != nil {
		return err
	}
	chain := "chain not checked (no --ca)"
	if o.Roots != nil {
		chain = "chain verified"
	}
	fmt.Fprintf(env.Stderr, "verified: signed by %q, issued by %q, %s\n", v.Certificate.Subject.CommonName, v.Certificate.Issuer.CommonName, chain)
	if *out != "" {
		return os.WriteFile(*out, v.Content, 0o644)
	}
	return nil
}

func rekeyCmd(args []string, env Env) error {
	fs := newFlags("rekey", env)
	dir := fs.String("npki", "", "the NPKI certificate folder holding signPri.key")
	iterations := fs.Int("iterations", npki.DefaultIterations, "PBKDF2-HMAC-SHA256 rounds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--npki DIR is required"}
	}
	oldPW, err := secret(env, EnvPassword, "current certificate password: ")
	if err != nil {
		return err
	}
	newPW := env.Getenv(EnvNewPassword)
	if newPW == "" {
		if newPW, err = secret(env, EnvNewPassword, "new certificate password: "); err != nil {
			return err
		}
		again, err := secret(env, EnvNewPassword, "new certificate password again: ")
		if err != nil {
			return err
		}
		if again != newPW {
			return errors.New("the two new passwords differ")
		}
	}
	path := filepath.Join(*dir, npki.KeyFile)
	if err := npki.Rekey(path, []byte(oldPW), []byte(newPW), *iterations); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "re-encrypted %s (PBES2, PBKDF2-HMAC-SHA256, %d rounds, SEED-CBC); the old file is kept beside it as %s.bak-*: delete it once you have checked the new password works, since it still opens with the old one\n", path, *iterations, npki.KeyFile)
	return nil
}
