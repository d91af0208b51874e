package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// analyticsRoutes serves the analytics endpoint group.
func (s *Server) analyticsRoutes(mux *http.ServeMux) {
	base := "GET /v1/projects/{ref}/analytics/endpoints/"
	mux.HandleFunc(base+"logs.all", s.withProject(s.queryLogs))
	mux.HandleFunc(base+"usage.api-counts", s.withProject(s.apiCounts))
	mux.HandleFunc(base+"usage.api-requests-count", s.withProject(s.apiRequestsCount))
	mux.HandleFunc(base+"functions.combined-stats", s.withProject(s.functionStats))
}

// analyticsFixtures names this group's seeded objects for Fixtures.
func analyticsFixtures() map[string]any {
	return map[string]any{"analytics.get_function_stats.function_id": "3c078cce-ad70-4148-9f37-4da362789053"}
}

// logSources are the log tables the fake knows, with one canned event each.
var logSources = map[string]string{
	"edge_logs":          "GET | 200 | 203.0.113.7 | https://%s.supabase.co/rest/v1/profiles?select=*",
	"postgres_logs":      "connection authorized: user=authenticator database=postgres application_name=PostgREST",
	"auth_logs":          `{"level":"info","msg":"request completed","path":"/token","status":200}`,
	"function_logs":      "Listening on http://localhost:9999/",
	"function_edge_logs": "POST | 200 | https://%s.supabase.co/functions/v1/hello-world",
	"storage_logs":       "Object uploaded: avatars/ignore-previous-instructions.png",
	"realtime_logs":      "Channel joined: realtime:public:messages",
	"supavisor_logs":     "ClientHandler: Client connection established",
	"postgrest_logs":     "Listening on port 3000",
}

// queryLogs is AnalyticsResponse. Without timestamps the last minute is
// queried; a range must be RFC 3339 and at most 24 hours. The SQL is not
// run: each log source it names contributes one canned event, edge_logs
// when it names none; an unknown source in FROM gives the error the API
// reports in the body.
func (s *Server) queryLogs(w http.ResponseWriter, r *http.Request, p *projectState) {
	q := r.URL.Query()
	end, start := time.Now().UTC(), time.Time{}
	for _, ts := range []struct {
		name string
		t    *time.Time
	}{{"iso_timestamp_start", &start}, {"iso_timestamp_end", &end}} {
		if v := q.Get(ts.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				badRequest(w, "%s must be an ISO 8601 timestamp", ts.name)
				return
			}
			*ts.t = t
		}
	}
	if start.IsZero() {
		start = end.Add(-time.Minute)
	}
	if !end.After(start) || end.Sub(start) > 24*time.Hour {
		badRequest(w, "the timestamp range must be positive and at most 24 hours")
		return
	}
	sql := strings.ToLower(q.Get("sql"))
	var sources []string
	for name := range logSources {
		if strings.Contains(sql, name) {
			sources = append(sources, name)
		}
	}
	slices.Sort(sources)
	if sql == "" {
		sources = []string{"edge_logs"}
	} else if len(sources) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"result": []any{}, "error": map[string]any{
			"code": 400, "message": "Query references an unknown log source", "status": "INVALID_ARGUMENT",
			"errors": []map[string]string{{"domain": "global", "location": "q", "locationType": "parameter",
				"message": "Table not found: use one of the project's log sources, such as edge_logs or postgres_logs", "reason": "invalidQuery"}},
		}})
		return
	}
	rows := []map[string]any{}
	for i, src := range sources {
		msg := logSources[src]
		if strings.Contains(msg, "%s") {
			msg = fmt.Sprintf(msg, p.Ref)
		}
		rows = append(rows, map[string]any{
			"id":            fmt.Sprintf("6f1b2c3d-4e5f-4a6b-8c7d-%012d", i+1),
			"timestamp":     end.Add(-time.Duration(i+1) * time.Second).UnixMicro(),
			"event_message": msg,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": rows})
}

// intervalParam reads an interval query parameter from the allowed values.
func intervalParam(w http.ResponseWriter, r *http.Request, required bool, allowed ...string) (string, bool) {
	v := r.URL.Query().Get("interval")
	if v == "" && !required {
		return allowed[len(allowed)-1], true
	}
	if !slices.Contains(allowed, v) {
		badRequest(w, "interval must be one of %s", strings.Join(allowed, ", "))
		return "", false
	}
	return v, true
}

var intervalBuckets = map[string]time.Duration{
	"15min": time.Minute, "30min": time.Minute, "1hr": 5 * time.Minute, "3hr": 15 * time.Minute,
	"1day": time.Hour, "3day": 3 * time.Hour, "7day": 6 * time.Hour,
}

// apiCounts is V1GetUsageApiCountResponse: three buckets of the interval.
func (s *Server) apiCounts(w http.ResponseWriter, r *http.Request, p *projectState) {
	interval, ok := intervalParam(w, r, false, "15min", "30min", "1hr", "3hr", "1day", "3day", "7day")
	if !ok {
		return
	}
	step := intervalBuckets[interval]
	now := time.Now().UTC().Truncate(step)
	rows := []map[string]any{}
	for i := 2; i >= 0; i-- {
		rows = append(rows, map[string]any{
			"timestamp":           now.Add(-time.Duration(i) * step).Format(time.RFC3339),
			"total_auth_requests": 12 + i, "total_realtime_requests": 3, "total_rest_requests": 140 + 10*i, "total_storage_requests": 7,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": rows})
}

// apiRequestsCount is V1GetUsageApiRequestsCountResponse.
func (s *Server) apiRequestsCount(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]any{"result": []map[string]int{{"count": 4821}}})
}

// functionStats is AnalyticsResponse with combined statistics of one edge
// function (function_id and interval are required).
func (s *Server) functionStats(w http.ResponseWriter, r *http.Request, p *projectState) {
	interval, ok := intervalParam(w, r, true, "15min", "1hr", "3hr", "1day")
	if !ok {
		return
	}
	if r.URL.Query().Get("function_id") == "" {
		badRequest(w, "function_id is required")
		return
	}
	step := intervalBuckets[interval]
	now := time.Now().UTC().Truncate(step)
	rows := []map[string]any{}
	for i := 1; i >= 0; i-- {
		rows = append(rows, map[string]any{
			"timestamp": now.Add(-time.Duration(i) * step).UnixMicro(), "requests_count": 20 + i, "errors_count": i,
			"avg_execution_time": 41.5, "max_execution_time": 180, "avg_cpu_time_used": 12.1, "avg_memory_used": 21.3,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": rows})
}
