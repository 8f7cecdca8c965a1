package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
)

// Encodings the exports come in.
const (
	EncodingUTF8    = "UTF-8"
	EncodingUTF8BOM = "UTF-8 with BOM"
	EncodingCP949   = "EUC-KR (CP949)"
)

// utf8BOM starts files saved as "CSV UTF-8" by spreadsheet programs.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode returns the export b as UTF-8 and the encoding it was in. Korean
// public portals publish CSV files in EUC-KR/CP949 (the default of Korean
// Windows) or in UTF-8, often with a byte order mark: a file that is not
// valid UTF-8 is read as CP949.
func Decode(b []byte) ([]byte, string, error) {
	if rest, ok := bytes.CutPrefix(b, utf8BOM); ok {
		if !utf8.Valid(rest) {
			return nil, "", errors.New("import: the file starts with a UTF-8 byte order mark but is not UTF-8")
		}
		return rest, EncodingUTF8BOM, nil
	}
	if utf8.Valid(b) {
		return b, EncodingUTF8, nil
	}
	// x/text's EUCKR decoder is Code Page 949, which EUC-KR is a subset of.
	out, err := korean.EUCKR.NewDecoder().Bytes(b)
	if err != nil {
		return nil, "", fmt.Errorf("import: the file is neither UTF-8 nor EUC-KR/CP949: %w", err)
	}
	if bytes.ContainsRune(out, utf8.RuneError) {
		return nil, "", errors.New("import: the file is neither UTF-8 nor EUC-KR/CP949 (undecodable bytes)")
	}
	return out, EncodingCP949, nil
}

// Table is a decoded export: its header and rows.
type Table struct {
	Encoding  string
	Delimiter rune
	Header    []string
	Rows      [][]string
}

// ReadTable decodes b and reads it as CSV, or as tab-separated values when
// the header line has more tabs than commas (code.go.kr's text export).
func ReadTable(b []byte) (*Table, error) {
	text, enc, err := Decode(b)
	if err != nil {
		return nil, err
	}
	firstLine, _, _ := bytes.Cut(text, []byte("\n"))
	delim := ','
	if bytes.Count(firstLine, []byte("\t")) > bytes.Count(firstLine, []byte(",")) {
		delim = '\t'
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("import: read %s CSV: %w", enc, err)
	}
	if len(records) == 0 {
		return nil, errors.New("import: the file is empty")
	}
	t := &Table{Encoding: enc, Delimiter: delim}
	for _, h := range records[0] {
		t.Header = append(t.Header, strings.TrimSpace(h))
	}
	for _, rec := range records[1:] {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		row := make([]string, len(t.Header))
		for i := range row {
			if i < len(rec) {
				row[i] = strings.TrimSpace(rec[i])
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// column finds the first of names among the header, ignoring spaces, case
// and underscores.
func (t *Table) column(names []string) int {
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.NewReplacer(" ", "", "_", "", "(", "", ")", "").Replace(s)
	}
	for _, n := range names {
		for i, h := range t.Header {
			if norm(h) == norm(n) {
				return i
			}
		}
	}
	return -1
}
