package api_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/api"
)

// declaredCodes is every Code constant in errors.go. A constant missing from
// Codes() would make NewError answer "internal" for it.
var declaredCodes = []api.Code{
	api.CodeBadRequest, api.CodeBodyTooLarge, api.CodeInvalidField,
	api.CodeUnauthenticated, api.CodeChallengeInvalid, api.CodeSignatureInvalid,
	api.CodeCertUntrusted, api.CodeCertExpired, api.CodeNotApproved,
	api.CodeApprovalExpired, api.CodeIdentityRequired, api.CodeCodeInvalid,
	api.CodeCodeExpired, api.CodeTooManyAttempts, api.CodeContentMismatch,
	api.CodeSignerMismatch, api.CodeCitizenMismatch, api.CodeUnknownInstitution,
	api.CodeNotFound, api.CodeConflict, api.CodeForbidden, api.CodeRateLimited, api.CodeInternal,
	api.CodeApprovalRevoked, api.CodeCertRevoked, api.CodeRevocationUnavailable, api.CodeCertMismatch,
	api.CodeLoginFailed, api.CodeAccountLocked, api.CodePasswordChangeRequired, api.CodeLoginIncomplete,
	api.CodeIdentityMethodMismatch,
	api.CodeLookupLocked,
}

func TestCodesListsEveryDeclaredCodeOnce(t *testing.T) {
	got := api.Codes()
	slices.Sort(got)
	want := slices.Clone(declaredCodes)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Codes() = %q\nwant %q", got, want)
	}
}

func TestEveryCodeHasAStatusAndASentenceInBothLanguages(t *testing.T) {
	for _, code := range api.Codes() {
		t.Run(string(code), func(t *testing.T) {
			e := api.NewError(code)
			if e.Code != code {
				t.Fatalf("NewError(%q).Code = %q", code, e.Code)
			}
			if s := e.Status(); s < 400 || s > 599 {
				t.Errorf("status %d, want 4xx or 5xx", s)
			}
			if http.StatusText(e.Status()) == "" {
				t.Errorf("status %d is not a known HTTP status", e.Status())
			}
			if strings.TrimSpace(e.Message) == "" || hasHangul(e.Message) {
				t.Errorf("English message %q", e.Message)
			}
			if strings.TrimSpace(e.MessageKo) == "" || !hasHangul(e.MessageKo) {
				t.Errorf("Korean message %q", e.MessageKo)
			}
			if e.Message == e.MessageKo {
				t.Errorf("the two messages are the same: %q", e.Message)
			}
			// Codes are stable machine identifiers: lower-case snake case.
			if strings.Trim(string(code), "abcdefghijklmnopqrstuvwxyz_") != "" {
				t.Errorf("code %q is not lower_snake_case", code)
			}
		})
	}
}

func TestStatusOfWellKnownCodes(t *testing.T) {
	for code, want := range map[api.Code]int{
		api.CodeBadRequest:      http.StatusBadRequest,
		api.CodeBodyTooLarge:    http.StatusRequestEntityTooLarge,
		api.CodeInvalidField:    http.StatusUnprocessableEntity,
		api.CodeUnauthenticated: http.StatusUnauthorized,
		api.CodeForbidden:       http.StatusForbidden,
		api.CodeNotFound:        http.StatusNotFound,
		api.CodeRateLimited:     http.StatusTooManyRequests,
		api.CodeInternal:        http.StatusInternalServerError,
	} {
		if got := api.NewError(code).Status(); got != want {
			t.Errorf("%s: status %d, want %d", code, got, want)
		}
	}
}

func TestNewErrorOfAnUnknownCodeIsInternal(t *testing.T) {
	e := api.NewError("no_such_code")
	if e.Code != api.CodeInternal || e.Status() != http.StatusInternalServerError || e.Message == "" || e.MessageKo == "" {
		t.Errorf("NewError(no_such_code) = %+v, status %d; want the internal error", e, e.Status())
	}
	if s := (&api.Error{Code: "no_such_code"}).Status(); s != http.StatusInternalServerError {
		t.Errorf("Status of an unknown code = %d, want 500", s)
	}
}

