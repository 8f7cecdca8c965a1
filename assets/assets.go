// Package assets holds the files bundled into the bonsign binaries: the Korean UI
// font (Bonsign Gothic, a renamed subset of NanumGothic under the SIL Open Font
// License 1.1, see fonts/OFL.txt and fonts/README.md), the application icon and the
// list of institutions.
//
// The package only embeds bytes and imports no GUI code, so both the Fyne desktop
// app and the CGO-free issuance server can use it. To regenerate the fonts or the
// icon, run tools/subset-font.sh or tools/make-icon.sh.
package assets

import "embed"

// FontRegular is Bonsign Gothic Regular, a TrueType font covering Latin, all 11,172
// Hangul syllables, Hangul Jamo, common punctuation and symbols (including ✓ and ✗).
// It must not be modified by callers.
//
//go:embed fonts/BonsignGothic-Regular.ttf
var FontRegular []byte

// FontBold is Bonsign Gothic Bold, with the same coverage as FontRegular.
// It must not be modified by callers.
//
//go:embed fonts/BonsignGothic-Bold.ttf
var FontBold []byte

// FontLicense is the SIL Open Font License 1.1 text with the copyright notice of the
// original font. It must ship with any copy of the fonts, for example in an
// "about" or licences screen.
//
//go:embed fonts/OFL.txt
var FontLicense []byte

// Icon is the application icon, a 512x512 PNG image.
// It must not be modified by callers.
//
//go:embed icon.png
var Icon []byte

// Institutions is the content of institutions.json, the main data file of the
// directory of eligible institutions (see package directory and
// docs/directory.md). It must not be modified by callers.
//
//go:embed institutions.json
var Institutions []byte

// InstitutionFiles holds the directory's further data files,
// institutions/*.json (the schools, and whatever the import command adds). The
// directory is institutions.json together with all of them.
//
//go:embed institutions/*.json
var InstitutionFiles embed.FS
