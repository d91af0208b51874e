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
		{"PUT", "/v1/projects/{ref}/database/jit", map[string]any{"user_id": "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60", "roles": []any{map[string]any{"role": "postgres", "expires_at": 1893456000, "allowed_networks": map[string]any{"allowed_cidrs_v6": []any{map[string]any{"cidr": "2001:db8::/32"}}}, "branches_only": true}}}, 200},
		{"GET", "/v1/projects/{ref}/database/jit/list", nil, 200},
		{"DELETE", "/v1/projects/{ref}/database/jit/" + "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60", nil, 200},
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
