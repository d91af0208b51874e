package server

import (
	"strings"
	"testing"
)

func TestAdvisorsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	type lints struct {
		Lints []map[string]any `json:"lints"`
	}
	all := h.ok("analytics_read", map[string]any{"operation": "get_security_advisors", "ref": activeRef})
	if !strings.HasPrefix(all, "Below is the result of analytics_read.get_security_advisors") || len(decodeJSON[lints](t, all).Lints) != 2 {
		t.Fatalf("get_security = %s", all)
	}
	h.ok("analytics_read", map[string]any{"operation": "get_security_advisors", "ref": activeRef, "lint_type": "sql"})
	if reqs := h.api.Requests(); reqs[len(reqs)-1].RawQuery != "lint_type=sql" {
		t.Fatalf("lint_type sent as %q", reqs[len(reqs)-1].RawQuery)
	}
	// Filtered by level (default WARN), most severe first, capped, without
	// the repeated descriptions.
	perfText := h.ok("analytics_read", map[string]any{"operation": "get_performance_advisors", "ref": activeRef})
	if perf := decodeJSON[lints](t, perfText); len(perf.Lints) != 0 || !strings.Contains(perfText, "1 findings below WARN; pass level: INFO") {
		t.Fatalf("default performance lints = %s", perfText)
	}
	perf := decodeJSON[lints](t, h.ok("analytics_read", map[string]any{"operation": "get_performance_advisors", "ref": activeRef, "level": "INFO"}))
	if len(perf.Lints) != 1 || perf.Lints[0]["name"] != "unused_index" || perf.Lints[0]["description"] != nil {
		t.Fatalf("performance lints = %v", perf)
	}
	capped := h.ok("analytics_read", map[string]any{"operation": "get_security_advisors", "ref": activeRef, "limit": 1})
	if c := decodeJSON[lints](t, capped); len(c.Lints) != 1 || c.Lints[0]["level"] != "ERROR" || !strings.Contains(capped, "1 more at or above WARN") {
		t.Fatalf("capped security lints = %s", capped)
	}
	h.fails("analytics_read", map[string]any{"operation": "get_security_advisors", "ref": activeRef, "lint_type": "auth"}, "not one of the allowed values")
	h.fails("analytics_read", map[string]any{"operation": "get_performance_advisors", "ref": "zzzzzzzzzzzzzzzzzzzz"}, "Supabase API error 404")
}
