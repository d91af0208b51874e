package tools_test

import (
	"strings"
	"testing"

	"github.com/invopop/jsonschema"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	. "github.com/supabase-mcp/supabase-mcp/internal/tools"
)

const echoMarker = "S3CRET-e7c1"

// wrongValues are values for s, each invalid somewhere and carrying the
// marker: a wrong type at the top, a wrong type one level down, a string
// that breaks a pattern, an enum or a length limit.
func wrongValues(s *jsonschema.Schema, depth int) []any {
	var out []any
	switch s.Type {
	case "string":
		out = append(out, map[string]any{"x": echoMarker}, []any{echoMarker})
		if s.Pattern != "" || len(s.Enum) > 0 {
			out = append(out, echoMarker+" !")
		}
		if s.MaxLength != nil {
			out = append(out, strings.Repeat(echoMarker, int(*s.MaxLength)))
		}
	case "integer", "number", "boolean":
		out = append(out, echoMarker, map[string]any{"x": echoMarker})
	case "array":
		out = append(out, map[string]any{"x": echoMarker})
		if s.Items != nil && depth < 2 {
			for _, v := range wrongValues(s.Items, depth+1) {
				out = append(out, []any{v})
			}
		}
	case "object":
		out = append(out, echoMarker, []any{echoMarker})
		if s.Properties != nil && depth < 2 {
			for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
				for _, v := range wrongValues(pair.Value, depth+1) {
					out = append(out, map[string]any{pair.Key: v})
				}
			}
		}
	}
	return out
}

// No error about an argument, of any operation, repeats the value given:
// it may be a password. Errors name the argument and what was expected.
func TestArgumentErrorsNeverEchoValues(t *testing.T) {
	_, all := ExposeAll(t)
	fixtures := sandbox.Fixtures()
	checked := 0
	for _, e := range all {
		for _, op := range e.Operations {
			for _, p := range ArgViews(op) {
				values := wrongValues(p.Schema, 0)
				if p.In == InPath {
					values = append(values, "a/"+echoMarker, " "+echoMarker+"/..")
				}
				for _, v := range values {
					args := MinimalArgs(op, fixtures)
					args[p.Name] = v
					call, err := e.Decode(args, nil)
					if err == nil {
						_, err = call.HTTPRequest()
					}
					if err == nil {
						continue // some wrong-looking values are valid (free-form strings)
					}
					checked++
					if strings.Contains(err.Error(), echoMarker) {
						t.Errorf("%s %s=%v: error echoes the value: %v", op.QualifiedName(), p.Name, v, err)
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d invalid arguments were refused (the test cannot fail)", checked)
	}
	t.Logf("%d invalid arguments refused without echo", checked)
}
