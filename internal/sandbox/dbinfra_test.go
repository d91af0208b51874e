package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every endpoint of the database_config, backups, read_replicas, billing,
// jit_access and cli_login_role groups answers a valid request with a
// success status and a body that fits the spec.
func TestDBInfraResponsesFitTheSpec(t *testing.T) {
	t.Parallel()
	const ref = SeedProjectActive
	for _, c := range []struct {
		method, template string
		body             any
		want             int
	}{
		{"GET", "/v1/projects/{ref}/config/database/postgres", nil, 200},
		{"PUT", "/v1/projects/{ref}/config/database/postgres", map[string]any{"max_connections": 90, "statement_timeout": "30s", "restart_database": true}, 200},
		{"GET", "/v1/projects/{ref}/config/database/pooler", nil, 200},
		{"PATCH", "/v1/projects/{ref}/config/database/pooler", map[string]any{"default_pool_size": nil, "pool_mode": "session"}, 200},
		{"GET", "/v1/projects/{ref}/config/database/pgbouncer", nil, 200},
		{"GET", "/v1/projects/{ref}/ssl-enforcement", nil, 200},
		{"PUT", "/v1/projects/{ref}/ssl-enforcement", map[string]any{"requestedConfig": map[string]any{"database": true}}, 200},
		{"GET", "/v1/projects/{ref}/config/disk", nil, 200},
		{"POST", "/v1/projects/{ref}/config/disk", map[string]any{"attributes": map[string]any{"type": "io2", "size_gb": 20, "iops": 5000}}, 201},
		{"GET", "/v1/projects/{ref}/config/disk/autoscale", nil, 200},
		{"GET", "/v1/projects/{ref}/config/disk/util", nil, 200},
		{"GET", "/v1/projects/{ref}/readonly", nil, 200},
		{"POST", "/v1/projects/{ref}/readonly/temporary-disable", nil, 201},
		{"PATCH", "/v1/projects/{ref}/database/password", map[string]any{"password": "s3cret-pass"}, 200},
		{"GET", "/v1/projects/{ref}/database/backups", nil, 200},
		{"GET", "/v1/projects/{ref}/database/backups/restore-point", nil, 200},
		{"POST", "/v1/projects/{ref}/database/backups/restore-point", map[string]any{"name": "pre-deploy"}, 201},
		{"GET", "/v1/projects/{ref}/database/backups/schedule", nil, 200},
		{"PATCH", "/v1/projects/{ref}/database/backups/schedule", map[string]any{"schedule_for": "23:15:00"}, 200},
		{"POST", "/v1/projects/{ref}/read-replicas/setup", map[string]any{"read_replica_region": "eu-west-1"}, 201},
		{"POST", "/v1/projects/{ref}/read-replicas/remove", map[string]any{"database_identifier": SeedReadReplica}, 201},
		{"GET", "/v1/projects/{ref}/billing/addons", nil, 200},
		{"PATCH", "/v1/projects/{ref}/billing/addons", map[string]any{"addon_type": "ipv4", "addon_variant": "ipv4_default"}, 200},
		{"DELETE", "/v1/projects/{ref}/billing/addons/pitr_7", nil, 200},
		{"GET", "/v1/projects/{ref}/database/jit", nil, 200},
		{"POST", "/v1/projects/{ref}/database/jit", map[string]any{"role": "postgres", "rhost": "203.0.113.7"}, 200},
		{"PUT", "/v1/projects/{ref}/database/jit", map[string]any{"user_id": "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60", "roles": []any{map[string]any{"role": "postgres", "expires_at": 1893456000, "allowed_networks": map[string]any{"allowed_cidrs_v6": []any{map[string]any{"cidr": "2001:db8::/32"}}}, "branches_only": true}}}, 200},
		{"GET", "/v1/projects/{ref}/database/jit/list", nil, 200},
		{"DELETE", "/v1/projects/{ref}/database/jit/" + "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60", nil, 200},
		{"GET", "/v1/projects/{ref}/jit-access", nil, 200},
		{"PUT", "/v1/projects/{ref}/jit-access", map[string]any{"state": "disabled"}, 200},
		{"POST", "/v1/projects/{ref}/cli/login-role", map[string]any{"read_only": true}, 201},
		{"DELETE", "/v1/projects/{ref}/cli/login-role", nil, 200},
		// Last: these put the project in RESTORING.
		{"POST", "/v1/projects/{ref}/database/backups/restore", map[string]any{"id": SeedBackupID}, 201},
	} {
		s := newServer(t)
		path := strings.Replace(c.template, "{ref}", ref, 1)
		template := c.template
		switch {
		case strings.HasPrefix(template, "/v1/projects/{ref}/billing/addons/"):
			template = "/v1/projects/{ref}/billing/addons/{addon_variant}"
		case strings.HasPrefix(template, "/v1/projects/{ref}/database/jit/") && !strings.HasSuffix(template, "/list"):
			template = "/v1/projects/{ref}/database/jit/{user_id}"
		}
		code, _, body := call(t, s, c.method, path, c.body)
		wantStatus(t, code, c.want, body)
		wantSpecResponse(t, c.method, template, code, body)
	}
	// The restores and undo, each on a fresh server.
	for _, c := range []struct {
		path string
		body any
	}{
		{"/database/backups/restore-pitr", map[string]any{"recovery_time_target_unix": time.Now().Add(-time.Hour).Unix()}},
		{"/database/backups/undo", map[string]any{"name": SeedRestorePoint}},
	} {
		s := newServer(t, func(o *Options) { o.TransitionReads = 1 })
		code, _, body := call(t, s, "POST", "/v1/projects/"+ref+c.path, c.body)
		wantStatus(t, code, http.StatusCreated, body)
		wantSpecResponse(t, "POST", "/v1/projects/{ref}"+c.path, code, body)
		if p, _ := s.Project(ref); p.Status != StatusRestoring {
			t.Errorf("after %s the project is %s, want RESTORING", c.path, p.Status)
		}
	}
}

