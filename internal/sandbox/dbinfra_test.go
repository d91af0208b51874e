package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

// Every endpoint of the jit_access and cli_login_role groups answers a valid request with a
// success status and a body that fits the spec.
func TestDBInfraResponsesFitTheSpec(t *testing.T) {
	t.Parallel()
	const ref = SeedProjectActive
	for _, c := range []struct {
		method, template string
		body             any
		want             int
	}{
		{"GET", "/v1/projects/{ref}/database/jit", nil, 200},
		{"POST", "/v1/projects/{ref}/database/jit", map[string]any{"role": "postgres", "rhost": "203.0.113.7"}, 200},
		{"PUT", "/v1/projects/{ref}/database/jit", map[string]any{"user_id": jitSeedBob, "roles": []any{map[string]any{"role": "postgres", "expires_at": 1893456000, "allowed_networks": map[string]any{"allowed_cidrs_v6": []any{map[string]any{"cidr": "2001:db8::/32"}}}, "branches_only": true}}}, 200},
		{"GET", "/v1/projects/{ref}/database/jit/list", nil, 200},
		{"DELETE", "/v1/projects/{ref}/database/jit/" + jitSeedBob, nil, 200},
		{"GET", "/v1/projects/{ref}/jit-access", nil, 200},
		{"PUT", "/v1/projects/{ref}/jit-access", map[string]any{"state": "disabled"}, 200},
		{"POST", "/v1/projects/{ref}/cli/login-role", map[string]any{"read_only": true}, 201},
		{"DELETE", "/v1/projects/{ref}/cli/login-role", nil, 200},
	} {
		s := newServer(t)
		path := strings.Replace(c.template, "{ref}", ref, 1)
		template := c.template
		switch {
		case strings.HasPrefix(template, "/v1/projects/{ref}/database/jit/") && !strings.HasSuffix(template, "/list"):
			template = "/v1/projects/{ref}/database/jit/{user_id}"
		}
		code, _, body := call(t, s, c.method, path, c.body)
		wantStatus(t, code, c.want, body)
		wantSpecResponse(t, c.method, template, code, body)
	}
}

func projectPath(ref, rest string) string { return "/v1/projects/" + ref + rest }

func TestJitAccessGrants(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const alice = "7d5a2f9e-3c1b-4e8a-9f6d-2b4c8e1a0f31"
	jit := projectPath(SeedProjectActive, "/database/jit")
	_, _, body := call(t, s, "GET", jit, nil)
	if got := decode[jitMapping](t, body); got.UserID != alice || len(got.UserRoles) != 1 || got.UserRoles[0].Role != "postgres" {
		t.Fatalf("own grants: %s", body)
	}
	code, _, body := call(t, s, "POST", jit, map[string]any{"role": "postgres", "rhost": "198.51.100.1"})
	wantStatus(t, code, http.StatusForbidden, body) // outside 203.0.113.0/24
	code, _, body = call(t, s, "POST", jit, map[string]any{"role": "authenticator", "rhost": "203.0.113.1"})
	wantStatus(t, code, http.StatusForbidden, body)
	code, _, body = call(t, s, "POST", jit, map[string]any{"role": "postgres", "rhost": "not-an-ip"})
	wantStatus(t, code, http.StatusBadRequest, body)

	// Replace alice's grants with an expired one, then with one from anywhere.
	code, _, body = call(t, s, "PUT", jit, map[string]any{"user_id": alice, "roles": []any{map[string]any{"role": "postgres", "expires_at": 1000}}})
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "POST", jit, map[string]any{"role": "postgres", "rhost": "203.0.113.1"})
	wantStatus(t, code, http.StatusForbidden, body)
	code, _, body = call(t, s, "PUT", jit, map[string]any{"user_id": alice, "roles": []any{map[string]any{"role": "postgres"}}})
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "POST", jit, map[string]any{"role": "postgres", "rhost": "2001:db8::1"})
	wantStatus(t, code, http.StatusOK, body)

	for _, bad := range []map[string]any{
		{"user_id": "3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b", "roles": []any{}}, // not a member
		{"user_id": "bob", "roles": []any{}},
		{"user_id": jitSeedBob},
		{"user_id": jitSeedBob, "roles": []any{map[string]any{"role": ""}}},
		{"user_id": jitSeedBob, "roles": []any{map[string]any{"role": "postgres", "allowed_networks": map[string]any{"allowed_cidrs": []any{map[string]any{"cidr": "2001:db8::/32"}}}}}},
		{"user_id": jitSeedBob, "roles": []any{map[string]any{"role": "postgres", "ttl": 5}}},
	} {
		code, _, body := call(t, s, "PUT", jit, bad)
		if code != http.StatusBadRequest && code != http.StatusNotFound {
			t.Errorf("PUT %v: status %d, body %s", bad, code, body)
		}
	}
	_, _, body = call(t, s, "GET", jit+"/list", nil)
	if items := decode[struct{ Items []jitMapping }](t, body).Items; len(items) != 2 || items[1].UserID != jitSeedBob {
		t.Fatalf("list: %s", body)
	}
	code, _, body = call(t, s, "DELETE", jit+"/"+jitSeedBob, nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "DELETE", jit+"/"+jitSeedBob, nil)
	wantStatus(t, code, http.StatusNotFound, body)
	if _, _, body = call(t, s, "GET", jit+"/list", nil); strings.Contains(string(body), jitSeedBob) {
		t.Fatalf("list after delete: %s", body)
	}

	cfg := projectPath(SeedProjectActive, "/jit-access")
	code, _, body = call(t, s, "PUT", cfg, map[string]any{"state": "disabled"})
	wantStatus(t, code, http.StatusOK, body)
	if _, _, body = call(t, s, "GET", cfg, nil); !strings.Contains(string(body), `"state":"disabled"`) {
		t.Fatalf("config: %s", body)
	}
	code, _, body = call(t, s, "POST", jit, map[string]any{"role": "postgres", "rhost": "203.0.113.1"})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "PUT", cfg, map[string]any{"state": "unavailable"})
	wantStatus(t, code, http.StatusBadRequest, body)
}

func TestCliLoginRoles(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := projectPath(SeedProjectActive, "/cli/login-role")
	for _, ro := range []bool{true, false, true} {
		code, _, body := call(t, s, "POST", path, map[string]any{"read_only": ro})
		wantStatus(t, code, http.StatusCreated, body)
	}
	if got := strings.Join(s.CliLoginRoles(SeedProjectActive), ","); got != "cli_login_read_only,cli_login_postgres" {
		t.Fatalf("roles %s", got)
	}
	code, _, body := call(t, s, "POST", path, map[string]any{})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "DELETE", path, nil)
	wantStatus(t, code, http.StatusOK, body)
	if got := s.CliLoginRoles(SeedProjectActive); len(got) != 0 {
		t.Fatalf("roles after delete %v", got)
	}
}

// A deleted project's group state goes with it: a new project with the same
// ref starts from the defaults.
func TestGroupStateFollowsTheProject(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p := s.AddProject(Project{Name: "temp"})
	ssl := projectPath(p.Ref, "/ssl-enforcement")
	code, _, body := call(t, s, "PUT", ssl, map[string]any{"requestedConfig": map[string]any{"database": true}})
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "DELETE", projectPath(p.Ref, ""), nil)
	wantStatus(t, code, http.StatusOK, body)
	s.AddProject(Project{Ref: p.Ref, Name: "temp again"})
	if _, _, body = call(t, s, "GET", ssl, nil); !strings.Contains(string(body), `"database":false`) {
		t.Fatalf("a new project inherited the old one's state: %s", body)
	}
}
