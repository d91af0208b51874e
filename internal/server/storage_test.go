package server

import (
	"testing"
)

func TestStorageEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})

	buckets := decodeJSON[[]map[string]any](t, h.ok("services_read", map[string]any{"operation": "list_buckets", "ref": activeRef}))
	if len(buckets) != 2 || buckets[0]["name"] != "avatars" {
		t.Fatalf("list_buckets = %v", buckets)
	}

	// Update then read back; the string "10485760" is repaired to a number.
	h.ok("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{
		"fileSizeLimit": "10485760",
		"features": map[string]any{
			"imageTransformation": map[string]any{"enabled": false},
			"icebergCatalog":      map[string]any{"enabled": true, "maxNamespaces": 2, "maxTables": 10, "maxCatalogs": 1},
		},
	}})
	cfg := decodeJSON[map[string]any](t, h.ok("services_read", map[string]any{"operation": "get_storage", "ref": activeRef}))
	features := cfg["features"].(map[string]any)
	if cfg["fileSizeLimit"] != 10485760.0 || features["imageTransformation"].(map[string]any)["enabled"] != false ||
		features["icebergCatalog"].(map[string]any)["maxTables"] != 10.0 || features["s3Protocol"].(map[string]any)["enabled"] != true {
		t.Fatalf("config after update = %v", cfg)
	}

	// The free-form config is checked against the full spec shape before sending.
	before := len(h.api.Requests())
	h.fails("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{"fileSizeLimt": 1}},
		"unknown field config.fileSizeLimt", "did you mean fileSizeLimit")
	h.fails("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{
		"features": map[string]any{"s3protocol": map[string]any{"enabled": true}}}}, "did you mean s3Protocol")
	h.fails("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{
		"features": map[string]any{"vectorBuckets": map[string]any{"enabled": true}}}}, "missing required field maxBuckets")
	h.fails("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{
		"external": map[string]any{"upstreamTarget": "beta"}}}, "main", "canary")
	h.fails("services_write", map[string]any{"operation": "update_storage", "ref": activeRef, "config": map[string]any{"fileSizeLimit": -1}},
		"at least 0")
	if n := len(h.api.Requests()); n != before {
		t.Fatalf("bad arguments sent %d requests", n-before)
	}
	h.fails("services_read", map[string]any{"operation": "get_storage", "ref": "zzzzzzzzzzzzzzzzzzzz"}, "Supabase API error 404")
}
