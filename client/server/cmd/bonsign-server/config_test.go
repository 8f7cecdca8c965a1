package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a config file into a fresh folder and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bonsign.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// durationSettings stands in for serve's settings where a test needs a kind
// of flag serve does not have yet: a duration.
func durationSettings() *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String(configFlag, "", "")
	fs.Duration("grace", 30*time.Second, "")
	return fs
}

// TestSettingsPrecedence sets one setting of each kind from every combination
// of the file, the environment and the command line: the command line wins,
// then the environment, then the file, then the default.
func TestSettingsPrecedence(t *testing.T) {
	tests := []struct {
		flag     string
		settings func() *flag.FlagSet
		// The value at each level: the default, then in the file (as TOML),
		// the environment and the command line.
		def, file, env, cmd string
	}{
		{"addr", serveSettings, "127.0.0.1:8080", `"0.0.0.0:8443"`, "0.0.0.0:9443", "127.0.0.1:10443"},
		{"rate-burst", serveSettings, "40", "41", "42", "43"},
		{"rate-limit", serveSettings, "20", "0.5", "1.5", "2.5"},
		{"secure-cookies", serveSettings, "false", "true", "false", "true"},
		{"grace", durationSettings, "30s", `"1m0s"`, "2m0s", "3m0s"},
	}
	for _, tt := range tests {
		fileValue, err := strconv.Unquote(tt.file)
		if err != nil {
			fileValue = tt.file
		}
		levels := []string{tt.def, fileValue, tt.env, tt.cmd}
		for set := 0; set < 8; set++ { // bit 0: the file; bit 1: the environment; bit 2: the command line
			inFile, inEnv, onCmd := set&1 != 0, set&2 != 0, set&4 != 0
			name := fmt.Sprintf("%s file=%t env=%t flag=%t", tt.flag, inFile, inEnv, onCmd)
			t.Run(name, func(t *testing.T) {
				text := "# nothing set\n"
				if inFile {
					text = tt.flag + " = " + tt.file + "\n"
				}
				args := []string{"-config", writeConfig(t, text)}
				t.Setenv(envName(tt.flag), "") // empty counts as unset
				if inEnv {
					t.Setenv(envName(tt.flag), tt.env)
				}
				if onCmd {
					args = append(args, "-"+tt.flag+"="+tt.cmd)
				}
				want := levels[0]
				for i, on := range []bool{inFile, inEnv, onCmd} {
					if on {
						want = levels[i+1]
					}
				}
				fs := tt.settings()
				if err := loadSettings(fs, args, tt.settings); err != nil {
					t.Fatal(err)
				}
				if got := fs.Lookup(tt.flag).Value.String(); got != want {
					t.Errorf("-%s is %q, want %q", tt.flag, got, want)
				}
			})
		}
	}
}

// sampleValue returns a value for f other than its default, as TOML and as
// the flag then shows it. A flag of a kind this test does not know fails it:
// loadSettings must be taught that kind first.
func sampleValue(t *testing.T, f *flag.Flag) (inTOML, shown string) {
	t.Helper()
	switch v := want(f).(type) {
	case bool:
		s := strconv.FormatBool(!v)
		return s, s
	case int, int64, uint, uint64:
		return "7", "7"
	case float64:
		return "2.5", "2.5"
	case time.Duration:
		return `"7s"`, "7s"
	case string:
		s := "/srv/bonsign/" + f.Name
		return strconv.Quote(s), s
	}
	t.Fatalf("-%s is a %T: give this test a value of that kind (and teach fileValue and kind in config.go, unless it takes a string)", f.Name, f.Value)
	return "", ""
}

