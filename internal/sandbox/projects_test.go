package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

const activePath = "/v1/projects/" + SeedProjectActive

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"PATCH", "", map[string]any{"name": ""}, "name must have at least 1 character"},
		{"POST", "/upgrade", map[string]any{"target_version": "17", "release_channel": "nightly"}, "unknown field release_channel"},
		{"POST", "/upgrade", map[string]any{"target_version": "16"}, "cannot be upgraded"},
		{"PATCH", "/database/migrations/20250115093000", map[string]any{"statements": []string{"x"}}, "unknown field"},
		{"DELETE", "/database/migrations?gte=yesterday", nil, "gte does not match"},
	} {
		code, _, b := call(t, s, c.method, activePath+c.path, c.body)
		wantStatus(t, code, http.StatusBadRequest, b)
		if m := message(t, b); !strings.Contains(m, c.want) {
			t.Errorf("%s %s: message %q lacks %q", c.method, c.path, m, c.want)
		}
	}
	for _, path := range []string{
		"/database/migrations/1", "/claim-token",
	} {
		code, _, b := call(t, s, "GET", activePath+path, nil)
		wantStatus(t, code, http.StatusNotFound, b)
	}
}

func TestMigrationHistoryEdits(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := activePath + "/database/migrations"
	code, _, b := call(t, s, "PATCH", path+"/20250116120000", map[string]any{"name": "renamed", "rollback": "alter table public.profiles drop column email"})
	wantStatus(t, code, http.StatusOK, b)
	code, _, b = call(t, s, "GET", path+"/20250116120000", nil)
	wantStatus(t, code, http.StatusOK, b)
	if m := decode[Migration](t, b); m.Name != "renamed" || len(m.Rollback) != 1 || len(m.Statements) != 1 {
		t.Errorf("patched migration %s", b)
	}
	code, _, b = call(t, s, "PATCH", path+"/1", map[string]any{"name": "x"})
	wantStatus(t, code, http.StatusNotFound, b)
	// gte compares versions as numbers; without a database nothing runs.
	code, _, b = call(t, s, "DELETE", path+"?gte=20250116000000", nil)
	wantStatus(t, code, http.StatusOK, b)
	if migs := s.Migrations(SeedProjectActive); len(migs) != 1 || migs[0].Name != "create_profiles" {
		t.Errorf("history after rollback: %v", migs)
	}
	code, _, b = call(t, s, "DELETE", path+"?gte=0", nil)
	wantStatus(t, code, http.StatusOK, b)
	if migs := s.Migrations(SeedProjectActive); len(migs) != 0 {
		t.Errorf("history after full rollback: %v", migs)
	}
}

func TestUpgradeAndRename(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, b := call(t, s, "PATCH", activePath, map[string]any{"name": "Acme Platform"})
	wantStatus(t, code, http.StatusOK, b)
	if r := decode[map[string]any](t, b); r["name"] != "Acme Platform" || r["ref"] != SeedProjectActive || r["id"] == nil {
		t.Errorf("rename %s", b)
	}
	code, _, b = call(t, s, "POST", "/v1/projects/"+SeedProjectPaused+"/upgrade", map[string]any{"target_version": "17"})
	wantStatus(t, code, http.StatusBadRequest, b)
	code, _, b = call(t, s, "POST", activePath+"/upgrade", map[string]any{"target_version": "17"})
	wantStatus(t, code, http.StatusCreated, b)
	id := decode[map[string]string](t, b)["tracking_id"]
	_, _, b = call(t, s, "GET", activePath, nil)
	if p := decode[Project](t, b); p.Status != "UPGRADING" || p.Database.PostgresEngine != "17" {
		t.Errorf("project during upgrade: %s", b)
	}
	_, _, b = call(t, s, "GET", activePath, nil)
	if p := decode[Project](t, b); p.Status != StatusActiveHealthy {
		t.Errorf("project after upgrade: %s", b)
	}
	code, _, b = call(t, s, "GET", activePath+"/upgrade/status?tracking_id="+id, nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.Contains(string(b), `"target_version":17`) {
		t.Errorf("upgrade status %s", b)
	}
	code, _, b = call(t, s, "GET", activePath+"/upgrade/status?tracking_id=other", nil)
	wantStatus(t, code, http.StatusNotFound, b)
}

func TestClaimTokenFlow(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	// The seeded token moves globex-dev into acme-corp.
	code, _, b := call(t, s, "GET", "/v1/projects/"+SeedProjectComing+"/claim-token", nil)
	wantStatus(t, code, http.StatusOK, b)
	if c := decode[map[string]any](t, b); c["token"] != nil || c["token_alias"] != SeedClaimToken[:8] {
		t.Errorf("claim token %s", b)
	}
	code, _, b = call(t, s, "GET", "/v1/organizations/"+SeedOrgGlobex+"/project-claim/"+SeedClaimToken, nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.Contains(string(b), `"valid":false`) || !strings.Contains(string(b), "same_organization") {
		t.Errorf("preview into the same org %s", b)
	}
	code, _, b = call(t, s, "POST", "/v1/organizations/"+SeedOrgGlobex+"/project-claim/"+SeedClaimToken, nil)
	wantStatus(t, code, http.StatusBadRequest, b)
	code, _, b = call(t, s, "POST", "/v1/organizations/"+SeedOrgAcme+"/project-claim/"+SeedClaimToken, nil)
	wantStatus(t, code, http.StatusNoContent, b)
	if p, _ := s.Project(SeedProjectComing); p.OrganizationSlug != SeedOrgAcme || p.OrganizationID != SeedOrgAcme {
		t.Errorf("claimed project %+v", p)
	}
	code, _, b = call(t, s, "DELETE", "/v1/projects/"+SeedProjectComing+"/claim-token", nil)
	wantStatus(t, code, http.StatusNotFound, b)

	code, _, b = call(t, s, "POST", activePath+"/claim-token", nil)
	wantStatus(t, code, http.StatusOK, b)
	tok := decode[map[string]string](t, b)["token"]
	code, _, b = call(t, s, "DELETE", activePath+"/claim-token", nil)
	wantStatus(t, code, http.StatusNoContent, b)
	code, _, b = call(t, s, "GET", "/v1/organizations/"+SeedOrgGlobex+"/project-claim/"+tok, nil)
	wantStatus(t, code, http.StatusNotFound, b)
}

func TestAccountExtras(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, b := call(t, s, "GET", "/v1/profile", nil)
	wantStatus(t, code, http.StatusOK, b)
	if p := decode[map[string]string](t, b); p["username"] != "alice" || p["gotrue_id"] == "" || p["primary_email"] == "" {
		t.Errorf("profile %s", b)
	}
	for slug, paid := range map[string]bool{SeedOrgAcme: true, SeedOrgGlobex: false} {
		code, _, b := call(t, s, "GET", "/v1/organizations/"+slug+"/entitlements", nil)
		wantStatus(t, code, http.StatusOK, b)
		ents := decode[struct {
			Entitlements []struct {
				Feature   struct{ Key, Type string }
				HasAccess bool `json:"hasAccess"`
				Config    map[string]any
			}
		}](t, b).Entitlements
		if len(ents) == 0 || ents[0].Feature.Key != "custom_domain" || ents[0].HasAccess != paid || ents[0].Config["enabled"] != paid {
			t.Errorf("%s entitlements %s", slug, b)
		}
	}
}
