package server

import (
	"strings"
	"testing"
)

// Custom hostname: initialize, reverify, activate and delete each send what
// the API expects; delete always sends remove_addon.
func TestCustomHostnameLifecycle(t *testing.T) {
	h := newHarness(t, setup{})
	call := func(op string, extra ...any) map[string]any {
		args := map[string]any{"operation": op, "ref": pausedRef}
		for i := 0; i+1 < len(extra); i += 2 {
			args[extra[i].(string)] = extra[i+1]
		}
		return args
	}
	// The seeded project's hostname, with its ownership TXT record.
	if !strings.Contains(h.ok("domains_read", map[string]any{"operation": "get_hostname", "ref": activeRef}), `"_cf-custom-hostname.api.acme.test"`) {
		t.Fatal("get_hostname lacks the ownership TXT record")
	}
	h.ok("domains_write", call("initialize_hostname", "custom_hostname", "auth.initech.test"))
	if last := lastRequest(h); last.Method != "POST" || string(last.Body) != `{"custom_hostname":"auth.initech.test"}` {
		t.Fatalf("initialize sent %s %s", last.Method, last.Body)
	}
	for _, op := range []string{"reverify_hostname", "activate_hostname"} {
		h.ok("domains_write", call(op))
		if last := lastRequest(h); last.Method != "POST" || !strings.HasSuffix(last.Path, "/custom-hostname/"+strings.TrimSuffix(op, "_hostname")) {
			t.Fatalf("%s sent %s %s", op, last.Method, last.Path)
		}
	}
	h.ok("domains_write", call("delete_hostname", "remove_addon", true))
	if q := lastQuery(h, "DELETE"); q != "remove_addon=true" {
		t.Fatalf("delete query = %q", q)
	}

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
	got := decodeJSON[map[string]any](t, h.ok("domains_read", map[string]any{"operation": "get_vanity", "ref": activeRef}))
	if got["status"] != "active" || got["custom_domain"] != "acme-prod.supabase.co" {
		t.Fatalf("get_vanity = %v", got)
	}
	h.ok("domains_read", map[string]any{"operation": "check_vanity", "ref": pausedRef, "vanity_subdomain": "acme-staging"})
	h.ok("domains_write", map[string]any{"operation": "activate_vanity", "ref": pausedRef, "vanity_subdomain": "acme-staging"})
	for _, path := range []string{"check-availability", "activate"} {
		if n := h.requestsTo("POST", "/v1/projects/"+pausedRef+"/vanity-subdomain/"+path); n != 1 {
			t.Fatalf("%d POSTs to %s", n, path)
		}
	}
	if last := lastRequest(h); string(last.Body) != `{"vanity_subdomain":"acme-staging"}` {
		t.Fatalf("activate_vanity sent %s", last.Body)
	}
	h.ok("domains_write", map[string]any{"operation": "delete_vanity", "ref": pausedRef})
	if n := h.requestsTo("DELETE", "/v1/projects/"+pausedRef+"/vanity-subdomain"); n != 1 {
		t.Fatalf("delete_vanity sent %d DELETEs", n)
	}
	before := len(h.api.Requests())
	h.fails("domains_read", map[string]any{"operation": "check_vanity", "ref": activeRef, "vanity_subdomain": "acme.supabase.co"}, "lowercase letters, digits and inner hyphens")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("a bad subdomain reached the API")
	}
}
