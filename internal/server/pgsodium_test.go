package server

import (
	"fmt"
	"strings"
	"testing"
)

func TestPgsodiumEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	old := decodeJSON[map[string]string](t, h.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef, "reveal": true}))["root_key"]
	if old == "" || strings.Contains(old, "redacted") {
		t.Fatalf("no root key: %q", old)
	}
	if got := decodeJSON[map[string]string](t, h.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef}))["root_key"]; got != fmt.Sprintf("<redacted: %d chars; ask again with reveal: true>", len(old)) {
		t.Fatalf("root_key without reveal = %q", got)
	}
	const key = "c2VjcmV0LXJvb3Qta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5"
	h.ok("database_config_write", map[string]any{"operation": "update_pgsodium", "ref": activeRef, "root_key": key})
	if got := decodeJSON[map[string]string](t, h.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef, "reveal": true}))["root_key"]; got != key {
		t.Fatalf("root_key = %q", got)
	}
	h.fails("database_config_write", map[string]any{"operation": "update_pgsodium", "ref": activeRef, "root_key": ""}, "at least 1")
	h.fails("database_config_write", map[string]any{"operation": "update_pgsodium", "ref": activeRef}, "needs root_key")
}
