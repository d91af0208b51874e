package server

import (
	"encoding/json"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

// DefaultFeatures are the feature groups enabled without --features; cmd
// wires the same list.
var defaultFeaturesForTest = DefaultFeatures

// The context budget: every byte of tools/list is paid on every model turn.
func TestToolListByteBudget(t *testing.T) {
	measure := func(p *guard.Policy) (bytes, ops int) {
		h := newHarness(t, setup{policy: p})
		list := h.listTools()
		raw, err := json.Marshal(map[string]any{"tools": list})
		if err != nil {
			t.Fatal(err)
		}
		for _, tl := range list {
			var schema struct {
				Properties struct {
					Operation struct {
						Enum []string `json:"enum"`
					} `json:"operation"`
				} `json:"properties"`
			}
			s, _ := json.Marshal(tl.InputSchema)
			_ = json.Unmarshal(s, &schema)
			ops += len(schema.Properties.Operation.Enum)
		}
		return len(raw), ops
	}
	all, allOps := measure(&guard.Policy{})
	def, defOps := measure(&guard.Policy{Features: defaultFeaturesForTest})
	t.Logf("all feature groups: %d bytes, %d operations; default %v: %d bytes, %d operations", all, allOps, defaultFeaturesForTest, def, defOps)
	// Issue 12's budgets for the listing split by access level.
	if all > 34_000 {
		t.Errorf("all feature groups list %d bytes, budget 34000", all)
	}
	if def > 16_000 || defOps < 60 {
		t.Errorf("default features list %d bytes for %d operations; budget 16000 bytes for at least 60", def, defOps)
	}
}
