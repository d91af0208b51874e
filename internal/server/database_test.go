package server

import (
	"os"
	"strings"
	"testing"
)

func TestDatabaseMigrationHistoryEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	const first, second = "20250115093000", "20250116120000"

	m := h.ok("database_read", map[string]any{"operation": "get_migration", "ref": activeRef, "version": first})
	if !strings.Contains(m, "<untrusted-data-") || decodeJSON[map[string]any](t, m)["name"] != "create_profiles" {
		t.Fatalf("get_migration = %s", m)
	}
	h.ok("database_write", map[string]any{"operation": "update_migration", "ref": activeRef, "version": first,
		"name": "create_profiles_table", "rollback": "drop table public.profiles"})
	got := decodeJSON[map[string]any](t, h.ok("database_read", map[string]any{"operation": "get_migration", "ref": activeRef, "version": first}))
	if got["name"] != "create_profiles_table" || got["rollback"].([]any)[0] != "drop table public.profiles" {
		t.Fatalf("after update_migration = %v", got)
	}
	// The API requires a body: an update naming nothing sends {}.
	h.ok("database_write", map[string]any{"operation": "update_migration", "ref": activeRef, "version": first})
	if reqs := h.api.Requests(); string(reqs[len(reqs)-1].Body) != "{}" {
		t.Fatalf("empty update sent %q", reqs[len(reqs)-1].Body)
	}

	// A migration without rollback SQL is only removed from the history.
	h.ok("database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": second})
	if migs := h.api.Migrations(activeRef); len(migs) != 1 || migs[0].Version != first {
		t.Fatalf("history after rollback = %v", migs)
	}

	h.fails("database_read", map[string]any{"operation": "get_migration", "ref": activeRef, "version": "2025-01-15"}, "does not match")
	h.fails("database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef}, "needs gte")
	h.fails("database_read", map[string]any{"operation": "get_migration", "ref": activeRef, "version": "1"}, "Supabase API error 404", "list operation")
}

// rollback_migrations runs the rollback SQL recorded with the migrations,
// newest first, and drops them from the history.
func TestRollbackMigrationsOnPostgres(t *testing.T) {
	if os.Getenv("SUPABASE_MCP_TEST_DATABASE_URL") == "" {
		t.Skip("SUPABASE_MCP_TEST_DATABASE_URL is not set; bash .ci/run starts a PostgreSQL for this")
	}
	h := newHarness(t, setup{})
	table := "rb_" + strings.ToLower(randomSuffix())
	t.Cleanup(func() {
		h.call("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "drop table if exists " + table})
	})
	h.ok("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "name": "create_" + table,
		"query": "create table " + table + " (id int)", "rollback": "drop table " + table})
	h.ok("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "name": "add_note",
		"query": "alter table " + table + " add column note text", "rollback": "alter table " + table + " drop column note;"})
	migs := h.api.Migrations(activeRef)
	created := migs[len(migs)-2].Version

	h.ok("database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": created})
	rows := decodeJSON[[]map[string]any](t, h.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef,
		"query": "select to_regclass('" + table + "') is null as gone"}))
	if rows[0]["gone"] != true {
		t.Fatalf("table %s still exists after the rollback", table)
	}
	if migs := h.api.Migrations(activeRef); len(migs) != 2 {
		t.Fatalf("history after rollback = %v", migs)
	}
}

func TestDatabaseIntrospectionEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	types := h.ok("database_read", map[string]any{"operation": "generate_types", "ref": activeRef, "included_schemas": "public,auth"})
	if !strings.Contains(types, "<untrusted-data-") {
		t.Fatalf("types are not wrapped as untrusted: %s", types)
	}
	ts := decodeJSON[map[string]string](t, types)["types"]
	if !strings.Contains(ts, "profiles: {") || !strings.Contains(ts, "  auth: {") {
		t.Fatalf("types = %s", ts)
	}
	spec := decodeJSON[map[string]any](t, h.ok("database_read", map[string]any{"operation": "get_openapi", "ref": activeRef}))
	if spec["swagger"] != "2.0" || spec["paths"].(map[string]any)["/profiles"] == nil {
		t.Fatalf("get_openapi = %v", spec)
	}
	ctx := decodeJSON[map[string][]map[string]any](t, h.ok("database_read", map[string]any{"operation": "get_context", "ref": activeRef}))
	if len(ctx["databases"]) != 1 || ctx["databases"][0]["name"] != "postgres" {
		t.Fatalf("get_context = %v", ctx)
	}
	if got := h.ok("database_write", map[string]any{"operation": "enable_webhooks", "ref": activeRef}); got != `{"status":201}` {
		t.Fatalf("enable_webhooks = %s", got)
	}
}
