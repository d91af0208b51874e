//go:generate go run -tags supabase_mcp_regen ./internal/tools/artefactgen
//go:generate go run ./internal/tools/readmegen README.md
//go:generate go test ./internal/server -run ^TestToolSchemaSnapshots$ -count=1 -args -update-snapshots

// Package supabasemcp embeds the tool catalogue so the binary carries it.
package supabasemcp

import _ "embed"

// ToolsYAML is tools.yaml, the catalogue of every tool and operation.
//
//go:embed tools.yaml
var ToolsYAML []byte
