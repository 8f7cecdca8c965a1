package directory

import (
	"strings"
	"unicode"
)

// Match says how well an entry matched a query; smaller is better.
type Match int

// How an entry can match, best first.
const (
	// MatchAll: the query was empty, every entry of the filters matches.
	MatchAll Match = iota
	// MatchExact: the whole name, an alias or the code, as typed.
	MatchExact
	// MatchPrefix: the name or an alias starts with the query.
	MatchPrefix
	// MatchWordPrefix: a later word of the name starts with the query
	// ("종로" finds "서울특별시 종로구").
	MatchWordPrefix
	// MatchInitials: the query has initial consonants (초성), alone or mixed
	// with syllables, and they match the start of the name ("ㄱㅁㅇㄱ" and
	// "국민ㅇ" find "국민연금공단").
	MatchInitials
	// MatchInitialsWord: the same at the start of a later word ("ㅈㄹ" finds
	// "서울특별시 종로구").
	MatchInitialsWord
	// MatchSubstring: the query is somewhere inside the name or an alias.
	MatchSubstring

	noMatch
)

var matchNames = [...]string{"all", "exact", "prefix", "word_prefix", "initials", "initials_word", "substring"}

// String names m as the API writes it.
func (m Match) String() string {
	if m < 0 || int(m) >= len(matchNames) {
		return "none"
	}
	return matchNames[m]
}

// Query is a search of the directory.
type Query struct {
	// Text is what the citizen typed. Spaces and punctuation are ignored, Latin
	// letters match in any case, and Hangul initial consonants (ㄱ..ㅎ) match
	// any syllable that starts with them.
	Text string
	// Categories keeps only these categories; none keeps all.
	Categories []Category
	// Region keeps only entries whose Region is this code; "" keeps all.
	Region string
	// On keeps only entries in force that day; the zero Day keeps all.
	On Day
	// Limit is the most results returned; 0 means no limit.
	Limit int
}

// Result is one entry found, with how it matched.
type Result struct {
	Entry Entry
	Match Match
}

// Search returns the entries that match q, best first: by Match, then shorter
// names, then by name and code. It also returns how many entries matched in
// all, before q.Limit. An empty Text returns every entry of the filters in
// 가나다 order.
func (d *Directory) Search(q Query) ([]Result, int) {
	var cats uint16
	for _, c := range q.Categories {
		cats |= categoryBit(c)
	}
	region := uint16(0)
	if q.Region != "" {
		if region = d.regionID[q.Region]; region == 0 {
			return nil, 0 // no entry is in that region
		}
	}
	keep := func(h *filter) bool {
		return (cats == 0 || cats&h.cat != 0) &&
			(region == 0 || h.region == region) &&
			(q.On == 0 || (h.from <= q.On && q.On <= h.until))
	}
	p := newPattern(q.Text)
	if len(p.runes) == 0 {
		var out []Result
		n := 0
		for _, i := range d.byName {
			if !keep(&d.hot[i]) {
				continue
			}
			n++
			if q.Limit == 0 || len(out) < q.Limit {
				out = append(out, Result{Entry: d.entries[i], Match: MatchAll})
			}
		}
		return out, n
	}

	// The entries are in result order within a match level already, so
	// appending to a bucket per level keeps each bucket sorted, and a bucket
	// never needs more than Limit entries.
	var buckets [noMatch][]int32
	n := 0
	// A code typed in full is an exact match.
	codeHit, ok := d.byCode[strings.TrimSpace(q.Text)]
	if !ok {
		codeHit = -1
	}
	// Without a day, every span contains [from, until] = [0, dayMax].
	lo, hi := q.On, q.On
	if q.On == 0 {
		lo, hi = dayMax, dayMin
	}
	for i := range d.hot {
		h := &d.hot[i]
		if (cats != 0 && cats&h.cat == 0) || (region != 0 && h.region != region) || h.from > lo || h.until < hi {
			continue
		}
		var m Match
		switch {
		case i == codeHit:
			m = MatchExact
		case h.lit&p.lit != p.lit || h.cho&p.cho != p.cho:
			continue
		default:
			m = d.index[i].match(&p)
		}
		if m == noMatch {
			continue
		}
		n++
		if q.Limit == 0 || len(buckets[m]) < q.Limit {
			buckets[m] = append(buckets[m], int32(i))
		}
	}
	var out []Result
	for m := MatchExact; m < noMatch; m++ {
		for _, i := range buckets[m] {
			if q.Limit > 0 && len(out) == q.Limit {
				return out, n
			}
			out = append(out, Result{Entry: d.entries[i], Match: m})
		}
	}
	return out, n
}

// item is the precomputed search form of an entry.
type item struct {
	keys []key
}

// filter is what a search checks first of every entry.
type filter struct {
	// lit and cho are Bloom filters of the runes of all keys and of their
	// initials: a query whose runes are not all in them cannot match, which
	// rules out most entries with two AND operations.
	lit, cho    uint64
	from, until Day
	cat         uint16
	region      uint16 // Directory.regionID of the entry's Region, 0 for none
}

// bit is the Bloom filter bit of r.
func bit(r rune) uint64 { return 1 << (uint32(r) * 0x9E3779B1 >> 26) }

// key is one searchable string of an entry: its name or an alias.
type key struct {
	runes []rune  // normalized: no spaces or punctuation, Latin in lower case
	cho   []rune  // the initial consonant of each syllable; other runes as is
	words []int32 // where in runes the second and later words start
}

func categoryBit(c Category) uint16 {
	for i, k := range Categories() {
		if k == c {
			return 1 << i
		}
	}
	return 0
}

