package sandbox

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var (
	refRE  = regexp.MustCompile(`^[a-z]{20}$`)
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func TestAuth(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, auth := range []string{"", "Bearer wrong", testToken, "Basic " + testToken} {
		req, _ := http.NewRequest("GET", s.URL()+"/v1/projects", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, resp.StatusCode)
		}
	}
	code, _, body := call(t, s, "GET", "/v1/projects/nope", nil)
	wantStatus(t, code, http.StatusNotFound, body) // authenticated: reaches the routes
	code, _, body = callWith(t, http.DefaultClient, s, "GET", "/v1/projects", nil, "Authorization", "Bearer nope")
	wantStatus(t, code, http.StatusUnauthorized, body)
	if m := message(t, body); m != "Unauthorized" {
		t.Errorf("message %q", m)
	}
}

func TestSeededState(t *testing.T) {
	t.Parallel()
	s := newServer(t)

	code, _, body := call(t, s, "GET", "/v1/organizations", nil)
	wantStatus(t, code, http.StatusOK, body)
	orgs := decode[[]map[string]any](t, body)
	if len(orgs) != 2 {
		t.Fatalf("organizations: %s", body)
	}
	for _, o := range orgs {
		if slug, _ := o["slug"].(string); !slugRE.MatchString(slug) || o["id"] != slug || o["name"] == "" {
			t.Errorf("organization %v", o)
		}
	}

	code, _, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	projects := decode[[]Project](t, body)
	if len(projects) != 4 {
		t.Fatalf("projects: %s", body)
	}
	statuses := map[string]bool{}
	for _, p := range projects {
		statuses[p.Status] = true
		if !refRE.MatchString(p.Ref) || p.ID != p.Ref || p.OrganizationID != p.OrganizationSlug ||
			p.Database.Host == "" || p.Database.Version == "" || p.CreatedAt == "" {
			t.Errorf("project %+v", p)
		}
	}
	if len(statuses) != 4 {
		t.Errorf("want varied statuses, got %v", statuses)
	}
	for _, key := range []string{`"organization_slug"`, `"database":{"host"`, `"postgres_engine"`, `"release_channel"`} {
		if !strings.Contains(string(body), key) {
			t.Errorf("projects JSON lacks %s", key)
		}
	}

	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectActive, nil)
	wantStatus(t, code, http.StatusOK, body)
	if p := decode[Project](t, body); p.Status != StatusActiveHealthy || p.OrganizationSlug != SeedOrgAcme {
		t.Errorf("active project %+v", p)
	}

	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectActive+"/database/migrations", nil)
	wantStatus(t, code, http.StatusOK, body)
	if migs := decode[[]Migration](t, body); len(migs) != 2 || migs[0].Version >= migs[1].Version || migs[0].Name == "" {
		t.Errorf("migrations %s", body)
	}
	if got := s.Migrations(SeedProjectActive); len(got) != 2 || len(s.Migrations(SeedProjectPaused)) != 0 {
		t.Errorf("Migrations() = %+v", got)
	}

	code, _, body = call(t, s, "GET", "/v1/organizations/"+SeedOrgAcme, nil)
	wantStatus(t, code, http.StatusOK, body)
	if o := decode[map[string]any](t, body); o["plan"] != "pro" || o["opt_in_tags"] == nil || o["allowed_release_channels"] == nil {
		t.Errorf("organization %s", body)
	}
	code, _, body = call(t, s, "GET", "/v1/organizations/"+SeedOrgAcme+"/members", nil)
	wantStatus(t, code, http.StatusOK, body)
	if m := decode[[]map[string]any](t, body); len(m) != 2 || m[0]["role_name"] != "Owner" {
		t.Errorf("members %s", body)
	}
	code, _, body = call(t, s, "GET", "/v1/organizations/nope/members", nil)
	wantStatus(t, code, http.StatusNotFound, body)
}

