package server

import (
	"strings"
	"testing"
)

func TestJitAccessEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	const bob = "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60" // acme-corp member
	jit := func(op string, args map[string]any) map[string]any {
		args["operation"], args["ref"] = op, activeRef
		return args
	}

	h.ok("jit_access_write", jit("update", map[string]any{"user_id": bob, "roles": []any{map[string]any{
		"role": "postgres", "expires_at": 1893456000, "allowed_networks": map[string]any{"allowed_cidrs": []any{map[string]any{"cidr": "198.51.100.0/24"}}},
	}}}))
	list := decodeJSON[struct {
		Items []struct {
			UserID    string `json:"user_id"`
			UserRoles []struct {
				Role            string         `json:"role"`
				AllowedNetworks map[string]any `json:"allowed_networks"`
			} `json:"user_roles"`
		}
	}](t, h.ok("jit_access_read", jit("list", map[string]any{})))
	found := false
	for _, it := range list.Items {
		if it.UserID == bob && len(it.UserRoles) == 1 && it.UserRoles[0].Role == "postgres" && it.UserRoles[0].AllowedNetworks != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("list does not show bob's new grant: %+v", list)
	}

	// The caller's own grant works from its network only.
	mine := h.ok("jit_access_read", jit("get", map[string]any{}))
	if !strings.Contains(mine, `"role":"postgres"`) {
		t.Fatalf("get = %s", mine)
	}
	h.ok("jit_access_write", jit("authorize", map[string]any{"role": "postgres", "rhost": "203.0.113.9"}))
	h.fails("jit_access_write", jit("authorize", map[string]any{"role": "postgres", "rhost": "192.0.2.1"}), "Supabase API error 403")

	h.ok("jit_access_write", jit("delete", map[string]any{"user_id": bob}))
	h.fails("jit_access_write", jit("delete", map[string]any{"user_id": bob}), "Supabase API error 404")

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

	h.ok("jit_access_write", jit("update_config", map[string]any{"state": "disabled"}))
	if !strings.Contains(h.ok("jit_access_read", jit("get_config", map[string]any{})), `"state":"disabled"`) {
		t.Fatal("get_config does not show the update")
	}
	h.fails("jit_access_write", jit("authorize", map[string]any{"role": "postgres", "rhost": "203.0.113.9"}), "Supabase API error 400", "not enabled")
}
