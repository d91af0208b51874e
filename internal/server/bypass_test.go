package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// modernCall is a raw tools/call of protocol 2026-07-28, as a client that
// declares elicitation sends it (no session: stateless).
func modernCall(id int, args map[string]any, elicit bool) []byte {
	caps := map[string]any{}
	if elicit {
		caps["elicitation"] = map[string]any{}
	}
	msg := map[string]any{
		"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{
			"name": "projects_write", "arguments": args,
			"_meta": map[string]any{
				mcp.MetaKeyProtocolVersion:    mcp.ProtocolVersion20260728,
				mcp.MetaKeyClientInfo:         map[string]any{"name": "attacker", "version": "1"},
				mcp.MetaKeyClientCapabilities: caps,
			},
		},
	}
	b, _ := json.Marshal(msg)
	return b
}

// emittedStrings is every string in a JSON document, and for strings that
// look like "a.b", each part too.
func emittedStrings(v any, out map[string]bool) {
	switch v := v.(type) {
	case string:
		out[v] = true
		for _, sep := range []string{".", "-", ":", " "} {
			for _, part := range strings.Split(v, sep) {
				if len(part) >= 8 {
					out[part] = true
				}
			}
		}
	case map[string]any:
		for k, e := range v {
			out[k] = true
			emittedStrings(e, out)
		}
	case []any:
		for _, e := range v {
			emittedStrings(e, out)
		}
	}
}

// The model can read everything the server sends the client; nothing of it
// may confirm a destructive call: not the requestState, its nonce or its
// signature, not the elicitation id or any text in inputRequests or _meta,
// and not the token of another call.
func TestNoEmittedValueConfirms(t *testing.T) {
	h := newHarness(t, setup{})
	mcpSrv := h.srv.MCPServer()
	ctx := context.Background()
	del := map[string]any{"operation": "delete", "ref": activeRef}
	values := map[string]bool{}
	collect := func(msg mcp.JSONRPCMessage) string {
		out, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		emittedStrings(doc, values)
		return string(out)
	}

	// Elicitation round trip (modern): requestState, inputRequests, _meta.
	out := collect(mcpSrv.HandleMessage(ctx, modernCall(1, del, true)))
	if !strings.Contains(out, "input_required") || !strings.Contains(out, "requestState") {
		t.Fatalf("expected an input_required result: %s", out)
	}
	// The token flow's token for another call (another project), same subject.
	out = collect(mcpSrv.HandleMessage(ctx, modernCall(2, map[string]any{"operation": "delete", "ref": pausedRef}, false)))
	m := tokenRE.FindStringSubmatch(strings.ReplaceAll(out, `\"`, `"`))
	if m == nil {
		t.Fatalf("no token in %s", out)
	}
	values[m[1]] = true
	// A legacy session's preview and token, and what the user was asked.
	legacy := h.secondClient(t, true)
	text := legacy.fails("projects_write", map[string]any{"operation": "delete", "ref": pausedRef}, "Confirmation required")
	emittedStrings(text, values)

	var tried int
	for v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		args := map[string]any{"operation": "delete", "ref": activeRef, "confirm": v}
		for i, elicit := range []bool{true, false} {
			b, _ := json.Marshal(mcpSrv.HandleMessage(ctx, modernCall(100+i, args, elicit)))
			if !strings.Contains(string(b), `"isError":true`) {
				t.Errorf("confirm %q (modern, elicitation %v) was not refused: %s", v, elicit, b)
			}
		}
		// The harness's user would confirm anything if asked: the call must
		// be refused without asking.
		h.fails("projects_write", args)
		legacy.fails("projects_write", args)
		tried++
	}
	if tried < 10 {
		t.Fatalf("only %d values tried: %v", tried, values)
	}
	if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef) + h.requestsTo("DELETE", "/v1/projects/"+pausedRef); n != 0 {
		t.Fatalf("%d DELETE requests were sent after trying %d emitted values as confirm", n, tried)
	}
	if len(h.user.questions()) != 0 {
		t.Fatalf("the user was asked: %+v", h.user.questions())
	}
}