func TestOrganizationProjects(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	type page struct {
		Projects []struct {
			Ref, Name, Status, Region string
			Databases                 []map[string]any
		}
		Pagination struct{ Count, Limit, Offset int }
	}
	code, _, body := call(t, s, "GET", "/v1/organizations/"+SeedOrgAcme+"/projects?sort=name_desc&limit=1&offset=1", nil)
	wantStatus(t, code, http.StatusOK, body)
	p := decode[page](t, body)
	if p.Pagination.Count != 2 || p.Pagination.Limit != 1 || p.Pagination.Offset != 1 ||
		len(p.Projects) != 1 || p.Projects[0].Name != "acme-prod" || len(p.Projects[0].Databases) != 1 {
		t.Errorf("page %s", body)
	}
	code, _, body = call(t, s, "GET", "/v1/organizations/"+SeedOrgAcme+"/projects?statuses=INACTIVE&search=STAG", nil)
	wantStatus(t, code, http.StatusOK, body)
	if p := decode[page](t, body); p.Pagination.Count != 1 || p.Projects[0].Status != StatusInactive {
		t.Errorf("filtered %s", body)
	}
	for _, q := range []string{"limit=0", "limit=101", "offset=-1", "sort=size", "statuses=BOGUS", "limit=x"} {
		code, _, body = call(t, s, "GET", "/v1/organizations/"+SeedOrgAcme+"/projects?"+q, nil)
		wantStatus(t, code, http.StatusBadRequest, body)
	}
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, body := range []any{nil, `{}`, `{"name":""}`, `{"name":"x","extra":1}`, `{"name":1}`, `{"name":"x"} {}`} {
		code, _, b := call(t, s, "POST", "/v1/organizations", body)
		wantStatus(t, code, http.StatusBadRequest, b)
	}
	code, _, b := call(t, s, "POST", "/v1/organizations", map[string]string{"name": "Initech  Ltd."})
	wantStatus(t, code, http.StatusCreated, b)
	if o := decode[Organization](t, b); o.Slug != "initech-ltd" || o.ID != o.Slug || o.Name != "Initech  Ltd." {
		t.Errorf("created %s", b)
	}
	code, _, b = call(t, s, "POST", "/v1/organizations", map[string]string{"name": "Initech Ltd"})
	wantStatus(t, code, http.StatusCreated, b)
	if o := decode[Organization](t, b); !strings.HasPrefix(o.Slug, "initech-ltd-") || !slugRE.MatchString(o.Slug) {
		t.Errorf("second slug %q", o.Slug)
	}
	if n := len(s.Organizations()); n != 4 {
		t.Errorf("%d organizations", n)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, c := range []struct{ method, path, msg string }{
		{"GET", "/v1/projects/zzzzzzzzzzzzzzzzzzzz", "Project not found"},
		{"POST", "/v1/projects/zzzzzzzzzzzzzzzzzzzz/pause", "Project not found"},
		{"POST", "/v1/projects/zzzzzzzzzzzzzzzzzzzz/database/query", "Project not found"},
		{"GET", "/v1/nothing", "Cannot GET /v1/nothing"},
		{"PATCH", "/v1/organizations", "Cannot PATCH /v1/organizations"},
	} {
		code, _, body := call(t, s, c.method, c.path, nil)
		wantStatus(t, code, http.StatusNotFound, body)
		if m := message(t, body); m != c.msg {
			t.Errorf("%s %s: message %q, want %q", c.method, c.path, m, c.msg)
		}
	}
}

func TestCreateProject(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	valid := func() map[string]any {
		return map[string]any{"name": "new-app", "organization_slug": SeedOrgGlobex, "db_pass": "s3cret-pass",
			"region_selection": map[string]any{"type": "specific", "code": "eu-west-1"}}
	}
	with := func(k string, v any) map[string]any {
		b := valid()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	// The request is checked with the server's own request type.
	for name, c := range map[string]struct {
		body any
		code int
		msg  string
	}{
		"missing name":    {with("name", nil), 400, "name"},
		"unknown key":     {with("colour", "blue"), 400, "unknown field colour"},
		"wrong type":      {with("name", 42), 400, "name"},
		"bad smart group": {with("region_selection", map[string]string{"type": "smartGroup", "code": "mars"}), 400, "region_selection"},
		"not JSON":        {"name=x", 400, "Invalid request body"},
		"unknown org":     {with("organization_slug", "nope"), 404, "Organization not found"},
	} {
		code, _, body := call(t, s, "POST", "/v1/projects", c.body)
		if code != c.code || !strings.Contains(message(t, body), c.msg) {
			t.Errorf("%s: %d %s, want %d with %q", name, code, body, c.code, c.msg)
		}
	}
	if n := len(s.Projects()); n != 4 {
		t.Fatalf("invalid requests created projects: %d", n)
	}

	code, _, body := call(t, s, "POST", "/v1/projects", valid())
	wantStatus(t, code, http.StatusCreated, body)
	created := decode[map[string]any](t, body)
	ref, _ := created["ref"].(string)
	if !refRE.MatchString(ref) || created["status"] != StatusComingUp || created["region"] != "eu-west-1" ||
		created["organization_slug"] != SeedOrgGlobex || created["database"] != nil {
		t.Fatalf("created %s", body)
	}
	// COMING_UP is reported by the first read, ACTIVE_HEALTHY from the second.
	for i, want := range []string{StatusComingUp, StatusActiveHealthy, StatusActiveHealthy} {
		_, _, body = call(t, s, "GET", "/v1/projects/"+ref, nil)
		if p := decode[Project](t, body); p.Status != want {
			t.Errorf("read %d: status %s, want %s", i+1, p.Status, want)
		}
	}

	b := valid()
	delete(b, "region")
	b["region_selection"] = map[string]string{"type": "smartGroup", "code": "apac"}
	code, _, body = call(t, s, "POST", "/v1/projects", b)
	wantStatus(t, code, http.StatusCreated, body)
	if p := decode[Project](t, body); p.Region != "ap-southeast-1" {
		t.Errorf("smart group region %q", p.Region)
	}
}

func TestTransitionReadsOption(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(o *Options) { o.TransitionReads = -1 })
	code, _, body := call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/pause", nil)
	wantStatus(t, code, http.StatusOK, body)
	if p, _ := s.Project(SeedProjectActive); p.Status != StatusInactive {
		t.Errorf("status %s, want INACTIVE at once", p.Status)
	}

	s = newServer(t, func(o *Options) { o.TransitionReads = 3 })
	call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/pause", nil)
	for i := range 4 {
		_, _, body := call(t, s, "GET", "/v1/projects", nil)
		want := StatusPausing
		if i == 3 {
			want = StatusInactive
		}
		for _, p := range decode[[]Project](t, body) {
			if p.Ref == SeedProjectActive && p.Status != want {
				t.Errorf("read %d: %s, want %s", i+1, p.Status, want)
			}
		}
	}
}

func TestPauseRestore(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive
	status := func() string {
		_, _, body := call(t, s, "GET", base, nil)
		return decode[Project](t, body).Status
	}
	post := func(path string, want int) {
		t.Helper()
		code, _, body := call(t, s, "POST", base+path, nil)
		wantStatus(t, code, want, body)
		if want == http.StatusOK && len(body) != 0 {
			t.Errorf("POST %s: body %q, want none", path, body)
		}
	}

	post("/restore", http.StatusBadRequest) // active: nothing to restore
	post("/pause", http.StatusOK)
	post("/pause", http.StatusBadRequest) // PAUSING, not yet reported
	if got := status(); got != StatusPausing {
		t.Fatalf("after pause: %s", got)
	}
	if got := status(); got != StatusInactive {
		t.Fatalf("paused: %s", got)
	}
	code, _, body := call(t, s, "POST", base+"/pause", nil)
	wantStatus(t, code, http.StatusBadRequest, body)
	if m := message(t, body); !strings.Contains(m, "INACTIVE") {
		t.Errorf("pause message %q", m)
	}

	_, _, body = call(t, s, "GET", base+"/restore", nil)
	if v := decode[struct {
		AvailableVersions []map[string]string `json:"available_versions"`
	}](t, body); len(v.AvailableVersions) != 1 || v.AvailableVersions[0]["postgres_engine"] != "15" {
		t.Errorf("restore versions %s", body)
	}

	post("/restore", http.StatusOK)
	if got := status(); got != StatusRestoring {
		t.Fatalf("after restore: %s", got)
	}
	post("/restore/cancel", http.StatusOK)
	if got := status(); got != StatusInactive {
		t.Fatalf("after cancel: %s", got)
	}
	post("/restore/cancel", http.StatusBadRequest)
	post("/restore", http.StatusOK)
	status()
	if got := status(); got != StatusActiveHealthy {
		t.Fatalf("restored: %s", got)
	}
	_, _, body = call(t, s, "GET", base+"/restore", nil)
	if !strings.Contains(string(body), `"available_versions":[]`) {
		t.Errorf("active restore versions %s", body)
	}

	if !s.SetProjectStatus(SeedProjectActive, StatusInactive) || status() != StatusInactive {
		t.Error("SetProjectStatus")
	}
}

func TestDeleteProject(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "DELETE", "/v1/projects/"+SeedProjectActive, nil)
	wantStatus(t, code, http.StatusOK, body)
	if d := decode[map[string]any](t, body); d["ref"] != SeedProjectActive || d["name"] != "acme-prod" || d["id"] == nil {
		t.Errorf("delete answer %s", body)
	}
	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectActive, nil)
	wantStatus(t, code, http.StatusNotFound, body)
	if _, ok := s.Project(SeedProjectActive); ok || len(s.Migrations(SeedProjectActive)) != 0 {
		t.Error("project or migrations survive")
	}
}

