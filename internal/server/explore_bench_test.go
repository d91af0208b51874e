package server

import (
	"strings"
	"testing"
)

// BenchmarkListTables300 measures list_tables on a schema of 300 tables
// through the whole server, and reports the result's size (target: well
// under 30 KB).
func BenchmarkListTables300(b *testing.B) {
	_, wide, _ := exploreDB(b)
	h := newHarness(b, setup{})
	args := map[string]any{"operation": "list_tables", "ref": activeRef, "schemas": []any{wide}}
	var text string
	for b.Loop() {
		text = h.ok("database_read", args)
	}
	b.ReportMetric(float64(len(text)), "result-bytes")
	if strings.Count(text, "\n") < 300 {
		b.Fatal("fewer than 300 tables listed")
	}
}
