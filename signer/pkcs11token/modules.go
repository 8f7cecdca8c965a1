package pkcs11token

import (
	"os"
	"runtime"
)

// KnownModule is a PKCS#11 module file bonsign looks for.
type KnownModule struct {
	Name string // who makes it, to show next to the path
	Path string
	// Picked: the person chose this file; it is not one bonsign knows.
	Picked bool
}

// KnownModules lists, for this operating system, the module files bonsign
// knows where to look for, whether or not they are installed.
func KnownModules() []KnownModule { return knownModules(runtime.GOOS, os.Getenv) }

// Modules returns the modules that exist on this machine: first the files
// the person picked (in order), then the known ones. exists says whether a
// path is a file; nil means the file system (tests pass their own).
// Duplicates are dropped.
func Modules(exists func(path string) bool, picked ...string) []KnownModule {
	if exists == nil {
		exists = isFile
	}
	return available(exists, KnownModules(), picked)
}

func available(exists func(string) bool, known []KnownModule, picked []string) []KnownModule {
	var out []KnownModule
	seen := map[string]bool{}
	add := func(m KnownModule) {
		if m.Path == "" || seen[m.Path] || !exists(m.Path) {
			return
		}
		seen[m.Path] = true
		out = append(out, m)
	}
	for _, p := range picked {
		add(KnownModule{Name: "picked", Path: p, Picked: true})
	}
	for _, m := range known {
		add(m)
	}
	return out
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// knownModules is the list for goos, with Windows folders taken from getenv
// (SystemRoot, ProgramFiles). Windows paths are built as strings so the
// list for every system can be tested anywhere.
//
// Where each name comes from (public code and guides found while writing
// this; a name is listed only with such evidence):
//   - OpenSC: the project's installers (Windows: Program Files\OpenSC
//     Project\OpenSC\pkcs11; macOS: /Library/OpenSC/lib) and distribution
//     packages (Debian/Ubuntu: /usr/lib/<triplet>/opensc-pkcs11.so, Fedora:
//     /usr/lib64), also used in smallstep/crypto's kms/pkcs11 tests
//     (/usr/local/lib).
//   - SoftHSM2: Debian's softhsm2 package, Fedora/RHEL (/usr/lib64/pkcs11),
//     source builds (/usr/local/lib), Homebrew, and the SoftHSM2-for-Windows
//     installer (C:\SoftHSM2\lib); smallstep/crypto's softhsm2 tests look in
//     the Debian, /usr/local and Homebrew places.
//   - SafeNet (Thales, formerly Aladdin) eToken: eTPKCS11.dll installed in
//     System32 by SafeNet Authentication Client, libeTPkcs11.dylib and
//     libeTPkcs11.so, in many public signing tools. Korean use: the
//     configuration of KSBiz, a Korean web signing client, names "eToken Pro
//     32K" beside XecureHSM as a 보안토큰 driver, and a Korean certificate
//     reseller's guide (help.ucert.co.kr) ships SafeNet eToken 5110 tokens.
//   - Feitian ePass2003: eps2003csp11.dll in System32, libcastle.so.1.0.0,
//     libcastle.1.0.0.dylib, in many public signing tools and the vendor's
//     Linux SDK packaging.
//
// Not listed, for want of evidence of a file name: the drivers of Korean
// vendors certified under KISA's 보안토큰 standard (KCAC.TS.HSMU), such as
// Softforum's XecureHSM (named in Korean signing clients' configuration by
// driver name only), and any module of SignKorea, yessign, KSign, WIZVERA,
// Dream Security or others. Under KCAC.TS.HSMU each driver registers its
// DLL's location with the system; reading that registration on Windows is
// the way to find them, and until then the person picks the file.
func knownModules(goos string, getenv func(string) string) []KnownModule {
	switch goos {
	case "windows":
		sysRoot := getenv("SystemRoot")
		if sysRoot == "" {
			sysRoot = `C:\Windows`
		}
		progFiles := getenv("ProgramFiles")
		if progFiles == "" {
			progFiles = `C:\Program Files`
		}
		sys32 := sysRoot + `\System32\`
		return []KnownModule{
			{Name: "SafeNet eToken", Path: sys32 + `eTPKCS11.dll`},
			{Name: "Feitian ePass2003", Path: sys32 + `eps2003csp11.dll`},
			{Name: "OpenSC", Path: progFiles + `\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`},
			{Name: "SoftHSM2", Path: `C:\SoftHSM2\lib\softhsm2-x64.dll`},
		}
	case "darwin":
		return []KnownModule{
			{Name: "SafeNet eToken", Path: "/usr/local/lib/libeTPkcs11.dylib"},
			{Name: "Feitian ePass2003", Path: "/usr/local/lib/libcastle.1.0.0.dylib"},
			{Name: "OpenSC", Path: "/Library/OpenSC/lib/opensc-pkcs11.so"},
			{Name: "OpenSC", Path: "/opt/homebrew/lib/opensc-pkcs11.so"},
			{Name: "OpenSC", Path: "/usr/local/lib/opensc-pkcs11.so"},
			{Name: "SoftHSM2", Path: "/opt/homebrew/lib/softhsm/libsofthsm2.so"},
			{Name: "SoftHSM2", Path: "/usr/local/lib/softhsm/libsofthsm2.so"},
		}
	default: // linux and other Unix systems
		return []KnownModule{
			{Name: "SafeNet eToken", Path: "/usr/lib/libeTPkcs11.so"},
			{Name: "Feitian ePass2003", Path: "/usr/lib/libcastle.so.1.0.0"},
			{Name: "OpenSC", Path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"},
			{Name: "OpenSC", Path: "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"},
			{Name: "OpenSC", Path: "/usr/lib64/opensc-pkcs11.so"},
			{Name: "OpenSC", Path: "/usr/local/lib/opensc-pkcs11.so"},
			{Name: "SoftHSM2", Path: "/usr/lib/softhsm/libsofthsm2.so"},
			{Name: "SoftHSM2", Path: "/usr/lib64/pkcs11/libsofthsm2.so"},
			{Name: "SoftHSM2", Path: "/usr/local/lib/softhsm/libsofthsm2.so"},
		}
	}
}
