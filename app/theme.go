package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/bonsign/bonsign/assets"
)

// koreanTheme is Fyne's default theme with the bundled Korean font: Fyne's own
// font has no Hangul, so without it every Korean character would be a box.
// Monospace and italic text use the regular face too (there is no Korean
// monospace or italic face); Fyne's symbol font is kept for its icons' glyphs.
type koreanTheme struct {
	fyne.Theme
	regular, bold fyne.Resource
}

func newTheme() fyne.Theme {
	return &koreanTheme{
		Theme:   theme.DefaultTheme(),
		regular: fyne.NewStaticResource("BonsignGothic-Regular.ttf", assets.FontRegular),
		bold:    fyne.NewStaticResource("BonsignGothic-Bold.ttf", assets.FontBold),
	}
}

// Font returns the bundled Korean face for every style but Symbol.
func (t *koreanTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Symbol:
		return t.Theme.Font(s)
	case s.Bold:
		return t.bold
	default:
		return t.regular
	}
}
