package tools

import (
	"bytes"
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"go/format"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"

	supabasemcp "github.com/supabase-mcp/supabase-mcp"
)

// catalogue_gen.go is what the generator makes of tools.yaml today.
func TestCatalogueSourceIsCurrent(t *testing.T) {
	want, err := CatalogueSource(supabasemcp.ToolsYAML, Requests{}, toolsyaml.Decode)
	if err != nil {
		t.Fatal(err)
	}
	if formatted, err := format.Source(want); err != nil || !bytes.Equal(formatted, want) {
		t.Fatalf("the generated catalogue is not gofmt-clean Go (%v)", err)
	}
	got, err := os.ReadFile("catalogue_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("catalogue_gen.go is stale: run go generate ./...")
	}
}

// Default builds, from the generated code, exactly the catalogue Load makes
// of tools.yaml: every field, bindings and back pointers included.
func TestDefaultIsTheYAMLCatalogue(t *testing.T) {
	got, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if !got.precomputed {
		t.Fatal("Default parsed tools.yaml: catalogue_gen.go was not generated from it (run go generate ./...)")
	}
	want, err := Load(supabasemcp.ToolsYAML, Requests{}, toolsyaml.Decode)
	if err != nil {
		t.Fatal(err)
	}
	got.precomputed = false
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the generated catalogue differs from tools.yaml's")
	}
	for _, tl := range got.Tools {
		for _, op := range tl.Operations {
			if op.Tool != tl || op.request == nil {
				t.Fatalf("%s is not bound", op.QualifiedName())
			}
		}
	}
}

// Generated code for another tools.yaml is not used: its digest differs,
// and the error says how to regenerate it.
func TestPrecomputedCatalogueNeedsItsOwnYAML(t *testing.T) {
	if c, err := precomputed(Digest(append(bytes.Clone(supabasemcp.ToolsYAML), '\n')), Requests{}); c != nil || err == nil || !strings.Contains(err.Error(), "go generate ./...") {
		t.Fatalf("a different tools.yaml: %v, %v", c, err)
	}
	if c, err := precomputed(Digest(supabasemcp.ToolsYAML), Requests{}); c == nil || err != nil {
		t.Fatalf("the generated catalogue was not used for its own tools.yaml: %v", err)
	}
}

// HasParam, which reads struct fields only, agrees with the reflected
// arguments of every operation, for every name any operation takes.
func TestHasParamMatchesReflectedArguments(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{"no_such_argument": true}
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			for _, n := range op.Params() {
				names[n] = true
			}
		}
	}
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			for n := range names {
				if got, want := op.HasParam(n), op.param(n) != nil; got != want {
					t.Errorf("%s: HasParam(%s) = %v, reflection says %v", op.QualifiedName(), n, got, want)
				}
			}
		}
	}
}

// The listing key tells apart exposed tools that list differently, and
// refuses a field it cannot write rather than leaving it out.
func TestListingKey(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tl := c.Tool("database_write")
	base := func() *ExposedTool { return &ExposedTool{Tool: tl, Operations: tl.Operations} }
	variants := map[string]*ExposedTool{"all operations": base()}
	fewer := base()
	fewer.Operations = tl.Operations[:1]
	variants["one operation"] = fewer
	hidden := base()
	hidden.Hidden = map[string]bool{"ref": true}
	variants["ref hidden"] = hidden
	confirm := base()
	confirm.Extra = []ExtraProperty{ConfirmProperty}
	variants["confirm property"] = confirm
	noted := base()
	noted.Notes = map[string]string{tl.Operations[0].Name: "refused on this server"}
	variants["note"] = noted
	noReveal := base()
	noReveal.NoReveal = true
	variants["no reveal"] = noReveal
	keys := map[string]string{}
	for name, e := range variants {
		key, ok := e.ListingKey()
		if !ok {
			t.Fatalf("%s: no key", name)
		}
		if other, seen := keys[key]; seen {
			t.Fatalf("%s and %s have one key", name, other)
		}
		keys[key] = name
		again, _ := e.ListingKey()
		if again != key {
			t.Fatalf("%s: the key is not stable", name)
		}
	}
	var b strings.Builder
	if err := writeKey(&b, reflect.ValueOf(struct{ F func() }{})); err == nil {
		t.Fatal("a func field was written into a key")
	}
	if err := writeKey(&b, reflect.ValueOf(struct{ s *jsonschema.Schema }{&jsonschema.Schema{Type: "string"}}).Field(0)); err == nil {
		t.Fatal("an unexported schema was written into a key")
	}
}