func TestErrorsIsMatchesOnTheCode(t *testing.T) {
	for _, code := range api.Codes() {
		t.Run(string(code), func(t *testing.T) {
			err := api.NewError(code).WithDetail("token %s expired", "abc")
			if !errors.Is(err, api.NewError(code)) {
				t.Errorf("errors.Is(NewError(%s).WithDetail(...), NewError(%s)) is false", code, code)
			}
			if wrapped := fmt.Errorf("client: issue: %w", err); !errors.Is(wrapped, api.NewError(code)) {
				t.Errorf("errors.Is through fmt.Errorf %%w is false")
			}
			other := api.CodeNotFound
			if code == other {
				other = api.CodeForbidden
			}
			if errors.Is(err, api.NewError(other)) {
				t.Errorf("errors.Is(NewError(%s)..., NewError(%s)) is true", code, other)
			}
			if errors.Is(err, errors.New(string(code))) {
				t.Errorf("errors.Is matched a plain error with the code's text")
			}
		})
	}
}

func TestWithDetailCopiesAndErrorShowsTheDetail(t *testing.T) {
	orig := api.NewError(api.CodeSignatureInvalid)
	e := orig.WithDetail("cms: %s at byte %d", "bad tag", 42)
	if e == orig {
		t.Fatal("WithDetail returned the same *Error, want a copy")
	}
	if orig.Detail != "" {
		t.Errorf("WithDetail changed the original: Detail %q", orig.Detail)
	}
	if e.Detail != "cms: bad tag at byte 42" {
		t.Errorf("Detail = %q", e.Detail)
	}
	msg := e.Error()
	for _, part := range []string{string(api.CodeSignatureInvalid), e.Message, "cms: bad tag at byte 42"} {
		if !strings.Contains(msg, part) {
			t.Errorf("Error() = %q, want it to contain %q", msg, part)
		}
	}
	if msg := orig.Error(); !strings.Contains(msg, string(api.CodeSignatureInvalid)) || strings.Contains(msg, "bad tag") {
		t.Errorf("Error() of the original = %q", msg)
	}
}

func TestErrorOfAValidationFailureShowsTheFirstField(t *testing.T) {
	c := sampleConfirmation()
	c.Counterparty.ID = ""
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted an empty counterparty id")
	}
	en, _ := api.FieldLabel("counterparty.id")
	if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(en)) {
		t.Errorf("Error() = %q, want it to name %q", err, en)
	}
}

// TestErrorBodyWireForm pins the JSON names clients rely on (docs/api.md).
func TestErrorBodyWireForm(t *testing.T) {
	e := api.NewError(api.CodeInvalidField).WithDetail("d")
	e.Fields = []api.FieldError{{Field: "purpose", Message: "m", MessageKo: "k"}}
	got, err := json.Marshal(api.ErrorBody{Error: e})
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]map[string]any
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	inner := back["error"]
	for _, k := range []string{"code", "message", "message_ko", "detail", "fields"} {
		if _, ok := inner[k]; !ok {
			t.Errorf("%s lacks %q", got, k)
		}
	}
	if inner["code"] != "invalid_field" {
		t.Errorf("code = %v", inner["code"])
	}
	fields, _ := inner["fields"].([]any)
	if len(fields) != 1 {
		t.Fatalf("fields = %v", inner["fields"])
	}
	f, _ := fields[0].(map[string]any)
	if f["field"] != "purpose" || f["message"] != "m" || f["message_ko"] != "k" {
		t.Errorf("field error = %v", f)
	}

	// Without detail or fields, neither appears.
	plain, _ := json.Marshal(api.ErrorBody{Error: api.NewError(api.CodeNotFound)})
	if strings.Contains(string(plain), `"detail"`) || strings.Contains(string(plain), `"fields"`) {
		t.Errorf("%s has empty detail or fields", plain)
	}

	// A client decoding the body gets an error that matches the code.
	var body api.ErrorBody
	if err := json.Unmarshal(got, &body); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(body.Error, api.NewError(api.CodeInvalidField)) {
		t.Errorf("decoded error %v does not match invalid_field", body.Error)
	}
}
