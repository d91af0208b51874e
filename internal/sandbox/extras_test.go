package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

const activePath = "/v1/projects/" + SeedProjectActive

func TestConfigRoundTrips(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, c := range []struct {
		path, method string
		body         any
		want         int
		check        func(map[string]any) bool
	}{
		{"/config/storage", "PATCH", map[string]any{"fileSizeLimit": 1024, "features": map[string]any{"s3Protocol": map[string]any{"enabled": false}}}, 200,
			func(m map[string]any) bool {
				return m["fileSizeLimit"] == 1024.0 && m["features"].(map[string]any)["s3Protocol"].(map[string]any)["enabled"] == false
			}},
		{"/postgrest", "PATCH", map[string]any{"db_schema": "public,api", "db_pool": 5}, 200,
			func(m map[string]any) bool {
				return m["db_schema"] == "public,api" && m["db_pool"] == 5.0 && m["jwt_secret"] != nil
			}},
		{"/config/realtime", "PATCH", map[string]any{"suspend": true, "max_joins_per_second": 50}, 204,
			func(m map[string]any) bool {
				return m["suspend"] == true && m["max_joins_per_second"] == 50.0 && m["connection_pool"] == 2.0
			}},
		{"/pgsodium", "PUT", map[string]any{"root_key": "new-key"}, 200,
			func(m map[string]any) bool { return m["root_key"] == "new-key" }},
	} {
		code, _, b := call(t, s, c.method, activePath+c.path, c.body)
		wantStatus(t, code, c.want, b)
		code, _, b = call(t, s, "GET", activePath+c.path, nil)
		wantStatus(t, code, http.StatusOK, b)
		if !c.check(decode[map[string]any](t, b)) {
			t.Errorf("GET %s after %s: %s", c.path, c.method, b)
		}
		// Other projects keep their defaults.
		_, _, other := call(t, s, "GET", "/v1/projects/"+SeedProjectPaused+c.path, nil)
		if c.check(decode[map[string]any](t, other)) {
			t.Errorf("GET %s of another project changed too: %s", c.path, other)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"PATCH", "/config/storage", map[string]any{"fileSizeLimt": 1}, "unknown field"},
		{"PATCH", "/config/storage", map[string]any{"features": map[string]any{"icebergCatalog": map[string]any{"enabled": true}}}, "maxNamespaces"},
		{"PATCH", "/config/storage", map[string]any{"external": map[string]any{"upstreamTarget": "beta"}}, "main or canary"},
		{"PATCH", "/config/storage", map[string]any{"fileSizeLimit": -1}, "between"},
		{"PATCH", "/postgrest", nil, "body is required"},
		{"PATCH", "/postgrest", map[string]any{"max_rows": 2000000}, "max_rows"},
		{"PATCH", "/config/realtime", map[string]any{"connection_pool": 0}, "connection_pool must be between 1 and 100"},
		{"PATCH", "/config/realtime", map[string]any{"presence": true}, "unknown field"},
		{"PUT", "/pgsodium", map[string]any{"root_key": " "}, "root_key is required"},
		{"PATCH", "", map[string]any{"name": ""}, "name is required"},
		{"POST", "/upgrade", map[string]any{"target_version": "17", "release_channel": "nightly"}, "release_channel"},
		{"POST", "/upgrade", map[string]any{"target_version": "16"}, "cannot be upgraded"},
		{"PATCH", "/database/migrations/20250115093000", map[string]any{"statements": []string{"x"}}, "unknown field"},
		{"DELETE", "/database/migrations?gte=yesterday", nil, "gte must be"},
		{"GET", "/analytics/endpoints/logs.all?iso_timestamp_start=2025-03-01T00:00:00Z&iso_timestamp_end=2025-03-02T00:00:01Z", nil, "24 hours"},
		{"GET", "/analytics/endpoints/usage.api-counts?interval=2hr", nil, "interval must be one of"},
		{"GET", "/analytics/endpoints/functions.combined-stats?interval=1hr", nil, "function_id is required"},
		{"GET", "/advisors/security?lint_type=auth", nil, "lint_type"},
		{"PATCH", "/actions/" + SeedActionRunID + "/status", map[string]any{"migrte": "RUNNING"}, "unknown step"},
		{"PATCH", "/actions/" + SeedActionRunID + "/status", map[string]any{"seed": "DONE"}, "status must be one of"},
		{"GET", "/actions?limit=5", nil, "limit must be"},
	} {
		code, _, b := call(t, s, c.method, activePath+c.path, c.body)
		wantStatus(t, code, http.StatusBadRequest, b)
		if m := message(t, b); !strings.Contains(m, c.want) {
			t.Errorf("%s %s: message %q lacks %q", c.method, c.path, m, c.want)
		}
	}
	for _, path := range []string{
		"/database/migrations/1", "/actions/run_nope", "/actions/run_nope/logs", "/claim-token",
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
	code, _, b = call(t, s, "POST", activePath+"/upgrade", map[string]any{"target_version": "17", "release_channel": "ga"})
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

func TestSnippetPages(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	type page struct {
		Data []struct {
			Name    string `json:"name"`
			Content any    `json:"content"`
		} `json:"data"`
		Cursor string `json:"cursor"`
	}
	var names []string
	cursor := ""
	for range 4 {
		code, _, b := call(t, s, "GET", "/v1/snippets?sort_by=name&sort_order=asc&limit=2&cursor="+cursor, nil)
		wantStatus(t, code, http.StatusOK, b)
		p := decode[page](t, b)
		for _, d := range p.Data {
			if d.Content != nil {
				t.Errorf("list shows content: %s", b)
			}
			names = append(names, d.Name)
		}
		if cursor = p.Cursor; cursor == "" {
			break
		}
	}
	if got := strings.Join(names, ","); got != "Daily signups,Globex audit,Top profiles" {
		t.Errorf("snippets by name: %s", got)
	}
	code, _, b := call(t, s, "GET", "/v1/snippets?project_ref="+SeedProjectComing, nil)
	wantStatus(t, code, http.StatusOK, b)
	if p := decode[page](t, b); len(p.Data) != 1 || p.Data[0].Name != "Globex audit" {
		t.Errorf("filtered %s", b)
	}
	for path, want := range map[string]int{
		"/v1/snippets?cursor=bm90LWFuLW9mZnNldA":        http.StatusBadRequest,
		"/v1/snippets?project_ref=zzzzzzzzzzzzzzzzzzzz": http.StatusNotFound,
		"/v1/snippets/not-a-uuid":                       http.StatusBadRequest,
		"/v1/snippets/" + SeedSnippetID:                 http.StatusOK,
	} {
		code, _, b := call(t, s, "GET", path, nil)
		wantStatus(t, code, want, b)
	}
}

func TestActionRuns(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, h, b := call(t, s, "HEAD", activePath+"/actions", nil)
	wantStatus(t, code, http.StatusOK, b)
	if h.Get("X-Total-Count") != "2" || len(b) != 0 {
		t.Errorf("HEAD: count %q, body %q", h.Get("X-Total-Count"), b)
	}
	code, _, b = call(t, s, "GET", activePath+"/actions?offset=1&limit=10", nil)
	wantStatus(t, code, http.StatusOK, b)
	if runs := decode[[]actionRun](t, b); len(runs) != 1 || runs[0].ID != SeedActionRunID {
		t.Errorf("second page %s", b)
	}
	code, h, b = call(t, s, "GET", activePath+"/actions/"+SeedActionRunTwo+"/logs", nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !strings.Contains(string(b), "Applying migration") {
		t.Errorf("logs %s: %s", h.Get("Content-Type"), b)
	}
	code, _, b = call(t, s, "PATCH", activePath+"/actions/"+SeedActionRunTwo+"/status", map[string]string{"migrate": "EXITED", "deploy": "RUNNING"})
	wantStatus(t, code, http.StatusOK, b)
	if string(b) != `{"message":"ok"}` {
		t.Errorf("update status %s", b)
	}
	_, _, b = call(t, s, "GET", activePath+"/actions/"+SeedActionRunTwo, nil)
	run := decode[actionRun](t, b)
	if run.RunSteps[4].Status != "EXITED" || run.RunSteps[6].Status != "RUNNING" || run.RunSteps[5].Status != "CREATED" {
		t.Errorf("run after update %s", b)
	}
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
