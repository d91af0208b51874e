// Command readmegen rewrites the tool list in README.md from tools.yaml.
// Run it with `go generate ./...` from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

func main() {
	path := "README.md"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "readmegen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	c, err := tools.Default()
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := tools.ReplaceReadmeToolList(string(old), c)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}
