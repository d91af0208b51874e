// Command emptyserver is the start-up floor for bench/run.sh: an mcp-go
// stdio server with no tools that links the same SQL parser as supabase-mcp.
// Its start-up is the Go runtime plus the package initialisation of those two
// dependencies, which supabase-mcp pays before its own main runs. It ignores
// its arguments.
package main

import (
	"context"
	"os"

	mcpserver "github.com/mark3labs/mcp-go/server"
	_ "github.com/pganalyze/pg_query_go/v6/parser"
	_ "github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
)

func main() {
	s := mcpserver.NewMCPServer("emptyserver", "1", mcpserver.WithToolCapabilities(false))
	if err := mcpserver.NewStdioServer(s).Listen(context.Background(), os.Stdin, os.Stdout); err != nil {
		os.Exit(1)
	}
}
