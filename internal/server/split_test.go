package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Under every combination of read-only mode, project scope, feature set and
// confirmation policy, each listed tool holds operations of one access
// level only, and its annotations follow the rules, recomputed here from
// the catalogue's fields rather than from the code under test.
func TestSplitToolsAndAnnotationsUnderEveryPolicy(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, readOnly := range []bool{false, true} {
		for _, ref := range []string{"", activeRef} {
			for _, features := range [][]string{DefaultFeatures, cat.Features()} {
				for _, confirm := range []string{guard.ConfirmAuto, guard.ConfirmElicit, guard.ConfirmToken, guard.ConfirmDeny, guard.ConfirmNone} {
					name := fmt.Sprintf("ro=%v/ref=%v/features=%d/confirm=%s", readOnly, ref != "", len(features), confirm)
					t.Run(name, func(t *testing.T) {
						p := &guard.Policy{ReadOnly: readOnly, ProjectRef: ref, Features: features, Confirm: confirm}
						checkListing(t, cat, newHarness(t, setup{policy: p}).listTools(), readOnly)
					})
				}
			}
		}
	}
}

func checkListing(t *testing.T, cat *tools.Catalogue, list []mcp.Tool, readOnly bool) {
	t.Helper()
	if len(list) == 0 {
		t.Fatal("no tools listed")
	}
	for _, tl := range list {
		ct := cat.Tool(tl.Name)
		if ct == nil {
			t.Fatalf("listed tool %s is not in the catalogue", tl.Name)
		}
		raw, _ := json.Marshal(tl.InputSchema)
		var schema struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		isRead := strings.HasSuffix(tl.Name, "_read")
		if !isRead && !strings.HasSuffix(tl.Name, "_write") {
			t.Errorf("%s: name ends in neither _read nor _write", tl.Name)
		}
		if readOnly && !isRead {
			t.Errorf("%s is listed in read-only mode", tl.Name)
		}
		params := map[string]bool{"operation": true, "confirm": true, tools.RevealArgument: true, tools.ValueFromArgument: !isRead}
		mayConfirm, allIdempotent := false, true
		for _, name := range schema.Properties["operation"].Enum {
			op := ct.Operation(name)
			if op == nil {
				t.Fatalf("%s lists operation %s it does not hold", tl.Name, name)
			}
			if (op.Class == tools.ClassRead) != isRead {
				t.Errorf("%s holds %s of class %s", tl.Name, name, op.Class)
			}
			for _, p := range op.Params() {
				params[p] = true
			}
			mayConfirm = mayConfirm || op.Class == tools.ClassDestructive || op.Billable || op.Sensitive != "" || (op.SQL != "" && op.Class != tools.ClassRead)
			allIdempotent = allIdempotent && op.Method != "POST"
		}
		for p := range schema.Properties {
			if !params[p] {
				t.Errorf("%s lists argument %s that none of its operations takes", tl.Name, p)
			}
		}
		a := tl.Annotations
		want := [4]bool{true, false, true, true}
		if !isRead {
			want = [4]bool{false, mayConfirm, allIdempotent, true}
		}
		if a.ReadOnlyHint == nil {
			t.Fatalf("%s: readOnlyHint is unset: %+v", tl.Name, a)
		}
		if isRead && (a.DestructiveHint == nil || a.IdempotentHint == nil) {
			t.Fatalf("%s: a read tool must spell out destructiveHint and idempotentHint: %+v", tl.Name, a)
		}
		if got := [4]bool{*a.ReadOnlyHint, hint(a.DestructiveHint, true), hint(a.IdempotentHint, false), hint(a.OpenWorldHint, true)}; got != want {
			t.Errorf("%s: readOnly, destructive, idempotent, openWorld = %v, want %v", tl.Name, got, want)
		}
		access := "write"
		if isRead {
			access = "read"
		}
		if tl.Title == "" || tl.Title != a.Title || !strings.HasSuffix(tl.Title, ": "+access) {
			t.Errorf("%s: title %q, annotations title %q", tl.Name, tl.Title, a.Title)
		}
	}
}

