package wallet

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/bonsign/bonsign/api"
)

// searchKeys are a receipt's searchable fields in folded form.
type searchKeys struct {
	number   string    // the issue number's digits
	fields   [3]string // purpose, institution, delegate
	initials [3]string // the same, each Hangul syllable replaced by its initial consonant
}

func newSearchKeys(r api.Receipt) *searchKeys {
	k := &searchKeys{number: strings.ReplaceAll(r.IssueNumber, "-", "")}
	for i, f := range []string{r.Purpose, r.Institution.Name, r.Delegate} {
		k.fields[i] = fold(f)
		k.initials[i] = initials(k.fields[i])
	}
	return k
}

// query is what the citizen typed, prepared once per search.
type query struct {
	text     string // folded
	digits   string // the digits, when text is only digits and hyphens
	initials bool   // text is only initial consonants (초성), e.g. "ㅂㄷㅅ"
}

func newQuery(s string) query {
	q := query{text: fold(s)}
	if d := strings.ReplaceAll(q.text, "-", ""); d != "" && strings.Trim(d, "0123456789") == "" {
		q.digits = d
	}
	q.initials = q.text != "" && strings.Trim(q.text, choseong) == ""
	return q
}

func (q query) empty() bool { return q.text == "" }

func (q query) match(k *searchKeys) bool {
	if q.digits != "" && strings.Contains(k.number, q.digits) {
		return true
	}
	for _, f := range k.fields {
		if strings.Contains(f, q.text) {
			return true
		}
	}
	if q.initials {
		for _, f := range k.initials {
			if strings.Contains(f, q.text) {
				return true
			}
		}
	}
	return false
}

// fold makes text comparable: composed Hangul (NFC: text from a macOS file
// or an IME may come decomposed), lower case, no white space.
func fold(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// choseong are the 19 initial consonants in Unicode order, as Hangul
// Compatibility Jamo: the letters a Korean keyboard types alone.
const choseong = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"

var choseongRunes = []rune(choseong)

// initials replaces each precomposed Hangul syllable (U+AC00..U+D7A3, 588
// syllables per initial consonant, Unicode section 3.12) by its initial
// consonant and keeps everything else.
func initials(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xAC00 && r <= 0xD7A3 {
			return choseongRunes[(r-0xAC00)/588]
		}
		return r
	}, s)
}
