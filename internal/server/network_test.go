package server

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

type restrictions struct {
	Status string `json:"status"`
	Config struct {
		V4 []string `json:"dbAllowedCidrs"`
		V6 []string `json:"dbAllowedCidrsV6"`
	} `json:"config"`
}

// update_restrictions takes one mixed list per direction and sends the
// API's per-family shape; apply replaces; reads settle "stored" to "applied".
func TestNetworkRestrictionsRoundTrip(t *testing.T) {
	h := newHarness(t, setup{})
	net := func(op string, args map[string]any) map[string]any {
		out := map[string]any{"operation": op, "ref": activeRef}
		for k, v := range args {
			out[k] = v
		}
		return out
	}
	h.ok("network_write", net("update_restrictions", map[string]any{"add": []any{"203.0.113.0/24", "2001:db8::/32"}, "remove": []any{"0.0.0.0/0"}}))
	reqs := h.api.Requests()
	var sent map[string]map[string][]string
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &sent); err != nil ||
		!slices.Equal(sent["add"]["dbAllowedCidrs"], []string{"203.0.113.0/24"}) ||
		!slices.Equal(sent["add"]["dbAllowedCidrsV6"], []string{"2001:db8::/32"}) ||
		!slices.Equal(sent["remove"]["dbAllowedCidrs"], []string{"0.0.0.0/0"}) || sent["remove"]["dbAllowedCidrsV6"] != nil {
		t.Fatalf("PATCH body = %s", reqs[len(reqs)-1].Body)
	}
	got := decodeJSON[restrictions](t, h.ok("network_read", net("get_restrictions", nil)))
	if got.Status != "applied" || !slices.Equal(got.Config.V4, []string{"203.0.113.0/24"}) || !slices.Equal(got.Config.V6, []string{"::/0", "2001:db8::/32"}) {
		t.Fatalf("get_restrictions = %+v", got)
	}
	applied := decodeJSON[restrictions](t, h.ok("network_write", net("apply_restrictions", map[string]any{"dbAllowedCidrs": []any{"198.51.100.0/24"}})))
	if applied.Status != "stored" || !slices.Equal(applied.Config.V4, []string{"198.51.100.0/24"}) || !slices.Equal(applied.Config.V6, []string{"::/0", "2001:db8::/32"}) {
		t.Fatalf("apply = %+v", applied)
	}
	if got := decodeJSON[restrictions](t, h.ok("network_read", net("get_restrictions", nil))); got.Status != "applied" {
		t.Fatalf("after apply = %+v", got)
	}
	// An empty update still sends the body the spec requires.
	h.ok("network_write", net("update_restrictions", nil))
	if reqs := h.api.Requests(); string(reqs[len(reqs)-1].Body) != "{}" {
		t.Fatalf("empty PATCH body = %q", reqs[len(reqs)-1].Body)
	}
	h.fails("network_write", net("update_restrictions", map[string]any{"remove": []any{"192.0.2.0/24"}}), "Supabase API error 400", "not in the allowed CIDRs")

	before := len(h.api.Requests())
	h.fails("network_write", net("apply_restrictions", map[string]any{"dbAllowedCidrs": []any{"2001:db8::/32"}}), "dbAllowedCidrs", "not an IPv4 CIDR")
	h.fails("network_write", net("update_restrictions", map[string]any{"add": []any{"203.0.113.7"}}), "not a CIDR")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad CIDRs sent %d requests", n-before)
	}
}

// Bans: list (a POST that only reads), enriched list, and unban with a JSON
// body on DELETE.
func TestNetworkBans(t *testing.T) {
	h := newHarness(t, setup{})
	bans := decodeJSON[map[string][]string](t, h.ok("network_read", map[string]any{"operation": "list_bans", "ref": activeRef}))["banned_ipv4_addresses"]
	if !slices.Equal(bans, sandbox.SeedBannedIPs) {
		t.Fatalf("list_bans = %v", bans)
	}
	enriched := decodeJSON[map[string][]map[string]string](t, h.ok("network_read", map[string]any{"operation": "list_bans_enriched", "ref": activeRef}))["banned_ipv4_addresses"]
	if len(enriched) != 2 || enriched[0]["identifier"] != activeRef || enriched[0]["type"] != "PRIMARY" {
		t.Fatalf("list_bans_enriched = %v", enriched)
	}
	h.ok("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"192.0.2.10"}, "identifier": activeRef})
	reqs := h.api.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "DELETE" || last.Header.Get("Content-Type") != "application/json" ||
		string(last.Body) != `{"identifier":"`+activeRef+`","ipv4_addresses":["192.0.2.10"]}` {
		t.Fatalf("DELETE sent %s %q (%s)", last.Method, last.Body, last.Header.Get("Content-Type"))
	}
	if got := h.api.NetworkBans(activeRef); !slices.Equal(got, []string{"198.51.100.7"}) {
		t.Fatalf("bans after unban = %v", got)
	}
	h.fails("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"198.51.100.7"}, "identifier": "replica-1"}, "Supabase API error 400", "names no database")
	h.fails("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef}, "operation delete_bans needs ipv4_addresses")
	h.fails("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"2001:db8::1"}}, "not an IPv4 address")
	if got := h.api.NetworkBans(activeRef); len(got) != 1 {
		t.Fatalf("failed unbans changed the bans: %v", got)
	}
}

// POST endpoints that only read stay available in read-only mode.
func TestReadOnlyKeepsReadingPosts(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	h.ok("network_read", map[string]any{"operation": "list_bans", "ref": activeRef})
	h.ok("network_read", map[string]any{"operation": "list_bans_enriched", "ref": activeRef})
	h.ok("domains_read", map[string]any{"operation": "check_vanity", "ref": activeRef, "vanity_subdomain": "acme-app"})
	h.absent("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"192.0.2.10"}})
	h.absent("auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "config": map[string]any{}})
}
