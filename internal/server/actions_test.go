package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestActionsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	run := sandbox.Fixtures()["run_id"].(string) // the running one

	list := h.ok("actions_read", map[string]any{"operation": "list", "ref": activeRef})
	if !strings.HasPrefix(list, "Below is the result of actions_read.list") {
		t.Fatalf("list is not wrapped as untrusted: %s", list)
	}
	if runs := decodeJSON[[]map[string]any](t, list); len(runs) != 2 || runs[0]["id"] != run {
		t.Fatalf("list = %v", runs)
	}
	// HEAD answers in a header; result_headers makes it the result.
	if got := h.ok("actions_read", map[string]any{"operation": "count", "ref": activeRef}); payload(got) != `{"X-Total-Count":2}` {
		t.Fatalf("count = %s", got)
	}
	if got := h.ok("actions_read", map[string]any{"operation": "count", "ref": pausedRef}); payload(got) != `{"X-Total-Count":0}` {
		t.Fatalf("count of a project without runs = %s", got)
	}
	// Logs are text/plain and untrusted.
	logs := h.ok("actions_read", map[string]any{"operation": "get_logs", "ref": activeRef, "run_id": run})
	if !strings.Contains(logs, "<untrusted-data-") || !strings.Contains(payload(logs), "Applying migration") {
		t.Fatalf("get_logs = %s", logs)
	}

	// A status update sends the steps as the body.
	h.ok("actions_write", map[string]any{"operation": "update_status", "ref": activeRef, "run_id": run,
		"steps": map[string]any{"migrate": "EXITED", "seed": "RUNNING"}})
	reqs := h.api.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "PATCH" || last.Path != "/v1/projects/"+activeRef+"/actions/"+run+"/status" ||
		string(last.Body) != `{"migrate":"EXITED","seed":"RUNNING"}` {
		t.Fatalf("update_status sent %s %s %s", last.Method, last.Path, last.Body)
	}

	// Step names and statuses are checked before anything is sent.
	before := len(h.api.Requests())
	h.fails("actions_write", map[string]any{"operation": "update_status", "ref": activeRef, "run_id": run,
		"steps": map[string]any{"migrte": "RUNNING"}}, "unknown field steps.migrte", "did you mean migrate")
	h.fails("actions_write", map[string]any{"operation": "update_status", "ref": activeRef, "run_id": run,
		"steps": map[string]any{"deploy": "DONE"}}, "steps.deploy is not one of the allowed values", "RUNNING")
	h.fails("actions_read", map[string]any{"operation": "list", "ref": activeRef, "limit": 5}, "limit must be at least 10")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
	h.fails("actions_read", map[string]any{"operation": "get", "ref": activeRef, "run_id": "run_nope"}, "Supabase API error 404", "Not found")
}
