package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestDatabaseConfigEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	dc := func(op string, args map[string]any) map[string]any {
		args["operation"], args["ref"] = op, activeRef
		return args
	}

	// Postgres settings: the whole body is one config argument.
	got := decodeJSON[map[string]any](t, h.ok("database_config_write", dc("update_postgres", map[string]any{
		"config": map[string]any{"work_mem": "16MB", "max_connections": 150, "restart_database": true},
	})))
	if got["work_mem"] != "16MB" {
		t.Fatalf("update_postgres = %v", got)
	}
	got = decodeJSON[map[string]any](t, h.ok("database_config_read", dc("get_postgres", map[string]any{})))
	if got["work_mem"] != "16MB" || got["max_connections"] != float64(150) {
		t.Fatalf("get_postgres after update = %v", got)
	}
	before := len(h.api.Requests())
	h.fails("database_config_write", dc("update_postgres", map[string]any{"config": map[string]any{"work_memory": "16MB"}}), "unknown field config.work_memory", "did you mean work_mem")
	h.fails("database_config_write", dc("update_postgres", map[string]any{"config": map[string]any{"max_connections": 0}}), "config.max_connections must be at least 1")
	h.fails("database_config_write", dc("update_postgres", map[string]any{"config": map[string]any{"statement_timeout": "a minute"}}), "config.statement_timeout")
	h.fails("database_config_write", dc("update_postgres", map[string]any{"config": map[string]any{}}), "config is empty")
	// The pooler takes the same argument name, validated against its own fields.
	h.fails("database_config_write", dc("update_pooler", map[string]any{"config": map[string]any{"work_mem": "16MB"}}), "unknown field config.work_mem", "default_pool_size, pool_mode")
	h.fails("database_config_write", dc("update_pooler", map[string]any{"config": map[string]any{"pool_mode": "statement"}}), "not one of the allowed values: transaction, session")
	h.fails("database_config_write", dc("modify_disk", map[string]any{"attributes": map[string]any{"type": "io2", "size_gb": 20, "iops": 5000, "throughput_mibps": 200}}), "for gp3 disks only")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}

	h.ok("database_config_write", dc("update_pooler", map[string]any{"config": map[string]any{"pool_mode": "session", "default_pool_size": 30}}))
	pool := decodeJSON[[]map[string]any](t, h.ok("database_config_read", dc("get_pooler", map[string]any{})))
	if pool[0]["pool_mode"] != "session" || pool[0]["default_pool_size"] != float64(30) {
		t.Fatalf("get_pooler = %v", pool)
	}
	if body := string(h.api.Requests()[len(h.api.Requests())-2].Body); body != `{"default_pool_size":30,"pool_mode":"session"}` {
		t.Fatalf("update_pooler sent %s, want the config as the whole body", body)
	}

	// SSL enforcement: the requested config is the body as given.
	h.ok("database_config_write", dc("update_ssl", map[string]any{"requestedConfig": map[string]any{"database": true}}))
	if last := lastRequest(h); last.Method != "PUT" || string(last.Body) != `{"requestedConfig":{"database":true}}` {
		t.Fatalf("update_ssl sent %s %s", last.Method, last.Body)
	}
	if !strings.Contains(h.ok("database_config_read", dc("get_ssl", map[string]any{})), `"currentConfig":{"database":false}`) {
		t.Fatal("get_ssl does not show the seeded config")
	}

	// Disk: grow it.
	h.ok("database_config_write", dc("modify_disk", map[string]any{"attributes": map[string]any{"type": "gp3", "size_gb": 32, "iops": 3000}}))
	if !strings.Contains(h.ok("database_config_read", dc("get_disk", map[string]any{})), `"size_gb":32`) {
		t.Fatal("get_disk does not show the new size")
	}
	h.ok("database_config_read", dc("get_disk_usage", map[string]any{}))
	h.ok("database_config_read", dc("get_autoscale", map[string]any{}))

	h.ok("database_config_write", dc("disable_readonly", map[string]any{}))
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/readonly/temporary-disable"); n != 1 {
		t.Fatalf("disable_readonly sent %d POSTs", n)
	}
	before = len(h.api.Requests())
	h.fails("database_config_write", dc("update_password", map[string]any{"password": "abc"}), "at least 4 characters")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("a short password reached the API")
	}
	h.ok("database_config_write", dc("update_password", map[string]any{"password": "a-new-Passw0rd"}))
}

func lastRequest(h *harness) sandbox.Recorded {
	reqs := h.api.Requests()
	return reqs[len(reqs)-1]
}