func TestAddProject(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p := s.AddProject(Project{Name: "added"})
	if !refRE.MatchString(p.Ref) || p.Status != StatusActiveHealthy || p.CreatedAt == "" || p.OrganizationSlug != SeedOrgAcme {
		t.Fatalf("added %+v", p)
	}
	code, _, body := call(t, s, "GET", "/v1/projects/"+p.Ref, nil)
	wantStatus(t, code, http.StatusOK, body)
	if got := decode[Project](t, body); got != p {
		t.Errorf("GET %+v, want %+v", got, p)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := "/v1/projects/" + SeedProjectActive + "/health"
	code, _, body := call(t, s, "GET", path+"?services=auth&services=db&services=realtime&timeout_ms=500", nil)
	wantStatus(t, code, http.StatusOK, body)
	h := decode[[]map[string]any](t, body)
	if len(h) != 3 || h[0]["name"] != "auth" || h[1]["name"] != "db" || h[0]["status"] != "ACTIVE_HEALTHY" || h[0]["healthy"] != true {
		t.Fatalf("health %s", body)
	}
	if info, _ := h[0]["info"].(map[string]any); info["name"] != "GoTrue" {
		t.Errorf("auth info %v", h[0]["info"])
	}
	for _, q := range []string{"", "?services=", "?services=auth,db", "?services=auth&services=bogus", "?services=db&timeout_ms=20000"} {
		code, _, body := call(t, s, "GET", path+q, nil)
		wantStatus(t, code, http.StatusBadRequest, body)
	}
	_, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectPaused+"/health?services=rest", nil)
	if h := decode[[]map[string]any](t, body); h[0]["status"] != "UNHEALTHY" || h[0]["healthy"] != false {
		t.Errorf("paused health %s", body)
	}
	_, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectComing+"/health?services=rest", nil)
	if h := decode[[]map[string]any](t, body); h[0]["status"] != "COMING_UP" {
		t.Errorf("coming-up health %s", body)
	}
}

