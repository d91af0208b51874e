package server

import (
	"encoding/json"
	"testing"
)

// Nested request objects are listed bare (their shape in the description,
// to keep tools/list small) but still validated in full at call time: a
// misspelled nested field is refused, named with its closest match, and
// nothing is sent.
func TestBareListedObjectsAreValidatedInFull(t *testing.T) {
	h := newHarness(t, setup{})
	listed := map[string]map[string]map[string]any{}
	for _, tl := range h.listTools() {
		raw, err := json.Marshal(tl.InputSchema)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		listed[tl.Name] = s.Properties
	}
	const user = "3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b"
	cases := []struct {
		tool, arg string
		args      map[string]any
		want      []string
	}{
		{"projects_write", "region_selection", map[string]any{"operation": "create", "name": "bare", "organization_slug": "acme", "db_pass": "correct-horse-battery",
			"region_selection": map[string]any{"type": "specific", "cod": "us-east-1"}}, []string{"region_selection.cod", "code"}},
		{"database_config_write", "attributes", map[string]any{"operation": "modify_disk", "ref": activeRef,
			"attributes": map[string]any{"type": "gp3", "size_gb": 8, "iops": 3000, "throughput_mbps": 125}}, []string{"attributes.throughput_mbps", "throughput_mibps"}},
		{"database_config_write", "requestedConfig", map[string]any{"operation": "update_ssl", "ref": activeRef,
			"requestedConfig": map[string]any{"databse": true}}, []string{"requestedConfig.databse", "database"}},
		{"functions_write", "files", map[string]any{"operation": "deploy", "ref": activeRef, "slug": "hello", "entrypoint_path": "index.ts",
			"files": []any{map[string]any{"name": "index.ts", "contents": "Deno.serve(() => new Response())"}}}, []string{"contents", "content"}},
		{"jit_access_write", "roles", map[string]any{"operation": "update", "ref": activeRef, "user_id": user,
			"roles": []any{map[string]any{"rol": "postgres"}}}, []string{"rol", "role"}},
		{"secrets_write", "secrets", map[string]any{"operation": "create", "ref": activeRef,
			"secrets": []any{map[string]any{"name": "API_TOKEN", "valeu": "x"}}}, []string{"valeu", "value"}},
	}
	for _, c := range cases {
		p, ok := listed[c.tool][c.arg]
		if !ok {
			t.Fatalf("%s does not list %s", c.tool, c.arg)
		}
		if _, nested := p["properties"]; nested {
			t.Errorf("%s.%s is listed with its fields; want a bare object", c.tool, c.arg)
		}
		if items, _ := p["items"].(map[string]any); items != nil {
			if _, nested := items["properties"]; nested {
				t.Errorf("%s.%s items are listed with their fields; want bare objects", c.tool, c.arg)
			}
		}
		before := len(h.api.Requests())
		h.fails(c.tool, c.args, append([]string{"unknown field", "Nothing was sent"}, c.want...)...)
		if n := len(h.api.Requests()) - before; n != 0 {
			t.Errorf("%s %s: a refused call sent %d requests", c.tool, c.arg, n)
		}
	}
}

// Bounds that are checked at call time but no longer listed still refuse
// bad values before anything is sent.
func TestUnlistedBoundsAreChecked(t *testing.T) {
	h := newHarness(t, setup{})
	before := len(h.api.Requests())
	h.fails("analytics_read", map[string]any{"operation": "get_logs", "ref": activeRef, "service": "api", "limit": 0}, "limit", "at least 1")
	h.fails("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef, "iso_timestamp_start": "yesterday"}, "iso_timestamp_start")
	h.fails("organizations_read", map[string]any{"operation": "get", "slug": "acme corp"}, "slug does not match the pattern")
	h.fails("database_read", map[string]any{"operation": "sample_rows", "ref": activeRef, "table": ""}, "table")
	h.fails("services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef, "max_rows": 2000000}, "max_rows")
	if n := len(h.api.Requests()) - before; n != 0 {
		t.Errorf("refused calls sent %d requests", n)
	}
}
