package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bonsign/bonsign/api"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *api.Error) {
	if sw, ok := w.(*statusWriter); ok {
		sw.code = e.Code
	}
	writeJSON(w, e.Status(), api.ErrorBody{Error: e})
}

// decode reads one JSON object of at most limit bytes into v. Unknown fields,
// trailing data and oversized bodies are refused with an error that says which.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) *api.Error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return api.NewError(api.CodeBadRequest).WithDetail("Content-Type must be application/json, not %q", ct)
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return api.NewError(api.CodeBodyTooLarge).WithDetail("the body must be at most %d bytes", limit)
		case errors.Is(err, io.EOF):
			return api.NewError(api.CodeBadRequest).WithDetail("the body is empty: a JSON object is expected")
		default:
			return api.NewError(api.CodeBadRequest).WithDetail("malformed JSON: %s", jsonErrorText(err))
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return api.NewError(api.CodeBodyTooLarge).WithDetail("the body must be at most %d bytes", limit)
		}
		return api.NewError(api.CodeBadRequest).WithDetail("malformed JSON: data after the object")
	}
	return nil
}

// jsonErrorText describes a decoding error without echoing the input, which
// may hold personal data.
func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends in the middle of the JSON"
	}
	return "cannot be decoded"
}
