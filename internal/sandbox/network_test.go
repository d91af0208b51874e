package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestNetworkRestrictionsAndBans(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive
	code, _, body := call(t, s, "POST", base+"/network-restrictions/apply", map[string]any{"dbAllowedCidrs": []string{"203.0.113.0/24"}})
	wantStatus(t, code, http.StatusCreated, body)
	if !strings.Contains(string(body), `"status":"stored"`) || !strings.Contains(string(body), `"old_config":{"dbAllowedCidrs":["0.0.0.0/0"],"dbAllowedCidrsV6":["::/0"]}`) {
		t.Fatalf("apply: %s", body)
	}
	code, _, body = call(t, s, "GET", base+"/network-restrictions", nil)
	if code != 200 || !strings.Contains(string(body), `"status":"applied"`) || strings.Contains(string(body), "old_config") {
		t.Fatalf("read after apply: %s", body)
	}
	code, _, body = call(t, s, "PATCH", base+"/network-restrictions", map[string]any{"add": map[string]any{"dbAllowedCidrsV6": []string{"2001:db8::/32"}}, "remove": map[string]any{"dbAllowedCidrsV6": []string{"::/0"}}})
	wantStatus(t, code, http.StatusOK, body)
	if !strings.Contains(string(body), `"config":{"dbAllowedCidrs":[{"address":"203.0.113.0/24","type":"v4"},{"address":"2001:db8::/32","type":"v6"}]}`) {
		t.Fatalf("patch: %s", body)
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/network-restrictions/apply", map[string]any{"dbAllowedCidrs": []string{"2001:db8::/32"}}},
		{"POST", "/network-restrictions/apply", map[string]any{"dbAllowedCidrsV6": []string{"10.0.0.0/8"}}},
		{"POST", "/network-restrictions/apply", map[string]any{"cidrs": []string{}}},
		{"PATCH", "/network-restrictions", map[string]any{"remove": map[string]any{"dbAllowedCidrs": []string{"192.0.2.0/24"}}}},
		{"PATCH", "/network-restrictions", map[string]any{"add": []string{"192.0.2.0/24"}}},
		{"DELETE", "/network-bans", map[string]any{}},
		{"DELETE", "/network-bans", map[string]any{"ipv4_addresses": []string{"not-an-ip"}}},
		{"DELETE", "/network-bans", map[string]any{"ipv4_addresses": []string{"192.0.2.10"}, "identifier": "other"}},
	} {
		code, _, body := call(t, s, c.method, base+c.path, c.body)
		if code != http.StatusBadRequest {
			t.Errorf("%s %s %v: %d %s, want 400", c.method, c.path, c.body, code, body)
		}
	}
	code, _, body = call(t, s, "POST", base+"/network-bans/retrieve", nil)
	wantStatus(t, code, http.StatusCreated, body)
	if got := decode[map[string][]string](t, body)["banned_ipv4_addresses"]; !slices.Equal(got, SeedBannedIPs) {
		t.Fatalf("bans: %s", body)
	}
	code, _, body = call(t, s, "DELETE", base+"/network-bans", map[string]any{"ipv4_addresses": []string{"198.51.100.7", "203.0.113.99"}, "requester_ip": true})
	wantStatus(t, code, http.StatusOK, body)
	if got := s.NetworkBans(SeedProjectActive); !slices.Equal(got, []string{"192.0.2.10"}) {
		t.Fatalf("bans after unban: %v", got)
	}
	code, _, body = call(t, s, "POST", "/v1/projects/"+SeedProjectPaused+"/network-bans/retrieve/enriched", nil)
	if code != http.StatusCreated || string(body) != `{"banned_ipv4_addresses":[]}` {
		t.Fatalf("another project's bans: %d %s", code, body)
	}
}
