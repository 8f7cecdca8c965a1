package printout

import (
	"fmt"
	"os/exec"
	"runtime"
)

// Open shows the file at path in the system's viewer for its type, from
// which the citizen prints it. It returns once the viewer is started.
func Open(path string) error {
	name, args := viewerCommand(runtime.GOOS, path)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("printout: open %s: %w", path, err)
	}
	go cmd.Wait() // reaps the launcher; the viewer itself lives on
	return nil
}

// viewerCommand is the program that opens path with its default application
// on goos. On Windows, rundll32 with url.dll rather than "cmd /c start",
// whose quoting mangles paths with spaces or ampersands.
func viewerCommand(goos, path string) (string, []string) {
	switch goos {
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}
	case "darwin":
		return "open", []string{path}
	default: // Linux and the BSDs: the freedesktop.org opener
		return "xdg-open", []string{path}
	}
}
