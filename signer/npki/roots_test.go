package npki

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// fakeEnv is a machine made of a list of existing folders, in that
// machine's own path syntax.
func fakeEnv(goos, home, user string, vars map[string]string, dirs ...string) Env {
	exists := make(map[string]bool)
	for _, d := range dirs {
		exists[d] = true
	}
	sep := "/"
	if goos == "windows" {
		sep = `\`
	}
	return Env{
		GOOS:   goos,
		Home:   home,
		User:   user,
		Getenv: func(k string) string { return vars[k] },
		Subdirs: func(dir string) []string {
			var names []string
			for _, d := range dirs {
				if len(d) > len(dir)+1 && d[:len(dir)+1] == dir+sep {
					name := d[len(dir)+1:]
					for i := 0; i < len(name); i++ {
						if name[i] == sep[0] {
							name = name[:i]
							break
						}
					}
					if !slices.Contains(names, name) {
						names = append(names, name)
					}
				}
			}
			return names
		},
		IsDir: func(path string) bool { return exists[path] },
	}
}

func TestRootsOfEachSystem(t *testing.T) {
	windowsVars := map[string]string{
		"USERPROFILE":       `C:\Users\kim`,
		"ProgramFiles":      `C:\Program Files`,
		"ProgramFiles(x86)": `C:\Program Files (x86)`,
	}
	for _, tc := range []struct {
		name string
		env  Env
		want []Location
	}{
		{"Windows: the profile's LocalLow, Program Files and the NPKI folders of drives D: to Z:",
			fakeEnv("windows", `C:\Users\kim`, "kim", windowsVars,
				`C:\Users\kim\AppData\LocalLow\NPKI`, `C:\Program Files\NPKI`, `C:\Program Files (x86)\NPKI`,
				`C:\NPKI`, `E:\NPKI`, `Z:\NPKI`, `F:\Other`),
			[]Location{
				{`C:\Users\kim\AppData\LocalLow\NPKI`, false},
				{`C:\Program Files\NPKI`, false},
				{`C:\Program Files (x86)\NPKI`, false},
				{`E:\NPKI`, true},
				{`Z:\NPKI`, true},
			}},
		{"Windows without ProgramFiles set looks in C:\\Program Files",
			fakeEnv("windows", `C:\Users\kim`, "kim", map[string]string{}, `C:\Program Files\NPKI`, `C:\Users\kim\AppData\LocalLow\NPKI`),
			[]Location{{`C:\Users\kim\AppData\LocalLow\NPKI`, false}, {`C:\Program Files\NPKI`, false}}},
		{"macOS: Library/Preferences, Documents and mounted volumes",
			fakeEnv("darwin", "/Users/kim", "kim", nil,
				"/Users/kim/Library/Preferences/NPKI", "/Users/kim/Documents/NPKI",
				"/Volumes/Macintosh HD", "/Volumes/KIM USB/NPKI", "/Volumes/Camera/DCIM"),
			[]Location{
				{"/Users/kim/Library/Preferences/NPKI", false},
				{"/Users/kim/Documents/NPKI", false},
				{"/Volumes/KIM USB/NPKI", true},
			}},
		{"Linux: ~/NPKI and the user's drives under /media and /run/media",
			fakeEnv("linux", "/home/kim", "kim", nil,
				"/home/kim/NPKI", "/media/kim/USB DISK/NPKI", "/media/kim/SD", "/media/lee/STICK/NPKI",
				"/run/media/kim/KINGSTON/NPKI"),
			[]Location{
				{"/home/kim/NPKI", false},
				{"/media/kim/USB DISK/NPKI", true},
				{"/run/media/kim/KINGSTON/NPKI", true},
			}},
		{"FreeBSD is read like Linux",
			fakeEnv("freebsd", "/home/kim", "kim", nil, "/home/kim/NPKI"),
			[]Location{{"/home/kim/NPKI", false}}},
		{"a machine without NPKI folders has no roots",
			fakeEnv("linux", "/home/kim", "kim", nil, "/home/kim/Documents"),
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.env.Roots(); !slices.Equal(got, tc.want) {
				t.Fatalf("roots %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestRootsOnThisMachine runs the real environment against a home folder
// made for the test.
func TestRootsOnThisMachine(t *testing.T) {
	home := t.TempDir()
	var npki string
	switch runtime.GOOS {
	case "windows":
		t.Setenv("USERPROFILE", home)
		npki = filepath.Join(home, "AppData", "LocalLow", "NPKI")
	case "darwin", "ios":
		t.Setenv("HOME", home)
		npki = filepath.Join(home, "Library", "Preferences", "NPKI")
	default:
		t.Setenv("HOME", home)
		npki = filepath.Join(home, "NPKI")
	}
	if err := os.MkdirAll(npki, 0o755); err != nil {
		t.Fatal(err)
	}
	roots := Roots()
	if !slices.Contains(roots, Location{Path: npki}) {
		t.Fatalf("roots %v lack %s", roots, npki)
	}
}
