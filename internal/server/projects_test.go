package server

import (
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestProjectUpdateAndUpgradeEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	renamed := decodeJSON[map[string]any](t, h.ok("projects_write", map[string]any{"operation": "update", "ref": activeRef, "name": "acme-production"}))
	if renamed["name"] != "acme-production" {
		t.Fatalf("update = %v", renamed)
	}
	if p, _ := h.api.Project(activeRef); p.Name != "acme-production" {
		t.Fatalf("state has name %q", p.Name)
	}
	h.fails("projects_write", map[string]any{"operation": "update", "ref": activeRef, "name": ""}, "at least 1")

	started := decodeJSON[map[string]string](t, h.ok("projects_write", map[string]any{"operation": "upgrade", "ref": activeRef, "target_version": "17"}))
	if started["tracking_id"] == "" {
		t.Fatalf("upgrade = %v", started)
	}
	status := decodeJSON[map[string]map[string]any](t, h.ok("projects_read", map[string]any{"operation": "get_upgrade_status", "ref": activeRef,
		"tracking_id": started["tracking_id"]}))
	if st := status["databaseUpgradeStatus"]; st == nil || st["target_version"] != 17.0 {
		t.Fatalf("upgrade status = %v", status)
	}
	if p, _ := h.api.Project(activeRef); p.Database.PostgresEngine != "17" {
		t.Fatalf("engine after upgrade = %s", p.Database.PostgresEngine)
	}
	// Already on 17, and a paused project cannot upgrade: the API's 400 comes back.
	h.fails("projects_write", map[string]any{"operation": "upgrade", "ref": activeRef, "target_version": "17"}, "Supabase API error 400")
	h.fails("projects_write", map[string]any{"operation": "upgrade", "ref": pausedRef, "target_version": "17"}, "Supabase API error 400", "INACTIVE")
}

// A project moves between organizations with a claim token: its owner
// creates the token, the other organization previews and claims it.
func TestProjectClaimEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	created := decodeJSON[map[string]string](t, h.ok("projects_write", map[string]any{"operation": "create_claim_token", "ref": activeRef, "reveal": true}))
	token := created["token"]
	if len(token) < 20 || created["token_alias"] == "" {
		t.Fatalf("create_claim_token = %v", created)
	}
	if info := decodeJSON[map[string]any](t, h.ok("projects_read", map[string]any{"operation": "get_claim_token", "ref": activeRef})); info["token"] != nil || info["token_alias"] != created["token_alias"] {
		t.Fatalf("get_claim_token = %v", info)
	}

	globex := sandbox.SeedOrgGlobex
	preview := decodeJSON[map[string]any](t, h.ok("organizations_read", map[string]any{"operation": "get_claim", "slug": globex, "token": token}))
	pv := preview["preview"].(map[string]any)
	if pv["valid"] != true || pv["source_subscription_plan"] != "pro" || pv["target_subscription_plan"] != "free" {
		t.Fatalf("get_claim = %v", preview)
	}
	h.ok("organizations_write", map[string]any{"operation": "claim", "slug": globex, "token": token})
	if p, _ := h.api.Project(activeRef); p.OrganizationSlug != globex {
		t.Fatalf("project is in %s after the claim", p.OrganizationSlug)
	}
	// The token is spent.
	h.fails("organizations_write", map[string]any{"operation": "claim", "slug": globex, "token": token}, "Supabase API error 404")
	h.fails("projects_read", map[string]any{"operation": "get_claim_token", "ref": activeRef}, "Supabase API error 404")

	// Revoking: the seeded token stops working.
	h.ok("projects_write", map[string]any{"operation": "delete_claim_token", "ref": sandbox.SeedProjectComing})
	h.fails("organizations_read", map[string]any{"operation": "get_claim", "slug": acme, "token": sandbox.SeedClaimToken}, "Supabase API error 404")
}
