package server

import (
	"testing"
)

func TestPostgrestEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	cfg := decodeJSON[map[string]any](t, h.ok("services_read", map[string]any{"operation": "get_postgrest", "ref": activeRef}))
	if cfg["max_rows"] != 1000.0 || cfg["jwt_secret"] == nil || cfg["db_pool"] != nil {
		t.Fatalf("get_config = %v", cfg)
	}
	updated := decodeJSON[map[string]any](t, h.ok("services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef,
		"max_rows": 0, "db_pool": 12, "db_extra_search_path": ""}))
	if updated["max_rows"] != 0.0 || updated["db_pool"] != 12.0 || updated["db_extra_search_path"] != "" {
		t.Fatalf("update_config = %v", updated)
	}
	cfg = decodeJSON[map[string]any](t, h.ok("services_read", map[string]any{"operation": "get_postgrest", "ref": activeRef}))
	if cfg["max_rows"] != 0.0 || cfg["db_schema"] != "public,graphql_public" {
		t.Fatalf("get_config after update = %v", cfg)
	}

	// The API requires a body: an update with nothing to change sends {}.
	h.ok("services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef})
	reqs := h.api.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "PATCH" || string(last.Body) != "{}" {
		t.Fatalf("empty update sent %s %q", last.Method, last.Body)
	}

	h.fails("services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef, "db_pool": 5000}, "db_pool must be at most 1000")
	h.fails("services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef, "max_row": 5}, "did you mean max_rows")
}