func TestRegionsAndUpgrade(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "GET", "/v1/projects/available-regions", nil)
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectActive+"/upgrade/eligibility", nil)
	wantStatus(t, code, http.StatusOK, body)
	if e := decode[map[string]any](t, body); e["eligible"] != true || len(e["target_upgrade_versions"].([]any)) != 1 {
		t.Errorf("eligibility %s", body)
	}
	_, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectComing+"/upgrade/eligibility", nil)
	if e := decode[map[string]any](t, body); e["eligible"] != false {
		t.Errorf("pg17 eligibility %s", body)
	}
	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectActive+"/upgrade/status", nil)
	wantStatus(t, code, http.StatusOK, body)
	if string(body) != `{"databaseUpgradeStatus":null}` {
		t.Errorf("upgrade status %s", body)
	}
}

func TestMigrationsWithoutDatabase(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := "/v1/projects/" + SeedProjectActive + "/database/migrations"
	for _, body := range []any{nil, `{}`, `{"query":""}`, `{"query":"select 1","statements":[]}`} {
		code, _, b := call(t, s, "POST", path, body)
		wantStatus(t, code, http.StatusBadRequest, b)
	}
	apply := map[string]string{"query": "create table widgets(id int)", "name": "widgets", "rollback": "drop table widgets"}
	for range 2 {
		code, _, b := call(t, s, "POST", path, apply, "Idempotency-Key", "k1")
		wantStatus(t, code, http.StatusOK, b)
	}
	code, _, b := call(t, s, "POST", path, map[string]string{"query": "select 1"})
	wantStatus(t, code, http.StatusOK, b)
	migs := s.Migrations(SeedProjectActive)
	if len(migs) != 4 {
		t.Fatalf("migrations %+v", migs)
	}
	got := migs[2]
	if !regexp.MustCompile(`^\d{14}$`).MatchString(got.Version) || got.Name != "widgets" ||
		got.Statements[0] != apply["query"] || got.Rollback[0] != apply["rollback"] || migs[3].Version <= got.Version {
		t.Errorf("recorded %+v then %+v", got, migs[3])
	}

	code, _, b = call(t, s, "PUT", path, map[string]string{"query": "create table gadgets(id int)", "name": "gadgets"}, "Idempotency-Key", "k1")
	wantStatus(t, code, http.StatusOK, b)
	if m := s.Migrations(SeedProjectActive); len(m) != 4 || m[2].Name != "gadgets" || m[2].Version != got.Version {
		t.Errorf("upsert with known key: %+v", m)
	}
	code, _, b = call(t, s, "PUT", path, map[string]string{"query": "select 2"})
	wantStatus(t, code, http.StatusOK, b)
	code, _, b = call(t, s, "GET", path, nil)
	wantStatus(t, code, http.StatusOK, b)
	if list := decode[[]map[string]string](t, b); len(list) != 5 || list[2]["name"] != "gadgets" {
		t.Errorf("list %s", b)
	}
	code, _, b = call(t, s, "POST", "/v1/projects/"+SeedProjectPaused+"/database/migrations", map[string]string{"query": "select 1"})
	wantStatus(t, code, http.StatusBadRequest, b)
}

