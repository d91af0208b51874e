package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestAnalyticsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	type rows struct {
		Result []map[string]any `json:"result"`
		Error  any              `json:"error"`
	}
	logs := h.ok("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef})
	if !strings.HasPrefix(logs, "Below is the result of analytics_read.query_logs") {
		t.Fatalf("logs are not wrapped as untrusted: %s", logs)
	}
	if r := decodeJSON[rows](t, logs); len(r.Result) == 0 || !strings.Contains(r.Result[0]["event_message"].(string), "/rest/v1/") {
		t.Fatalf("default logs = %+v", r)
	}
	h.ok("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef,
		"sql":                 "select timestamp, event_message from postgres_logs order by timestamp desc limit 5",
		"iso_timestamp_start": "2025-03-01T00:00:00Z", "iso_timestamp_end": "2025-03-01T06:00:00Z"})
	if q := h.api.Requests(); q[len(q)-1].RawQuery != "iso_timestamp_end=2025-03-01T06%3A00%3A00Z&iso_timestamp_start=2025-03-01T00%3A00%3A00Z&sql=select+timestamp%2C+event_message+from+postgres_logs+order+by+timestamp+desc+limit+5" {
		t.Fatalf("query string %s", q[len(q)-1].RawQuery)
	}
	// An unknown source is the API's in-body error (a 200), not a failed call.
	h.api.InjectFault(sandbox.Fault{Path: "/v1/projects/" + activeRef + "/analytics/endpoints/logs.all", Times: 1, Status: 200,
		Body: `{"result":[],"error":{"code":400,"message":"Table not found: nope","status":"INVALID_ARGUMENT","errors":[]}}`})
	if r := decodeJSON[rows](t, h.ok("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef, "sql": "select 1 from nope"})); r.Error == nil {
		t.Fatalf("unknown source = %+v", r)
	}

	counts := decodeJSON[rows](t, h.ok("analytics_read", map[string]any{"operation": "get_api_counts", "ref": activeRef, "interval": "1hr"}))
	if len(counts.Result) != 3 || counts.Result[0]["total_rest_requests"] == nil {
		t.Fatalf("api counts = %+v", counts)
	}
	h.ok("analytics_read", map[string]any{"operation": "get_api_requests_count", "ref": activeRef})
	h.ok("analytics_read", map[string]any{"operation": "get_function_stats", "ref": activeRef, "interval": "1day", "function_id": "fn-1"})

	// Checked before sending: timestamp format and range, per-operation enums.
	before := len(h.api.Requests())
	h.fails("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef, "iso_timestamp_start": "yesterday"}, "RFC 3339")
	h.fails("analytics_read", map[string]any{"operation": "query_logs", "ref": activeRef,
		"iso_timestamp_start": "2025-03-01T00:00:00Z", "iso_timestamp_end": "2025-03-03T00:00:00Z"}, "at most 24 hours")
	h.fails("analytics_read", map[string]any{"operation": "get_function_stats", "ref": activeRef, "interval": "30min", "function_id": "fn-1"},
		"interval", "15min")
	h.fails("analytics_read", map[string]any{"operation": "get_function_stats", "ref": activeRef, "interval": "1hr"}, "needs function_id")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
}
