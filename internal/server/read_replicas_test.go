package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestReadReplicasEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	h.ok("database_config_write", map[string]any{"operation": "setup_replica", "ref": activeRef, "read_replica_region": "eu-central-1"})
	pool := decodeJSON[[]map[string]any](t, h.ok("database_config_read", map[string]any{"operation": "get_pooler", "ref": activeRef}))
	var added string
	for _, db := range pool {
		if id, _ := db["identifier"].(string); strings.Contains(id, "-rr-eu-central-1-") {
			added = id
		}
	}
	if added == "" {
		t.Fatalf("get_pooler does not list the new replica: %v", pool)
	}
	h.ok("database_config_write", map[string]any{"operation": "remove_replica", "ref": activeRef, "database_identifier": added})
	h.fails("database_config_write", map[string]any{"operation": "remove_replica", "ref": activeRef, "database_identifier": added}, "Supabase API error 404")
	h.fails("database_config_write", map[string]any{"operation": "setup_replica", "ref": activeRef, "read_replica_region": "eu-central-3"}, "is not one of the allowed values", "eu-central-1")
	// Replicas need more than Micro compute.
	micro := h.api.AddProject(sandbox.Project{Name: "tiny"})
	h.fails("database_config_write", map[string]any{"operation": "setup_replica", "ref": micro.Ref, "read_replica_region": "us-east-1"}, "Supabase API error 400", "Small compute")
}
