package tools

import (
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"strings"
	"testing"
)

// checkedThing exercises every check key on one operation.
type checkedThing struct {
	ID      string   `json:"id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Id."`
	Search  string   `json:"search,omitempty" in:"query" jsonschema_description:"Text."`
	Since   string   `json:"since,omitempty" in:"query" check:"format=date-time" jsonschema_description:"Since."`
	Hook    string   `json:"hook,omitempty" check:"format=uri" jsonschema_description:"Hook."`
	Mail    string   `json:"mail,omitempty" check:"format=email" jsonschema_description:"Mail."`
	Name    string   `json:"name,omitempty" check:"minLength=2,maxLength=5,pattern=^[a-z,]+$" jsonschema_description:"Name."`
	Env     string   `json:"env,omitempty" check:"maxLength=20,pattern=^(?!SUPABASE_).*" jsonschema_description:"Env."`
	Mode    string   `json:"mode,omitempty" check:"enum=fast|slow" jsonschema_description:"Mode."`
	Size    *float64 `json:"size,omitempty" check:"exclusiveMinimum=0,maximum=10" jsonschema_description:"Size."`
	Tags    []string `json:"tags,omitempty" check:"maxItems=2,enum=a|b" jsonschema_description:"Tags."`
	Nested  *inner   `json:"nested,omitempty" jsonschema_description:"Nested."`
	Summary string   `json:"summary,omitempty" in:"none" jsonschema_description:"Made into a query by Finish."`
}

type inner struct {
	Code string `json:"code" jsonschema:"required" check:"pattern=^[0-9]{3}$" jsonschema_description:"Code."`
}

func checkedTool(t *testing.T) *ExposedTool {
	t.Helper()
	type reqs struct{ Things struct{ Get checkedThing } }
	c, err := Load([]byte("tools:\n  - name: things\n    feature: f\n    description: T.\n    operations:\n      - {name: get, method: POST, path: \"/v1/things/{id}\", class: write, summary: G.}\n"), reqs{}, toolsyaml.Decode)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	return &ExposedTool{Tool: c.Tools[0], Operations: c.Tools[0].Operations}
}

func TestCheckTagsAreEnforced(t *testing.T) {
	e := checkedTool(t)
	const id = "3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b"
	good := []map[string]any{
		{"id": id},
		{"id": strings.ToUpper(id), "search": "multi\nline\ttext", "since": "2026-01-02T03:04:05.5+01:00"},
		{"id": id, "hook": "https://example.com/x?y=1", "mail": "dev@example.com", "name": "ab,c", "env": "MY_KEY", "mode": "slow"},
		{"id": id, "size": 10, "tags": []any{"a", "b"}, "nested": map[string]any{"code": "123"}, "summary": "ok"},
	}
	for _, args := range good {
		args["operation"] = "get"
		if _, err := e.Decode(args, nil); err != nil {
			t.Errorf("%v refused: %v", args, err)
		}
	}
	bad := []struct {
		arg   string
		value any
		want  string
	}{
		{"id", "3f2b8a4e-6c1d-0e5f-9a7b-2c8d0e1f3a5b", "must be a UUID"}, // version 0
		{"id", "not-a-uuid-at-all", "must be a UUID"},
		{"id", " " + id, "whitespace"},
		{"search", "a\x00b", "NUL"},
		{"search", "a\x1bb", "control characters"},
		{"since", "2026-01-02 03:04:05", "RFC 3339"},
		{"since", "yesterday", "RFC 3339"},
		{"hook", "example.com/x", "absolute URI"},
		{"hook", "https://exa mple.com", "absolute URI"},
		{"mail", "Dev <dev@example.com>", "email address"},
		{"mail", "dev", "email address"},
		{"name", "a", "at least 2 characters"},
		{"name", "abcdef", "at most 5 characters"},
		{"name", "AB", "does not match the pattern ^[a-z,]+$"},
		{"env", "SUPABASE_URL", "must not start with SUPABASE_"},
		{"mode", "medium", "allowed values: fast, slow"},
		{"size", 0, "must be more than 0"},
		{"size", 11, "must be at most 10"},
		{"tags", []any{"a", "c"}, "tags[1] is not one of the allowed values"},
		{"tags", []any{"a", "b", "a"}, "at most 2 items"},
		{"nested", map[string]any{"code": "12"}, "nested.code does not match"},
		{"summary", "x\x00", "NUL"},
	}
	for _, tc := range bad {
		args := map[string]any{"operation": "get", "id": id, tc.arg: tc.value}
		_, err := e.Decode(args, nil)
		if err == nil {
			t.Errorf("%s=%q accepted", tc.arg, tc.value)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "Nothing was sent") || !strings.Contains(msg, tc.arg) {
			t.Errorf("%s=%q: error %q lacks %q, the argument or \"Nothing was sent\"", tc.arg, tc.value, msg, tc.want)
		}
		if s, ok := tc.value.(string); ok && len(s) > 3 && strings.Contains(msg, s) {
			t.Errorf("%s: the error repeats the value: %s", tc.arg, msg)
		}
	}
}

// Check tags cost nothing in the listing: the tool's schema shows the
// jsonschema tags only.
func TestCheckTagsAreNotListed(t *testing.T) {
	raw, err := checkedTool(t).InputSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"uuid", "SUPABASE_", "fast", "exclusiveMinimum", "x-checks", "[0-9]{3}"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the listed schema shows %q: %s", s, raw)
		}
	}
}

// A malformed check tag is a catalogue defect that Check reports.
func TestBadCheckTagsAreCatalogueErrors(t *testing.T) {
	for _, tag := range []string{"pattern=^[a-$", "format=hostname", "maxLength=lots", "colour=red", "maxLength", "pattern=^(?!a|b).*"} {
		if _, err := parseChecks(tag); err == nil {
			t.Errorf("check tag %q was accepted", tag)
		}
	}
}
