package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestAPIKeysEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	secretID, _ := sandbox.Fixtures()["secrets.get_api_key.id"].(string)
	var secretKey string
	for _, k := range seededAPIKeys(t, h) {
		if k["id"] == secretID {
			secretKey, _ = k["api_key"].(string)
		}
	}
	if !strings.HasPrefix(secretKey, "sb_secret_") {
		t.Fatalf("no seeded secret key %s (the test cannot fail)", secretID)
	}

	if text := h.ok("secrets_read", map[string]any{"operation": "list_api_keys", "ref": activeRef}); strings.Contains(text, secretKey) {
		t.Fatalf("list without reveal shows the secret key: %s", text)
	}
	if text := h.ok("secrets_read", map[string]any{"operation": "get_api_key", "ref": activeRef, "id": secretID, "reveal": true}); !strings.Contains(text, secretKey) {
		t.Fatalf("get with reveal hides the secret key: %s", text)
	}
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef+"/api-keys/"+secretID); n != 1 {
		t.Fatalf("%d gets", n)
	}
	last := h.api.Requests()[len(h.api.Requests())-1]
	if last.RawQuery != "reveal=true" {
		t.Fatalf("get query %q", last.RawQuery)
	}

	created := decodeJSON[map[string]any](t, h.ok("secrets_write", map[string]any{"operation": "create_api_key", "ref": activeRef, "type": "secret", "name": "ci_deploy", "reveal": true}))
	id, _ := created["id"].(string)
	if last := h.api.Requests()[len(h.api.Requests())-1]; id == "" || last.RawQuery != "reveal=true" || string(last.Body) != `{"name":"ci_deploy","type":"secret"}` {
		t.Fatalf("create = %v, sent ?%s %s", created, last.RawQuery, last.Body)
	}
	if upd := decodeJSON[map[string]any](t, h.ok("secrets_write", map[string]any{"operation": "update_api_key", "ref": activeRef, "id": id, "name": "ci_rotated"})); upd["name"] != "ci_rotated" {
		t.Fatalf("update = %v", upd)
	}
	h.ok("secrets_write", map[string]any{"operation": "delete_api_key", "ref": activeRef, "id": id})
	h.fails("secrets_read", map[string]any{"operation": "get_api_key", "ref": activeRef, "id": id}, "Supabase API error 404")

	// Legacy keys off, then on again.
	h.ok("secrets_write", map[string]any{"operation": "set_legacy_keys", "ref": activeRef, "enabled": false})
	if got := decodeJSON[map[string]any](t, h.ok("secrets_read", map[string]any{"operation": "get_legacy_keys", "ref": activeRef})); got["enabled"] != false {
		t.Fatalf("get_legacy = %v", got)
	}
	if n := h.requestsTo("PUT", "/v1/projects/"+activeRef+"/api-keys/legacy"); n != 1 {
		t.Fatalf("%d PUTs", n)
	}
	h.ok("secrets_write", map[string]any{"operation": "set_legacy_keys", "ref": activeRef, "enabled": "true"}) // a string slip is repaired
	if got := decodeJSON[map[string]any](t, h.ok("secrets_read", map[string]any{"operation": "get_legacy_keys", "ref": activeRef})); got["enabled"] != true {
		t.Fatalf("get_legacy after enabling = %v", got)
	}
	for _, r := range h.api.Requests() {
		if r.Method == "PUT" && r.RawQuery != "enabled=false" && r.RawQuery != "enabled=true" {
			t.Fatalf("set_legacy query %q", r.RawQuery)
		}
	}

	before := len(h.api.Requests())
	h.fails("secrets_write", map[string]any{"operation": "create_api_key", "ref": activeRef, "type": "secret", "name": "CI-Key"}, "does not match")
	h.fails("secrets_write", map[string]any{"operation": "create_api_key", "ref": activeRef, "type": "admin", "name": "ci_key"}, "publishable, secret")
	h.fails("secrets_write", map[string]any{"operation": "set_legacy_keys", "ref": activeRef}, "needs enabled")
	h.fails("secrets_read", map[string]any{"operation": "get_legacy_keys", "ref": activeRef, "reveal": true}, "takes no argument reveal")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
	// The API's refusal is reported with its message.
	h.api.InjectFault(sandbox.Fault{Method: "POST", Path: "/v1/projects/" + activeRef + "/api-keys", Status: 400, Body: `{"message":"A publishable key named default already exists"}`})
	h.fails("secrets_write", map[string]any{"operation": "create_api_key", "ref": activeRef, "type": "publishable", "name": "default"}, "Supabase API error 400", "already exists")
}

// seededAPIKeys are the project's keys in full, as the sandbox holds them.
func seededAPIKeys(t *testing.T, h *harness) []map[string]any {
	t.Helper()
	var out []map[string]any
	list, _ := h.api.Document("/v1/projects/" + activeRef + "/api-keys").([]any)
	for _, k := range list {
		if m, ok := k.(map[string]any); ok {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		t.Fatal("no seeded API keys")
	}
	return out
}
