package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/bonsign/bonsign/client/server/approval"
	"github.com/bonsign/bonsign/client/server/password"
)

// admin runs the registry's commands (clerk-add, approve, renew, revoke, show,
// consent) on the store, as the clerk named by -clerk. Secrets read from in:
// "-rrn -" reads the number from the first line, so that it appears in no
// process list or shell history; clerk-add -password-stdin reads the password.
func admin(cmd string, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	var c common
	c.register(fs)
	clerkLogin := fs.String("clerk", "", "login of the clerk doing this (made with clerk-add); the history names them")
	rrnFlag := fs.String("rrn", "", `the citizen's resident registration number; "-" reads it from standard input (recommended)`)
	var run func(ctx context.Context, srv *server.Server, by *approval.Clerk, stdin *bufio.Reader) error
	switch cmd {
	case "clerk-add":
		login := fs.String("login", "", "the clerk's login (4-32 lower-case letters, digits, . _ -)")
		name := fs.String("name", "", "the clerk's name")
		office := fs.String("office", "", "the office, e.g. 청운효자동 행정복지센터")
		fromStdin := fs.Bool("password-stdin", false, "read the password from standard input; otherwise one is drawn and printed")
		run = func(ctx context.Context, srv *server.Server, _ *approval.Clerk, stdin *bufio.Reader) error {
			pw, err := password.Initial(nil)
			if err != nil {
				return err
			}
			if *fromStdin {
				if pw, err = readLine(stdin); err != nil {
					return err
				}
			}
			cl, err := srv.AddClerk(ctx, *login, *name, *office, pw)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "clerk %s (%s, %s) added\n", cl.Login, cl.Name, cl.Office)
			if !*fromStdin {
				fmt.Fprintf(out, "password: %s\n", pw)
			}
			return nil
		}
	case "approve":
		var a approval.Request
		fs.StringVar(&a.Name, "name", "", "citizen's name")
		fs.StringVar(&a.Address, "address", "", "registered address")
		fs.StringVar(&a.Phone, "phone", "", "phone number for the identity check, e.g. 010-1234-5678")
		fs.StringVar(&a.IdentityMethod, "method", approval.MethodMobile, "extra identity method: mobile, landline or token")
		fs.StringVar(&a.Channel, "channel", "", "default channel of the codes: sms or voice (empty: sms for mobile, voice for landline)")
		fs.BoolVar(&a.TextCapable, "text-capable", false, "the landline can receive text messages")
		fs.StringVar(&a.LoginID, "login-id", "", "login ID for the ID/password login (empty: one is drawn)")
		fs.BoolVar(&a.LimitedGuardianship, "limited-guardianship", false, "the citizen is under limited guardianship (피한정후견인)")
		office := fs.String("office", "", "approving office (default: the clerk's)")
		certPath := fs.String("cert", "", "the citizen's login certificate, PEM (with any intermediates after it) or DER; may be left out for an NPKI certificate (bound by its VID)")
		tokenPath := fs.String("token-cert", "", "for -method token: the certificate on the security token (default: -cert)")
		var cr approval.ConsentRequest
		fs.StringVar(&cr.Kind, "consent-kind", "", "legal_representative or limited_guardian")
		fs.StringVar(&cr.Name, "consent-name", "", "the representative's name")
		fs.StringVar(&cr.Relation, "consent-relation", "", "their relation, e.g. 모")
		fs.StringVar(&cr.RRN, "consent-rrn", "", "their resident registration number (only its masked form is kept)")
		fs.StringVar(&cr.Document, "consent-document", "", "the proof document shown, e.g. 가족관계증명서 (발급번호 ...)")
		idChecked := fs.Bool("id-checked", false, "confirms that the clerk checked the citizen's ID in person (required)")
		run = func(ctx context.Context, srv *server.Server, by *approval.Clerk, stdin *bufio.Reader) error {
			if !*idChecked {
				return errors.New("-id-checked is required: an approval is granted only after checking the ID in person (R1)")
			}
			var err error
			if a.RRN, err = rrnArg(*rrnFlag, stdin); err != nil {
				return err
			}
			if a.Certificate, a.Intermediates, err = readCert(*certPath); err != nil {
				return err
			}
			if *tokenPath != "" {
				var chain []*x509.Certificate
				if a.TokenCertificate, chain, err = readCert(*tokenPath); err != nil {
					return err
				}
				a.Intermediates = append(a.Intermediates, chain...)
			}
			if !cr.Empty() {
				a.Consent = &cr
			}
			a.Office, a.Clerk = by.Office, by.Login
			if *office != "" {
				a.Office = *office
			}
			g, err := srv.Approve(ctx, a)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "approved citizen %d until %s\n", g.ID, lastDay(g.ExpiresAt))
			fmt.Fprintf(out, "login ID: %s\ninitial password: %s (shown once; to be changed at first use)\n", g.LoginID, g.InitialPassword)
			for _, w := range g.Warnings {
				fmt.Fprintf(out, "warning: %s\n", w)
			}
			return nil
		}
	case "renew":
		run = func(ctx context.Context, srv *server.Server, by *approval.Clerk, stdin *bufio.Reader) error {
			id, err := citizenID(ctx, srv, *rrnFlag, stdin)
			if err != nil {
				return err
			}
			rec, err := srv.Renew(ctx, *by, id)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "renewed citizen %d until %s\n", id, lastDay(rec.ExpiresAt))
			return nil
		}
	case "revoke":
		reason := fs.String("reason", "", "why the approval is revoked (required)")
		run = func(ctx context.Context, srv *server.Server, by *approval.Clerk, stdin *bufio.Reader) error {
			id, err := citizenID(ctx, srv, *rrnFlag, stdin)
			if err != nil {
				return err
			}
			if err := srv.Revoke(ctx, *by, id, *reason); err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "revoked citizen %d; their sessions have ended\n", id)
			return nil
		}
	case "consent":
		var cr approval.ConsentRequest
		fs.StringVar(&cr.Kind, "kind", "", "legal_representative or limited_guardian")
		fs.StringVar(&cr.Name, "name", "", "the representative's name")
		fs.StringVar(&cr.Relation, "relation", "", "their relation, e.g. 모")
		fs.StringVar(&cr.RRN, "consent-rrn", "", "their resident registration number (only its masked form is kept)")
		fs.StringVar(&cr.Document, "document", "", "the proof document shown")
		limited := fs.Bool("limited-guardianship", false, "the citizen is under limited guardianship")
		run = func(ctx context.Context, srv *server.Server, by *approval.Clerk, stdin *bufio.Reader) error {
			id, err := citizenID(ctx, srv, *rrnFlag, stdin)
			if err != nil {
				return err
			}
			if err := srv.RecordConsent(ctx, *by, id, *limited, cr); err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "consent recorded for citizen %d\n", id)
			return nil
		}
	case "show":
		run = func(ctx context.Context, srv *server.Server, _ *approval.Clerk, stdin *bufio.Reader) error {
			id, err := citizenID(ctx, srv, *rrnFlag, stdin)
			if err != nil {
				return err
			}
			rec, err := srv.LookupID(ctx, id)
			if err != nil {
				return explain(err)
			}
			show(out, rec, srv.Now())
			return nil
		}
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := loadSettings(fs, args, serveSettings); err != nil {
		return err
	}
	srv, st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	var by *approval.Clerk
	if cmd != "clerk-add" {
		if *clerkLogin == "" && cmd != "show" {
			return errors.New("-clerk is required: the history records who did what")
		}
		if *clerkLogin != "" {
			if by, err = srv.Clerk(ctx, *clerkLogin); err != nil {
				return err
			}
		}
	}
	return run(ctx, srv, by, bufio.NewReader(in))
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("nothing on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func rrnArg(flagValue string, stdin *bufio.Reader) (string, error) {
	switch flagValue {
	case "":
		return "", errors.New(`-rrn is required ("-rrn -" reads it from standard input)`)
	case "-":
		return readLine(stdin)
	}
	return flagValue, nil
}