func projectPath(ref, rest string) string { return "/v1/projects/" + ref + rest }

func TestPostgresAndPoolerConfigRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	pg := projectPath(SeedProjectActive, "/config/database/postgres")
	code, _, body := call(t, s, "PUT", pg, map[string]any{"work_mem": "8MB", "max_connections": 120, "track_commit_timestamp": true})
	wantStatus(t, code, http.StatusOK, body)
	_, _, body = call(t, s, "GET", pg, nil)
	got := decode[map[string]any](t, body)
	if got["work_mem"] != "8MB" || got["max_connections"] != float64(120) || got["track_commit_timestamp"] != true || got["shared_buffers"] != "128MB" {
		t.Fatalf("after PUT: %s", body)
	}
	for _, bad := range []map[string]any{
		{"work_mem": "8MB", "wrok_mem": "1MB"}, // unknown field
		{"max_connections": 0},
		{"statement_timeout": "soon"},
		{"shared_buffers": "lots"},
		{"session_replication_role": "primary"},
	} {
		code, _, body := call(t, s, "PUT", pg, bad)
		wantStatus(t, code, http.StatusBadRequest, body)
	}
	code, _, body = call(t, s, "PUT", projectPath(SeedProjectPaused, "/config/database/postgres"), map[string]any{"work_mem": "8MB"})
	wantStatus(t, code, http.StatusBadRequest, body)

	pooler := projectPath(SeedProjectActive, "/config/database/pooler")
	code, _, body = call(t, s, "PATCH", pooler, map[string]any{"default_pool_size": 40, "pool_mode": "session"})
	wantStatus(t, code, http.StatusOK, body)
	_, _, body = call(t, s, "GET", pooler, nil)
	entries := decode[[]map[string]any](t, body)
	if len(entries) != 2 || entries[0]["database_type"] != "PRIMARY" || entries[0]["default_pool_size"] != float64(40) ||
		entries[0]["pool_mode"] != "session" || entries[1]["identifier"] != SeedReadReplica {
		t.Fatalf("pooler after PATCH: %s", body)
	}
	code, _, body = call(t, s, "PATCH", pooler, map[string]any{"default_pool_size": nil})
	wantStatus(t, code, http.StatusOK, body)
	if got := decode[map[string]any](t, body); got["default_pool_size"] != float64(defaultPoolSize) {
		t.Fatalf("null pool size does not reset: %s", body)
	}
	code, _, body = call(t, s, "PATCH", pooler, map[string]any{"pool_mode": "statement"})
	wantStatus(t, code, http.StatusBadRequest, body)
}

