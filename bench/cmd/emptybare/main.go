// Command emptybare is the bare start-up floor for bench/run.sh: an mcp-go
// stdio server with no tools and no SQL parser. Its start-up is the Go
// runtime plus mcp-go's own package initialisation; everything supabase-mcp
// takes beyond it is its own cost. It ignores its arguments.
package main

import (
	"context"
	"os"

	mcpserver "github.com/mark3labs/mcp-go/server"
)

func main() {
	s := mcpserver.NewMCPServer("emptybare", "1", mcpserver.WithToolCapabilities(false))
	if err := mcpserver.NewStdioServer(s).Listen(context.Background(), os.Stdin, os.Stdout); err != nil {
		os.Exit(1)
	}
}
