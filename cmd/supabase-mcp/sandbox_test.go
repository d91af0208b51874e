package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// sandboxServer is stdioServer that also returns the initialize result.
func sandboxServer(t *testing.T, bin string, env []string, args ...string) (*mcpclient.Client, *lockedBuffer, *mcp.InitializeResult) {
	t.Helper()
	stderr := &lockedBuffer{}
	tr := transport.NewStdioWithOptions(bin, append(env, "PATH="+os.Getenv("PATH")), args, transport.WithCommandStderrWriter(stderr))
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := mcpclient.NewClient(tr)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "sandbox-test", Version: "1"}
	res, err := c.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize: %v\n%s", err, stderr.String())
	}
	return c, stderr, res
}

// callText calls a tool and returns its text and whether it is an error.
func callText(t *testing.T, c *mcpclient.Client, tool string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res.Content[0].(mcp.TextContent).Text, res.IsError
}

func mustCall(t *testing.T, c *mcpclient.Client, tool string, args map[string]any) string {
	t.Helper()
	text, isErr := callText(t, c, tool, args)
	if isErr {
		t.Fatalf("%s %v: %s", tool, args, text)
	}
	return text
}

// supabase-mcp --sandbox needs no token: it lists tools and the demo
// projects, creates a branch and deploys a function, and with
// --sandbox-state finds them again after a restart; --sandbox-reset goes
// back to the seed. Without --sandbox-database-url, SQL is a clear error.
func TestSandboxOverStdio(t *testing.T) {
	bin := buildBinary(t)
	home := t.TempDir()
	state := filepath.Join(home, "sandbox.json")
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home} // no token, no stored login
	c, stderr, init := sandboxServer(t, bin, env, "--sandbox", "--sandbox-state", state, "--confirm", "none")
	if !strings.HasPrefix(init.Instructions, "SANDBOX:") {
		t.Errorf("the initialize instructions do not say it is a sandbox: %q", init.Instructions)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil || len(tools.Tools) < 5 {
		t.Fatalf("tools/list: %v (%d tools)", err, len(tools.Tools))
	}
	if !strings.Contains(stderr.String(), "SANDBOX") {
		t.Errorf("the startup log does not say it is a sandbox:\n%s", stderr)
	}
	if projects := mustCall(t, c, "projects_read", map[string]any{"operation": "list"}); !strings.Contains(projects, "acme-prod") || !strings.Contains(projects, "acme-staging") {
		t.Fatalf("demo projects missing: %s", projects)
	}
	mustCall(t, c, "branches_write", map[string]any{"operation": "create", "ref": sandbox.SeedProjectActive,
		"branch": map[string]any{"branch_name": "sandbox-demo-branch"}})
	mustCall(t, c, "functions_write", map[string]any{"operation": "deploy", "ref": sandbox.SeedProjectActive, "slug": "sandbox-demo-fn", "entrypoint_path": "index.ts",
		"files": []any{map[string]any{"name": "index.ts", "content": "Deno.serve(() => new Response('hi'))\n"}}})
	text, isErr := callText(t, c, "database_read", map[string]any{"operation": "execute_readonly_sql", "ref": sandbox.SeedProjectActive, "query": "select 1"})
	if !isErr || !strings.Contains(text, "--sandbox-database-url") {
		t.Fatalf("SQL without a database: isError=%v %s", isErr, text)
	}
	c.Close()
	if raw, err := os.ReadFile(state); err != nil || !strings.Contains(string(raw), "sandbox-demo-fn") {
		t.Fatalf("state file: %v", err)
	}

	c2, _ := stdioServer(t, bin, env, "--sandbox", "--sandbox-state", state)
	if b := mustCall(t, c2, "branches_read", map[string]any{"operation": "list", "ref": sandbox.SeedProjectActive}); !strings.Contains(b, "sandbox-demo-branch") {
		t.Fatalf("the branch did not survive the restart: %s", b)
	}
	if f := mustCall(t, c2, "functions_read", map[string]any{"operation": "list", "ref": sandbox.SeedProjectActive}); !strings.Contains(f, "sandbox-demo-fn") {
		t.Fatalf("the function did not survive the restart: %s", f)
	}
	c2.Close()

	c3, _ := stdioServer(t, bin, env, "--sandbox", "--sandbox-state", state, "--sandbox-reset")
	if b := mustCall(t, c3, "branches_read", map[string]any{"operation": "list", "ref": sandbox.SeedProjectActive}); strings.Contains(b, "sandbox-demo-branch") {
		t.Fatalf("--sandbox-reset kept the branch: %s", b)
	}
}

// With --sandbox-database-url, the SQL tools run on that PostgreSQL.
func TestSandboxWithDatabase(t *testing.T) {
	dbURL := os.Getenv(sandbox.EnvDatabaseURL)
	if dbURL == "" {
		t.Fatal(sandbox.EnvDatabaseURL + " is not set (CI starts PostgreSQL)")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	c, _ := stdioServer(t, bin, []string{"HOME=" + home}, "--sandbox", "--sandbox-database-url", dbURL)
	if text := mustCall(t, c, "database_read", map[string]any{"operation": "list_tables", "ref": sandbox.SeedProjectActive, "schemas": []any{"pg_catalog"}}); !strings.Contains(text, "pg_class") {
		t.Fatalf("list_tables: %s", text)
	}
	if text := mustCall(t, c, "database_read", map[string]any{"operation": "execute_readonly_sql", "ref": sandbox.SeedProjectActive, "query": "select 40 + 2 as answer"}); !strings.Contains(text, "42") {
		t.Fatalf("read-only query: %s", text)
	}
	text, isErr := callText(t, c, "database_read", map[string]any{"operation": "execute_readonly_sql", "ref": sandbox.SeedProjectActive, "query": "create table sandbox_should_not_exist (id int)"})
	if !isErr {
		t.Fatalf("a write through the read-only tool succeeded: %s", text)
	}
}
