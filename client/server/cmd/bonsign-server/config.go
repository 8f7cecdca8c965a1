package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Settings come from three places besides the built-in defaults. In order of
// precedence:
//
//  1. the command line: -rate-limit 5;
//  2. the environment: BONSIGN_RATE_LIMIT=5, the flag's name upper-cased with
//     '-' turned into '_' (envName);
//  3. the config file that -config or BONSIGN_CONFIG names, TOML whose keys
//     are the flags' names: rate-limit = 5.
//
// Nothing here knows any one setting: every flag of serve is a setting, so a
// new flag is read from all three places with no more code.

// configFlag names the config file. It is itself read from the command line
// or the environment, never from a file.
const configFlag = "config"

// envName is the environment variable of the setting flag.
func envName(flag string) string {
	return "BONSIGN_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// secretEnv reports whether name is one of the variables that carry a secret
// itself (the data key, the webhook's secret), read where the secret is used.
// No setting may take such a name: a setting's variable holds what its flag
// holds, a file name where the flag takes one.
func secretEnv(name string) bool {
	return name == "BONSIGN_DATA_KEY" || name == "BONSIGN_WEBHOOK_SECRET"
}

// serveSettings returns a fresh FlagSet of every setting: serve's flags. It
// says which keys a config file may hold and what type each is.
func serveSettings() *flag.FlagSet {
	fs, _ := serveFlags()
	return fs
}

// loadSettings parses args into fs, then gives each flag of fs that is a
// setting and was not on the command line its value from the environment, or
// else from the config file.
//
// settings returns a fresh FlagSet of every setting (serveSettings). A command
// takes from the environment and the file only the settings it has as flags
// (the admin commands: those of common) and ignores the others, so that one
// file and one environment serve every command; its own flags (-name, -rrn)
// come from the command line alone. The whole file is checked all the same.
//
// An empty environment variable counts as unset, as BONSIGN_DATA_KEY does.
// Relative paths in the file or the environment are taken from the working
// directory, as on the command line.
func loadSettings(fs *flag.FlagSet, args []string, settings func() *flag.FlagSet) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	known := settings()
	given := map[string]bool{} // on the command line, or then in the environment
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if known.Lookup(f.Name) == nil || given[f.Name] {
			return
		}
		name := envName(f.Name)
		if secretEnv(name) {
			errs = append(errs, fmt.Errorf("setting -%s would be read from %s, which holds a secret itself: rename the flag", f.Name, name))
			return
		}
		v := os.Getenv(name)
		if v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s: %q is not %s", name, v, kind(f)))
		}
		given[f.Name] = true
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}

	cf := fs.Lookup(configFlag)
	if cf == nil || cf.Value.String() == "" {
		return nil
	}
	path := cf.Value.String()
	values, err := readConfig(path, known)
	if err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if fs.Lookup(key) == nil || given[key] {
			continue
		}
		if err := fs.Set(key, values[key]); err != nil {
			// readConfig set the same value on the same type of flag.
			return fmt.Errorf("%s: %s: %w", path, key, err)
		}
	}
	return nil
}

// readConfig reads the config file at path and checks every key in it against
// known: that it is a setting, that its value has the setting's type and
// parses, and that it holds no secret. It returns each value as its flag
// takes it on the command line.
func readConfig(path string, known *flag.FlagSet) (map[string]string, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: line %d: %s (the file is not valid TOML)", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("config file: %w", err)
	}
	values := map[string]string{}
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		f := known.Lookup(key)
		switch {
		case key == configFlag:
			errs = append(errs, fmt.Errorf("%s: %q cannot be set in a config file (give -config or BONSIGN_CONFIG)", path, key))
			continue
		case f == nil:
			errs = append(errs, unknownKey(path, key, known))
			continue
		}
		s, ok := fileValue(f, raw[key])
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %s must be %s, not %s", path, key, kind(f), describe(raw[key])))
			continue
		}
		if err := known.Set(key, s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s = %q is not %s", path, key, s, kind(f)))
			continue
		}
		if holdsPassword(s) {
			errs = append(errs, fmt.Errorf("%s: %s holds a password, and passwords stay out of the config file: "+
				"set %s in the environment instead, or for PostgreSQL keep the password in PGPASSWORD or a .pgpass file",
				path, key, envName(key)))
			continue
		}
		values[key] = s
	}
	return values, errors.Join(errs...)
}

// unknownKey explains a key that is no setting, with the nearest one when it
// looks like a typing slip.
func unknownKey(path, key string, known *flag.FlagSet) error {
	lower := strings.ToLower(key)
	if strings.Contains(lower, "secret") || strings.Contains(lower, "password") || lower == "data-key" || lower == "key" {
		return fmt.Errorf("%s: %q is not a setting: secrets stay out of the config file "+
			"(the data key: key-file or BONSIGN_DATA_KEY; the webhook's secret: phone-webhook-secret-file or BONSIGN_WEBHOOK_SECRET)", path, key)
	}
	best, dist := "", 3 // farther than 2 edits is no slip
	known.VisitAll(func(f *flag.Flag) {
		if d := editDistance(lower, f.Name); d < dist {
			best, dist = f.Name, d
		}
	})
	hint := "the keys are the names of serve's flags, without the dash"
	if best != "" {
		hint = fmt.Sprintf("did you mean %s?", best)
	}
	return fmt.Errorf("%s: %q is not a setting (%s)", path, key, hint)
}

// kind says what a flag's value must be, for messages.
func kind(f *flag.Flag) string {
	switch want(f).(type) {
	case bool:
		return "true or false"
	case int, int64, uint, uint64:
		return "an integer"
	case float64:
		return "a number"
	case time.Duration:
		return `a duration such as "30s" or "5m"`
	}
	return "a string"
}

// want returns the value of the flag's type, or nil for a flag.Value
// that does not say (flag.Func): such a flag takes a string.
func want(f *flag.Flag) any {
	if g, ok := f.Value.(flag.Getter); ok {
		return g.Get()
	}
	return nil
}

// fileValue turns a TOML value into the text the flag takes on the command
// line, if it has the flag's type: a TOML boolean for a bool flag, an
// integer for an int flag, a number for a float flag and a string for any
// other (durations are strings, "30s", as on the command line).
func fileValue(f *flag.Flag, v any) (string, bool) {
	switch want(f).(type) {
	case bool:
		b, ok := v.(bool)
		return strconv.FormatBool(b), ok
	case int, int64, uint, uint64:
		i, ok := v.(int64)
		return strconv.FormatInt(i, 10), ok
	case float64:
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), true
		case int64:
			return strconv.FormatInt(x, 10), true
		}
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// describe names a decoded TOML value for messages.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	}
	return fmt.Sprintf("a %T", v)
}

// holdsPassword reports whether a value carries a password: a URL with one
// in its user part, or a password= parameter (a PostgreSQL URL's query or a
// key=value connection string).
func holdsPassword(v string) bool {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return true
		}
	}
	return strings.Contains(strings.ToLower(v), "password=")
}

// editDistance is the Levenshtein distance of a and b, in bytes (keys are
// ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