// TestEverySettingFromFileAndEnvironment sets every flag of serve, present and
// future, from the config file and then from the environment.
func TestEverySettingFromFileAndEnvironment(t *testing.T) {
	var file strings.Builder
	shown := map[string]string{}
	serveSettings().VisitAll(func(f *flag.Flag) {
		if secretEnv(envName(f.Name)) {
			t.Errorf("-%s would be read from %s, the variable of a secret", f.Name, envName(f.Name))
		}
		t.Setenv(envName(f.Name), "")
		if f.Name == configFlag {
			return
		}
		inTOML, s := sampleValue(t, f)
		fmt.Fprintf(&file, "%s = %s\n", f.Name, inTOML)
		shown[f.Name] = s
	})
	if len(shown) < 20 {
		t.Fatalf("only %d settings: serveSettings is not serve's flags", len(shown))
	}

	t.Run("from the file", func(t *testing.T) {
		fs := serveSettings()
		if err := loadSettings(fs, []string{"-config", writeConfig(t, file.String())}, serveSettings); err != nil {
			t.Fatal(err)
		}
		for name, want := range shown {
			if got := fs.Lookup(name).Value.String(); got != want {
				t.Errorf("%s in the file: -%s is %q, want %q", name, name, got, want)
			}
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		empty := writeConfig(t, "")
		t.Setenv("BONSIGN_CONFIG", empty)
		for name, v := range shown {
			t.Setenv(envName(name), v)
		}
		fs := serveSettings()
		if err := loadSettings(fs, nil, serveSettings); err != nil {
			t.Fatal(err)
		}
		for name, want := range shown {
			if got := fs.Lookup(name).Value.String(); got != want {
				t.Errorf("%s=%s: -%s is %q", envName(name), want, name, got)
			}
		}
		if got := fs.Lookup(configFlag).Value.String(); got != empty {
			t.Errorf("BONSIGN_CONFIG=%s: -config is %q", empty, got)
		}
	})
}

// TestSettingErrors checks that each mistake in a config file or a variable
// stops the start with a message naming the file or variable, the key and
// what is wrong.
func TestSettingErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string // the config file's text; "" for none
		env      map[string]string
		args     []string
		settings func() *flag.FlagSet // nil: serve's
		want     []string             // in the message ("FILE" is the file's path)
		notWant  string
	}{
		{name: "a misspelt key is named, with the setting meant", file: "adr = \"0.0.0.0:8443\"\n",
			want: []string{"FILE", `"adr" is not a setting`, "did you mean addr?"}},
		{name: "a key with underscores suggests the dashed setting", file: "lookup_rate_key = 5\n",
			want: []string{"FILE", `"lookup_rate_key" is not a setting`, "did you mean lookup-rate-key?"}},
		{name: "a key far from any setting says what the keys are", file: "colour = \"blue\"\n",
			want: []string{"FILE", `"colour" is not a setting`, "the names of serve's flags"}},
		{name: "a table of settings is no setting", file: "[server]\naddr = \"x\"\n",
			want: []string{"FILE", `"server" is not a setting`}},
		{name: "the data key is refused as a secret", file: "data-key = \"AAAA\"\n",
			want: []string{"FILE", `"data-key" is not a setting`, "secrets stay out of the config file", "BONSIGN_DATA_KEY"}},
		{name: "the webhook's secret is refused as a secret", file: "webhook-secret = \"s3cret-s3cret-s3cret-s3cret-s3cret\"\n",
			want: []string{"FILE", "secrets stay out", "BONSIGN_WEBHOOK_SECRET"}, notWant: "s3cret"},
		{name: "a password in a database URL is refused, and not repeated", file: "db = \"postgres://bonsign:hunter2hunter2@db/bonsign\"\n",
			want: []string{"FILE", "db holds a password", "BONSIGN_DB", "PGPASSWORD"}, notWant: "hunter2"},
		{name: "a password in a connection string is refused", file: "db = \"host=db user=bonsign password=hunter2hunter2\"\n",
			want: []string{"FILE", "db holds a password"}, notWant: "hunter2"},
		{name: "a string for an integer names what was expected", file: "rate-burst = \"40\"\n",
			want: []string{"FILE", "rate-burst must be an integer, not the string \"40\""}},
		{name: "a fraction for an integer", file: "max-crypto = 6.5\n",
			want: []string{"FILE", "max-crypto must be an integer, not the number 6.5"}},
		{name: "a number for a string", file: "addr = 8443\n",
			want: []string{"FILE", "addr must be a string, not the integer 8443"}},
		{name: "a string for a bool", file: "secure-cookies = \"yes\"\n",
			want: []string{"FILE", "secure-cookies must be true or false, not the string \"yes\""}},
		{name: "a string for a number", file: "rate-limit = \"fast\"\n",
			want: []string{"FILE", "rate-limit must be a number"}},
		{name: "a table for a string", file: "[addr]\nhost = \"x\"\n",
			want: []string{"FILE", "addr must be a string, not a table"}},
		{name: "a duration that does not parse", file: "grace = \"5 minutes\"\n", settings: durationSettings,
			want: []string{"FILE", `grace = "5 minutes" is not a duration such as "30s"`}},
		{name: "a wrong value is reported though the command line overrides it", file: "rate-burst = \"40\"\n", args: []string{"-rate-burst", "3"},
			want: []string{"FILE", "rate-burst must be an integer"}},
		{name: "a file that is not TOML gives the line", file: "addr = \"0.0.0.0:8443\"\nrate-burst = 40\nroots = \n",
			want: []string{"FILE", "line 3", "not valid TOML"}},
		{name: "an unterminated string gives the line", file: "# settings\n\naddr = \"0.0.0.0:8443\n",
			want: []string{"FILE", "line 3", "not valid TOML"}},
		{name: "a missing file is named", args: []string{"-config", "/nonexistent/bonsign.toml"},
			want: []string{"config file", "/nonexistent/bonsign.toml", "no such file"}},
		{name: "a missing file named in the environment", env: map[string]string{"BONSIGN_CONFIG": "/nonexistent/env.toml"},
			want: []string{"/nonexistent/env.toml", "no such file"}},
		{name: "a file cannot name another", file: "config = \"other.toml\"\n",
			want: []string{"FILE", `"config" cannot be set in a config file`}},
		{name: "a bad integer variable is named", env: map[string]string{"BONSIGN_RATE_BURST": "forty"},
			want: []string{"environment variable BONSIGN_RATE_BURST", `"forty" is not an integer`}},
		{name: "a bad bool variable is named", env: map[string]string{"BONSIGN_SECURE_COOKIES": "maybe"},
			want: []string{"environment variable BONSIGN_SECURE_COOKIES", "true or false"}},
		{name: "a bad number variable is named", env: map[string]string{"BONSIGN_LOOKUP_RATE_KEY": "5/s"},
			want: []string{"environment variable BONSIGN_LOOKUP_RATE_KEY", "a number"}},
		{name: "a bad duration variable is named", env: map[string]string{"BONSIGN_GRACE": "soon"}, settings: durationSettings,
			want: []string{"environment variable BONSIGN_GRACE", "a duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settings := tt.settings
			if settings == nil {
				settings = serveSettings
			}
			t.Setenv("BONSIGN_CONFIG", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var args []string
			path := "FILE"
			if tt.file != "" {
				path = writeConfig(t, tt.file)
				args = []string{"-config", path}
			}
			args = append(args, tt.args...)
			err := loadSettings(settings(), args, settings)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if w == "FILE" {
					w = path
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("the error repeats %q:\n%v", tt.notWant, err)
			}
		})
	}
}

