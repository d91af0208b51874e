package server

import (
	"strings"
	"testing"
)

func TestCliLoginRoleEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	path := "/v1/projects/" + activeRef + "/cli/login-role"
	created := decodeJSON[map[string]any](t, h.ok("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef, "read_only": true}))
	if password, _ := created["password"].(string); created["role"] == nil || !strings.HasPrefix(password, "<redacted: ") {
		t.Fatalf("create = %v, want the role and its password redacted", created)
	}
	// read_only is required: false must be sent, not left out.
	h.ok("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef, "read_only": false})
	if body := string(h.api.Requests()[len(h.api.Requests())-1].Body); body != `{"read_only":false}` {
		t.Fatalf("create sent %s", body)
	}
	h.fails("database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef}, "needs read_only")
	if n := h.requestsTo("POST", path); n != 2 {
		t.Fatalf("%d creates sent, want 2", n)
	}
	h.ok("database_config_write", map[string]any{"operation": "delete_login_roles", "ref": activeRef})
	if n := h.requestsTo("DELETE", path); n != 1 {
		t.Fatalf("%d deletes sent, want 1", n)
	}
}
