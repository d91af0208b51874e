package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// stdioPeer drives the real binary over raw JSON-RPC lines.
type stdioPeer struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	wmu   sync.Mutex
	stder *lockedBuffer

	mu          sync.Mutex
	responses   map[string]json.RawMessage // by id
	arrived     map[string]time.Time
	elicitation int // elicitation/create requests the server sent
	got         chan struct{}
}

func startPeer(t *testing.T, bin string, env []string, args ...string) *stdioPeer {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &stdioPeer{t: t, cmd: cmd, in: in, stder: &lockedBuffer{}, responses: map[string]json.RawMessage{}, arrived: map[string]time.Time{}, got: make(chan struct{}, 1)}
	cmd.Stderr = p.stder
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	go func() {
		r := bufio.NewReaderSize(out, 1<<20)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				p.receive(line)
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *stdioPeer) receive(line []byte) {
	var head struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if json.Unmarshal(line, &head) != nil {
		p.t.Errorf("stdout carried a line that is not JSON: %.200s", line)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case head.Method == "elicitation/create":
		p.elicitation++ // never answered: the user is away
	case head.Method != "":
	case len(head.ID) > 0:
		var id any
		_ = json.Unmarshal(head.ID, &id)
		key := fmt.Sprint(id)
		p.responses[key] = bytes.Clone(line)
		p.arrived[key] = time.Now()
	}
	select {
	case p.got <- struct{}{}:
	default:
	}
}

func (p *stdioPeer) send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		p.t.Fatal(err)
	}
	p.sendRaw(append(b, '\n'))
}

func (p *stdioPeer) sendRaw(b []byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if _, err := p.in.Write(b); err != nil {
		p.t.Errorf("write: %v", err)
	}
}

// wait returns the response for id, failing after timeout.
func (p *stdioPeer) wait(id string, timeout time.Duration) json.RawMessage {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		r, ok := p.responses[id]
		p.mu.Unlock()
		if ok {
			return r
		}
		select {
		case <-p.got:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			p.t.Fatalf("no response to %s within %s; stderr:\n%s", id, timeout, p.stderr())
		}
	}
}

func (p *stdioPeer) stderr() string {
	s := p.stder.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

func (p *stdioPeer) initialize() {
	p.send(map[string]any{"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-11-25", "clientInfo": map[string]any{"name": "load", "version": "1"},
		"capabilities": map[string]any{"elicitation": map[string]any{}},
	}})
	p.wait("init", 20*time.Second)
	p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
}

func toolCall(id string, tool string, args map[string]any) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": map[string]any{"name": tool, "arguments": args}}
}

// resultText is a tools/call response's text and isError; ok is false for
// a JSON-RPC error.
func resultText(raw json.RawMessage) (text string, isErr, ok bool) {
	var r struct {
		Result *struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
			IsError bool `json:"isError"`
		} `json:"result"`
	}
	if json.Unmarshal(raw, &r) != nil || r.Result == nil {
		return "", false, false
	}
	for _, c := range r.Result.Content {
		text += c.Text
	}
	return text, r.Result.IsError, true
}

// refOf makes a distinct, well-formed project ref (20 lowercase letters).
func refOf(i int) string {
	b := []byte("zzcancel")
	for range 12 {
		b = append(b, byte('a'+i%26))
		i /= 26
	}
	return string(b)
}

