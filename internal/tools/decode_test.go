package tools

import (
	"errors"
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"net/url"
	"strings"
	"testing"
)

const ref = "abcdefghijklmnopqrst"

func exposed(t *testing.T, tool string) *ExposedTool {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tl := c.Tool(tool)
	return &ExposedTool{Tool: tl, Operations: tl.Operations}
}

func TestDecodeErrorsTellWhatToDo(t *testing.T) {
	projects := exposed(t, "projects_read")
	cases := []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{}, []string{"operation is required", "list, get, list_restore_versions"}},
		{map[string]any{"operation": "delete", "ref": ref}, []string{`projects_read has no operation "delete": it is on projects_write`, "Call projects_write with the same arguments"}},
		{map[string]any{"operation": "lsit"}, []string{`no operation "lsit"`, "did you mean list"}},
		{map[string]any{"operation": "get"}, []string{"operation get needs ref", "Usage: get(ref)"}},
		{map[string]any{"operation": "get", "reff": ref}, []string{"unknown argument reff", "did you mean ref"}},
		{map[string]any{"operation": "get", "ref": ref, "services": []any{"db"}}, []string{"takes no argument services", "that is for get_health"}},
		{map[string]any{"operation": "get", "ref": "ABC"}, []string{"Nothing was sent", "ref does not match the pattern ^[a-z]{20}$"}},
		{map[string]any{"operation": "get", "ref": 12}, []string{"does not match"}},
		{map[string]any{"operation": "get_health", "ref": ref, "services": []any{"db", "dbx"}}, []string{`services[1] is not one of`, "auth, db"}},
		{map[string]any{"operation": "get_health", "ref": ref, "services": []any{"db"}, "timeout_ms": 20000}, []string{"timeout_ms must be at most 10000"}},
		{map[string]any{"operation": "get", "ref": ref, "db_pass": "x"}, []string{"unknown argument db_pass"}},
	}
	for _, tc := range cases {
		if _, err := projects.Decode(tc.args, nil); err == nil || !containsAll(err.Error(), tc.want) {
			t.Errorf("%v: error %v lacks %q", tc.args, err, tc.want)
		}
	}
	writes := exposed(t, "projects_write")
	cases = []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"operation": "create", "name": "n", "organization_slug": "o", "db_pass": "password1", "region_selection": map[string]any{"type": "specific", "cod": "us-east-1"}}, []string{"unknown field region_selection.cod", "did you mean code"}},
		{map[string]any{"operation": "create", "name": "n", "organization_slug": "o", "db_pass": "password1", "region_selection": map[string]any{"type": "smartGroup", "code": "us-east-1"}}, []string{"smartGroup takes code americas"}},
	}
	for _, tc := range cases {
		_, err := writes.Decode(tc.args, nil)
		var ae *ArgumentError
		if !errors.As(err, &ae) {
			t.Errorf("%v: got %v, want an ArgumentError", tc.args, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", tc.args, err, w)
			}
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestDecodeRepairsTypeSlips(t *testing.T) {
	projects := exposed(t, "projects_read")
	call, err := projects.Decode(map[string]any{"operation": "get_health", "ref": ref, "services": `["db","auth"]`, "timeout_ms": "1500"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := call.Request.(*GetProjectHealth)
	if len(req.Services) != 2 || req.TimeoutMS == nil || *req.TimeoutMS != 1500 {
		t.Fatalf("slips not repaired: %+v", req)
	}
	db := exposed(t, "database_write")
	call, err = db.Decode(map[string]any{"operation": "execute_sql", "ref": ref, "query": "select 1", "read_only": "true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ro := call.Request.(*ExecuteSQL).ReadOnly; ro == nil || !*ro {
		t.Fatalf("read_only not repaired")
	}
}

func TestInjectedArgumentsAndScope(t *testing.T) {
	db := exposed(t, "database_read")
	db.Hidden = map[string]bool{"ref": true}
	injected := map[string]any{"ref": ref}
	call, err := db.Decode(map[string]any{"operation": "list_migrations"}, injected)
	if err != nil {
		t.Fatal(err)
	}
	if call.Request.(*ListMigrations).Ref != ref {
		t.Fatal("ref not injected")
	}
	if _, err := db.Decode(map[string]any{"operation": "list_migrations", "ref": ref}, injected); err != nil {
		t.Fatalf("the scoped ref itself is refused: %v", err)
	}
	_, err = db.Decode(map[string]any{"operation": "list_migrations", "ref": "zzzzzzzzzzzzzzzzzzzz"}, injected)
	var se *ScopeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "scoped to project "+ref) {
		t.Fatalf("another project's ref: %v", err)
	}
}

func TestHTTPRequestEncoding(t *testing.T) {
	projects := exposed(t, "projects_read")
	call, err := projects.Decode(map[string]any{"operation": "get_health", "ref": ref, "services": []any{"db", "auth"}, "timeout_ms": 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, err := call.HTTPRequest()
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "GET" || req.Path != "/v1/projects/"+ref+"/health" || req.Query.Encode() != "services=db&services=auth&timeout_ms=0" || req.Body != nil {
		t.Fatalf("bad request: %+v %s", req, req.Query.Encode())
	}
	call, err = exposed(t, "projects_write").Decode(map[string]any{"operation": "create", "name": "n", "organization_slug": "acme", "db_pass": "password1", "region_selection": map[string]any{"type": "smartGroup", "code": "emea"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, err = call.HTTPRequest()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"db_pass":"password1","name":"n","organization_slug":"acme","region_selection":{"type":"smartGroup","code":"emea"}}`
	if string(req.Body) != want || req.ContentType != "application/json" || req.Path != "/v1/projects" {
		t.Fatalf("body = %s", req.Body)
	}
}

// Path values cannot leave their segment even when a struct has no pattern.
func TestPathValuesStayInTheirSegment(t *testing.T) {
	type R struct {
		ID string `json:"id" in:"path" jsonschema:"required" jsonschema_description:"Id."`
	}
	type reqs struct{ Things struct{ Get R } }
	c, err := Load([]byte("tools:\n  - name: things\n    feature: f\n    description: T.\n    operations:\n      - {name: get, method: GET, path: \"/v1/things/{id}/x\", class: read, summary: G.}\n"), reqs{}, toolsyaml.Decode)
	if err != nil {
		t.Fatal(err)
	}
	e := &ExposedTool{Tool: c.Tools[0], Operations: c.Tools[0].Operations}
	for _, bad := range []string{"../../projects", "a/b", "a?b=c", "a#b", "%2F", "..", ".", "", "a\nb", `a\b`} {
		call, err := e.Decode(map[string]any{"operation": "get", "id": bad}, nil)
		if err == nil {
			_, err = call.HTTPRequest()
		}
		if err == nil {
			t.Errorf("id %q was accepted", bad)
		}
	}
	call, _ := e.Decode(map[string]any{"operation": "get", "id": "ünï code"}, nil)
	req, err := call.HTTPRequest()
	if err != nil || req.Path != "/v1/things/"+url.PathEscape("ünï code")+"/x" {
		t.Fatalf("unicode id: %v %v", req, err)
	}
}
