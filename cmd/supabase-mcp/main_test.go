package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

const token = "sbp_stdio_test_token_5f9c2e7a1b3d"

// builtBinary is a binary compiled once for the whole test run (each test
// used to compile its own copy).
type builtBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// binary is the default build (buildBinary), teamBinary the container
// image's, with the authserver and redis tags (buildTeamBinary).
var binary, teamBinary builtBinary

func TestMain(m *testing.M) {
	code := m.Run()
	for _, b := range []*builtBinary{&binary, &teamBinary} {
		if b.dir != "" {
			os.RemoveAll(b.dir)
		}
	}
	os.Exit(code)
}

// buildBinary compiles the real binary on first use and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	return compile(t, &binary)
}

// buildTeamBinary compiles the binary as the container image has it, with
// the OAuth authorization server and the Redis store (-tags
// authserver,redis), on first use.
func buildTeamBinary(t *testing.T) string {
	t.Helper()
	return compile(t, &teamBinary, "-tags", "authserver,redis")
}

func compile(t *testing.T, b *builtBinary, flags ...string) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "supabase-mcp-test-")
		if err != nil {
			b.err = err
			return
		}
		b.dir, b.path = dir, filepath.Join(dir, "supabase-mcp")
		args := append(append([]string{"build"}, flags...), "-o", b.path, ".")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Over stdio, as Claude Desktop runs it: initialize with a modern and a
// pinned 2025-11-25 client, list tools (split by access level, with
// titles), call projects_read list and projects_write update, and see an
// old tool name refused with its successors.
func TestStdioLikeADesktopClient(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	for _, version := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		t.Run(version, func(t *testing.T) {
			api.ResetRequests()
			var opts []mcpclient.ClientOption
			if version == mcp.ProtocolVersion20251125 {
				opts = append(opts, mcpclient.WithProtocolVersion(version))
			}
			tr := transport.NewStdio(bin, []string{"SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL()}, "--log-level", "debug")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := tr.Start(ctx); err != nil {
				t.Fatal(err)
			}
			c := mcpclient.NewClient(tr, opts...)
			defer c.Close()
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = version
			init.Params.ClientInfo = mcp.Implementation{Name: "desktop-test", Version: "1"}
			res, err := c.Initialize(ctx, init)
			if err != nil {
				t.Fatal(err)
			}
			if res.ProtocolVersion != version || res.ServerInfo.Name != "supabase-mcp" {
				t.Fatalf("initialize = %s %s", res.ProtocolVersion, res.ServerInfo.Name)
			}
			tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tl := range tools.Tools {
				names = append(names, tl.Name)
				if tl.Title == "" || tl.Annotations.Title != tl.Title || tl.Annotations.ReadOnlyHint == nil || *tl.Annotations.ReadOnlyHint != strings.HasSuffix(tl.Name, "_read") {
					t.Errorf("%s: title %q, annotations %+v", tl.Name, tl.Title, tl.Annotations)
				}
			}
			if !slices.Contains(names, "projects_read") || !slices.Contains(names, "projects_write") || slices.Contains(names, "projects") {
				t.Fatalf("tools = %v", names)
			}
			call := mcp.CallToolRequest{}
			call.Params.Name = "projects_read"
			call.Params.Arguments = map[string]any{"operation": "list"}
			out, err := c.CallTool(ctx, call)
			if err != nil {
				t.Fatal(err)
			}
			text := out.Content[0].(mcp.TextContent).Text
			// Every result is inside an untrusted-data boundary.
			_, inner, _ := strings.Cut(text, ">\n")
			inner, _, _ = strings.Cut(inner, "\n</untrusted-data-")
			var projects []map[string]any
			if out.IsError || json.Unmarshal([]byte(inner), &projects) != nil || len(projects) != len(api.Projects()) {
				t.Fatalf("projects list = %s", text)
			}
			reqs := api.Requests()
			if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer "+token || !strings.HasPrefix(reqs[0].Header.Get("User-Agent"), "supabase-mcp/") {
				t.Fatalf("requests = %+v", reqs)
			}

			// A plain write (a rename needs no confirmation) on the _write tool.
			ref := projects[0]["id"].(string)
			call.Params.Name = "projects_write"
			call.Params.Arguments = map[string]any{"operation": "update", "ref": ref, "name": projects[0]["name"]}
			if out, err := c.CallTool(ctx, call); err != nil || out.IsError {
				t.Fatalf("projects_write update: %v %+v", err, out)
			}
			if reqs := api.Requests(); len(reqs) != 2 || reqs[1].Method != "PATCH" || reqs[1].Path != "/v1/projects/"+ref {
				t.Fatalf("requests = %+v", reqs)
			}

			call.Params.Name = "projects"
			if _, err := c.CallTool(ctx, call); err == nil || !strings.Contains(err.Error(), "`projects` is now `projects_read` and `projects_write`") {
				t.Fatalf("old name: %v", err)
			}
			if n := len(api.Requests()); n != 2 {
				t.Fatalf("the old name sent a request (%d in all)", n)
			}
		})
	}
}

// Bad command lines exit non-zero with one line on stderr and nothing on stdout.
func TestCommandLineErrors(t *testing.T) {
	bin := buildBinary(t)
	cases := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--read-olny"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, "unknown flag --read-olny; did you mean --read-only?"},
		{[]string{"--rate-limit", "abc"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, `--rate-limit "abc": use a whole number`},
		{nil, []string{"SUPABASE_ACCESS_TOKEN=x", "SUPABASE_MCP_READ_ONLY=maybe"}, `SUPABASE_MCP_READ_ONLY="maybe": use true or false`},
		{[]string{"--features", "all,foo"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, `unknown feature group "foo"`},
		{nil, []string{"SUPABASE_ACCESS_TOKEN=sbp_..."}, "placeholder"},
		{[]string{"--tools", "projects.list", "--disable-tools", "projects.list"}, []string{"SUPABASE_ACCESS_TOKEN=sbp_0123456789abcdef0123456789abcdef01234567"}, "no tools left to offer: --tools projects_read.list with --disable-tools projects_read.list"},
		{[]string{"--tools", "projects.delete", "--read-only"}, []string{"SUPABASE_ACCESS_TOKEN=sbp_0123456789abcdef0123456789abcdef01234567"}, "--read-only (read operations only)"},
		{[]string{"--features", "databse"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, `unknown feature group "databse"`},
		{nil, nil, "SUPABASE_ACCESS_TOKEN"},
	}
	for _, tc := range cases {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err == nil || cmd.ProcessState.ExitCode() == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if stdout.Len() != 0 || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stdout %q stderr %q, want one line with %q", tc.args, stdout.String(), stderr.String(), tc.want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"login", "--help"}, {"logout", "-help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.Output()
		if err != nil || !strings.HasPrefix(string(out), "Usage: supabase-mcp") || !strings.Contains(string(out), "--api-url URL") {
			t.Errorf("%v: exit %v, stdout %q", args, err, out)
		}
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "supabase-mcp ") {
		t.Errorf("--version: %q %v", out, err)
	}
}
