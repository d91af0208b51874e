package server

import (
	"fmt"
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
	if created["name"] != "before-deploy" {
		t.Fatalf("create_restore_point = %v", created)
	}
	got := decodeJSON[map[string]any](t, h.ok("backups_read", bk("get_restore_point", map[string]any{"name": "before-deploy"})))
	if got["name"] != "before-deploy" {
		t.Fatalf("get_restore_point = %v", got)
	}
	last := lastRequest(h)
	if last.Method != "GET" || last.RawQuery != "name=before-deploy" {
		t.Fatalf("get_restore_point sent %s ?%s", last.Method, last.RawQuery)
	}
	before := len(h.api.Requests())
	h.fails("backups_write", bk("create_restore_point", map[string]any{"name": "a-name-longer-than-twenty"}), "at most 20 characters")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("a long restore point name reached the API")
	}

	// Schedule round trip; the time format is checked before sending.
	h.ok("backups_write", bk("update_schedule", map[string]any{"schedule_for": "02:30:00"}))
	if s := decodeJSON[map[string]any](t, h.ok("backups_read", bk("get_schedule", map[string]any{}))); s["schedule_for"] != "02:30:00" {
		t.Fatalf("get_schedule = %v", s)
	}
	before = len(h.api.Requests())
	h.fails("backups_write", bk("update_schedule", map[string]any{"schedule_for": "2:30am"}), "HH:MM:SS")
	if n := len(h.api.Requests()); n != before {
		t.Fatal("a bad schedule reached the API")
	}
	// A free-plan project has no backup schedule (a seeded answer).
	h.fails("backups_read", map[string]any{"operation": "get_schedule", "ref": sandbox.SeedProjectComing}, "Supabase API error 402", "paid plan")

	// Restores send the target as given.
	target := time.Now().Add(-30 * time.Minute).Unix()
	h.ok("backups_write", bk("restore_pitr", map[string]any{"recovery_time_target_unix": target}))
	if last := lastRequest(h); string(last.Body) != fmt.Sprintf(`{"recovery_time_target_unix":%d}`, target) {
		t.Fatalf("restore_pitr sent %s", last.Body)
	}
	h.ok("backups_write", bk("undo", map[string]any{"name": "before-upgrade"}))
	if last := lastRequest(h); last.Path != "/v1/projects/"+activeRef+"/database/backups/undo" || string(last.Body) != `{"name":"before-upgrade"}` {
		t.Fatalf("undo sent %s %s", last.Path, last.Body)
	}
}