// TestOneConfigServesEveryCommand runs an admin command on the server's config
// file: it takes the store's settings and passes over serve's own, and its
// own flags come from the command line alone.
func TestOneConfigServesEveryCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "store", "bonsign.db")
	if err := os.Mkdir(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, fmt.Sprintf("addr = \"0.0.0.0:8443\"\nrate-limit = 5\ndb = %q\nkey-file = %q\nreceipt-key = %q\nreceipt-cert = %q\n",
		db, filepath.Join(dir, "data.key"), filepath.Join(dir, "rk.pem"), filepath.Join(dir, "rc.pem")))
	t.Setenv("BONSIGN_CONFIG", path)
	t.Setenv("BONSIGN_LABEL", "from the environment")

	var out bytes.Buffer
	if err := institutionKey([]string{"-code", "bs-pub-nps"}, &out); err == nil || !strings.Contains(err.Error(), "-label is required") {
		t.Fatalf("institution-key took -label from BONSIGN_LABEL: %v", err)
	}
	if err := institutionKey([]string{"-code", "bs-pub-nps", "-label", "연금 지급 시스템"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the store is not where the config file says: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rk.pem")); err != nil {
		t.Fatalf("the receipt key is not where the config file says: %v", err)
	}
}

// TestOnlyStoreSettingsReachAdminCommands keeps the admin commands' own flags
// apart from serve's: a flag of theirs named like a setting would be read from
// the server's environment and config file.
func TestOnlyStoreSettingsReachAdminCommands(t *testing.T) {
	var shared []string
	fs := flag.NewFlagSet("common", flag.ContinueOnError)
	new(common).register(fs)
	fs.VisitAll(func(f *flag.Flag) { shared = append(shared, f.Name) })
	settings := serveSettings()

	commands := map[string]func(out io.Writer) error{
		"institution-key": func(out io.Writer) error { return institutionKey([]string{"-h"}, out) },
	}
	for _, cmd := range []string{"clerk-add", "approve", "renew", "revoke", "show", "consent"} {
		commands[cmd] = func(out io.Writer) error { return admin(cmd, []string{"-h"}, strings.NewReader(""), out) }
	}
	for _, cmd := range []string{"officer-add", "officer-disable"} {
		commands[cmd] = func(out io.Writer) error { return officerCmd(cmd, []string{"-h"}, strings.NewReader(""), out) }
	}
	for cmd, run := range commands {
		var out bytes.Buffer
		if err := run(&out); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s -h: %v", cmd, err)
		}
		var got []string
		for _, m := range regexp.MustCompile(`(?m)^  -(\S+)`).FindAllStringSubmatch(out.String(), -1) {
			if settings.Lookup(m[1]) != nil {
				got = append(got, m[1])
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, shared) {
			t.Errorf("%s shares %v with serve, want %v", cmd, got, shared)
		}
	}
}

