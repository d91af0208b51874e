package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestCustomHostnameAndVanity(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectComing
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		want         string // in the body
	}{
		{"GET", "/custom-hostname", nil, 404, ""},
		{"POST", "/custom-hostname/reverify", nil, 404, ""},
		{"POST", "/custom-hostname/initialize", map[string]any{}, 400, ""},
		{"POST", "/custom-hostname/initialize", map[string]any{"custom_hostname": "not a host"}, 400, ""},
		{"POST", "/custom-hostname/initialize", map[string]any{"custom_hostname": "x.supabase.co"}, 400, ""},
		{"POST", "/custom-hostname/initialize", map[string]any{"custom_hostname": "db.globex.test"}, 201, `"status":"2_initiated"`},
		{"POST", "/custom-hostname/activate", nil, 400, "not verified"},
		{"POST", "/custom-hostname/reverify", nil, 201, `"status":"3_challenge_verified"`},
		{"POST", "/custom-hostname/activate", nil, 201, `"status":"5_services_reconfigured"`},
		{"GET", "/vanity-subdomain", nil, 200, `"custom-domain-used"`},
		{"POST", "/vanity-subdomain/activate", map[string]any{"vanity_subdomain": "globex"}, 400, "custom hostname"},
		{"DELETE", "/custom-hostname?remove_addon=maybe", nil, 400, ""},
		{"DELETE", "/custom-hostname?remove_addon=true", nil, 200, ""},
		{"GET", "/vanity-subdomain", nil, 200, `"not-used"`},
		{"POST", "/vanity-subdomain/check-availability", map[string]any{"vanity_subdomain": SeedVanitySubdomain}, 201, `"available":false`},
		{"POST", "/vanity-subdomain/check-availability", map[string]any{"vanity_subdomain": "www"}, 201, `"available":false`},
		{"POST", "/vanity-subdomain/check-availability", map[string]any{"vanity_subdomain": "Globex"}, 400, ""},
		{"POST", "/vanity-subdomain/check-availability", map[string]any{}, 400, ""},
		{"POST", "/vanity-subdomain/activate", map[string]any{"vanity_subdomain": "globex"}, 201, `"globex.supabase.co"`},
		{"GET", "/vanity-subdomain", nil, 200, `"status":"active"`},
		{"DELETE", "/vanity-subdomain", nil, 200, ""},
		{"DELETE", "/vanity-subdomain", nil, 404, ""},
	} {
		code, _, body := call(t, s, c.method, base+c.path, c.body)
		if code != c.status || !strings.Contains(string(body), c.want) {
			t.Fatalf("%s %s %v: %d %s, want %d with %s", c.method, c.path, c.body, code, body, c.status, c.want)
		}
	}
	// The seeded project: verified hostname, vanity subdomain in use.
	code, _, body := call(t, s, "GET", "/v1/projects/"+SeedProjectActive+"/custom-hostname", nil)
	wantStatus(t, code, http.StatusOK, body)
	if got := decode[map[string]any](t, body); got["custom_hostname"] != SeedCustomHostname || got["status"] != "3_challenge_verified" {
		t.Fatalf("seeded hostname: %s", body)
	}
}
