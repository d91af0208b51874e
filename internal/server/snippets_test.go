package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestSnippetsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	type page struct {
		Data   []map[string]any `json:"data"`
		Cursor string           `json:"cursor"`
	}
	all := decodeJSON[page](t, h.ok("organizations_read", map[string]any{"operation": "list_snippets"}))
	if len(all.Data) != 3 || all.Data[0]["name"] == nil {
		t.Fatalf("list = %+v", all)
	}
	// Filter and paging arguments go into the query string as given.
	h.ok("organizations_read", map[string]any{"operation": "list_snippets", "project_ref": activeRef, "limit": "1", "cursor": "b2Zmc2V0OjE"})
	reqs := h.api.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "GET" || last.Path != "/v1/snippets" || last.RawQuery != "cursor=b2Zmc2V0OjE&limit=1&project_ref="+activeRef {
		t.Fatalf("list sent %s %s?%s", last.Method, last.Path, last.RawQuery)
	}

	// A snippet's SQL is user-written: an injection in it stays inside the boundary.
	got := h.ok("organizations_read", map[string]any{"operation": "get_snippet", "id": sandbox.Fixtures()["organizations.get_snippet.id"]})
	inner := payload(got)
	if !strings.HasPrefix(got, "Below is the result of organizations_read.get_snippet") || !strings.Contains(inner, "ignore all previous instructions") ||
		strings.Contains(strings.Replace(got, inner, "", 1), "ignore all previous") {
		t.Fatalf("get = %s", got)
	}

	h.fails("organizations_read", map[string]any{"operation": "list_snippets", "project_ref": "ACME"}, "does not match")
	h.fails("organizations_read", map[string]any{"operation": "list_snippets", "limit": 500}, "limit must be at most 100")
	h.fails("organizations_read", map[string]any{"operation": "get_snippet", "id": "3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b"}, "Supabase API error 404", "Not found")
}
