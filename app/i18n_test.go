package app

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/signer"
)

func TestErrorsReadAsSentencesInBothLanguages(t *testing.T) {
	withFields := api.NewError(api.CodeInvalidField)
	withFields.Fields = []api.FieldError{{Field: "purpose", Message: "Purpose: this is required.", MessageKo: "용도: 반드시 입력해야 합니다."}}
	tests := []struct {
		name   string
		err    error
		ko, en string
	}{
		{"a server error uses the server's sentences", api.NewError(api.CodeNotApproved),
			api.NewError(api.CodeNotApproved).MessageKo, api.NewError(api.CodeNotApproved).Message},
		{"a server error without sentences gets its code's", &api.Error{Code: api.CodeCodeExpired},
			api.NewError(api.CodeCodeExpired).MessageKo, api.NewError(api.CodeCodeExpired).Message},
		{"field errors are listed", withFields,
			withFields.MessageKo + "\n• 용도: 반드시 입력해야 합니다.", withFields.Message + "\n• Purpose: this is required."},
		{"a wrong password", fmt.Errorf("pkcs12: %w", signer.ErrWrongPassword),
			txtErrWrongPassword.ko, txtErrWrongPassword.en},
		{"an unreachable server", fmt.Errorf("%w: dial tcp: connection refused", client.ErrUnreachable),
			txtErrUnreachable.ko, txtErrUnreachable.en},
		{"a missing certificate file", fmt.Errorf("pkcs12: %w", os.ErrNotExist),
			txtErrCertMissing.ko, txtErrCertMissing.en},
		{"a cancel", context.Canceled, txtErrCancelled.ko, txtErrCancelled.en},
		{"a file that is not a certificate", fmt.Errorf("%w: pkcs12: bad data", errCertFile),
			txtErrCertFile.ko + " (자세한 내용: certificate file cannot be read: pkcs12: bad data)",
			txtErrCertFile.en + " (details: certificate file cannot be read: pkcs12: bad data)"},
		{"anything else gets a sentence before its detail", errors.New("disk on fire"),
			txtErrUnknown.ko + " (자세한 내용: disk on fire)", txtErrUnknown.en + " (details: disk on fire)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := korean.errorText(tt.err, txtErrUnknown); got != tt.ko {
				t.Errorf("Korean:\n got %q\nwant %q", got, tt.ko)
			}
			if got := english.errorText(tt.err, txtErrUnknown); got != tt.en {
				t.Errorf("English:\n got %q\nwant %q", got, tt.en)
			}
		})
	}
}

// TestCatalogueIsComplete reads the catalogue's source: every text{} literal
// in the package must have a Korean and an English string, and the English
// one must not be Korean left untranslated.
func TestCatalogueIsComplete(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pkg := range pkgs {
		ast.Inspect(pkg, func(node ast.Node) bool {
			lit, ok := node.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "text" {
				return true
			}
			n++
			pos := fset.Position(lit.Pos())
			if len(lit.Elts) != 2 {
				t.Errorf("%s: a text needs exactly Korean and English", pos)
				return true
			}
			for i, e := range lit.Elts {
				bl, ok := e.(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: write texts as string literals", pos)
					continue
				}
				s, _ := strconv.Unquote(bl.Value)
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: empty translation", pos)
				}
				if i == 1 && hasHangulOnly(s) {
					t.Errorf("%s: English text %q is Korean", pos, s)
				}
			}
			return true
		})
	}
	if n < 50 {
		t.Errorf("found only %d texts: is the catalogue still written as text{} literals?", n)
	}
}

// hasHangulOnly reports whether s has Hangul and no Latin letter.
func hasHangulOnly(s string) bool {
	hangul, latin := false, false
	for _, r := range s {
		switch {
		case r >= 0xAC00 && r <= 0xD7A3:
			hangul = true
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			latin = true
		}
	}
	return hangul && !latin
}

func TestDatesAreShownInKoreaStandardTime(t *testing.T) {
	const utc = "2026-11-25T05:03:07Z"
	if got, want := korean.dateTime(utc), "2026년 11월 25일 14:03:07 (한국 시간)"; got != want {
		t.Errorf("Korean = %q, want %q", got, want)
	}
	if got, want := english.dateTime(utc), "25 Nov 2026, 14:03:07 KST"; got != want {
		t.Errorf("English = %q, want %q", got, want)
	}
}
