package server

import (
	"strings"
	"testing"
)

func TestBillingEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	selected := func() string {
		t.Helper()
		var ids []string
		for _, a := range decodeJSON[struct {
			Selected []struct {
				Variant struct{ ID string } `json:"variant"`
			} `json:"selected_addons"`
		}](t, h.ok("billing_read", map[string]any{"operation": "list_addons", "ref": activeRef})).Selected {
			ids = append(ids, a.Variant.ID)
		}
		return strings.Join(ids, ",")
	}
	if got := selected(); got != "ci_small,pitr_7" {
		t.Fatalf("seeded add-ons: %s", got)
	}
	h.ok("billing_write", map[string]any{"operation": "apply_addon", "ref": activeRef, "addon_type": "ipv4", "addon_variant": "ipv4_default"})
	if last := lastRequest(h); last.Method != "PATCH" || string(last.Body) != `{"addon_type":"ipv4","addon_variant":"ipv4_default"}` {
		t.Fatalf("apply_addon sent %s %s", last.Method, last.Body)
	}
	h.ok("billing_write", map[string]any{"operation": "remove_addon", "ref": activeRef, "addon_variant": "ipv4_default"})
	if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef+"/billing/addons/ipv4_default"); n != 1 {
		t.Fatalf("remove_addon sent %d DELETEs to the variant's path", n)
	}

	before := len(h.api.Requests())
	h.fails("billing_write", map[string]any{"operation": "apply_addon", "ref": activeRef, "addon_type": "pitr", "addon_variant": "ci_large"}, "ci_large is a compute_instance variant, not pitr")
	h.fails("billing_write", map[string]any{"operation": "apply_addon", "ref": activeRef, "addon_type": "log_drain", "addon_variant": "log_drain_default"}, "addon_type", "not one of")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("bad arguments reached the API")
	}
}
