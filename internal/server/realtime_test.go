package server

import (
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

func TestRealtimeEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	h.ok("services_write", map[string]any{"operation": "update_realtime", "ref": activeRef,
		"config": map[string]any{"max_concurrent_users": 500, "private_only": true}})
	cfg := decodeJSON[map[string]any](t, h.ok("services_read", map[string]any{"operation": "get_realtime", "ref": activeRef}))
	if cfg["max_concurrent_users"] != 500.0 || cfg["private_only"] != true || cfg["max_events_per_second"] != 100.0 {
		t.Fatalf("config after update = %v", cfg)
	}
	// The config is listed as a bare object but checked field by field.
	h.fails("services_write", map[string]any{"operation": "update_realtime", "ref": activeRef,
		"config": map[string]any{"max_concurent_users": 10}}, "unknown field config.max_concurent_users", "did you mean max_concurrent_users")
	h.fails("services_write", map[string]any{"operation": "update_realtime", "ref": activeRef,
		"config": map[string]any{"connection_pool": 0}}, "config.connection_pool must be at least 1")

	h.ok("services_write", map[string]any{"operation": "shutdown_realtime", "ref": activeRef})
	if h.requestsTo("POST", "/v1/projects/"+activeRef+"/config/realtime/shutdown") != 1 {
		t.Fatal("shutdown was not sent")
	}

	// Shutdown is destructive: read-only mode does not list it.
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	ro.absent("services_write", map[string]any{"operation": "shutdown_realtime", "ref": activeRef})
}
