package assets

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

var fonts = []struct {
	name, style, postscript string
	data                    []byte
}{
	{"FontRegular", "Regular", "BonsignGothic-Regular", FontRegular},
	{"FontBold", "Bold", "BonsignGothic-Bold", FontBold},
}

func TestFontsParse(t *testing.T) {
	for _, tc := range fonts {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(tc.data); n == 0 || n >= 2<<20 {
				t.Fatalf("size %d bytes, want 1..2 MiB", n)
			}
			if magic := string(tc.data[:4]); magic != "\x00\x01\x00\x00" {
				t.Fatalf("sfnt version %q, want TrueType 0x00010000", magic)
			}
			f, err := sfnt.Parse(tc.data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var buf sfnt.Buffer
			for id, want := range map[sfnt.NameID]string{
				sfnt.NameIDFamily:     "Bonsign Gothic",
				sfnt.NameIDSubfamily:  tc.style,
				sfnt.NameIDPostScript: tc.postscript,
				sfnt.NameIDLicenseURL: "https://openfontlicense.org",
			} {
				got, err := f.Name(&buf, id)
				if err != nil {
					t.Errorf("name %d: %v", id, err)
				} else if got != want {
					t.Errorf("name %d = %q, want %q", id, got, want)
				}
			}
			// The OFL reserves "Nanum": the renamed subset must not carry it anywhere
			// (name records are ASCII or UTF-16BE).
			for _, enc := range [][]byte{[]byte("Nanum"), utf16be("Nanum"), utf16be("나눔")} {
				if bytes.Contains(tc.data, enc) {
					t.Errorf("font still contains the reserved name %q", enc)
				}
			}
		})
	}
}

func TestFontsCoverage(t *testing.T) {
	runes := []rune("전자본인서명확인서힣가각AZaz09.,·※✓✔✗✘○●←→()₩ㄱㅎ")
	for _, tc := range fonts {
		t.Run(tc.name, func(t *testing.T) {
			f, err := sfnt.Parse(tc.data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var buf sfnt.Buffer
			for _, r := range runes {
				gi, err := f.GlyphIndex(&buf, r)
				if err != nil || gi == 0 {
					t.Errorf("no glyph for %q (U+%04X): index %d, %v", r, r, gi, err)
					continue
				}
				if r == ' ' {
					continue
				}
				segs, err := f.LoadGlyph(&buf, gi, fixed.I(16), nil)
				if err != nil || len(segs) == 0 {
					t.Errorf("glyph for %q has no outline: %d segments, %v", r, len(segs), err)
				}
			}
			// Every precomposed Hangul syllable is there.
			missing := 0
			for r := rune(0xAC00); r <= 0xD7A3; r++ {
				if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
					missing++
				}
			}
			if missing != 0 {
				t.Errorf("%d of 11172 Hangul syllables missing", missing)
			}
		})
	}
}

func TestFontLicense(t *testing.T) {
	s := string(FontLicense)
	for _, want := range []string{"SIL OPEN FONT LICENSE", "Version 1.1", "NAVER Corporation", "Reserved Font Name"} {
		if !strings.Contains(s, want) {
			t.Errorf("OFL.txt lacks %q", want)
		}
	}
}

func TestIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon is not a PNG: %v", err)
	}
	if cfg.Width != 512 || cfg.Height != 512 {
		t.Fatalf("icon is %dx%d, want 512x512", cfg.Width, cfg.Height)
	}
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("decode icon: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon bounds %v", b)
	}
	// Transparent corners, opaque centre.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %d, want 0", a)
	}
	if _, _, _, a := img.At(256, 256).RGBA(); a != 0xffff {
		t.Errorf("centre alpha %d, want opaque", a)
	}
}

func TestInstitutionsJSON(t *testing.T) {
	if !json.Valid(Institutions) {
		t.Fatalf("institutions.json is not valid JSON")
	}
}

func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}