// TestExampleConfig loads the example config file that docs/operations.md
// shows, and checks that the document shows it as it is.
func TestExampleConfig(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("testdata", "bonsign.toml"))
	if err != nil {
		t.Fatal(err)
	}
	serveSettings().VisitAll(func(f *flag.Flag) { t.Setenv(envName(f.Name), "") })
	fs, c := serveFlags()
	if err := loadSettings(fs, []string{"-config", filepath.Join("testdata", "bonsign.toml")}, serveSettings); err != nil {
		t.Fatal(err)
	}
	if c.addr != "0.0.0.0:8443" || c.tlsKey != "/etc/bonsign/tls-key.pem" || c.rateLimit != 20 || c.rateBurst != 40 ||
		c.revocation != "fail-closed" || !strings.HasPrefix(c.db, "postgres://bonsign@") {
		t.Errorf("the example loads as %+v", c)
	}

	doc := readOperationsDoc(t)
	_, block, ok := strings.Cut(doc, "```toml\n")
	if block, _, _ = strings.Cut(block, "```"); !ok || block != string(example) {
		t.Errorf("docs/operations.md does not show testdata/bonsign.toml as it is:\n%s", block)
	}
}

func readOperationsDoc(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// TestOperationsDocListsEverySetting keeps the settings table of
// docs/operations.md in step with serve's flags: a row per flag, with its
// variable, its key and its default, and no row for a flag that is gone.
func TestOperationsDocListsEverySetting(t *testing.T) {
	rows := map[string][]string{}
	for line := range strings.Lines(readOperationsDoc(t)) {
		if strings.HasPrefix(line, "| `-") {
			cells := strings.Split(strings.TrimSpace(line), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows[strings.Trim(cells[1], "`-")] = cells[1:]
		}
	}
	settings := serveSettings()
	settings.VisitAll(func(f *flag.Flag) {
		row, ok := rows[f.Name]
		if !ok {
			t.Errorf("docs/operations.md has no row for -%s", f.Name)
			return
		}
		key := "`" + f.Name + "`"
		if f.Name == configFlag {
			key = "(none)"
		}
		def := ""
		if f.DefValue != "" {
			def = "`" + f.DefValue + "`"
		}
		if len(row) < 5 || row[1] != "`"+envName(f.Name)+"`" || row[2] != key || row[3] != def {
			t.Errorf("docs/operations.md's row of -%s: %q; want the variable `%s`, the key %s and the default %q",
				f.Name, row, envName(f.Name), key, def)
		}
	})
	for name := range rows {
		if settings.Lookup(name) == nil {
			t.Errorf("docs/operations.md has a row for -%s, which serve does not have", name)
		}
	}
}
