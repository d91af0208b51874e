package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestJitAccessEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	const bob = "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60" // acme-corp member
	jit := func(op string, args map[string]any) map[string]any {
		args["operation"], args["ref"] = op, activeRef
		return args
	}
	lastRequest := func() sandbox.Recorded { return h.api.Requests()[len(h.api.Requests())-1] }

	// The caller's own grant, and the use of it from a host.
	mine := h.ok("jit_access_read", jit("get", map[string]any{}))
	if !strings.Contains(mine, `"role":"postgres"`) {
		t.Fatalf("get = %s", mine)
	}
	h.ok("jit_access_write", jit("authorize", map[string]any{"role": "postgres", "rhost": "203.0.113.9"}))
	if r := lastRequest(); r.Method != "POST" || string(r.Body) != `{"rhost":"203.0.113.9","role":"postgres"}` {
		t.Fatalf("authorize sent %s %s", r.Method, r.Body)
	}
	h.api.InjectFault(sandbox.Fault{Path: "/v1/projects/" + activeRef + "/database/jit", Status: 403, Times: 1, Body: `{"message":"Temporary access to role postgres is not allowed from 192.0.2.1"}`})
	h.fails("jit_access_write", jit("authorize", map[string]any{"role": "postgres", "rhost": "192.0.2.1"}), "Supabase API error 403", "not allowed from 192.0.2.1")

	list := decodeJSON[struct {
		Items []struct {
			UserID string `json:"user_id"`
		}
	}](t, h.ok("jit_access_read", jit("list", map[string]any{})))
	if len(list.Items) != 2 || list.Items[1].UserID != bob {
		t.Fatalf("list = %+v, want the owner's and bob's grants", list)
	}

	h.ok("jit_access_write", jit("update", map[string]any{"user_id": bob, "roles": []any{map[string]any{
		"role": "postgres", "expires_at": 1893456000, "allowed_networks": map[string]any{"allowed_cidrs": []any{map[string]any{"cidr": "198.51.100.0/24"}}},
	}}}))
	if r := lastRequest(); r.Method != "PUT" || r.Path != "/v1/projects/"+activeRef+"/database/jit" ||
		string(r.Body) != `{"roles":[{"role":"postgres","expires_at":1893456000,"allowed_networks":{"allowed_cidrs":[{"cidr":"198.51.100.0/24"}]}}],"user_id":"`+bob+`"}` {
		t.Fatalf("update sent %s %s %s", r.Method, r.Path, r.Body)
	}
	h.ok("jit_access_write", jit("delete", map[string]any{"user_id": bob}))
	if r := lastRequest(); r.Method != "DELETE" || r.Path != "/v1/projects/"+activeRef+"/database/jit/"+bob || len(r.Body) != 0 {
		t.Fatalf("delete sent %s %s %s", r.Method, r.Path, r.Body)
	}

	// allowed_networks is listed bare but still checked strictly.
	before := len(h.api.Requests())
	h.fails("jit_access_write", jit("update", map[string]any{"user_id": bob, "roles": []any{map[string]any{
		"role": "postgres", "allowed_networks": map[string]any{"allowed_cidrs": []any{map[string]any{"cidr": "10.0.0.0/33"}}},
	}}}), "allowed_cidrs[0].cidr", "not an IPv4 CIDR")
	h.fails("jit_access_write", jit("update", map[string]any{"user_id": bob, "roles": []any{map[string]any{
		"role": "postgres", "allowed_networks": map[string]any{"cidrs": []any{}},
	}}}), "allowed_networks takes allowed_cidrs and allowed_cidrs_v6", `unknown field "cidrs"`)
	h.fails("jit_access_write", jit("update", map[string]any{"user_id": bob, "roles": []any{map[string]any{"rol": "postgres"}}}), "did you mean role")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("bad arguments reached the API")
	}

	if !strings.Contains(h.ok("jit_access_read", jit("get_config", map[string]any{})), `"state":"enabled"`) {
		t.Fatal("get_config does not show the seeded state")
	}
	h.ok("jit_access_write", jit("update_config", map[string]any{"state": "disabled"}))
	if !strings.Contains(h.ok("jit_access_read", jit("get_config", map[string]any{})), `"state":"disabled"`) {
		t.Fatal("get_config does not show the update")
	}
}
