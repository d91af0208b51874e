package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestBranchesEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	list := decodeJSON[[]map[string]any](t, h.ok("branches_read", map[string]any{"operation": "list", "ref": activeRef}))
	if len(list) != 3 {
		t.Fatalf("list = %v", list)
	}
	created := decodeJSON[map[string]any](t, h.ok("branches_write", map[string]any{
		"operation": "create", "ref": activeRef,
		"branch": map[string]any{"branch_name": "feat-login", "git_branch": "feat/login", "persistent": true, "secrets": map[string]any{"API_URL": "https://x.test"}},
	}))
	branchRef, _ := created["project_ref"].(string)
	if len(branchRef) != 20 || created["persistent"] != true {
		t.Fatalf("create = %v", created)
	}
	got := decodeJSON[map[string]any](t, h.ok("branches_read", map[string]any{"operation": "get", "ref": activeRef, "name": "feat-login"}))
	if got["project_ref"] != branchRef {
		t.Fatalf("get = %v", got)
	}
	cfg := decodeJSON[map[string]any](t, h.ok("branches_read", map[string]any{"operation": "get_config", "branch_id_or_ref": branchRef}))
	if cfg["db_host"] != "db."+branchRef+".supabase.co" {
		t.Fatalf("get_config = %v", cfg)
	}
	upd := decodeJSON[map[string]any](t, h.ok("branches_write", map[string]any{"operation": "update", "branch_id_or_ref": branchRef, "branch": map[string]any{"branch_name": "feat-login-2", "request_review": true}}))
	if upd["name"] != "feat-login-2" || upd["review_requested_at"] == nil {
		t.Fatalf("update = %v", upd)
	}

	// A delayed delete can be restored; the default one is immediate.
	h.ok("branches_write", map[string]any{"operation": "delete", "branch_id_or_ref": branchRef, "force": false})
	h.ok("branches_write", map[string]any{"operation": "restore", "branch_id_or_ref": branchRef})
	h.ok("branches_write", map[string]any{"operation": "delete", "branch_id_or_ref": branchRef})
	if n := len(h.api.Branches(activeRef)); n != 3 {
		t.Fatalf("%d branches after delete, want 3", n)
	}
	for _, r := range h.api.Requests() {
		if r.Method == "DELETE" && strings.HasPrefix(r.Path, "/v1/branches/") && r.RawQuery != "force=false" && r.RawQuery != "force=true" {
			t.Fatalf("delete query %q: force must always be sent", r.RawQuery)
		}
	}

	// merge, push and reset send the required (empty) body.
	h.ok("branches_write", map[string]any{"operation": "push", "branch_id_or_ref": sandbox.SeedBranchPreview})
	last := h.api.Requests()[len(h.api.Requests())-1]
	if string(last.Body) != "{}" || last.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("push sent %q (%s)", last.Body, last.Header.Get("Content-Type"))
	}

	// The diff is SQL written by users: wrapped, and text rather than JSON.
	diff := h.ok("branches_read", map[string]any{"operation": "diff", "branch_id_or_ref": sandbox.SeedBranchPreview})
	if !strings.HasPrefix(diff, "Below is the result of branches_read.diff") || !strings.Contains(payload(diff), `create table "public"."todos"`) {
		t.Fatalf("diff = %s", diff)
	}

	// Bad arguments never reach the API; API refusals come back as tool errors.
	before := len(h.api.Requests())
	h.fails("branches_write", map[string]any{"operation": "create", "ref": activeRef, "branch": map[string]any{"branch_nme": "x"}}, "unknown field branch.branch_nme", "did you mean branch_name")
	h.fails("branches_write", map[string]any{"operation": "create", "ref": activeRef, "branch": map[string]any{"branch_name": "x", "postgres_engine": "16"}}, "branch.postgres_engine is not one of the allowed values: 15, 17, 17-oriole")
	h.fails("branches_write", map[string]any{"operation": "update", "branch_id_or_ref": branchRef, "branch": map[string]any{"with_data": true}}, "unknown field branch.with_data")
	h.fails("branches_write", map[string]any{"operation": "create", "ref": activeRef}, "needs branch")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
	h.fails("branches_write", map[string]any{"operation": "delete", "branch_id_or_ref": activeRef}, "Supabase API error 400", "default branch")
	h.fails("branches_write", map[string]any{"operation": "restore", "branch_id_or_ref": sandbox.SeedBranchPreview}, "Supabase API error 400", "not scheduled")
	h.fails("branches_read", map[string]any{"operation": "get_config", "branch_id_or_ref": "zzzzzzzzzzzzzzzzzzzz"}, "Supabase API error 404")

	h.ok("branches_write", map[string]any{"operation": "disable_branching", "ref": activeRef})
	if n := len(h.api.Branches(activeRef)); n != 0 {
		t.Fatalf("%d branches after disable_branching", n)
	}
}
