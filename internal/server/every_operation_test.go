package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Every operation in tools.yaml, called once through the real MCP path with
// minimal valid arguments, reaches its endpoint on the fake API and succeeds.
// Table-driven from the catalogue: a new operation is covered without new
// test code.
func TestEveryOperationEndToEnd(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			t.Run(op.QualifiedName(), func(t *testing.T) {
				// Fresh state: destructive calls must not affect others. The
				// API is reached as api.supabase.com, whose project URL rule
				// projects_read.get_url needs.
				h := newHarness(t, setup{tune: apiAt(t, "http://api.supabase.com")})
				if strings.Contains(op.Path, "/database/query") && !h.api.HasDatabase() {
					t.Skip("SQL needs SUPABASE_MCP_TEST_DATABASE_URL")
				}
				args := tools.MinimalArgs(op, sandbox.Fixtures())
				text, isErr := h.call(tl.Name, args)
				if isErr {
					t.Fatalf("%v: %s", args, text)
				}
				if op.API == tools.APIDocs {
					if len(h.docs.received()) != 1 || len(h.api.Requests()) != 0 {
						t.Fatal("a docs operation must reach the docs endpoint only")
					}
					return
				}
				reqs := h.api.Requests()
				if len(reqs) == 0 {
					t.Fatalf("%v sent no request", args)
				}
				last := reqs[len(reqs)-1]
				if last.Method != op.Method {
					t.Fatalf("sent %s %s, want %s %s", last.Method, last.Path, op.Method, op.Path)
				}
			})
		}
	}
}