func TestSSLDiskAndReadonly(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ssl := projectPath(SeedProjectActive, "/ssl-enforcement")
	_, _, body := call(t, s, "GET", ssl, nil)
	if !strings.Contains(string(body), `"database":false`) {
		t.Fatalf("initial ssl: %s", body)
	}
	code, _, body := call(t, s, "PUT", ssl, map[string]any{"requestedConfig": map[string]any{"database": true}})
	wantStatus(t, code, http.StatusOK, body)
	if _, _, body = call(t, s, "GET", ssl, nil); !strings.Contains(string(body), `"database":true`) {
		t.Fatalf("ssl after PUT: %s", body)
	}
	code, _, body = call(t, s, "PUT", ssl, map[string]any{"requestedConfig": map[string]any{}})
	wantStatus(t, code, http.StatusBadRequest, body)

	disk := projectPath(SeedProjectActive, "/config/disk")
	code, _, body = call(t, s, "POST", disk, map[string]any{"attributes": map[string]any{"type": "gp3", "size_gb": 50, "iops": 4000, "throughput_mibps": 250}})
	wantStatus(t, code, http.StatusCreated, body)
	_, _, body = call(t, s, "GET", disk, nil)
	got := decode[map[string]any](t, body)
	if a := got["attributes"].(map[string]any); a["size_gb"] != float64(50) || a["throughput_mibps"] != float64(250) || got["last_modified_at"] == nil {
		t.Fatalf("disk after POST: %s", body)
	}
	_, _, body = call(t, s, "GET", disk+"/util", nil)
	if m := decode[map[string]any](t, body)["metrics"].(map[string]any); m["fs_size_bytes"] != float64(50<<30) {
		t.Fatalf("util after resize: %s", body)
	}
	for _, bad := range []map[string]any{
		{"type": "gp3", "size_gb": 20, "iops": 3000},                          // shrink
		{"type": "io2", "size_gb": 60, "iops": 3000, "throughput_mibps": 200}, // throughput is gp3 only
		{"type": "st1", "size_gb": 60, "iops": 3000},                          // type
		{"type": "gp3", "size_gb": 60},                                        // iops missing
		{"type": "gp3", "size_gb": 60, "iops": 3000, "burst": true},           // unknown field
	} {
		code, _, body := call(t, s, "POST", disk, map[string]any{"attributes": bad})
		wantStatus(t, code, http.StatusBadRequest, body)
	}

	ro := projectPath(SeedProjectActive, "/readonly")
	if _, _, body = call(t, s, "GET", ro, nil); !strings.Contains(string(body), `"override_enabled":false`) {
		t.Fatalf("initial readonly: %s", body)
	}
	code, _, body = call(t, s, "POST", ro+"/temporary-disable", nil)
	wantStatus(t, code, http.StatusCreated, body)
	_, _, body = call(t, s, "GET", ro, nil)
	if got := decode[map[string]any](t, body); got["override_enabled"] != true || got["override_active_until"] == "" {
		t.Fatalf("readonly after disable: %s", body)
	}
}

