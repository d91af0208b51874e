package server

import (
	"testing"
)

func TestPgsodiumEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	old := decodeJSON[map[string]string](t, h.ok("pgsodium", map[string]any{"operation": "get_config", "ref": activeRef}))["root_key"]
	if old == "" {
		t.Fatal("no root key")
	}
	const key = "c2VjcmV0LXJvb3Qta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5"
	h.ok("pgsodium", map[string]any{"operation": "update_config", "ref": activeRef, "root_key": key})
	if got := decodeJSON[map[string]string](t, h.ok("pgsodium", map[string]any{"operation": "get_config", "ref": activeRef}))["root_key"]; got != key {
		t.Fatalf("root_key = %q", got)
	}
	h.fails("pgsodium", map[string]any{"operation": "update_config", "ref": activeRef, "root_key": ""}, "at least 1")
	h.fails("pgsodium", map[string]any{"operation": "update_config", "ref": activeRef}, "needs root_key")
}
