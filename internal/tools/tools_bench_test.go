package tools

import (
	"encoding/json"
	"fmt"
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"testing"

	supabasemcp "github.com/supabase-mcp/supabase-mcp"
)

// Benchmarks of the per-call work the server does itself; the end-to-end
// figures come from bench/run.sh.
//
//	go test ./internal/tools -run '^$' -bench . -benchmem

// BenchmarkLoadCatalogue is the start-up cost of the catalogue: built by
// the generated code and bound to the request structs (schemas are
// reflected on first use). It grows with the catalogue.
func BenchmarkLoadCatalogue(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCatalogueYAML is the same from tools.yaml, as when the
// generated code is stale.
func BenchmarkLoadCatalogueYAML(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(supabasemcp.ToolsYAML, Requests{}, toolsyaml.Decode); err != nil {
			b.Fatal(err)
		}
	}
}

func benchTool(b *testing.B, name string) *ExposedTool {
	b.Helper()
	cat, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	t := cat.Tool(name)
	if t == nil {
		b.Fatalf("no tool %s", name)
	}
	return &ExposedTool{Tool: t, Operations: t.Operations}
}

// BenchmarkInputSchema is building one tool's listed schema (done once per
// tool at start-up).
func BenchmarkInputSchema(b *testing.B) {
	e := benchTool(b, "projects")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.InputSchema(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeAndRequest is strict decoding of a call's arguments and
// building its HTTP request.
func BenchmarkDecodeAndRequest(b *testing.B) {
	e := benchTool(b, "projects")
	args := map[string]any{"operation": "get", "ref": "abcdefghijklmnopqrst"}
	b.ReportAllocs()
	for b.Loop() {
		call, err := e.Decode(args, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := call.HTTPRequest(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatResult is compacting (and, for user data, wrapping) a
// result: a 4-project list, and 300 SQL rows that exceed the result cap.
func BenchmarkFormatResult(b *testing.B) {
	e := benchTool(b, "projects")
	op := e.Operation("list")
	projects := []byte(`[
  {"id": "abcdefghijklmnopqrst", "ref": "abcdefghijklmnopqrst", "organization_id": "acme-corp", "name": "acme-prod", "region": "us-east-1", "created_at": "2024-01-01T00:00:00Z", "status": "ACTIVE_HEALTHY", "database": {"host": "db.abcdefghijklmnopqrst.supabase.co", "version": "15.8.1", "postgres_engine": "15", "release_channel": "ga"}},
  {"id": "bcdefghijklmnopqrstu", "ref": "bcdefghijklmnopqrstu", "organization_id": "acme-corp", "name": "acme-staging", "region": "eu-central-1", "created_at": "2024-01-01T00:00:00Z", "status": "INACTIVE", "database": {"host": "db.bcdefghijklmnopqrstu.supabase.co", "version": "15.8.1", "postgres_engine": "15", "release_channel": "ga"}}
]`)
	b.Run("projects", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			(&Call{Op: op}).FormatResult(200, projects, 0)
		}
	})
	sql := benchTool(b, "database").Operation("execute_sql")
	rows := make([]map[string]any, 300)
	for i := range rows {
		rows[i] = map[string]any{"id": i, "name": fmt.Sprintf("row %d with some text to make it longer", i), "created_at": "2024-01-01T00:00:00Z", "tags": []string{"a", "b"}, "payload": map[string]any{"k": i}}
	}
	body, _ := json.MarshalIndent(rows, "", "  ")
	b.Run("300-rows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			(&Call{Op: sql}).FormatResult(201, body, 0)
		}
	})
}
