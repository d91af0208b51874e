package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestBranchesRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/branches"

	code, _, body := call(t, s, "GET", base, nil)
	wantStatus(t, code, http.StatusOK, body)
	if list := decode[[]Branch](t, body); len(list) != 3 || !list[0].IsDefault || list[0].ProjectRef != SeedProjectActive {
		t.Fatalf("seeded branches: %s", body)
	}

	code, _, body = call(t, s, "POST", base, map[string]any{"branch_name": "feat-x", "git_branch": "feat/x", "with_data": true, "postgres_engine": "17", "secrets": map[string]string{"K": "v"}})
	wantStatus(t, code, http.StatusCreated, body)
	created := decode[Branch](t, body)
	if !refRE.MatchString(created.ProjectRef) || created.ParentProjectRef != SeedProjectActive || !created.WithData || created.IsDefault {
		t.Fatalf("created %s", body)
	}
	code, _, body = call(t, s, "GET", base+"/feat-x", nil)
	wantStatus(t, code, http.StatusOK, body)
	if decode[Branch](t, body).ID != created.ID {
		t.Fatalf("get by name: %s", body)
	}

	code, _, body = call(t, s, "GET", "/v1/branches/"+created.ProjectRef, nil)
	wantStatus(t, code, http.StatusOK, body)
	cfg := decode[map[string]any](t, body)
	if cfg["ref"] != created.ProjectRef || cfg["postgres_engine"] != "17" || cfg["db_port"] != float64(5432) || cfg["status"] == "" {
		t.Fatalf("config %s", body)
	}

	code, _, body = call(t, s, "PATCH", "/v1/branches/"+created.ID, map[string]any{"branch_name": "feat-y", "request_review": true, "status": "MIGRATIONS_PASSED"})
	wantStatus(t, code, http.StatusOK, body)
	if b := decode[Branch](t, body); b.Name != "feat-y" || b.ReviewRequestedAt == nil || b.Status != "MIGRATIONS_PASSED" {
		t.Fatalf("updated %s", body)
	}

	// Scheduled deletion, restore, then deletion for good.
	code, _, body = call(t, s, "DELETE", "/v1/branches/"+created.ProjectRef+"?force=false", nil)
	wantStatus(t, code, http.StatusOK, body)
	if b := s.Branches(SeedProjectActive); len(b) != 4 || b[3].DeletionScheduledAt == nil {
		t.Fatalf("after force=false: %+v", b)
	}
	code, _, body = call(t, s, "POST", "/v1/branches/"+created.ProjectRef+"/restore", nil)
	wantStatus(t, code, http.StatusOK, body)
	if m := message(t, body); m != "Branch restoration initiated" {
		t.Fatalf("restore: %s", body)
	}
	code, _, body = call(t, s, "POST", "/v1/branches/"+created.ProjectRef+"/restore", nil)
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "DELETE", "/v1/branches/"+created.ProjectRef, nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", "/v1/branches/"+created.ProjectRef, nil)
	wantStatus(t, code, http.StatusNotFound, body)

	// Disabling branching removes every branch; the next create enables it again.
	code, _, body = call(t, s, "DELETE", base, nil)
	wantStatus(t, code, http.StatusOK, body)
	if b := s.Branches(SeedProjectActive); len(b) != 0 {
		t.Fatalf("after disable: %+v", b)
	}
	code, _, body = call(t, s, "POST", base, map[string]any{"branch_name": "again"})
	wantStatus(t, code, http.StatusCreated, body)
	if b := s.Branches(SeedProjectActive); len(b) != 2 || !b[0].IsDefault || b[1].Name != "again" {
		t.Fatalf("after re-enabling: %+v", b)
	}
}

func TestBranchActionsAndDiff(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, hdr, body := call(t, s, "GET", "/v1/branches/"+SeedBranchPreview+"/diff?included_schemas=public", nil)
	wantStatus(t, code, http.StatusOK, body)
	if !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") || !strings.Contains(string(body), "create table") {
		t.Fatalf("diff %s %s", hdr.Get("Content-Type"), body)
	}
	for _, action := range []string{"push", "reset", "merge"} {
		code, _, body = call(t, s, "POST", "/v1/branches/"+SeedBranchPreviewID+"/"+action, map[string]any{})
		wantStatus(t, code, http.StatusCreated, body)
		if r := decode[map[string]string](t, body); r["message"] != "ok" || r["workflow_run_id"] == "" {
			t.Fatalf("%s: %s", action, body)
		}
	}
	_, _, body = call(t, s, "GET", "/v1/branches/"+SeedBranchPreview+"/diff", nil)
	if len(body) != 0 {
		t.Fatalf("diff after merge: %q", body)
	}
	code, _, body = call(t, s, "POST", "/v1/branches/"+SeedProjectActive+"/merge", map[string]any{})
	wantStatus(t, code, http.StatusBadRequest, body)
	code, _, body = call(t, s, "DELETE", "/v1/branches/"+SeedProjectActive, nil)
	wantStatus(t, code, http.StatusBadRequest, body)
}

func TestBranchBodiesAreValidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/branches"
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", base, nil},
		{"POST", base, map[string]any{}},
		{"POST", base, map[string]any{"branch_name": "x", "colour": "red"}},
		{"POST", base, map[string]any{"branch_name": "x", "desired_instance_size": "huge"}},
		{"POST", base, map[string]any{"branch_name": "x", "postgres_engine": "16"}},
		{"POST", base, map[string]any{"branch_name": "x", "notify_url": "not a url"}},
		{"POST", base, map[string]any{"branch_name": SeedBranchPreviewName}},
		{"PATCH", "/v1/branches/" + SeedBranchPreview, map[string]any{"status": "DONE"}},
		{"PATCH", "/v1/branches/" + SeedBranchPreview, map[string]any{"nme": "x"}},
		{"POST", "/v1/branches/" + SeedBranchPreview + "/merge", nil},
		{"POST", "/v1/branches/" + SeedBranchPreview + "/push", map[string]any{"version": "1"}},
		{"DELETE", "/v1/branches/" + SeedBranchPreview + "?force=maybe", nil},
	} {
		code, _, body := call(t, s, c.method, c.path, c.body)
		if code != http.StatusBadRequest {
			t.Errorf("%s %s %v: status %d, want 400; %s", c.method, c.path, c.body, code, body)
		}
	}
	code, _, body := call(t, s, "GET", "/v1/branches/zzzzzzzzzzzzzzzzzzzz", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "GET", base+"/nope", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "GET", "/v1/projects/"+SeedProjectPaused+"/branches", nil)
	wantStatus(t, code, http.StatusOK, body)
	if string(body) != "[]" {
		t.Fatalf("a project without branching lists %s", body)
	}
}
