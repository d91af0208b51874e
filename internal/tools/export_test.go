package tools

import (
	"errors"
	"testing"

	"github.com/invopop/jsonschema"

	"github.com/supabase-mcp/supabase-mcp/internal/spec"
)

// Exported for the tests of package tools_test, which import the sandbox
// (itself built on this package).

// ExposeAll exposes every tool with all its operations.
var ExposeAll = exposeAll

// InPath is the `in` value of a path argument.
const InPath = inPath_

// ArgView is what the external tests read of one argument.
type ArgView struct {
	Name, In string
	Schema   *jsonschema.Schema
}

// ArgViews lists op's arguments.
func ArgViews(op *Operation) []ArgView {
	var out []ArgView
	for _, p := range op.args() {
		out = append(out, ArgView{p.name, p.in, p.schema})
	}
	return out
}

// ArgViewOf is one argument of op, or nil.
func ArgViewOf(op *Operation, name string) *ArgView {
	p := op.param(name)
	if p == nil {
		return nil
	}
	return &ArgView{p.name, p.in, p.schema}
}

func loadSpec(t testing.TB) *spec.Spec {
	t.Helper()
	s, err := spec.Load()
	if errors.Is(err, spec.ErrNotFound) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// LoadSpec loads the OpenAPI document, skipping when it is absent.
var LoadSpec = loadSpec

// PatternMatcher compiles a spec pattern the way argument checks do.
func PatternMatcher(src string) (func(string) bool, error) {
	p, err := compilePattern(src)
	if err != nil {
		return nil, err
	}
	return p.match, nil
}
