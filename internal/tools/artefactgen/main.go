// Command artefactgen precomputes what start-up would otherwise derive from
// tools.yaml and the request structs: internal/tools/catalogue_gen.go (the
// catalogue as Go code) and internal/server/listing.gen.txt (every tool's
// tools/list entry, per configuration). go generate runs it from the
// repository root, built with the tools.RegenerateTag build tag so that a
// stale catalogue_gen.go cannot keep it from compiling.
package main

import (
	"fmt"
	"github.com/supabase-mcp/supabase-mcp/internal/tools/toolsyaml"
	"os"
	"path/filepath"

	supabasemcp "github.com/supabase-mcp/supabase-mcp"
	"github.com/supabase-mcp/supabase-mcp/internal/server"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "artefactgen:", err)
		os.Exit(1)
	}
}

func run() error {
	source, err := tools.CatalogueSource(supabasemcp.ToolsYAML, tools.Requests{}, toolsyaml.Decode)
	if err != nil {
		return err
	}
	c, err := tools.Load(supabasemcp.ToolsYAML, tools.Requests{}, toolsyaml.Decode)
	if err != nil {
		return err
	}
	listing, err := server.ListingArtefact(c)
	if err != nil {
		return err
	}
	if err := write(filepath.Join("internal", "tools", "catalogue_gen.go"), source); err != nil {
		return err
	}
	return write(filepath.Join("internal", "server", "listing.gen.txt"), listing)
}

// write replaces a file whole, so that a failed run leaves the old one.
func write(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
