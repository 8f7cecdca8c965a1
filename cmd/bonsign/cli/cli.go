// Package cli is the bonsign command line: certs, sign, verify and rekey.
// Everything the commands need from the outside (arguments, streams,
// environment, the terminal) comes in through Env, so tests run the real
// commands without a terminal.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// The environment variables that carry secrets for unattended use. They are
// read only when no terminal can be asked.
const (
	EnvPassword    = "BONSIGN_PASSWORD"     // certificate password, or the current one for rekey
	EnvPIN         = "BONSIGN_PIN"          // hardware token PIN
	EnvNewPassword = "BONSIGN_NEW_PASSWORD" // the new password for rekey
)

// Env is the world a command runs in.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ReadSecret asks the person for a secret without echo; nil when there
	// is no terminal.
	ReadSecret func(prompt string) (string, error)
}

// System is the Env of the running process.
func System() Env {
	e := Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		e.ReadSecret = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			return string(b), err
		}
	}
	return e
}

const usage = `usage: bonsign <command> [flags]

commands:
  certs    list the certificates found on this computer
  sign     sign a file into a CMS SignedData (CAdES-BES, SHA-256)
  verify   verify a CMS SignedData and print what was signed
  rekey    re-encrypt an NPKI signPri.key with PBKDF2-HMAC-SHA256

Passwords and PINs are asked on the terminal without echo. For unattended
use, set ` + EnvPassword + ` (certificate password), ` + EnvPIN + ` (token PIN) and,
for rekey, ` + EnvNewPassword + `.

Run "bonsign <command> -h" for a command's flags.
`

// Main runs the command line and returns the exit status: 0 on success, 1 on
// failure, 2 on a usage mistake.
func Main(args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	var err error
	switch args[0] {
	case "certs":
		err = certsCmd(args[1:], env)
	case "sign":
		err = signCmd(args[1:], env)
	case "verify":
		err = verifyCmd(args[1:], env)
	case "rekey":
		err = rekeyCmd(args[1:], env)
	default:
		fmt.Fprintf(env.Stderr, "bonsign: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(env.Stderr, "bonsign:", err)
		return 2
	}
	fmt.Fprintln(env.Stderr, "bonsign:", err)
	return 1
}

// usageError is a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// multi is a flag that may be given several times.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// secret returns a secret from the environment variable name or, failing
// that, from the terminal.
func secret(env Env, name, prompt string) (string, error) {
	if v := env.Getenv(name); v != "" {
		return v, nil
	}
	if env.ReadSecret == nil {
		return "", usageError{fmt.Sprintf("no terminal to ask for the secret: set %s", name)}
	}
	return env.ReadSecret(prompt)
}
