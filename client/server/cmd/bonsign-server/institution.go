package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server"
	"github.com/pquerna/otp"
	"golang.org/x/time/rate"
)

// officerCmd runs officer-add and officer-disable: the accounts of the
// officers of recipient institutions (수요기관), for the verification console.
func officerCmd(cmd string, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	var c common
	c.register(fs)
	login := fs.String("login", "", "the officer's login (4-32 lower-case letters, digits, . _ -)")
	var run func(ctx context.Context, srv *server.Server) error
	switch cmd {
	case "officer-add":
		code := fs.String("institution", "", "the institution's code in the directory, e.g. bs-pub-nps")
		name := fs.String("name", "", "the officer's name, as citizens will see it in their lookup history")
		fromStdin := fs.Bool("password-stdin", false, "read the password from standard input; otherwise one is drawn and printed")
		qr := fs.String("qr", "", "also write the one-time code enrolment as a QR code to this PNG file (owner-only), for the authenticator app")
		run = func(ctx context.Context, srv *server.Server) error {
			var pw string
			if *fromStdin {
				var err error
				if pw, err = readLine(bufio.NewReader(in)); err != nil {
					return err
				}
			}
			e, err := srv.AddOfficer(ctx, *code, *login, *name, pw)
			if err != nil {
				return explain(err)
			}
			o := e.Officer
			fmt.Fprintf(out, "officer %s (%s, %s %s) added\n", o.Login, o.Name, o.InstitutionName, o.InstitutionCode)
			if e.Password != "" {
				fmt.Fprintf(out, "password: %s\n", e.Password)
			}
			fmt.Fprintf(out, "one-time codes (TOTP: SHA-1, 6 digits, every 30 s); add to an authenticator app:\n")
			fmt.Fprintf(out, "  %s\n", e.TOTPURI)
			fmt.Fprintf(out, "  or type in the secret: %s\n", groups(e.TOTPSecret))
			if *qr != "" {
				if err := writeQR(*qr, e.TOTPURI); err != nil {
					return fmt.Errorf("the officer was added, but the QR code was not written: %w", err)
				}
				fmt.Fprintf(out, "  QR code: %s\n", *qr)
			}
			fmt.Fprintln(out, "these are shown once: hand them to the officer in person, then delete any copy")
			return nil
		}
	case "officer-disable":
		run = func(ctx context.Context, srv *server.Server) error {
			if err := srv.DisableOfficer(ctx, *login); err != nil {
				return err
			}
			fmt.Fprintf(out, "officer %s disabled; their sessions have ended (their lookups stay in the log)\n", *login)
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
	return run(context.Background(), srv)
}

// groups writes a base32 secret in groups of four, as people type it.
func groups(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

func writeQR(path, uri string) error {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return err
	}
	code, err := key.Image(320, 320)
	if err != nil {
		return err
	}
	// A white margin around it: scanners need the quiet zone (ISO/IEC 18004
	// section 6.3.8) that the image itself leaves out.
	const margin = 32
	img := image.NewGray(image.Rect(0, 0, 320+2*margin, 320+2*margin))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, code.Bounds().Add(image.Pt(margin, margin)), code, code.Bounds().Min, draw.Src)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// institutionKey creates, lists and revokes the API keys of institutions'
// systems.
func institutionKey(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("institution-key", flag.ContinueOnError)
	fs.SetOutput(out)
	var c common
	c.register(fs)
	code := fs.String("code", "", "institution code from the directory (to create a key, or to list only its keys)")
	label := fs.String("label", "", "what the key is for, e.g. \"연금 지급 시스템\" (required to create one)")
	list := fs.Bool("list", false, "list the keys (of -code, or of every institution): id, institution, created, revoked, label")
	revoke := fs.String("revoke", "", "revoke the key with this id (see -list); it stops working at once")
	if err := loadSettings(fs, args, serveSettings); err != nil {
		return err
	}
	srv, st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	switch {
	case *list:
		keys, err := srv.InstitutionKeys(ctx, *code)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		// The label last: tabwriter counts a Hangul syllable as one column.
		fmt.Fprintln(tw, "ID\tINSTITUTION\tCREATED\tREVOKED\tLABEL")
		for _, k := range keys {
			revoked := "-"
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.In(api.KST).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.InstitutionCode, k.CreatedAt.In(api.KST).Format("2006-01-02 15:04"), revoked, k.Label)
		}
		return tw.Flush()
	case *revoke != "":
		if err := srv.RevokeInstitutionKey(ctx, *revoke); err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s revoked\n", *revoke)
		return nil
	}
	if strings.TrimSpace(*label) == "" {
		return errors.New("-label is required: it names the key in listings and in the lookup log")
	}
	key, err := srv.CreateInstitutionKey(ctx, *code, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, key)
	fmt.Fprintf(os.Stderr, "key id %s (for -list and -revoke); the key is shown this once\n", server.KeyID(key))
	return nil
}

// lookupFlags registers serve's flags for the limits of institutions'
// lookups, and returns what makes the option from them once parsed.
func lookupFlags(fs *flag.FlagSet) func() server.Option {
	d := server.DefaultLookupLimits()
	perKey := fs.Float64("lookup-rate-key", float64(d.PerKey), "lookups per second one institution API key may make (0: no limit)")
	perOfficer := fs.Float64("lookup-rate-officer", float64(d.PerOfficer), "lookups per second one institution officer may make (0: no limit)")
	perAddress := fs.Float64("lookup-rate-address", float64(d.PerAddress), "lookups per second from one client address, keys and officers together (0: no limit)")
	misses := fs.Int("lookup-lockout", d.MaxMisses, fmt.Sprintf("lookups finding nothing within %v that lock an officer or key out for %v (0: never)", d.MissWindow, d.Lockout))
	return func() server.Option {
		l := d
		l.PerKey, l.PerOfficer, l.PerAddress, l.MaxMisses = rate.Limit(*perKey), rate.Limit(*perOfficer), rate.Limit(*perAddress), *misses
		return server.WithLookupLimits(l)
	}
}
