package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// A migration whose answer is lost after the API applied it (a 5xx, a
// dropped connection) is resent by the client with the same Idempotency-Key,
// and the API applies it exactly once: the table is created once (a second
// run would fail on "already exists") and recorded once in the history.
func TestApplyMigrationExactlyOnceAfterLostAnswer(t *testing.T) {
	requireDB(t)
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
	}{
		{"5xx after applying", sandbox.Fault{Status: http.StatusServiceUnavailable}},
		{"dropped connection after applying", sandbox.Fault{Drop: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			table := "idem_" + strings.ToLower(randomSuffix())
			t.Cleanup(func() {
				h.call("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "drop table if exists " + table})
			})
			path := "/v1/projects/" + activeRef + "/database/migrations"
			before := len(h.api.Migrations(activeRef))
			f := tc.fault
			f.Method, f.Path, f.Times, f.AfterApply = "POST", path, 1, true
			h.api.InjectFault(f)

			h.ok("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "name": "create_" + table,
				"query": "create table " + table + " (id int)"})

			var keys []string
			for _, r := range h.api.Requests() {
				if r.Method == "POST" && r.Path == path {
					keys = append(keys, r.Header.Get("Idempotency-Key"))
				}
			}
			if len(keys) < 2 || keys[0] == "" {
				t.Fatalf("apply_migration sent %d requests with keys %q; want a resend after the lost answer, with a key", len(keys), keys)
			}
			for _, k := range keys[1:] {
				if k != keys[0] {
					t.Fatalf("the resend changed the Idempotency-Key: %q", keys)
				}
			}
			migs := h.api.Migrations(activeRef)
			if n := len(migs) - before; n != 1 || migs[len(migs)-1].Name != "create_"+table {
				t.Fatalf("history gained %d entries, want 1: %+v", n, migs)
			}
			rows := decodeJSON[[]map[string]any](t, h.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef,
				"query": "select to_regclass('" + table + "') is not null as exists"}))
			if rows[0]["exists"] != true {
				t.Fatalf("table %s was not created", table)
			}

			// The next call is another logical call: a fresh key.
			h.ok("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "name": "noop", "query": "select 1"})
			reqs := h.api.Requests()
			if last := reqs[len(reqs)-1].Header.Get("Idempotency-Key"); last == "" || last == keys[0] {
				t.Fatalf("the next call sent key %q (first call's %q)", last, keys[0])
			}
		})
	}
}

// Without an Idempotency-Key a write whose answer was lost is not resent:
// the model is told the outcome is unknown.
func TestWriteWithoutIdempotencyKeyNotResent(t *testing.T) {
	h := newHarness(t, setup{})
	path := "/v1/projects/" + activeRef + "/database/query"
	h.api.InjectFault(sandbox.Fault{Method: "POST", Path: path, Times: 1, Status: http.StatusServiceUnavailable, AfterApply: true})
	h.fails("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select 1"}, "outcome is unknown")
	if n := h.requestsTo("POST", path); n != 1 {
		t.Fatalf("execute_sql was sent %d times", n)
	}
	for _, r := range h.api.Requests() {
		if r.Header.Get("Idempotency-Key") != "" {
			t.Fatalf("%s %s sent an Idempotency-Key", r.Method, r.Path)
		}
	}
}

// A migration the API keeps failing is resent a bounded number of times,
// then reported with its outcome unknown.
func TestApplyMigrationRetriesBounded(t *testing.T) {
	h := newHarness(t, setup{})
	path := "/v1/projects/" + activeRef + "/database/migrations"
	h.api.InjectFault(sandbox.Fault{Method: "POST", Path: path, Status: http.StatusBadGateway})
	h.fails("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "query": "select 1"},
		"Supabase API error 502", "Idempotency-Key", "outcome is unknown")
	if n := h.requestsTo("POST", path); n != 4 {
		t.Fatalf("apply_migration was sent %d times, want 4 (1 + 3 retries)", n)
	}
}
