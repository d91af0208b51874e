package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

func TestSecretsRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/secrets"
	digest := func(v string) string { sum := sha256.Sum256([]byte(v)); return hex.EncodeToString(sum[:]) }

	code, _, body := call(t, s, "GET", base, nil)
	wantStatus(t, code, http.StatusOK, body)
	if list := decode[[]map[string]string](t, body); len(list) != 5 || list[0]["name"] != SeedSecretName {
		t.Fatalf("seeded secrets: %s", body)
	}

	code, _, body = call(t, s, "POST", base, []map[string]string{{"name": "STRIPE_KEY", "value": "sk_live_very_secret"}, {"name": SeedSecretName, "value": "rotated"}})
	wantStatus(t, code, http.StatusCreated, body)
	if len(body) != 0 {
		t.Fatalf("create answered %s", body)
	}
	_, _, body = call(t, s, "GET", base, nil)
	if strings.Contains(string(body), "sk_live_very_secret") || strings.Contains(string(body), "rotated") {
		t.Fatalf("list leaks values: %s", body)
	}
	byName := map[string]string{}
	for _, sec := range decode[[]map[string]string](t, body) {
		byName[sec["name"]] = sec["value"]
	}
	if byName["STRIPE_KEY"] != digest("sk_live_very_secret") || byName[SeedSecretName] != digest("rotated") {
		t.Fatalf("digests: %v", byName)
	}

	code, _, body = call(t, s, "DELETE", base, []string{"STRIPE_KEY", "NEVER_SET"})
	wantStatus(t, code, http.StatusOK, body)
	if _, ok := s.SecretValue(SeedProjectActive, "STRIPE_KEY"); ok {
		t.Fatal("deleted secret still there")
	}
	// Other projects have only the reserved secrets.
	_, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectPaused+"/secrets", nil)
	if list := decode[[]map[string]string](t, body); len(list) != 4 {
		t.Fatalf("other project: %s", body)
	}
}

func TestSecretBodiesAreValidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/secrets"
	for _, c := range []struct {
		method string
		body   any
	}{
		{"POST", nil},
		{"POST", map[string]string{"name": "A", "value": "b"}},
		{"POST", []map[string]any{{"name": "A"}}},
		{"POST", []map[string]any{{"name": "A", "value": "b", "note": "c"}}},
		{"POST", []map[string]any{{"name": "SUPABASE_X", "value": "b"}}},
		{"POST", []map[string]any{{"name": strings.Repeat("A", 257), "value": "b"}}},
		{"POST", []map[string]any{{"name": "A", "value": 1}}},
		{"DELETE", nil},
		{"DELETE", []any{1}},
		{"DELETE", []string{"SUPABASE_URL"}},
	} {
		code, _, body := call(t, s, c.method, base, c.body)
		if code != http.StatusBadRequest {
			t.Errorf("%s %v: status %d, want 400; %s", c.method, c.body, code, body)
		}
	}
	if _, ok := s.SecretValue(SeedProjectActive, "A"); ok {
		t.Fatal("a rejected body was stored")
	}
}
