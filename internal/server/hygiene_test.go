package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/spec"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Hostile path values never send a request anywhere but the operation's own
// endpoint: each value stays inside its segment or the call is refused. A
// request that does go out is one the spec accepts, path values matching
// the spec's patterns and formats.
func TestPathArgumentsCannotChangeTheEndpoint(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.Load()
	if errors.Is(err, spec.ErrNotFound) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"../", "..", ".", "%2F", "a/b", "../../v1/projects", "a?x=1", "a#b", "a%00b", "ünïcødé", "", " ", "a\tb", "a\nb", `a\b`, strings.Repeat("a", 5000), "abcdefghijklmnopqrst/../x",
		"аbcdefghijklmnopqrst", "acme​corp", "ACME", "3F2B8A4E-6C1D-0E5F-9A7B-2C8D0E1F3A5B", "not-a-uuid", "20250115 ", "dev branch", "x‮"}
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			var pathParams []string
			for _, p := range op.Params() {
				if op.IsPathParam(p) {
					pathParams = append(pathParams, p)
				}
			}
			if len(pathParams) == 0 {
				continue
			}
			template := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(op.Path), `[^/?#]+`) + "$")
			t.Run(op.QualifiedName(), func(t *testing.T) {
				h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
				for _, p := range pathParams {
					for _, v := range hostile {
						args := tools.MinimalArgs(op, sandbox.Fixtures())
						args[p] = v
						h.call(tl.Name, args)
					}
				}
				for _, r := range h.api.Requests() {
					if r.EscapedPath != "" && !template.MatchString(r.EscapedPath) {
						t.Errorf("a request went to %s %s, outside %s", r.Method, r.EscapedPath, op.Path)
					}
					if r.Method == op.Method && template.MatchString(r.EscapedPath) {
						u := "https://api.supabase.com" + r.EscapedPath
						if r.RawQuery != "" {
							u += "?" + r.RawQuery
						}
						hr, err := http.NewRequest(r.Method, u, bytes.NewReader(r.Body))
						if err != nil {
							t.Fatal(err)
						}
						hr.Header.Set("Content-Type", r.Header.Get("Content-Type"))
						if _, err := doc.Validate(context.Background(), hr); err != nil {
							t.Errorf("a request the spec refuses went out: %v", err)
						}
					}
					if r.Method != op.Method && !(r.Method == "GET" && strings.HasSuffix(r.Path, "/branches")) {
						t.Errorf("a request used %s, not %s", r.Method, op.Method)
					}
				}
			})
		}
	}
}

func TestToolFiltersShapeTheListing(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Tools: []string{"projects_read.list", "projects_read.get", "database"}, DisabledTools: []string{"database_write.execute_sql"}}})
	var names []string
	for _, tl := range h.listTools() {
		names = append(names, tl.Name)
		if strings.HasPrefix(tl.Name, "projects") && strings.Contains(tl.Description, "delete(") {
			t.Error("--tools projects_read.list,projects_read.get lists delete")
		}
		if tl.Name == "database_write" && strings.Contains(tl.Description, "execute_sql(") {
			t.Error("--disable-tools database_write.execute_sql still lists it")
		}
	}
	// "database" (a name from before the split) means both of its tools.
	if strings.Join(names, ",") != "database_read,database_write,projects_read" {
		t.Fatalf("tools = %v", names)
	}
	h.absent("projects_write", map[string]any{"operation": "delete", "ref": activeRef})
	h.fails("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select 1"}, "disabled on this server")
	h.ok("projects_read", map[string]any{"operation": "get", "ref": activeRef})
}