func citizenID(ctx context.Context, srv *server.Server, flagValue string, stdin *bufio.Reader) (int64, error) {
	rrn, err := rrnArg(flagValue, stdin)
	if err != nil {
		return 0, err
	}
	id, err := srv.CitizenID(ctx, rrn)
	return id, explain(err)
}

// readCert reads a certificate file: PEM (the first certificate, then
// intermediates) or DER. An empty path is no certificate.
func readCert(path string) (*x509.Certificate, []*x509.Certificate, error) {
	if path == "" {
		return nil, nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	return certs[0], certs[1:], nil
}

// explain spells out an *approval.InvalidError field by field.
func explain(err error) error {
	var inv *approval.InvalidError
	if errors.As(err, &inv) {
		var sb strings.Builder
		for _, f := range inv.Fields {
			fmt.Fprintf(&sb, "\n  %s: %s / %s", f.Field, f.Message, f.MessageKo)
		}
		return fmt.Errorf("the request is not valid:%s", sb.String())
	}
	var early *approval.RenewalTooEarlyError
	if errors.As(err, &early) {
		return fmt.Errorf("renewal refused: possible only in the %d days before expiry, from %s (갱신은 만료 %d일 전부터)",
			approval.RenewalWindowDays, early.Opens.In(api.KST).Format("2006-01-02"), approval.RenewalWindowDays)
	}
	return err
}

func lastDay(t time.Time) string { return t.Add(-time.Nanosecond).In(api.KST).Format("2006-01-02") }

// show prints an approval for the terminal; the number only masked.
func show(out io.Writer, r *approval.Record, now time.Time) {
	day := func(t time.Time) string { return t.In(api.KST).Format("2006-01-02") }
	fmt.Fprintf(out, "citizen %d: %s %s\n", r.ID, r.Name, r.MaskedRRN)
	fmt.Fprintf(out, "status: %s (valid %s to %s; renewable from %s)\n", r.Status(now), day(r.ApprovedAt), lastDay(r.ExpiresAt), day(r.RenewableFrom()))
	if !r.RevokedAt.IsZero() {
		fmt.Fprintf(out, "revoked: %s: %s\n", r.RevokedAt.In(api.KST).Format("2006-01-02 15:04"), r.RevokeReason)
	}
	fmt.Fprintf(out, "address: %s\nidentity check: %s, phone %s, channel %s\n", r.Address, r.IdentityMethod, r.Phone, r.Channel)
	cert := "bound by VID (NPKI)"
	if r.CertFingerprint != "" {
		cert = "sha256 " + r.CertFingerprint
	}
	fmt.Fprintf(out, "certificate: %s\n", cert)
	if r.TokenFingerprint != "" {
		fmt.Fprintf(out, "token certificate: sha256 %s\n", r.TokenFingerprint)
	}
	fmt.Fprintf(out, "login ID: %s (initial password changed: %t)\n", r.LoginID, !r.PasswordMustChange)
	fmt.Fprintf(out, "approved at: %s by %s\n", r.Office, r.Clerk)
	if c := r.Consent; c != nil {
		fmt.Fprintf(out, "consent: %s %s (%s, %s), document %s, recorded %s at %s\n", c.Kind, c.Name, c.Relation, c.MaskedRRN, c.Document, day(c.RecordedAt), c.Office)
	} else if r.Minor || r.LimitedGuardianship {
		fmt.Fprintln(out, "consent: NEEDED BUT NOT RECORDED")
	}
	fmt.Fprintln(out, "history:")
	for _, h := range r.History {
		fmt.Fprintf(out, "  %s  %-15s %s %s  %s\n", h.At.In(api.KST).Format("2006-01-02 15:04"), h.Action, h.Actor, h.Office, h.Detail)
	}
}