// 500 concurrent calls over stdio, with confirmations pending (the user
// never answers), a slow API and the rate limiter engaged: ping answers
// throughout, calls cancelled before they were sent never reach the API,
// and every call ends with a result (busy refusals allowed).
func TestStdioUnderLoad(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Delay: 3 * time.Second})
	p := startPeer(t, bin, []string{"SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL()},
		"--rate-limit", "120", "--confirm-timeout", "10s")
	p.initialize()

	// Pings every 100 ms until the calls are done.
	stopPings := make(chan struct{})
	var pingIDs []string
	var pingSent []time.Time
	pingsDone := make(chan struct{})
	go func() {
		defer close(pingsDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stopPings:
				return
			case <-tick.C:
			}
			id := fmt.Sprintf("ping-%d", n)
			pingIDs, pingSent = append(pingIDs, id), append(pingSent, time.Now())
			p.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": "ping"})
		}
	}()

	const calls = 500
	kinds := map[string]string{}
	for i := range calls {
		id := fmt.Sprintf("call-%d", i)
		switch i % 5 {
		case 0: // destructive: the server asks the user, who never answers
			kinds[id] = "delete"
			p.send(toolCall(id, "projects_write", map[string]any{"operation": "delete", "ref": sandbox.SeedProjectActive}))
		case 1, 2: // slow API behind the limiter
			kinds[id] = "list"
			p.send(toolCall(id, "projects_read", map[string]any{"operation": "list"}))
		default: // cancelled right after sending
			kinds[id] = "cancelled"
			p.send(toolCall(id, "projects_read", map[string]any{"operation": "get", "ref": refOf(i)}))
			p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": map[string]any{"requestId": id, "reason": "test"}})
		}
	}
	allBy := time.Now().Add(90 * time.Second) // one deadline for all: a wedged server fails fast
	for i := range calls {
		p.wait(fmt.Sprintf("call-%d", i), max(time.Until(allBy), time.Millisecond))
	}
	close(stopPings)
	<-pingsDone

	// Ping latency while the calls were under way.
	var lat []time.Duration
	for i, id := range pingIDs {
		p.wait(id, 10*time.Second)
		p.mu.Lock()
		lat = append(lat, p.arrived[id].Sub(pingSent[i]))
		p.mu.Unlock()
	}
	slices.Sort(lat)
	if len(lat) < 10 {
		t.Fatalf("only %d pings", len(lat))
	}
	p95, worst := lat[len(lat)*95/100], lat[len(lat)-1]
	t.Logf("%d pings: median %s, p95 %s, max %s", len(lat), lat[len(lat)/2], p95, worst)
	if p95 > time.Second || worst > 5*time.Second {
		t.Errorf("ping was slow under load: p95 %s, max %s", p95, worst)
	}

	reached := map[string]bool{}
	deletes := 0
	for _, r := range api.Requests() {
		reached[r.Path] = true
		if r.Method == "DELETE" {
			deletes++
		}
	}
	if deletes != 0 {
		t.Errorf("%d DELETE requests without the user's answer", deletes)
	}
	counts := map[string]int{}
	for id, kind := range kinds {
		p.mu.Lock()
		raw := p.responses[id]
		p.mu.Unlock()
		text, isErr, ok := resultText(raw)
		if !ok {
			t.Errorf("%s (%s) ended without a tool result: %s", id, kind, raw)
			continue
		}
		switch {
		case isErr && strings.Contains(text, "busy"):
			counts[kind+" busy"]++
		case kind == "cancelled":
			var i int
			fmt.Sscanf(id, "call-%d", &i)
			hit := reached["/v1/projects/"+refOf(i)]
			if hit && strings.Contains(text, "nothing was sent") {
				t.Errorf("%s says nothing was sent, but the API got it: %s", id, text)
			}
			if hit {
				counts["cancelled reached the API"]++
			} else {
				counts["cancelled unsent"]++
			}
		case kind == "delete":
			if !isErr || !strings.Contains(text, "nothing was sent") {
				t.Errorf("%s: %s", id, text)
			}
			counts["delete unanswered"]++
		default:
			counts[kind+" done"]++
		}
	}
	p.mu.Lock()
	asked := p.elicitation
	p.mu.Unlock()
	t.Logf("results: %v; elicitations sent: %d", counts, asked)
	if counts["cancelled unsent"] == 0 || counts["cancelled reached the API"] > counts["cancelled unsent"]/4 {
		t.Errorf("cancellation did not take effect: %v", counts)
	}
	if asked == 0 || counts["delete unanswered"] == 0 || counts["list done"] == 0 {
		t.Errorf("the load did not exercise elicitation, the limiter and the slow API: %v, %d asked", counts, asked)
	}
}

// A call cancelled after its request left says the outcome is unknown; one
// cancelled while the user is being asked says nothing was sent.
func TestStdioCancelAfterSendAndDuringConfirmation(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	path := "/v1/projects/" + sandbox.SeedProjectActive
	api.InjectFault(sandbox.Fault{Method: "GET", Path: path, Delay: 5 * time.Second})
	p := startPeer(t, bin, []string{"SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL()})
	p.initialize()

	p.send(toolCall("get", "projects_read", map[string]any{"operation": "get", "ref": sandbox.SeedProjectActive}))
	for deadline := time.Now().Add(20 * time.Second); ; {
		reached := false
		for _, r := range api.Requests() {
			reached = reached || r.Path == path
		}
		if reached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the call never reached the API")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": map[string]any{"requestId": "get"}})
	text, isErr, _ := resultText(p.wait("get", 20*time.Second))
	if !isErr || !strings.Contains(text, "outcome is unknown") {
		t.Fatalf("cancelled after sending: %s", text)
	}

	p.send(toolCall("del", "projects_write", map[string]any{"operation": "delete", "ref": sandbox.SeedProjectActive}))
	for deadline := time.Now().Add(20 * time.Second); ; {
		p.mu.Lock()
		asked := p.elicitation
		p.mu.Unlock()
		if asked > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the user was never asked")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": map[string]any{"requestId": "del"}})
	text, isErr, _ = resultText(p.wait("del", 20*time.Second))
	if !isErr || !strings.Contains(text, "nothing was sent") {
		t.Fatalf("cancelled during confirmation: %s", text)
	}
	for _, r := range api.Requests() {
		if r.Method == "DELETE" {
			t.Fatal("a cancelled delete was sent")
		}
	}
}
