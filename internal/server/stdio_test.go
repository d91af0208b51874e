package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// An oversized line is consumed without being kept, and its top-level id
// and method are found wherever they sit, never a nested "id".
func TestOversizedLineEnvelope(t *testing.T) {
	pad := strings.Repeat("x", 200<<10)
	cases := []struct{ line, id, method string }{
		{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{"id":"inner","s":"` + pad + `"}}}`, "7", "tools/call"},
		{`{"method":"tools/call","params":{"arguments":{"id":99,"s":"` + pad + `\"}"}},"jsonrpc":"2.0","id":"abc\"d"}`, `"abc\"d"`, "tools/call"},
		{`{"params":{"s":"` + pad + `"},"method":"ping"}`, "", "ping"},
		{`[{"id":1,"s":"` + pad + `"}]`, "", ""},
	}
	for _, c := range cases {
		r := bufio.NewReaderSize(strings.NewReader(c.line+"\n"+`{"id":2}`+"\n"), 4096)
		line, big, err := readBoundedLine(r, 64<<10)
		if err != nil || line != nil || big == nil {
			t.Fatalf("%.40s: line %d bytes, big %v, err %v", c.line, len(line), big, err)
		}
		if string(big.id) != c.id || big.method != c.method || big.n != int64(len(c.line)+1) {
			t.Errorf("%.40s: id %s method %q n %d", c.line, big.id, big.method, big.n)
		}
		next, big, _ := readBoundedLine(r, 64<<10)
		if big != nil || string(next) != `{"id":2}`+"\n" {
			t.Errorf("the next line was not read whole: %q", next)
		}
	}
}

// stdioWire drives ServeStdio in process over pipes.
type stdioWire struct {
	t   *testing.T
	in  *io.PipeWriter
	mu  sync.Mutex
	got map[string]string // response line by id; the server's requests by method
	all []string          // every line, in order
	ch  chan struct{}
}

func serveStdioWire(t *testing.T, srv *Server) *stdioWire {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeStdio(ctx, inR, outW) }()
	w := &stdioWire{t: t, in: inW, got: map[string]string{}, ch: make(chan struct{}, 1)}
	go func() {
		r := bufio.NewReader(outR)
		for {
			line, err := r.ReadString('\n')
			var head struct {
				ID     any    `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal([]byte(line), &head) == nil && head.ID != nil {
				key := fmt.Sprint(head.ID)
				if head.Method != "" { // a request of the server's: by its method
					key = head.Method
				}
				w.mu.Lock()
				w.got[key] = line
				w.all = append(w.all, line)
				w.mu.Unlock()
				select {
				case w.ch <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		inW.Close()
		cancel()
		<-done
		outW.Close()
	})
	return w
}

func (w *stdioWire) send(msg any) {
	b, _ := json.Marshal(msg)
	if _, err := w.in.Write(append(b, '\n')); err != nil {
		w.t.Fatal(err)
	}
}

func (w *stdioWire) wait(id string) string {
	w.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		w.mu.Lock()
		line, ok := w.got[id]
		w.mu.Unlock()
		if ok {
			return line
		}
		select {
		case <-w.ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			w.t.Fatalf("no response to %s", id)
		}
	}
}