func TestBackupsRestorePointsAndSchedule(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	rp := projectPath(SeedProjectActive, "/database/backups/restore-point")
	code, _, body := call(t, s, "POST", rp, map[string]any{"name": "pre-deploy"})
	wantStatus(t, code, http.StatusCreated, body)
	if got := decode[restorePoint](t, body); got.Status != "PENDING" || got.CompletedOn != nil {
		t.Fatalf("created: %s", body)
	}
	_, _, body = call(t, s, "GET", rp+"?name=pre-deploy", nil)
	if got := decode[restorePoint](t, body); got.Status != "AVAILABLE" || got.CompletedOn == nil {
		t.Fatalf("named: %s", body)
	}
	if _, _, body = call(t, s, "GET", rp, nil); decode[restorePoint](t, body).Name != "pre-deploy" {
		t.Fatalf("latest: %s", body)
	}
	code, _, body = call(t, s, "POST", rp, map[string]any{"name": "pre-deploy"})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "POST", rp, map[string]any{"name": strings.Repeat("x", 21)})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "GET", rp+"?name=nope", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "POST", projectPath(SeedProjectActive, "/database/backups/undo"), map[string]any{"name": "nope"})
	wantStatus(t, code, http.StatusNotFound, body)

	sched := projectPath(SeedProjectActive, "/database/backups/schedule")
	_, _, body = call(t, s, "GET", sched, nil)
	if decode[map[string]any](t, body)["schedule_for"] != defaultSchedule {
		t.Fatalf("schedule: %s", body)
	}
	code, _, body = call(t, s, "PATCH", sched, map[string]any{"schedule_for": "22:45:00"})
	wantStatus(t, code, http.StatusOK, body)
	if _, _, body = call(t, s, "GET", sched, nil); decode[map[string]any](t, body)["schedule_for"] != "22:45:00" {
		t.Fatalf("schedule after PATCH: %s", body)
	}
	code, _, body = call(t, s, "PATCH", sched, map[string]any{"schedule_for": "25:00:00"})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "GET", projectPath(SeedProjectComing, "/database/backups/schedule"), nil)
	wantStatus(t, code, http.StatusPaymentRequired, body) // globex-labs is on the free plan

	// Restores: unknown backup, paused project, PITR window and add-on.
	restore := projectPath(SeedProjectActive, "/database/backups/restore")
	code, _, body = call(t, s, "POST", restore, map[string]any{"id": 1})
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "POST", projectPath(SeedProjectPaused, "/database/backups/restore"), map[string]any{"id": SeedBackupID})
	wantStatus(t, code, http.StatusBadRequest, body)
	pitr := projectPath(SeedProjectActive, "/database/backups/restore-pitr")
	code, _, body = call(t, s, "POST", pitr, map[string]any{"recovery_time_target_unix": time.Now().AddDate(0, 0, -30).Unix()})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "DELETE", projectPath(SeedProjectActive, "/billing/addons/pitr_7"), nil)
	wantStatus(t, code, http.StatusOK, body)
	_, _, body = call(t, s, "GET", projectPath(SeedProjectActive, "/database/backups"), nil)
	if got := decode[map[string]any](t, body); got["pitr_enabled"] != false || len(got["backups"].([]any)) != 3 {
		t.Fatalf("backups without pitr: %s", body)
	}
	code, _, body = call(t, s, "POST", pitr, map[string]any{"recovery_time_target_unix": time.Now().Add(-time.Hour).Unix()})
	wantStatus(t, code, http.StatusBadRequest, body)
	if !strings.Contains(message(t, body), "not enabled") {
		t.Fatalf("pitr without add-on: %s", body)
	}
}

