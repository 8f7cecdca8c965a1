package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical returns the JSON Canonicalization Scheme form (RFC 8785) of v, which
// is first marshalled with encoding/json. Two values that marshal to the same JSON
// data model always give the same bytes, so the client can sign them and the server
// can compare what was signed with what was submitted.
//
// Numbers must be integers of magnitude below 2^53 (RFC 8785 section 3.2.2.3 for
// the general case is not needed by any bonsign type); anything else is an error.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes the JSON text raw in its RFC 8785 form.
func CanonicalizeJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	// dec.More is not enough: it reports false for a stray '}' or ']'.
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("canonical json: trailing data")
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case string:
		writeCanonicalString(buf, x)
	case json.Number:
		n, ok := safeInteger(string(x))
		if !ok {
			return fmt.Errorf("canonical json: number %s is not a safe integer", x)
		}
		buf.WriteString(strconv.FormatInt(n, 10))
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// RFC 8785 section 3.2.3: members sorted by their names as UTF-16 code units.
		slices.SortFunc(keys, func(a, b string) int {
			return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
		})
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeCanonicalString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical json: unexpected %T", v)
	}
	return nil
}

// writeCanonicalString escapes s as ECMAScript's JSON.stringify does (RFC 8785
// section 3.2.2.2): only '"', '\\' and control characters are escaped, using the
// short forms where they exist.
func writeCanonicalString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			buf.WriteString(`\"`)
		case r == '\\':
			buf.WriteString(`\\`)
		case r == '\b':
			buf.WriteString(`\b`)
		case r == '\f':
			buf.WriteString(`\f`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[r>>4])
			buf.WriteByte(hex[r&0xf])
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

// maxSafeInteger is 2^53-1, ECMAScript's Number.MAX_SAFE_INTEGER: every integer
// up to it has exactly one float64, so every JCS implementation prints it alike.
const maxSafeInteger = 1<<53 - 1

// safeInteger returns the value of the JSON number s if it is exactly an
// integer of magnitude at most 2^53-1, whatever its notation ("100", "1E2",
// "100.0"). The value is computed exactly, never through float64, which would
// turn 9007199254740993 into 9007199254740992 and 1e-400 into 0.
func safeInteger(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, -maxSafeInteger <= n && n <= maxSafeInteger
	}
	// Fraction or exponent. An exponent of more than four digits is either
	// far too large or far too small (big.Rat would spend minutes on it),
	// except on a zero mantissa, which is refused too for simplicity.
	if i := strings.IndexAny(s, "eE"); i >= 0 && len(strings.TrimLeft(s[i+1:], "+-")) > 4 {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	n := r.Num().Int64()
	return n, -maxSafeInteger <= n && n <= maxSafeInteger
}
