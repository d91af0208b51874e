// Command shapegen derives, from the Management API's OpenAPI document, the
// minimal shape of each catalogue operation's success response, for the
// sandbox's generic handler: shapes.json holds, per "METHOD /path", an
// example built from the response schema's required properties (or nothing
// when the response has no JSON body). Without the document (it is not part
// of the repository) the existing file is kept.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/supabase-mcp/supabase-mcp/internal/spec"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "shapegen:", err)
		os.Exit(1)
	}
}

// shape is one entry of shapes.json.
type shape struct {
	Status  int  `json:"status"`
	Empty   bool `json:"empty,omitempty"`
	Example any  `json:"example,omitempty"`
}

func run(out string) error {
	doc, err := spec.Load()
	if errors.Is(err, spec.ErrNotFound) {
		fmt.Fprintln(os.Stderr, "shapegen: no OpenAPI document; keeping", out)
		return nil
	}
	if err != nil {
		return err
	}
	cat, err := tools.Default()
	if err != nil {
		return err
	}
	shapes := map[string]shape{}
	for _, t := range cat.Tools {
		for _, op := range t.Operations {
			so := doc.Operation(op.Method, op.Path)
			if so == nil {
				continue
			}
			shapes[op.Method+" "+op.Path] = responseShape(so)
		}
	}
	keys := make([]string, 0, len(shapes))
	for k := range shapes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf := []byte("{\n")
	for i, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(shapes[k])
		if err != nil {
			return err
		}
		buf = append(buf, "  "...)
		buf = append(buf, kb...)
		buf = append(buf, ": "...)
		buf = append(buf, vb...)
		if i < len(keys)-1 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
	}
	buf = append(buf, "}\n"...)
	return os.WriteFile(out, buf, 0o644)
}

// responseShape is the example of the lowest 2xx response.
func responseShape(op *openapi3.Operation) shape {
	best := 0
	var resp *openapi3.Response
	for code, r := range op.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 299 || (best != 0 && n > best) || r.Value == nil {
			continue
		}
		best, resp = n, r.Value
	}
	if resp == nil {
		return shape{Status: 200, Empty: true}
	}
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return shape{Status: best, Empty: true}
	}
	return shape{Status: best, Example: example(mt.Schema.Value, 0)}
}

// example is a small value of schema s: required properties only, empty
// arrays, the first enum value, a fixed value per string format.
func example(s *openapi3.Schema, depth int) any {
	if s.Example != nil {
		return s.Example
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	for _, alt := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		if len(alt) > 0 && alt[0].Value != nil {
			return example(alt[0].Value, depth)
		}
	}
	if len(s.AllOf) > 0 {
		out := map[string]any{}
		for _, part := range s.AllOf {
			if part.Value == nil {
				continue
			}
			if m, ok := example(part.Value, depth).(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		return out
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		if depth > 4 {
			return out
		}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil && p.Value != nil {
				if p.Value.Nullable {
					out[name] = nil // as a new resource has it: unset
					continue
				}
				out[name] = example(p.Value, depth+1)
			}
		}
		return out
	case s.Type.Is("array"):
		return []any{}
	case s.Type.Is("integer"), s.Type.Is("number"):
		switch {
		case s.Min != nil && s.ExclusiveMin.IsTrue():
			return *s.Min + 1
		case s.Min != nil:
			return *s.Min
		}
		return 1
	case s.Type.Is("boolean"):
		return false
	case s.Type.Is("string"):
		switch s.Format {
		case "date-time":
			return "2025-01-15T09:30:00.000Z"
		case "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case "uri":
			return "https://example.com"
		case "email":
			return "user@example.com"
		}
		return strings.Repeat("x", int(max(s.MinLength, 1)))
	}
	return nil
}