// The SQL operations sit on the side their class says: the read-only query
// and the explore helpers read; execute_sql and migrations write.
func TestSQLOperationsOnTheirSide(t *testing.T) {
	h := newHarness(t, setup{})
	h.ok("database_read", map[string]any{"operation": "execute_readonly_sql", "ref": activeRef, "query": "select 1 as one"})
	h.ok("database_read", map[string]any{"operation": "list_tables", "ref": activeRef})
	h.fails("database_read", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select 1"}, "it is on database_write")
	h.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select 1 as one"})
	h.fails("database_write", map[string]any{"operation": "list_tables", "ref": activeRef}, "it is on database_read")
}

// A call of a tool name from before the split is refused with an error that
// names its successors, through every transport.
func TestOldToolNamesAreRefusedWithTheirSuccessors(t *testing.T) {
	const want = "`database` is now `database_read` and `database_write`"
	args := map[string]any{"operation": "list_tables", "ref": activeRef}
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "database", args

	h := newHarness(t, setup{})
	if _, err := h.mcp.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("in-process: %v", err)
	}
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	if _, err := ro.mcp.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), "only `database_read` is enabled") {
		t.Errorf("read-only: %v", err)
	}
	req.Params.Name = "analytics"
	if _, err := h.mcp.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), "`analytics` is now `analytics_read`") {
		t.Errorf("a group that only reads: %v", err)
	}
	req.Params.Name = "no_such_tool" // still mcp-go's own answer
	if _, err := h.mcp.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown tool: %v", err)
	}

	// stdio, on the wire: a JSON-RPC error with the message.
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "old", "method": "tools/call", "params": map[string]any{"name": "database", "arguments": args}})
	var resp struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(w.wait("old")), &resp); err != nil || resp.Error == nil || !strings.Contains(resp.Error.Message, want) {
		t.Errorf("stdio: %+v %v", resp.Error, err)
	}

	// HTTP, modern and legacy sessions.
	u := newUsers(t)
	srv := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthBearer}})
	for _, kind := range []string{"http", "http-legacy"} {
		c := srv.mustConnect(t, kind, tokenA)
		old := mcp.CallToolRequest{}
		old.Params.Name, old.Params.Arguments = "organizations", map[string]any{"operation": "list"}
		if _, err := c.c.CallTool(context.Background(), old); err == nil || !strings.Contains(err.Error(), "`organizations` is now `organizations_read` and `organizations_write`") {
			t.Errorf("%s: %v", kind, err)
		}
		c.ok("organizations_read", map[string]any{"operation": "list"})
	}
}

// The tool list is static for the server's lifetime: modern clients are
// told they may cache it for ToolListTTL.
func TestToolListAdvertisesCacheLifetime(t *testing.T) {
	h := newHarness(t, setup{})
	res, err := h.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ttl, ok := res.TTL()
	if !ok || ttl != ToolListTTL.Milliseconds() || ttl < 60_000 {
		t.Errorf("tools/list ttlMs = %d (set %v), want %d", ttl, ok, ToolListTTL.Milliseconds())
	}
}

// The token-flow preview is a tool error (nothing happened) whose first
// words say so, and the API saw nothing.
func TestTokenPreviewIsAnErrorThatSaysNothingRan(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmToken}})
	args := map[string]any{"operation": "pause", "ref": activeRef}
	text, isErr := h.call("projects_write", args)
	if !isErr || !strings.HasPrefix(text, "NOT DONE. Confirmation required: projects_write.pause has not run and nothing was sent") {
		t.Fatalf("preview (isError %v): %s", isErr, text)
	}
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 0 {
		t.Fatalf("the preview sent %d requests", n)
	}
	i := strings.Index(text, `confirm: "`)
	if i < 0 {
		t.Fatalf("no token in %s", text)
	}
	token := text[i+len(`confirm: "`):]
	token = token[:strings.IndexByte(token, '"')]
	withToken := map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}
	if text, isErr := h.call("projects_write", withToken); isErr {
		t.Fatalf("confirmed call: %v %s", isErr, text)
	}
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 1 {
		t.Fatalf("the confirmed call sent %d requests", n)
	}
}

// toolOf names the tool that holds a group's operation, for tests that loop
// over operations of both access levels.
func toolOf(t testing.TB, group, op string) string {
	t.Helper()
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range cat.GroupTools()[group] {
		if cat.Tool(name).Operation(op) != nil {
			return name
		}
	}
	t.Fatalf("group %s has no operation %s", group, op)
	return ""
}

// absent calls a tool that must not exist on this server (a _write tool in
// read-only mode): mcp-go answers with a protocol error, and nothing is sent.
func (h *harness) absent(tool string, args map[string]any) {
	h.t.Helper()
	before := len(h.api.Requests())
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	if res, err := h.mcp.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), "not found") {
		h.t.Fatalf("%s exists on this server: %+v %v", tool, res, err)
	}
	if n := len(h.api.Requests()) - before; n != 0 {
		h.t.Fatalf("calling the absent %s sent %d requests", tool, n)
	}
}

// hint reads an annotation as a client must: an absent hint has the MCP
// spec's default.
func hint(p *bool, specDefault bool) bool {
	if p == nil {
		return specDefault
	}
	return *p
}