func newItem(e *Entry) (item, filter) {
	from, until := e.span()
	var it item
	h := filter{cat: categoryBit(e.Category), from: from, until: until}
	it.keys = append(it.keys, newKey(e.Name))
	for _, a := range e.Aliases {
		it.keys = append(it.keys, newKey(a))
	}
	// A city, county or district office is called after its last word plus
	// 청: "서울특별시 종로구" is 종로구청.
	if e.Category == Local && e.Kind == KindMunicipality {
		if i := strings.LastIndexByte(e.Name, ' '); i >= 0 {
			it.keys = append(it.keys, newKey(e.Name[i+1:]+"청"))
		}
	}
	for _, k := range it.keys {
		for i, r := range k.runes {
			h.lit |= bit(r)
			h.cho |= bit(k.cho[i])
		}
	}
	return it, h
}

func newKey(s string) key {
	var k key
	newWord := false
	for _, r := range s {
		if !keepRune(r) {
			newWord = true
			continue
		}
		if newWord && len(k.runes) > 0 {
			k.words = append(k.words, int32(len(k.runes)))
		}
		newWord = false
		r = unicode.ToLower(r)
		k.runes = append(k.runes, r)
		k.cho = append(k.cho, initial(r))
	}
	return k
}

// keepRune reports whether r counts in a search: letters and digits do;
// spaces and punctuation (·, (, ), -) do not.
func keepRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// normalize is the search form of s.
func normalize(s string) []rune { return newKey(s).runes }

// pattern is a query in search form.
type pattern struct {
	runes []rune
	// jamo: some rune is a lone initial consonant, so only initials and
	// substring matches are possible.
	jamo bool
	// partial: the last rune is a syllable without a final consonant, which
	// may still be being composed ("국민연그" on the way to "국민연금").
	partial bool
	// lit and cho are the Bloom filter bits a matching entry must have.
	lit, cho uint64
}

func newPattern(s string) pattern {
	p := pattern{runes: normalize(s)}
	for _, r := range p.runes {
		if isConsonantJamo(r) {
			p.jamo = true
		}
	}
	if n := len(p.runes); n > 0 {
		last := p.runes[n-1]
		p.partial = isSyllable(last) && (last-syllableBase)%28 == 0
	}
	for i, r := range p.runes {
		switch {
		case isConsonantJamo(r):
			p.cho |= bit(r)
		case i == len(p.runes)-1 && p.partial:
			p.cho |= bit(initial(r))
		default:
			p.lit |= bit(r)
		}
	}
	return p
}

// match returns the best level at which it matches p, or noMatch.
func (it *item) match(p *pattern) Match {
	best := noMatch
	for ki := range it.keys {
		if m := it.keys[ki].scan(p); m < best {
			best = m
			if best == MatchExact {
				break
			}
		}
	}
	return best
}

// scan returns the best level at which p occurs in k, or noMatch, in one
// pass over the positions of k.
func (k *key) scan(p *pattern) Match {
	q := p.runes
	last := len(k.runes) - len(q)
	if last < 0 {
		return noMatch
	}
	q0, q0jamo := q[0], isConsonantJamo(q[0])
	q0partial := len(q) == 1 && p.partial
	best, w := noMatch, 0
	for pos := 0; pos <= last; pos++ {
		// Rule out most positions on the first rune alone.
		if c := k.runes[pos]; !(c == q0 || (q0jamo && k.cho[pos] == q0) || (q0partial && sameOnset(q0, c))) {
			continue
		}
		if !k.at(p, pos) {
			continue
		}
		for w < len(k.words) && int(k.words[w]) < pos {
			w++
		}
		var m Match
		switch {
		case pos == 0 && p.jamo:
			m = MatchInitials
		case pos == 0 && len(q) == len(k.runes) && q[len(q)-1] == k.runes[len(q)-1]:
			return MatchExact
		case pos == 0:
			return MatchPrefix
		case w < len(k.words) && int(k.words[w]) == pos:
			m = MatchWordPrefix
			if p.jamo {
				m = MatchInitialsWord
			}
		default:
			m = MatchSubstring
		}
		best = min(best, m)
		if best < MatchSubstring {
			return best // later positions can only be later words or inside one
		}
	}
	return best
}

// at reports whether p is in k at pos: rune for rune, except that a lone
// initial consonant in p matches any syllable starting with it and that the
// last syllable of p may be one still being composed.
func (k *key) at(p *pattern, pos int) bool {
	q := p.runes
	last := len(q) - 1
	for i, r := range q {
		c := k.runes[pos+i]
		switch {
		case r == c:
		case isConsonantJamo(r) && k.cho[pos+i] == r:
		case i == last && p.partial && sameOnset(r, c):
		default:
			return false
		}
	}
	return true
}

// Hangul syllables (U+AC00..U+D7A3) are composed as
// ((initial*21)+medial)*28+final + U+AC00 (Unicode 15, section 3.12).
const (
	syllableBase = 0xAC00
	syllableLast = 0xD7A3
)

// initials are the 19 initial consonants as Hangul Compatibility Jamo, the
// characters a Korean keyboard types alone.
var initials = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

func isSyllable(r rune) bool { return r >= syllableBase && r <= syllableLast }

// isConsonantJamo reports whether r is a compatibility consonant (ㄱ..ㅎ).
func isConsonantJamo(r rune) bool { return r >= 'ㄱ' && r <= 'ㅎ' }

// initial returns the initial consonant of a syllable, or r itself.
func initial(r rune) rune {
	if !isSyllable(r) {
		return r
	}
	return initials[(r-syllableBase)/(21*28)]
}

// sameOnset reports whether syllable c starts with syllable q, which has no
// final consonant: "그" and "금" do, "그" and "국" do not.
func sameOnset(q, c rune) bool {
	return isSyllable(c) && (q-syllableBase)/28 == (c-syllableBase)/28
}
