package sandbox

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/supabase-mcp/supabase-mcp/internal/spec"
)

// wantSpecResponse fails unless status is a success response of the spec
// operation (method, path template) and body fits its schema.
func wantSpecResponse(t *testing.T, method, template string, status int, body []byte) {
	t.Helper()
	sp, err := spec.Load()
	if errors.Is(err, spec.ErrNotFound) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	op := sp.Operation(method, template)
	if op == nil {
		t.Fatalf("%s %s is not in the spec", method, template)
	}
	resp := op.Responses.Status(status)
	if resp == nil || status >= 300 {
		t.Fatalf("%s %s: status %d is not a success of the spec; body %s", method, template, status, body)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		if len(body) != 0 && resp.Value.Content.Get("text/plain") == nil {
			t.Errorf("%s %s: the spec has no response body, got %s", method, template, body)
		}
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", method, template, err, body)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s: response does not fit the spec: %v\n%s", method, template, err, body)
	}
}
