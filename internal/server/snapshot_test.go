package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// updateSnapshots rewrites testdata/tools (go generate ./... passes it).
var updateSnapshots = flag.Bool("update-snapshots", false, "rewrite testdata/tools")

// The schema of every tool, as tools/list shows it with all feature groups,
// is kept under testdata/tools so that every change shows in review.
// Regenerate with go generate ./... (or SUPABASE_MCP_UPDATE_SNAPSHOTS=1).
func TestToolSchemaSnapshots(t *testing.T) {
	h := newHarness(t, setup{})
	dir := filepath.Join("..", "..", "testdata", "tools")
	update := *updateSnapshots || os.Getenv("SUPABASE_MCP_UPDATE_SNAPSHOTS") != ""
	if update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, tl := range h.listTools() {
		raw, err := json.MarshalIndent(tl, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, '\n')
		path := filepath.Join(dir, tl.Name+".json")
		seen[tl.Name+".json"] = true
		if update {
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("no snapshot for tool %s: run go generate ./...", tl.Name)
			continue
		}
		if !bytes.Equal(want, raw) {
			t.Errorf("tool %s differs from %s: review the change, then regenerate with go generate ./...", tl.Name, path)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("snapshot %s has no tool any more: regenerate with go generate ./...", e.Name())
		}
	}
}
