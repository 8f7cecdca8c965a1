package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bonsign/bonsign/api"
)

// FuzzDecodeIssueRequest: whatever body arrives, decoding and validating it
// ends in a request or an *api.Error with a stable code, never a panic.
func FuzzDecodeIssueRequest(f *testing.F) {
	f.Add([]byte(`{"confirmation":{"version":"bonsign-confirmation/1","citizen":{"name":"홍길동","rrn":"900101-1234568"}},"signature":"AAEC"}`))
	f.Add([]byte(`{"confirmation":{"delegate":null},"signature":null}`))
	f.Add([]byte(`[[[[[]]]]]`))
	f.Add([]byte(`{"confirmation":{"purpose":"\u202e"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/confirmations", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req api.IssueRequest
		if e := decode(httptest.NewRecorder(), r, maxIssueBody, &req); e != nil {
			if e.Code != api.CodeBadRequest && e.Code != api.CodeBodyTooLarge {
				t.Fatalf("decode answered %s", e.Code)
			}
			return
		}
		if err := req.Confirmation.Validate(); err != nil {
			if e, ok := err.(*api.Error); !ok || e.Code != api.CodeInvalidField || len(e.Fields) == 0 {
				t.Fatalf("validate answered %v", err)
			}
			return
		}
		if _, err := req.Confirmation.Canonical(); err != nil {
			t.Fatalf("a valid confirmation has no canonical form: %v", err)
		}
	})
}
