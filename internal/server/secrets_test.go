package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestSecretsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	const value = "sk_live_do_not_echo_0123456789"
	seeded, _ := sandbox.Fixtures()["secrets.delete.names"].([]any)
	if len(seeded) != 1 {
		t.Fatalf("no seeded secret (the test cannot fail): %v", seeded)
	}

	h.ok("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{
		map[string]any{"name": "STRIPE_KEY", "value": value},
	}})
	last := h.api.Requests()[len(h.api.Requests())-1]
	if string(last.Body) != `[{"name":"STRIPE_KEY","value":"`+value+`"}]` {
		t.Fatalf("create body %s: want the bare array", last.Body)
	}
	text := h.ok("secrets_read", map[string]any{"operation": "list", "ref": activeRef})
	if strings.Contains(text, value) || !strings.Contains(text, `"STRIPE_KEY"`) || !strings.Contains(text, `"`+seeded[0].(string)+`"`) {
		t.Fatalf("list = %s", text)
	}

	h.ok("secrets_write", map[string]any{"operation": "delete", "ref": activeRef, "names": []any{"STRIPE_KEY"}})
	last = h.api.Requests()[len(h.api.Requests())-1]
	if last.Method != "DELETE" || string(last.Body) != `["STRIPE_KEY"]` {
		t.Fatalf("delete sent %s %s", last.Method, last.Body)
	}
	if text := h.ok("secrets_read", map[string]any{"operation": "list", "ref": activeRef}); strings.Contains(text, "STRIPE_KEY") || !strings.Contains(text, `"`+seeded[0].(string)+`"`) {
		t.Fatalf("list after delete = %s", text)
	}

	// Reserved names are refused before any request; the API's refusal to
	// delete one is reported with its message.
	before := len(h.api.Requests())
	h.fails("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{
		map[string]any{"name": "OK_NAME", "value": "x"}, map[string]any{"name": "SUPABASE_URL", "value": "x"},
	}}, "secrets[1].name must not start with SUPABASE_")
	h.fails("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "A", "val": "x"}}}, "unknown field secrets[0].val", "did you mean value")
	h.fails("secrets_write", map[string]any{"operation": "delete", "ref": activeRef, "names": []any{}}, "names needs at least one")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
	h.api.InjectFault(sandbox.Fault{Method: "DELETE", Path: "/v1/projects/" + activeRef + "/secrets", Status: 400, Body: `{"message":"Secret SUPABASE_DB_URL is reserved and cannot be deleted"}`})
	h.fails("secrets_write", map[string]any{"operation": "delete", "ref": activeRef, "names": []any{"SUPABASE_DB_URL"}}, "Supabase API error 400", "reserved")
	h.fails("secrets_read", map[string]any{"operation": "list", "ref": "zzzzzzzzzzzzzzzzzzzz"}, "Supabase API error 404")
}
