package tools

import (
	"github.com/invopop/jsonschema"
)

// MinimalArgs builds the smallest valid arguments for an operation: every
// required argument, taken from fixtures by name (project refs, slugs and ids
// that exist in the fake API) or else made up from its schema, plus any
// argument with a fixture for that very operation ("group.operation.arg",
// by the tools.yaml group name, which does not change with the split). Tests and
// benchmarks use it so that a new catalogue entry is covered without new
// test code.
func MinimalArgs(op *Operation, fixtures map[string]any) map[string]any {
	args := map[string]any{"operation": op.Name}
	for _, p := range op.args() {
		if v, ok := fixtures[op.Tool.Group+"."+op.Name+"."+p.name]; ok {
			args[p.name] = v // an operation's own fixture, even for an optional argument
			continue
		}
		if !p.required {
			continue
		}
		if v, ok := fixtures[p.name]; ok {
			args[p.name] = v
		} else {
			args[p.name] = exampleValue(p.schema, fixtures)
		}
	}
	return args
}

// projectRefPattern is a project ref's: checked at call time, not listed.
const projectRefPattern = "^[a-z]{20}$"

func exampleValue(s *jsonschema.Schema, fixtures map[string]any) any {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	format := s.Format
	if c := checksOf(s, false); c != nil {
		if len(c.enum) > 0 {
			return c.enum[0]
		}
		if c.format != "" {
			format = c.format
		}
	}
	if s.Default != nil {
		return s.Default
	}
	switch s.Type {
	case "boolean":
		return true
	case "integer", "number":
		if s.Minimum != "" {
			f, _ := s.Minimum.Float64()
			return f
		}
		return 1.0
	case "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{exampleValue(s.Items, fixtures)}
	case "object":
		out := map[string]any{}
		if s.Properties == nil {
			return out
		}
		for _, name := range s.Required {
			ps, _ := s.Properties.Get(name)
			if v, ok := fixtures[name]; ok {
				out[name] = v
			} else if ps != nil {
				out[name] = exampleValue(ps, fixtures)
			}
		}
		return out
	}
	switch format {
	case "uuid":
		return "3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b"
	case "email":
		return "dev@example.com"
	case "uri", "url":
		return "https://example.com"
	case "date-time":
		return "2026-01-02T03:04:05Z"
	}
	if c := checksOf(s, false); s.Pattern == projectRefPattern || (c != nil && c.pattern != nil && c.pattern.src == projectRefPattern) {
		return "abcdefghijklmnopqrst"
	}
	if s.MinLength != nil && *s.MinLength > uint64(len("example")) {
		return "example-value-that-is-long-enough-0123456789"[:*s.MinLength]
	}
	return "example"
}