func TestAddonsAndReadReplicas(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(o *Options) { o.TransitionReads = -1 })
	addons := projectPath(SeedProjectActive, "/billing/addons")
	selected := func() string {
		t.Helper()
		_, _, body := call(t, s, "GET", addons, nil)
		var ids []string
		for _, a := range decode[struct {
			Selected []struct {
				Variant struct{ ID string } `json:"variant"`
			} `json:"selected_addons"`
		}](t, body).Selected {
			ids = append(ids, a.Variant.ID)
		}
		return strings.Join(ids, ",")
	}
	if got := selected(); got != "ci_small,pitr_7" {
		t.Fatalf("seeded add-ons %s", got)
	}
	code, _, body := call(t, s, "PATCH", addons, map[string]any{"addon_type": "pitr", "addon_variant": "pitr_14"})
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "PATCH", addons, map[string]any{"addon_type": "compute_instance", "addon_variant": "ci_large"})
	wantStatus(t, code, http.StatusOK, body)
	if got := selected(); got != "ci_large,pitr_14" {
		t.Fatalf("after apply %s", got)
	}
	code, _, body = call(t, s, "PATCH", addons, map[string]any{"addon_type": "ipv4", "addon_variant": "pitr_7"})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "DELETE", addons+"/ci_large", nil)
	wantStatus(t, code, http.StatusBadRequest, body) // PITR needs more than Micro
	code, _, body = call(t, s, "DELETE", addons+"/cd_default", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "DELETE", addons+"/ci_huge", nil)
	wantStatus(t, code, http.StatusBadRequest, body)

	// Replicas show in the pooler list; they too need more than Micro.
	setup, remove := projectPath(SeedProjectActive, "/read-replicas/setup"), projectPath(SeedProjectActive, "/read-replicas/remove")
	code, _, body = call(t, s, "POST", setup, map[string]any{"read_replica_region": "ap-south-1"})
	wantStatus(t, code, http.StatusCreated, body)
	code, _, body = call(t, s, "POST", setup, map[string]any{"read_replica_region": "eu-west-1"})
	wantStatus(t, code, http.StatusBadRequest, body) // two is the most
	code, _, body = call(t, s, "POST", setup, map[string]any{"read_replica_region": "mars-1"})
	wantStatus(t, code, http.StatusBadRequest, body)
	_, _, body = call(t, s, "GET", projectPath(SeedProjectActive, "/config/database/pooler"), nil)
	pool := decode[[]map[string]any](t, body)
	if len(pool) != 3 || pool[2]["database_type"] != "READ_REPLICA" || !strings.Contains(pool[2]["identifier"].(string), "-rr-ap-south-1-") {
		t.Fatalf("pooler with replicas: %s", body)
	}
	for _, rr := range pool[1:] {
		code, _, body = call(t, s, "POST", remove, map[string]any{"database_identifier": rr["identifier"]})
		wantStatus(t, code, http.StatusCreated, body)
	}
	code, _, body = call(t, s, "POST", remove, map[string]any{"database_identifier": SeedReadReplica})
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "DELETE", addons+"/pitr_14", nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "DELETE", addons+"/ci_large", nil)
	wantStatus(t, code, http.StatusOK, body)
	if got := selected(); got != "ci_micro" {
		t.Fatalf("after removals %s", got)
	}
	code, _, body = call(t, s, "POST", setup, map[string]any{"read_replica_region": "eu-west-1"})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "PATCH", addons, map[string]any{"addon_type": "pitr", "addon_variant": "pitr_7"})
	wantStatus(t, code, http.StatusBadRequest, body)
}

func TestComputeChangeRestartsTheProject(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "PATCH", projectPath(SeedProjectActive, "/billing/addons"), map[string]any{"addon_type": "compute_instance", "addon_variant": "ci_medium"})
	wantStatus(t, code, http.StatusOK, body)
	if p, _ := s.Project(SeedProjectActive); p.Status != "RESTARTING" {
		t.Fatalf("status %s after a compute change", p.Status)
	}
	code, _, body = call(t, s, "PATCH", projectPath(SeedProjectActive, "/database/password"), map[string]any{"password": "another-pass"})
	wantStatus(t, code, http.StatusBadRequest, body) // the database is restarting
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
