package npki

import (
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
)

// Location is a folder that holds NPKI certificates (an NPKI base folder,
// for Find).
type Location struct {
	Path string
	// Removable is set for a folder on a removable drive, most often a USB
	// stick that the citizen carries the certificate on.
	Removable bool
}

// Env is what Roots needs to know about a machine. SystemEnv describes the
// running one; tests fill it in to work out another system's list.
type Env struct {
	GOOS string // as runtime.GOOS
	Home string // the user's home folder
	User string // the login name (Linux mounts drives under /media/<user>)
	// Getenv looks up an environment variable ("" when unset).
	Getenv func(key string) string
	// Subdirs lists the names of the folders in dir.
	Subdirs func(dir string) []string
	// IsDir tells whether path is an existing folder.
	IsDir func(path string) bool
}

// SystemEnv describes the running machine.
func SystemEnv() Env {
	home, _ := os.UserHomeDir()
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return Env{
		GOOS:   runtime.GOOS,
		Home:   home,
		User:   name,
		Getenv: os.Getenv,
		Subdirs: func(dir string) []string {
			list, _ := os.ReadDir(dir)
			var names []string
			for _, e := range list {
				if isDir(dir, e) {
					names = append(names, e.Name())
				}
			}
			return names
		},
		IsDir: func(path string) bool {
			fi, err := os.Stat(path)
			return err == nil && fi.IsDir()
		},
	}
}

// Roots lists the NPKI base folders present on this machine now, the
// computer's own first, then removable drives. See Env.Roots.
func Roots() []Location { return SystemEnv().Roots() }

// Roots lists the NPKI base folders that exist on the machine e describes,
// where KISA's user-interface specification (KCAC.TS.UI) and the CAs'
// programs put them:
//
//   - Windows: %USERPROFILE%\AppData\LocalLow\NPKI, %ProgramFiles%\NPKI (and
//     %ProgramFiles(x86)%\NPKI, where 32-bit programs write it), and X:\NPKI
//     on the drives D: to Z: (removable).
//   - macOS: ~/Library/Preferences/NPKI, ~/Documents/NPKI (older programs),
//     and /Volumes/*/NPKI (removable).
//   - Linux and other systems: ~/NPKI, and /media/<user>/*/NPKI and
//     /run/media/<user>/*/NPKI (removable).
func (e Env) Roots() []Location {
	var candidates []Location
	add := func(removable bool, path ...string) {
		candidates = append(candidates, Location{Path: e.join(path...), Removable: removable})
	}
	switch e.GOOS {
	case "windows":
		profile := e.Getenv("USERPROFILE")
		if profile == "" {
			profile = e.Home
		}
		if profile != "" {
			add(false, profile, "AppData", "LocalLow", "NPKI")
		}
		for _, v := range []string{"ProgramFiles", "ProgramFiles(x86)"} {
			if dir := e.Getenv(v); dir != "" {
				add(false, dir, "NPKI")
			}
		}
		if e.Getenv("ProgramFiles") == "" {
			add(false, `C:\Program Files`, "NPKI")
		}
		for d := 'D'; d <= 'Z'; d++ {
			add(true, string(d)+`:\`, "NPKI")
		}
	case "darwin", "ios":
		if e.Home != "" {
			add(false, e.Home, "Library", "Preferences", "NPKI")
			add(false, e.Home, "Documents", "NPKI")
		}
		for _, v := range e.Subdirs("/Volumes") {
			add(true, "/Volumes", v, "NPKI")
		}
	default:
		if e.Home != "" {
			add(false, e.Home, "NPKI")
		}
		if e.User != "" {
			for _, media := range []string{"/media/" + e.User, "/run/media/" + e.User} {
				for _, v := range e.Subdirs(media) {
					add(true, media, v, "NPKI")
				}
			}
		}
	}
	var roots []Location
	seen := make(map[string]bool)
	for _, c := range candidates {
		if !seen[c.Path] && e.IsDir(c.Path) {
			seen[c.Path] = true
			roots = append(roots, c)
		}
	}
	return roots
}

// join joins path elements with e.GOOS's separator, so that a Windows list
// worked out on Linux reads as it would on Windows. On the running system it
// is filepath.Join.
func (e Env) join(elem ...string) string {
	if e.GOOS == runtime.GOOS {
		return filepath.Join(elem...)
	}
	sep := "/"
	if e.GOOS == "windows" {
		sep = `\`
	}
	var b strings.Builder
	for i, s := range elem {
		if i > 0 {
			s = strings.Trim(s, sep)
			if !strings.HasSuffix(b.String(), sep) {
				b.WriteString(sep)
			}
		}
		b.WriteString(s)
	}
	return b.String()
}
