package server

import (
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestReadReplicasEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	// The seeded replica is listed with the pooler settings, the API's
	// only list of a project's databases.
	replica, _ := sandbox.Fixtures()["database_config.remove_replica.database_identifier"].(string)
	pool := decodeJSON[[]map[string]any](t, h.ok("database_config_read", map[string]any{"operation": "get_pooler", "ref": activeRef}))
	if len(pool) != 2 || pool[1]["identifier"] != replica || pool[1]["database_type"] != "READ_REPLICA" {
		t.Fatalf("get_pooler = %v, want the primary and %s", pool, replica)
	}
	h.ok("database_config_write", map[string]any{"operation": "setup_replica", "ref": activeRef, "read_replica_region": "eu-central-1"})
	if last := lastRequest(h); last.Path != "/v1/projects/"+activeRef+"/read-replicas/setup" || string(last.Body) != `{"read_replica_region":"eu-central-1"}` {
		t.Fatalf("setup_replica sent %s %s", last.Path, last.Body)
	}
	h.ok("database_config_write", map[string]any{"operation": "remove_replica", "ref": activeRef, "database_identifier": replica})
	if last := lastRequest(h); last.Path != "/v1/projects/"+activeRef+"/read-replicas/remove" || string(last.Body) != `{"database_identifier":"`+replica+`"}` {
		t.Fatalf("remove_replica sent %s %s", last.Path, last.Body)
	}
	before := len(h.api.Requests())
	h.fails("database_config_write", map[string]any{"operation": "setup_replica", "ref": activeRef, "read_replica_region": "eu-central-3"}, "is not one of the allowed values", "eu-central-1")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("an unknown region reached the API")
	}
}
