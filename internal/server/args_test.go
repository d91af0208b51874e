package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Values the spec's patterns, formats, lengths and enums refuse get a tool
// error that names the argument and what was expected, says nothing was
// sent, and does not repeat the value; the API sees no request.
func TestSpecBreakingArgumentsSendNothing(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
	long := strings.Repeat("a", 5000)
	cases := []struct {
		tool  string
		args  map[string]any
		arg   string // the argument the value was given for
		value string // must not appear in the error
		want  string
	}{
		{"organizations_read", map[string]any{"operation": "get"}, "slug", "аcme-corp", "does not match the pattern"}, // Cyrillic а
		{"organizations_read", map[string]any{"operation": "get"}, "slug", "acmé", "does not match the pattern"},
		{"organizations_read", map[string]any{"operation": "get"}, "slug", "   ", "empty or only whitespace"},
		{"organizations_read", map[string]any{"operation": "get"}, "slug", "", "empty or only whitespace"},
		{"organizations_read", map[string]any{"operation": "get"}, "slug", long, "at most 200 characters"},
		{"organizations_read", map[string]any{"operation": "get_snippet"}, "id", "snippet-one", "must be a UUID"},
		{"organizations_read", map[string]any{"operation": "list_snippets"}, "cursor", "page\x002", "NUL"},
		{"projects_read", map[string]any{"operation": "get"}, "ref", "abcdefghijklmnopqrsт", "does not match the pattern ^[a-z]{20}$"},
		{"projects_write", map[string]any{"operation": "create", "name": "x", "organization_slug": acme, "db_pass": "a-Strong-pass-123", "region_selection": map[string]any{"type": "smartGroup", "code": "emea"}}, "template_url", "not a uri at all", "must be an absolute URI"},
		{"projects_write", map[string]any{"operation": "create", "name": "x", "organization_slug": acme, "db_pass": "a-Strong-pass-123", "region_selection": map[string]any{"type": "smartGroup", "code": "emea"}}, "template_url", "/relative/only", "must be an absolute URI"},
		{"branches_read", map[string]any{"operation": "get", "ref": activeRef}, "name", long, "at most 200 characters"},
		{"branches_read", map[string]any{"operation": "get", "ref": activeRef}, "name", "dev\x00x", "NUL"},
		{"branches_read", map[string]any{"operation": "get", "ref": activeRef}, "name", " dev", "whitespace"},
		{"branches_read", map[string]any{"operation": "get_config"}, "branch_id_or_ref", "main/../x", "one path segment"},
		{"functions_read", map[string]any{"operation": "get", "ref": activeRef}, "function_slug", "hello world", "does not match the pattern"},
		{"auth_config_read", map[string]any{"operation": "get_tpa", "ref": activeRef}, "tpa_id", "tpa-1", "must be a UUID"},
		{"secrets_read", map[string]any{"operation": "get_api_key", "ref": activeRef}, "id", "key\u202eevil", "printable characters only"},
		{"database_read", map[string]any{"operation": "get_migration", "ref": activeRef}, "version", "v20250115", "does not match the pattern"},
		{"analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef, "sql": "select 1"}, "iso_timestamp_start", "yesterday noon", "RFC 3339 date-time"},
		{"analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef}, "sql", "select 1\x00; drop", "NUL"},
	}
	for _, tc := range cases {
		h.api.ResetRequests()
		args := map[string]any{}
		for k, v := range tc.args {
			args[k] = v
		}
		args[tc.arg] = tc.value
		text := h.fails(tc.tool, args, tc.arg, tc.want, "Nothing was sent")
		if tc.value != "" && strings.Contains(text, tc.value) {
			t.Errorf("%s.%s: the error repeats the value of %s: %s", tc.tool, args["operation"], tc.arg, text)
		}
		if n := len(h.api.Requests()); n != 0 {
			t.Errorf("%s.%s with a bad %s sent %d requests", tc.tool, args["operation"], tc.arg, n)
		}
	}
}

// Every path argument of every operation refuses values that are not one
// printable segment, and every query argument refuses NUL, before anything
// is sent (and, for operations that ask, before anyone is asked).
func TestEveryPathAndQueryArgumentIsChecked(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	u := &user{}
	h := newHarness(t, setup{user: u})
	pathBad := []string{"", " ", "\t", "a\x00b", "a\nb", "a\x7fb", "a\u200bb", " padded ", strings.Repeat("b", 201), ".", "..", "a/b", "a?b", "a#b", "a%2Fb", `a\b`}
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			for _, p := range op.Params() {
				var bad []string
				switch {
				case op.IsPathParam(p):
					bad = pathBad
				case op.ParamIn(p) == "query" && op.ParamType(p) == "string":
					bad = []string{"a\x00b", "a\x01b"}
				default:
					continue
				}
				for _, v := range bad {
					h.api.ResetRequests()
					args := tools.MinimalArgs(op, sandbox.Fixtures())
					args[p] = v
					text, isErr := h.call(tl.Name, args)
					if !isErr || !strings.Contains(text, "Nothing was sent") || !strings.Contains(text, p) {
						t.Errorf("%s %s=%q: want a tool error naming %s that says nothing was sent, got %q", op.QualifiedName(), p, v, p, text)
					}
					if n := len(h.api.Requests()); n != 0 {
						t.Errorf("%s %s=%q sent %d requests", op.QualifiedName(), p, v, n)
					}
				}
			}
		}
	}
	if n := len(u.questions()); n != 0 {
		t.Errorf("the user was asked %d times about calls with bad arguments", n)
	}
}
