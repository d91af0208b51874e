package server

import (
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

func TestBackupsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	bk := func(op string, args map[string]any) map[string]any {
		args["operation"], args["ref"] = op, activeRef
		return args
	}

	list := decodeJSON[map[string]any](t, h.ok("backups_read", bk("list", map[string]any{})))
	if list["pitr_enabled"] != true || len(list["backups"].([]any)) == 0 {
		t.Fatalf("list = %v", list)
	}

	// Restore points round trip; the name goes in the query for get.
	created := decodeJSON[map[string]any](t, h.ok("backups_write", bk("create_restore_point", map[string]any{"name": "before-deploy"})))
	if created["status"] != "PENDING" {
		t.Fatalf("create_restore_point = %v", created)
	}
	got := decodeJSON[map[string]any](t, h.ok("backups_read", bk("get_restore_point", map[string]any{"name": "before-deploy"})))
	if got["status"] != "AVAILABLE" {
		t.Fatalf("get_restore_point = %v", got)
	}
	last := h.api.Requests()[len(h.api.Requests())-1]
	if last.Method != "GET" || last.RawQuery != "name=before-deploy" {
		t.Fatalf("get_restore_point sent %s ?%s", last.Method, last.RawQuery)
	}
	h.fails("backups_write", bk("create_restore_point", map[string]any{"name": "a-name-longer-than-twenty"}), "at most 20 characters")
	h.fails("backups_read", bk("get_restore_point", map[string]any{"name": "nope"}), "Supabase API error 404")

	// Schedule round trip; the time format is checked before sending.
	h.ok("backups_write", bk("update_schedule", map[string]any{"schedule_for": "02:30:00"}))
	if s := decodeJSON[map[string]any](t, h.ok("backups_read", bk("get_schedule", map[string]any{}))); s["schedule_for"] != "02:30:00" {
		t.Fatalf("get_schedule = %v", s)
	}
	before := len(h.api.Requests())
	h.fails("backups_write", bk("update_schedule", map[string]any{"schedule_for": "2:30am"}), "HH:MM:SS")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("a bad schedule reached the API")
	}
	h.fails("backups_read", map[string]any{"operation": "get_schedule", "ref": sandbox.SeedProjectComing}, "Supabase API error 402")

	// PITR outside the window is the API's error; inside, the project restores.
	h.fails("backups_write", bk("restore_pitr", map[string]any{"recovery_time_target_unix": time.Now().AddDate(0, -2, 0).Unix()}), "Supabase API error 400", "outside the recovery window")
	h.ok("backups_write", bk("restore_pitr", map[string]any{"recovery_time_target_unix": time.Now().Add(-30 * time.Minute).Unix()}))
	if p, _ := h.api.Project(activeRef); p.Status != sandbox.StatusRestoring {
		t.Fatalf("after restore_pitr the project is %s", p.Status)
	}
	h.fails("backups_write", bk("undo", map[string]any{"name": sandbox.SeedRestorePoint}), "Supabase API error 400", "RESTORING")
}