func TestQueryWithoutDatabase(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, path := range []string{"/database/query", "/database/query/read-only"} {
		path = "/v1/projects/" + SeedProjectActive + path
		code, _, b := call(t, s, "POST", path, map[string]string{"query": "select 1"})
		wantStatus(t, code, http.StatusServiceUnavailable, b)
		if m := message(t, b); m != "the sandbox has no database: restart supabase-mcp with --sandbox-database-url postgres://... (any PostgreSQL, such as the local database of `supabase start`) to run SQL" {
			t.Errorf("message %q", m)
		}
		for _, body := range []any{nil, `{"query":""}`, `{"query":"select 1","extra":true}`, `{"query":"select 1","parameters":{}}`} {
			code, _, b = call(t, s, "POST", path, body)
			wantStatus(t, code, http.StatusBadRequest, b)
		}
	}
	// read_only exists on /query only.
	code, _, b := call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/database/query/read-only", `{"query":"select 1","read_only":true}`)
	wantStatus(t, code, http.StatusBadRequest, b)
	// A paused project cannot run SQL.
	code, _, b = call(t, s, "POST", "/v1/projects/"+SeedProjectPaused+"/database/query", `{"query":"select 1"}`)
	wantStatus(t, code, http.StatusBadRequest, b)
}

func TestRequestsRecorded(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	call(t, s, "GET", "/v1/projects?x=1", nil)
	call(t, s, "POST", "/v1/organizations", `{"name":"Rec"}`, "X-Test", "yes")
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if r := reqs[0]; r.Method != "GET" || r.Path != "/v1/projects" || r.RawQuery != "x=1" || r.Time.IsZero() {
		t.Errorf("first %+v", r)
	}
	if r := reqs[1]; r.Method != "POST" || string(r.Body) != `{"name":"Rec"}` || r.Header.Get("X-Test") != "yes" ||
		r.Header.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("second %+v", r)
	}
	reqs[1].Body[0] = 'X' // a copy
	if s.Requests()[1].Body[0] != '{' {
		t.Error("Requests shares memory")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests")
	}
}
