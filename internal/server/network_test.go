package server

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

type restrictions struct {
	Status string `json:"status"`
	Config struct {
		V4 []string `json:"dbAllowedCidrs"`
		V6 []string `json:"dbAllowedCidrsV6"`
	} `json:"config"`
}

// update_restrictions takes one mixed list per direction and sends the
// API's per-family shape; apply sends the lists as given.
func TestNetworkRestrictionsRoundTrip(t *testing.T) {
	h := newHarness(t, setup{})
	net := func(op string, args map[string]any) map[string]any {
		out := map[string]any{"operation": op, "ref": activeRef}
		for k, v := range args {
			out[k] = v
		}
		return out
	}
	if got := decodeJSON[restrictions](t, h.ok("network_read", net("get_restrictions", nil))); got.Status != "applied" {
		t.Fatalf("get_restrictions = %+v", got)
	}
	h.ok("network_write", net("update_restrictions", map[string]any{"add": []any{"203.0.113.0/24", "2001:db8::/32"}, "remove": []any{"0.0.0.0/0"}}))
	var sent map[string]map[string][]string
	if last := lastRequest(h); last.Method != "PATCH" || json.Unmarshal(last.Body, &sent) != nil ||
		!slices.Equal(sent["add"]["dbAllowedCidrs"], []string{"203.0.113.0/24"}) ||
		!slices.Equal(sent["add"]["dbAllowedCidrsV6"], []string{"2001:db8::/32"}) ||
		!slices.Equal(sent["remove"]["dbAllowedCidrs"], []string{"0.0.0.0/0"}) || sent["remove"]["dbAllowedCidrsV6"] != nil {
		t.Fatalf("PATCH body = %s", last.Body)
	}
	h.ok("network_write", net("apply_restrictions", map[string]any{"dbAllowedCidrs": []any{"198.51.100.0/24"}}))
	if last := lastRequest(h); last.Method != "POST" || string(last.Body) != `{"dbAllowedCidrs":["198.51.100.0/24"]}` {
		t.Fatalf("apply sent %s %s", last.Method, last.Body)
	}
	// An empty update still sends the body the spec requires.
	h.ok("network_write", net("update_restrictions", nil))
	if last := lastRequest(h); string(last.Body) != "{}" {
		t.Fatalf("empty PATCH body = %q", last.Body)
	}

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
	seeded := []string{"192.0.2.10", "198.51.100.7"}
	for range 2 { // a read: listing twice changes nothing
		bans := decodeJSON[map[string][]string](t, h.ok("network_read", map[string]any{"operation": "list_bans", "ref": activeRef}))["banned_ipv4_addresses"]
		if !slices.Equal(bans, seeded) {
			t.Fatalf("list_bans = %v", bans)
		}
	}
	enriched := decodeJSON[map[string][]map[string]string](t, h.ok("network_read", map[string]any{"operation": "list_bans_enriched", "ref": activeRef}))["banned_ipv4_addresses"]
	if len(enriched) != 2 || enriched[0]["identifier"] != activeRef || enriched[0]["type"] != "PRIMARY" {
		t.Fatalf("list_bans_enriched = %v", enriched)
	}
	h.ok("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"192.0.2.10"}, "identifier": activeRef})
	if last := lastRequest(h); last.Method != "DELETE" || last.Header.Get("Content-Type") != "application/json" ||
		string(last.Body) != `{"identifier":"`+activeRef+`","ipv4_addresses":["192.0.2.10"]}` {
		t.Fatalf("DELETE sent %s %q (%s)", last.Method, last.Body, last.Header.Get("Content-Type"))
	}
	before := len(h.api.Requests())
	h.fails("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef}, "operation delete_bans needs ipv4_addresses")
	h.fails("network_write", map[string]any{"operation": "delete_bans", "ref": activeRef, "ipv4_addresses": []any{"2001:db8::1"}}, "not an IPv4 address")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad unbans sent %d requests", n-before)
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