// Calls waiting in mcp-go's queue behind busy workers are not registered
// for cancellation there yet: cancelled while queued, they are never sent.
func TestStdioCancelWhileQueued(t *testing.T) {
	h := newHarness(t, setup{tune: func(o *Options) { o.MaxCalls = 130 }}) // 100 workers, room to queue 30
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects/*", Delay: 2 * time.Second})
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "w", "version": "1"}, "capabilities": map[string]any{}}})
	w.wait("init")
	call := func(id, ref string) {
		w.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": map[string]any{"name": "projects_read", "arguments": map[string]any{"operation": "get", "ref": ref}}})
	}
	for i := range 100 { // every worker busy on a slow API
		call(fmt.Sprintf("busy-%d", i), activeRef)
	}
	for deadline := time.Now().Add(30 * time.Second); h.requestsTo("GET", "/v1/projects/"+activeRef) < 100; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d workers reached the API", h.requestsTo("GET", "/v1/projects/"+activeRef))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range 20 { // queued, then cancelled
		id := fmt.Sprintf("queued-%d", i)
		call(id, pausedRef)
		w.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": map[string]any{"requestId": id}})
	}
	w.send(map[string]any{"jsonrpc": "2.0", "id": "ping", "method": "ping"})
	w.wait("ping") // read while every worker is busy
	for i := range 20 {
		if line := w.wait(fmt.Sprintf("queued-%d", i)); !strings.Contains(line, "nothing was sent") {
			t.Errorf("queued-%d: %s", i, line)
		}
	}
	for i := range 100 {
		w.wait(fmt.Sprintf("busy-%d", i))
	}
	if n := h.requestsTo("GET", "/v1/projects/"+pausedRef); n != 0 {
		t.Fatalf("%d calls cancelled while queued were sent", n)
	}
}

// A request reusing the id of a running call is refused, so its response
// cannot free that call's slot.
func TestStdioRefusesReusedIDs(t *testing.T) {
	h := newHarness(t, setup{})
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Delay: time.Second})
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "w", "version": "1"}, "capabilities": map[string]any{}}})
	w.wait("1")
	w.send(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": map[string]any{"name": "projects_read", "arguments": map[string]any{"operation": "list"}}})
	w.send(map[string]any{"jsonrpc": "2.0", "id": 7.0, "method": "ping"})
	if line := w.wait("7"); !strings.Contains(line, "still running") {
		t.Fatalf("reused id: %s", line)
	}
	w.mu.Lock()
	delete(w.got, "7")
	w.mu.Unlock()
	if line := w.wait("7"); !strings.Contains(line, "acme") {
		t.Fatalf("the call itself: %s", line)
	}
}

// Large calls in progress hold at most MaxInflightBytes together (one
// always fits); beyond that they are refused as busy, nothing sent.
func TestStdioBoundsTheBytesInProgress(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}, tune: func(o *Options) { o.MaxInflightBytes = 3 << 20 }})
	h.api.InjectFault(sandbox.Fault{Method: "POST", Path: "/v1/projects/" + activeRef + "/functions/deploy", Delay: 2 * time.Second})
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "w", "version": "1"}, "capabilities": map[string]any{}}})
	w.wait("init")
	src := strings.Repeat("export const x = 1;\n", 2<<20/20)
	for i := range 3 {
		w.send(map[string]any{"jsonrpc": "2.0", "id": fmt.Sprintf("d%d", i), "method": "tools/call", "params": map[string]any{"name": "functions_write", "arguments": map[string]any{
			"operation": "deploy", "ref": activeRef, "slug": fmt.Sprintf("f%d", i), "entrypoint_path": "index.ts",
			"files": []any{map[string]any{"name": "index.ts", "content": src}}}}})
	}
	var busy int
	for i := range 3 {
		if strings.Contains(w.wait(fmt.Sprintf("d%d", i)), "busy") {
			busy++
		}
	}
	if busy != 2 {
		t.Fatalf("%d of 3 large calls refused as busy, want 2", busy)
	}
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/functions/deploy"); n != 1 {
		t.Fatalf("%d deploys sent", n)
	}
	// Once the first is done, the budget is free again.
	w.send(map[string]any{"jsonrpc": "2.0", "id": "again", "method": "tools/call", "params": map[string]any{"name": "functions_write", "arguments": map[string]any{
		"operation": "deploy", "ref": activeRef, "slug": "f9", "entrypoint_path": "index.ts",
		"files": []any{map[string]any{"name": "index.ts", "content": src}}}}})
	if line := w.wait("again"); strings.Contains(line, "busy") {
		t.Fatalf("after the first finished: %s", line)
	}
}

// Requests other than tool calls are bounded too: mcp-go gives each one a
// goroutine holding its line, so without the front end a client that sends
// faster than the server can answer would pile them up. Beyond MaxCalls of
// them in progress, or past the bytes budget, the next is refused at once
// with a JSON-RPC error; whatever its params, every request counts.
func TestStdioBoundsOtherRequests(t *testing.T) {
	h := newHarness(t, setup{tune: func(o *Options) { o.MaxCalls = 3; o.MaxInflightBytes = 3 << 20 }})
	typesPath := "/v1/projects/" + activeRef + "/types/typescript"
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: typesPath, Delay: 2 * time.Second})
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "w", "version": "1"}, "capabilities": map[string]any{}}})
	w.wait("init")
	read := func(id string, pad int) {
		params := map[string]any{"uri": "supabase://projects/" + activeRef + "/types/typescript"}
		if pad > 0 {
			params["_meta"] = map[string]any{"pad": strings.Repeat("x", pad)}
		}
		w.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": "resources/read", "params": params})
	}
	busy := func(line string) bool {
		return strings.Contains(line, `"code":-32000`) && strings.Contains(line, "The server is busy")
	}

	read("slow-1", 2<<20) // holds 2 MiB of the 3 MiB budget
	for deadline := time.Now().Add(30 * time.Second); h.requestsTo("GET", typesPath) < 1; {
		if time.Now().After(deadline) {
			t.Fatal("the first read never reached the API")
		}
		time.Sleep(10 * time.Millisecond)
	}
	read("heavy", 2<<20)
	if line := w.wait("heavy"); !busy(line) || !strings.Contains(line, "hold as much data") {
		t.Fatalf("a second 2 MiB request: %s", line)
	}
	read("slow-2", 0)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "bad-params", "method": "resources/read", "params": "not an object"})
	if line := w.wait("bad-params"); busy(line) {
		t.Fatalf("the third request was refused: %s", line)
	}
	// The refused and the answered freed their slots: two slow reads run.
	read("slow-3", 0)
	read("over", 0)
	w.send(map[string]any{"jsonrpc": "2.0", "id": "ping-over", "method": "ping"})
	for _, id := range []string{"over", "ping-over"} {
		if line := w.wait(id); !busy(line) || !strings.Contains(line, "3 requests other than tool calls") {
			t.Fatalf("%s, beyond 3 in progress: %s", id, line)
		}
	}
	w.send(map[string]any{"jsonrpc": "2.0", "id": map[string]any{"not": "an id"}, "method": "ping"})
	// A request that also carries a result or an error is one mcp-go would
	// never answer (it takes it for an answer): refused, it holds no slot.
	for i, extra := range []map[string]any{{"result": map[string]any{}}, {"result": nil}, {"error": map[string]any{"code": 1, "message": "x"}}} {
		msg := map[string]any{"jsonrpc": "2.0", "id": fmt.Sprintf("odd-%d", i), "method": "tools/call", "params": map[string]any{"name": "projects_read", "arguments": map[string]any{"operation": "list"}}}
		if i > 0 {
			msg["method"], msg["params"] = "ping", nil
		}
		for k, v := range extra {
			msg[k] = v
		}
		w.send(msg)
		if line := w.wait(fmt.Sprintf("odd-%d", i)); !strings.Contains(line, "must not carry a result or an error") {
			t.Fatalf("odd-%d (%v): %s", i, extra, line)
		}
	}
	for _, id := range []string{"slow-1", "slow-2", "slow-3"} {
		if line := w.wait(id); !strings.Contains(line, `"contents"`) {
			t.Fatalf("%s: %s", id, line)
		}
	}
	if n := h.requestsTo("GET", typesPath); n != 3 {
		t.Fatalf("%d reads reached the API, want the 3 admitted", n)
	}
	// All answered: the next ones are taken again.
	w.send(map[string]any{"jsonrpc": "2.0", "id": "ping-after", "method": "ping"})
	if line := w.wait("ping-after"); !strings.Contains(line, `"result"`) {
		t.Fatalf("ping after the reads: %s", line)
	}
}

// Over the stdio front end, the answer to the server's elicitation reaches
// mcp-go and the confirmed call goes out; a message with an id and no
// method that answers nothing the server asked is dropped, since mcp-go
// would answer it with that id and so free the slot of the client's own
// running request with the same id.
func TestStdioPassesOnlyAnswersToItsRequests(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmElicit}, tune: func(o *Options) { o.MaxCalls = 1 }})
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Delay: 2 * time.Second})
	w := serveStdioWire(t, h.srv)
	w.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "w", "version": "1"}, "capabilities": map[string]any{"elicitation": map[string]any{}}}})
	w.wait("1")
	w.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})

	// A slow call holds the one slot; answers to nothing the server asked,
	// with its id, must not free it.
	w.send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": map[string]any{"name": "projects_read", "arguments": map[string]any{"operation": "list"}}})
	for deadline := time.Now().Add(30 * time.Second); h.requestsTo("GET", "/v1/projects") < 1; {
		if time.Now().After(deadline) {
			t.Fatal("the slow call never reached the API")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.send(map[string]any{"jsonrpc": "2.0", "id": 2})
	w.send(map[string]any{"jsonrpc": "2.0", "id": 2, "error": map[string]any{"code": -1, "message": "no"}})
	w.send(map[string]any{"jsonrpc": "2.0", "id": 2, "result": nil})
	w.send(map[string]any{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": map[string]any{"name": "projects_read", "arguments": map[string]any{"operation": "list"}}})
	if line := w.wait("3"); !strings.Contains(line, "The server is busy") {
		t.Fatalf("a second call while the first runs, after answers to nothing: %s", line)
	}
	if line := w.wait("2"); !strings.Contains(line, "acme") {
		t.Fatalf("the slow call: %s", line)
	}

	// The user confirms through the client: the answer goes through.
	w.send(map[string]any{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": map[string]any{"name": "projects_write", "arguments": map[string]any{"operation": "pause", "ref": activeRef}}})
	var ask struct {
		ID     json.RawMessage `json:"id"`
		Params struct {
			RequestedSchema struct {
				Properties map[string]struct {
					Type        string `json:"type"`
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"requestedSchema"`
		} `json:"params"`
	}
	if err := json.Unmarshal([]byte(w.wait("elicitation/create")), &ask); err != nil {
		t.Fatal(err)
	}
	answer := any(true)
	if f, ok := ask.Params.RequestedSchema.Properties["confirm"]; ok && f.Type == "string" {
		answer = f.Description
	}
	// Answers to the question without a result never reach mcp-go, which
	// would answer them with the question's id (the client's own requests
	// may use the same ids, as initialize did here); the question still
	// waits for the real one.
	w.send(map[string]any{"jsonrpc": "2.0", "id": ask.ID})
	w.send(map[string]any{"jsonrpc": "2.0", "id": ask.ID, "result": nil})
	w.send(map[string]any{"jsonrpc": "2.0", "id": ask.ID, "error": map[string]any{"code": -1, "message": "no"}})
	w.send(map[string]any{"jsonrpc": "2.0", "id": ask.ID, "result": map[string]any{"action": "accept", "content": map[string]any{"confirm": answer}}})
	if line := w.wait("4"); strings.Contains(line, `"isError":true`) {
		t.Fatalf("the confirmed pause: %s", line)
	}
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 1 {
		t.Fatalf("%d pauses sent, want the one confirmed", n)
	}
	// Its answer would be an error with the question's id (which may also
	// be the id of one of this client's requests, answered with results).
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range w.all {
		var m struct {
			ID    json.RawMessage `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && string(m.ID) == string(ask.ID) && m.Error != nil {
			t.Fatalf("the server answered an answer to its question: %s", line)
		}
	}
}
