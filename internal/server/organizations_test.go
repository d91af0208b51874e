package server

import (
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

func TestOrganizationProjectsAndEntitlementsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	type page struct {
		Projects   []map[string]any   `json:"projects"`
		Pagination map[string]float64 `json:"pagination"`
	}
	p := decodeJSON[page](t, h.ok("organizations_read", map[string]any{"operation": "list_projects", "slug": acme,
		"sort": "name_desc", "limit": 1, "offset": 0}))
	if len(p.Projects) != 1 || p.Projects[0]["name"] != "acme-staging" || p.Pagination["count"] != 2 {
		t.Fatalf("list_projects = %+v", p)
	}
	p = decodeJSON[page](t, h.ok("organizations_read", map[string]any{"operation": "list_projects", "slug": acme, "statuses": "INACTIVE", "search": "ACME"}))
	if len(p.Projects) != 1 || p.Projects[0]["ref"] != pausedRef {
		t.Fatalf("filtered list_projects = %+v", p)
	}
	h.fails("organizations_read", map[string]any{"operation": "list_projects", "slug": acme, "sort": "newest"}, "name_asc")
	before := len(h.api.Requests())
	h.fails("organizations_read", map[string]any{"operation": "list_projects", "slug": acme, "statuses": "INACTIVE,HAPPY"}, `"HAPPY" is not a status this filter takes`)
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("an unknown status sent %d requests", n-before)
	}

	ents := decodeJSON[map[string][]map[string]any](t, h.ok("organizations_read", map[string]any{"operation": "get_entitlements", "slug": acme}))
	if len(ents["entitlements"]) == 0 || ents["entitlements"][0]["hasAccess"] != true {
		t.Fatalf("get_entitlements = %v", ents)
	}
	if prof := decodeJSON[map[string]string](t, h.ok("organizations_read", map[string]any{"operation": "get_profile"})); prof["username"] != "alice" {
		t.Fatalf("get_profile = %v", prof)
	}

	// A claim moves a project out of its organization: destructive, so
	// read-only mode offers only the preview.
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	ro.absent("organizations_write", map[string]any{"operation": "claim", "slug": acme, "token": "t"})
	ro.ok("organizations_read", map[string]any{"operation": "get_profile"})
}
