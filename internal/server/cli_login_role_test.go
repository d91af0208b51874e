package server

import "testing"

func TestCliLoginRoleEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	created := decodeJSON[map[string]any](t, h.ok("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef, "read_only": true}))
	if created["role"] != "cli_login_read_only" || created["password"] == "" || created["ttl_seconds"] != float64(3600) {
		t.Fatalf("create = %v", created)
	}
	if roles := h.api.CliLoginRoles(activeRef); len(roles) != 1 {
		t.Fatalf("roles after create: %v", roles)
	}
	// read_only is required: false must be sent, not left out.
	h.ok("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef, "read_only": false})
	if body := string(h.api.Requests()[len(h.api.Requests())-1].Body); body != `{"read_only":false}` {
		t.Fatalf("create sent %s", body)
	}
	h.fails("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef}, "needs read_only")
	h.ok("database_config_write", map[string]any{"operation": "delete_login_roles", "ref": activeRef})
	if roles := h.api.CliLoginRoles(activeRef); len(roles) != 0 {
		t.Fatalf("roles after delete: %v", roles)
	}
}
