package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestAPIKeysRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/api-keys"
	full := map[string]string{}
	for _, k := range s.APIKeys(SeedProjectActive) {
		full[k.ID] = k.APIKey
	}
	secretID := SeedAPIKeyID(SeedProjectActive, 2)

	code, _, body := call(t, s, "GET", base, nil)
	wantStatus(t, code, http.StatusOK, body)
	list := decode[[]APIKey](t, body)
	if len(list) != 4 {
		t.Fatalf("seeded keys: %s", body)
	}
	for _, k := range list {
		masked := k.APIKey != full[k.ID]
		if masked != (k.Type == "secret" || k.ID == "service_role") {
			t.Errorf("key %s (%s) masked=%v: %s", k.ID, k.Type, masked, k.APIKey)
		}
	}
	_, _, body = call(t, s, "GET", base+"?reveal=true", nil)
	if !strings.Contains(string(body), full[secretID]) {
		t.Fatalf("reveal=true hides the secret key: %s", body)
	}

	code, _, body = call(t, s, "POST", base+"?reveal=true", map[string]any{"type": "secret", "name": "ci_deploy", "description": "CI"})
	wantStatus(t, code, http.StatusCreated, body)
	created := decode[APIKey](t, body)
	if !strings.HasPrefix(created.APIKey, "sb_secret_") || strings.Contains(created.APIKey, "•") || created.Name != "ci_deploy" {
		t.Fatalf("created %s", body)
	}
	code, _, body = call(t, s, "GET", base+"/"+created.ID, nil)
	wantStatus(t, code, http.StatusOK, body)
	if k := decode[APIKey](t, body); k.APIKey == created.APIKey || k.Description == nil || *k.Description != "CI" {
		t.Fatalf("get %s", body)
	}
	code, _, body = call(t, s, "PATCH", base+"/"+created.ID, map[string]any{"name": "ci_rotated"})
	wantStatus(t, code, http.StatusOK, body)
	if decode[APIKey](t, body).Name != "ci_rotated" {
		t.Fatalf("patched %s", body)
	}
	code, _, body = call(t, s, "DELETE", base+"/"+created.ID+"?was_compromised=true&reason=leak", nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", base+"/"+created.ID, nil)
	wantStatus(t, code, http.StatusNotFound, body)

	// Legacy keys: on by default; off hides them from the list.
	code, _, body = call(t, s, "GET", base+"/legacy", nil)
	wantStatus(t, code, http.StatusOK, body)
	if string(body) != `{"enabled":true}` {
		t.Fatalf("legacy %s", body)
	}
	code, _, body = call(t, s, "PUT", base+"/legacy?enabled=false", nil)
	wantStatus(t, code, http.StatusOK, body)
	_, _, body = call(t, s, "GET", base, nil)
	if strings.Contains(string(body), `"legacy"`) {
		t.Fatalf("disabled legacy keys are listed: %s", body)
	}
	_, _, body = call(t, s, "GET", base+"/legacy", nil)
	if string(body) != `{"enabled":false}` {
		t.Fatalf("legacy after disabling %s", body)
	}
}

func TestAPIKeyRequestsAreValidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/api-keys"
	secretID := SeedAPIKeyID(SeedProjectActive, 2)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", base, map[string]any{"type": "legacy", "name": "abcd"}},
		{"POST", base, map[string]any{"type": "secret", "name": "abc"}},
		{"POST", base, map[string]any{"type": "secret", "name": "Bad-Name"}},
		{"POST", base, map[string]any{"type": "secret", "name": "good_name", "scope": "all"}},
		{"POST", base, map[string]any{"type": "secret", "name": "default"}},
		{"POST", base + "?reveal=1", map[string]any{"type": "secret", "name": "good_name"}},
		{"PATCH", base + "/" + secretID, map[string]any{"type": "publishable"}},
		{"PATCH", base + "/anon", map[string]any{"name": "anon_key"}},
		{"DELETE", base + "/service_role", nil},
		{"PUT", base + "/legacy", nil},
		{"PUT", base + "/legacy?enabled=no", nil},
	} {
		code, _, body := call(t, s, c.method, c.path, c.body)
		if code != http.StatusBadRequest {
			t.Errorf("%s %s %v: status %d, want 400; %s", c.method, c.path, c.body, code, body)
		}
	}
	code, _, body := call(t, s, "GET", base+"/3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b", nil)
	wantStatus(t, code, http.StatusNotFound, body)
}
