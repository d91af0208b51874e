package server

import (
	"context"
	"fmt"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// admit runs a call within the server's bounds: a call cancelled before it
// starts, one with oversized arguments, or one beyond the concurrency bounds
// is refused at once (nothing is queued), and a call cancelled while it runs
// says whether its request had left.
func (s *Server) admit(ctx context.Context, et *tools.ExposedTool, req mcp.CallToolRequest) *mcp.CallToolResult {
	name := et.Name
	if op := knownOperation(et, req); op != "" {
		name += "." + op
	}
	if ctx.Err() != nil {
		return notSent(name)
	}
	if n, over := argumentBytes(req.GetArguments(), s.opts.MaxArgumentBytes); over {
		return mcp.NewToolResultError(fmt.Sprintf("The arguments of %s are too large (over %d bytes; at most %d): nothing was sent. Send less at once, for example fewer or smaller files or statements.", name, n, s.opts.MaxArgumentBytes))
	}
	release, busy := s.slots.acquire(ctx)
	if busy != "" {
		return mcp.NewToolResultError(busy)
	}
	defer release()

	// Whether any request of this call left the server: once it has, a
	// cancellation cannot take it back.
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }})
	res := s.call(ctx, et, req)
	if ctx.Err() != nil && res.IsError {
		if sent.Load() {
			return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled after its request was sent; the outcome is unknown. If it changes something, check its effect (for example with a get or list operation) before retrying.", name))
		}
		return notSent(name)
	}
	return res
}

// knownOperation is the call's operation argument if the tool has it, else
// "": until decoding, the argument is the client's text of any size, so it
// is never echoed or logged as it came.
func knownOperation(et *tools.ExposedTool, req mcp.CallToolRequest) string {
	op, _ := req.GetArguments()["operation"].(string)
	for _, known := range et.Operations {
		if known.Name == op {
			return op
		}
	}
	return ""
}

func notSent(name string) *mcp.CallToolResult {
	return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled before anything was sent; nothing was sent.", name))
}

// callSlots bounds the tool calls running at once, in total and per session
// (over HTTP: the MCP session and credential). A call that finds no slot is
// refused as busy rather than queued, so waiting calls never pile up.
type callSlots struct {
	total, perSession int

	mu        sync.Mutex
	running   int
	bySession map[string]int
}

func newCallSlots(total, perSession int) *callSlots {
	return &callSlots{total: total, perSession: perSession, bySession: map[string]int{}}
}

// acquire takes a slot for the call in ctx, or returns the busy message.
func (c *callSlots) acquire(ctx context.Context) (release func(), busy string) {
	key, perSession := "", c.total
	keys := []string{key}
	if id := identityFrom(ctx); id != nil { // HTTP: many sessions share the server
		key, perSession = bindingSubject(ctx), c.perSession
		keys = []string{key}
		if strings.HasPrefix(id.principal, "bearer:") {
			// One user's token: its sessions share the bound, or opening
			// more sessions would take every slot from the other users.
			keys = append(keys, "credential\x00"+id.principal)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running >= c.total {
		return nil, fmt.Sprintf("The server is busy: %d tool calls are running, the most it runs at once. Nothing was sent; retry shortly.", c.running)
	}
	for i, k := range keys {
		if c.bySession[k] >= perSession {
			who := "this session"
			if i > 0 {
				who = "this access token (in all its sessions)"
			}
			return nil, fmt.Sprintf("The server is busy: %s already runs %d tool calls, the most one session may run at once. Nothing was sent; retry when one has finished.", who, c.bySession[k])
		}
	}
	c.running++
	for _, k := range keys {
		c.bySession[k]++
	}
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.running--
		for _, k := range keys {
			if c.bySession[k]--; c.bySession[k] <= 0 {
				delete(c.bySession, k)
			}
		}
	}, ""
}

// argumentBytes is about the JSON size of decoded arguments, counted until
// it passes limit (over reports that).
func argumentBytes(v any, limit int64) (n int64, over bool) {
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			n += int64(len(v)) + 2
		case map[string]any:
			n += 2
			for k, e := range v {
				n += int64(len(k)) + 4
				if !walk(e) {
					return false
				}
			}
		case []any:
			n += 2
			for _, e := range v {
				n++
				if !walk(e) {
					return false
				}
			}
		default: // numbers, booleans, null
			n += 8
		}
		return n <= limit
	}
	walk(v)
	return n, n > limit
}

// byteBudget bounds the bytes that messages in progress hold together, so
// that many large calls at once cannot add up beyond it. The first message
// always fits, whatever its size (it is capped on its own).
type byteBudget struct {
	mu   sync.Mutex
	used int64
	max  int64
}

func (b *byteBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used > 0 && b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

// inUse is the bytes held now.
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}
