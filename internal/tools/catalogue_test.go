package tools

import (
	"encoding/json"
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"slices"
	"strings"
	"testing"
)

func exposeAll(t testing.TB) (*Catalogue, []*ExposedTool) {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var out []*ExposedTool
	for _, tl := range c.Tools {
		out = append(out, &ExposedTool{Tool: tl, Operations: tl.Operations})
	}
	return c, out
}

// Every schema is one flat object without $ref or combinators, and every
// property but operation, at every depth, is described.
func TestSchemasAreFlatAndDescribed(t *testing.T) {
	_, all := exposeAll(t)
	for _, e := range all {
		raw, err := e.InputSchema()
		if err != nil {
			t.Fatal(err)
		}
		for _, banned := range []string{`"$ref"`, `"$defs"`, `"oneOf"`, `"anyOf"`, `"allOf"`, `"$schema"`, `:true`} {
			if strings.Contains(string(raw), banned) {
				t.Errorf("%s schema contains %s", e.Name, banned)
			}
		}
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		props := s["properties"].(map[string]any)
		delete(props, "operation") // described by the tool's description, operation by operation
		checkDescribed(t, e.Name, props)
	}
}

func checkDescribed(t *testing.T, where string, props map[string]any) {
	for name, v := range props {
		p := v.(map[string]any)
		if d, _ := p["description"].(string); d == "" {
			t.Errorf("%s.%s has no description", where, name)
		}
		if sub, ok := p["properties"].(map[string]any); ok {
			checkDescribed(t, where+"."+name, sub)
		}
		if items, ok := p["items"].(map[string]any); ok {
			if sub, ok := items["properties"].(map[string]any); ok {
				checkDescribed(t, where+"."+name+"[]", sub)
			}
		}
	}
}

type okRequests struct {
	Things struct {
		List ListThings
		Get  GetThing
	}
}
type ListThings struct{ NoArguments }
type GetThing struct{ ProjectRef }

const okYAML = `
tools:
  - name: things
    feature: f
    description: Things.
    operations:
      - {name: list, method: GET, path: /v1/things, class: read, summary: List.}
      - {name: get, method: GET, path: "/v1/things/{ref}", class: read, summary: Get.}
`

func TestLoadBindsAndRejectsMismatches(t *testing.T) {
	if _, err := Load([]byte(okYAML), okRequests{}, toolsyaml.Decode); err != nil {
		t.Fatalf("valid catalogue rejected: %v", err)
	}
	cases := map[string]string{
		"entry without struct": strings.Replace(okYAML, "name: get,", "name: fetch,", 1),
		"unknown yaml key":     strings.Replace(okYAML, "class: read, summary: List.", "class: read, summary: List., color: red", 1),
		"bad class":            strings.Replace(okYAML, "class: read, summary: List.", "class: safe, summary: List.", 1),
		"path param mismatch":  strings.Replace(okYAML, "\"/v1/things/{ref}\"", "\"/v1/things/{id}\"", 1),
		"missing summary":      strings.Replace(okYAML, "summary: List.", "summary: ''", 1),
	}
	for name, y := range cases {
		c, err := Load([]byte(y), okRequests{}, toolsyaml.Decode)
		if err == nil {
			err = c.Check() // struct-level checks run on first use, or here
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	type extra struct {
		Things struct {
			List  ListThings
			Get   GetThing
			Count ListThings
		}
	}
	if _, err := Load([]byte(okYAML), extra{}, toolsyaml.Decode); err == nil || !strings.Contains(err.Error(), "things.count") {
		t.Errorf("struct without entry: %v", err)
	}
}

// The embedded catalogue reflects cleanly: every request struct matches its
// entry (path parameters, body and sql arguments, descriptions).
func TestEmbeddedCatalogueChecks(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"List": "list", "ListAvailableRegions": "list_available_regions", "ExecuteSQL": "execute_sql",
		"GetSSOProvider": "get_sso_provider", "ExecuteReadonlySQL": "execute_readonly_sql", "Get2FA": "get2_fa",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", in, got, want)
		}
	}
}

// The split: every tools.yaml group becomes <group>_read with exactly its
// class read operations and <group>_write with all the others, each
// operation on exactly one tool, in tools.yaml order.
func TestToolsSplitByAccess(t *testing.T) {
	c, _ := exposeAll(t)
	groups := c.GroupTools()
	ops := 0
	for _, tl := range c.Tools {
		if tl.Name != tl.Group+"_"+tl.Access || !slices.Contains(groups[tl.Group], tl.Name) {
			t.Errorf("tool %s: group %s, access %s", tl.Name, tl.Group, tl.Access)
		}
		if len(tl.Operations) == 0 {
			t.Errorf("tool %s has no operations", tl.Name)
		}
		for _, op := range tl.Operations {
			ops++
			if (op.Class == ClassRead) != (tl.Access == AccessRead) || op.Tool != tl {
				t.Errorf("%s: class %s on a %s tool", op.QualifiedName(), op.Class, tl.Access)
			}
		}
	}
	for group, names := range groups {
		if names[0] != group+"_read" && names[0] != group+"_write" || len(names) > 2 {
			t.Errorf("group %s has tools %v", group, names)
		}
	}
	// A write-only group has no empty read tool, a read-only group no write tool.
	if got := groups["analytics"]; !slices.Equal(got, []string{"analytics_read"}) {
		t.Errorf("analytics (only reads) has tools %v", got)
	}
	if db := c.Tool("database_read"); db == nil || db.Operation("execute_readonly_sql") == nil || db.Operation("list_tables") == nil || db.Operation("execute_sql") != nil {
		t.Error("database_read must hold the read-only query and the explore helpers, not execute_sql")
	}
	if db := c.Tool("database_write"); db == nil || db.Operation("execute_sql") == nil || db.Operation("apply_migration") == nil || db.Operation("rollback_migrations") == nil {
		t.Error("database_write must hold execute_sql and the migrations")
	}
	if c.Tool("database_read").Title() != "Database: read" || c.Tool("jit_access_write").Title() != "JIT access: write" {
		t.Errorf("titles: %q, %q", c.Tool("database_read").Title(), c.Tool("jit_access_write").Title())
	}
	if ops < 150 {
		t.Errorf("only %d operations", ops)
	}
}

func TestAnnotationsFollowAccess(t *testing.T) {
	c, _ := exposeAll(t)
	projects := c.Tool("projects_write")
	a := (&ExposedTool{Tool: projects, Operations: projects.Operations}).Annotations()
	if a.ReadOnly || !a.Destructive || a.Idempotent || !a.OpenWorld {
		t.Errorf("projects_write annotations = %+v", a)
	}
	reads := c.Tool("projects_read")
	if a := (&ExposedTool{Tool: reads, Operations: reads.Operations}).Annotations(); !a.ReadOnly || a.Destructive || !a.Idempotent || !a.OpenWorld {
		t.Errorf("projects_read annotations = %+v", a)
	}
	// A sensitive write alone (no delete) still makes the hint destructive.
	claim := &ExposedTool{Tool: projects, Operations: []*Operation{projects.Operation("create_claim_token")}}
	if a := claim.Annotations(); a.ReadOnly || !a.Destructive || !claim.NeedsConfirmation() {
		t.Errorf("sensitive subset annotations = %+v", a)
	}
	plain := &ExposedTool{Tool: projects, Operations: []*Operation{projects.Operation("update")}}
	if a := plain.Annotations(); a.ReadOnly || a.Destructive || !a.Idempotent || plain.NeedsConfirmation() {
		t.Errorf("plain write subset (PATCH) annotations = %+v", a)
	}
}
