package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// Custom hostname: initialize, reverify, activate, and the vanity subdomain
// then reports the custom domain in use; delete goes back to nothing.
func TestCustomHostnameLifecycle(t *testing.T) {
	h := newHarness(t, setup{})
	call := func(op string, extra ...any) map[string]any {
		args := map[string]any{"operation": op, "ref": pausedRef}
		for i := 0; i+1 < len(extra); i += 2 {
			args[extra[i].(string)] = extra[i+1]
		}
		return args
	}
	h.fails("domains_read", call("get_hostname"), "Supabase API error 404", "initialize one first")
	got := decodeJSON[map[string]any](t, h.ok("domains_write", call("initialize_hostname", "custom_hostname", "Auth.Initech.test")))
	if got["status"] != "2_initiated" || got["custom_hostname"] != "auth.initech.test" {
		t.Fatalf("initialize = %v", got)
	}
	if !strings.Contains(h.ok("domains_read", call("get_hostname")), `"_cf-custom-hostname.auth.initech.test"`) {
		t.Fatal("get_hostname lacks the ownership TXT record")
	}
	h.fails("domains_write", call("activate_hostname"), "Supabase API error 400", "not verified yet")
	if got := decodeJSON[map[string]any](t, h.ok("domains_write", call("reverify_hostname"))); got["status"] != "3_challenge_verified" {
		t.Fatalf("reverify = %v", got)
	}
	if got := decodeJSON[map[string]any](t, h.ok("domains_write", call("activate_hostname"))); got["status"] != "5_services_reconfigured" {
		t.Fatalf("activate = %v", got)
	}
	if got := decodeJSON[map[string]any](t, h.ok("domains_read", call("get_vanity"))); got["status"] != "custom-domain-used" {
		t.Fatalf("get_vanity with an active custom hostname = %v", got)
	}
	h.fails("domains_write", call("activate_vanity", "vanity_subdomain", "initech"), "Supabase API error 400", "custom hostname")
	h.ok("domains_write", call("delete_hostname", "remove_addon", true))
	if q := lastQuery(h, "DELETE"); q != "remove_addon=true" {
		t.Fatalf("delete query = %q", q)
	}
	h.fails("domains_read", call("get_hostname"), "Supabase API error 404")

	// remove_addon is always sent: the API's default, spelled out.
	h.ok("domains_write", map[string]any{"operation": "delete_hostname", "ref": activeRef})
	if q := lastQuery(h, "DELETE"); q != "remove_addon=false" {
		t.Fatalf("delete query = %q", q)
	}

	before := len(h.api.Requests())
	h.fails("domains_write", call("initialize_hostname", "custom_hostname", "https://auth.initech.test/"), "not a hostname")
	h.fails("domains_write", call("initialize_hostname", "custom_hostname", "localhost"), "needs a domain")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad hostnames sent %d requests", n-before)
	}
}

func lastQuery(h *harness, method string) string {
	reqs := h.api.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == method {
			return reqs[i].RawQuery
		}
	}
	return ""
}

func TestVanitySubdomain(t *testing.T) {
	h := newHarness(t, setup{})
	avail := func(ref, sub string) bool {
		return decodeJSON[map[string]bool](t, h.ok("domains_read", map[string]any{"operation": "check_vanity", "ref": ref, "vanity_subdomain": sub}))["available"]
	}
	// The seeded project holds acme-prod, so another project cannot have it.
	if avail(pausedRef, sandbox.SeedVanitySubdomain) || !avail(pausedRef, "acme-staging") {
		t.Fatal("availability ignores the subdomain in use")
	}
	h.ok("domains_write", map[string]any{"operation": "activate_vanity", "ref": pausedRef, "vanity_subdomain": "acme-staging"})
	got := decodeJSON[map[string]any](t, h.ok("domains_read", map[string]any{"operation": "get_vanity", "ref": pausedRef}))
	if got["status"] != "active" || got["custom_domain"] != "acme-staging.supabase.co" {
		t.Fatalf("get_vanity = %v", got)
	}
	if avail(activeRef, "acme-staging") {
		t.Fatal("an active subdomain is still available")
	}
	h.fails("domains_write", map[string]any{"operation": "activate_vanity", "ref": activeRef, "vanity_subdomain": "acme-staging"}, "Supabase API error 400", "not available")
	h.ok("domains_write", map[string]any{"operation": "delete_vanity", "ref": pausedRef})
	h.fails("domains_write", map[string]any{"operation": "delete_vanity", "ref": pausedRef}, "Supabase API error 404")
	if !avail(activeRef, "acme-staging") {
		t.Fatal("a deleted subdomain is not free again")
	}
	h.fails("domains_read", map[string]any{"operation": "check_vanity", "ref": activeRef, "vanity_subdomain": "acme.supabase.co"}, "lowercase letters, digits and inner hyphens")
}
