package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// spec says how to start one MCP server over stdio.
type spec struct {
	name string   // column title
	path string   // executable (a node script with a shebang works too)
	args []string // always passed
	env  []string // added to a minimal environment
}

// message is one JSON-RPC message read from a server, stamped on arrival.
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
	at time.Time
}

// proc is a running server spoken to with raw JSON-RPC over its stdin and
// stdout: no MCP library on the client side, so both servers are measured
// the same way.
type proc struct {
	spec    spec
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	started time.Time // just before exec
	stderr  *tail

	wmu     sync.Mutex
	mu      sync.Mutex
	pending map[int64]chan *message
	next    atomic.Int64
	done    chan struct{} // closed when stdout ends
}

// launch starts the server; started is taken right before the exec.
func launch(s spec, extra ...string) (*proc, error) {
	cmd := exec.Command(s.path, append(append([]string{}, s.args...), extra...)...)
	cmd.Env = append(baseEnv(), s.env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{spec: s, cmd: cmd, stdin: stdin, stderr: &tail{max: 8 << 10},
		pending: map[int64]chan *message{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	go p.read(stdout)
	return p, nil
}

// baseEnv is a minimal environment: no user configuration leaks into runs.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func (p *proc) read(stdout io.Reader) {
	defer close(p.done)
	r := bufio.NewReaderSize(stdout, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			at := time.Now()
			if m := fastResult(line); m != nil {
				m.at = at
				p.dispatch(m)
			} else if m := (&message{}); json.Unmarshal(line, m) == nil {
				m.at = at
				p.dispatch(m)
			}
		}
		if err != nil {
			return
		}
	}
}

// resultPrefix starts a successful response as mcp-go writes it.
var resultPrefix = []byte(`{"jsonrpc":"2.0","id":`)

// fastResult reads a successful response of the form
// {"jsonrpc":"2.0","id":N,"result":...} without decoding the result (the
// per-call figures should not include the benchmark client's JSON work; the
// bare HTTP request they are compared with decodes nothing either). Any
// other message returns nil and is decoded in full.
func fastResult(line []byte) *message {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(line), resultPrefix)
	if !ok {
		return nil
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	result, ok := bytes.CutPrefix(rest[i:], []byte(`,"result":`))
	if i == 0 || !ok {
		return nil
	}
	result, ok = bytes.CutSuffix(result, []byte("}"))
	if !ok {
		return nil
	}
	return &message{ID: json.RawMessage(rest[:i]), Result: json.RawMessage(result)}
}

func (p *proc) dispatch(m *message) {
	if m.Method != "" {
		if len(m.ID) > 0 { // a request from the server: ping gets {}, the rest "not supported"
			resp := map[string]any{"jsonrpc": "2.0", "id": m.ID}
			if m.Method == "ping" {
				resp["result"] = map[string]any{}
			} else {
				resp["error"] = map[string]any{"code": -32601, "message": "not supported by the benchmark client"}
			}
			_ = p.write(resp)
		}
		return
	}
	id, err := strconv.ParseInt(string(m.ID), 10, 64)
	if err != nil {
		return
	}
	p.mu.Lock()
	ch := p.pending[id]
	delete(p.pending, id)
	p.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

func (p *proc) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.stdin.Write(b)
	return err
}

// call sends a request and waits for its response (or ctx, or the end of stdout).
func (p *proc) call(ctx context.Context, method string, params any) (*message, error) {
	id := p.next.Add(1)
	ch := make(chan *message, 1)
	p.mu.Lock()
	p.pending[id] = ch
	p.mu.Unlock()
	req := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		req["params"] = params
	}
	if err := p.write(req); err != nil {
		return nil, fmt.Errorf("%s %s: %w (stderr: %s)", p.spec.name, method, err, p.stderr)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return m, fmt.Errorf("%s %s: error %d: %s", p.spec.name, method, m.Error.Code, m.Error.Message)
		}
		return m, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s %s: %w (stderr: %s)", p.spec.name, method, ctx.Err(), p.stderr)
	case <-p.done:
		// The answer may have been dispatched just before stdout ended.
		select {
		case m := <-ch:
			return m, nil
		default:
		}
		return nil, fmt.Errorf("%s %s: the server closed stdout (stderr: %s)", p.spec.name, method, p.stderr)
	}
}

// callRaw sends a request whose params are already encoded and returns the
// raw result: the per-call loop spends as little as possible in the client.
func (p *proc) callRaw(ctx context.Context, method string, params []byte) (json.RawMessage, error) {
	id := p.next.Add(1)
	ch := make(chan *message, 1)
	p.mu.Lock()
	p.pending[id] = ch
	p.mu.Unlock()
	b := make([]byte, 0, 64+len(method)+len(params))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"method":"`...)
	b = append(b, method...)
	b = append(b, `","params":`...)
	b = append(b, params...)
	b = append(b, "}\n"...)
	p.wmu.Lock()
	_, err := p.stdin.Write(b)
	p.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (stderr: %s)", p.spec.name, method, err, p.stderr)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s %s: error %d: %s", p.spec.name, method, m.Error.Code, m.Error.Message)
		}
		return m.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s %s: %w (stderr: %s)", p.spec.name, method, ctx.Err(), p.stderr)
	case <-p.done:
		return nil, fmt.Errorf("%s %s: the server closed stdout (stderr: %s)", p.spec.name, method, p.stderr)
	}
}

func (p *proc) notify(method string) error {
	return p.write(map[string]any{"jsonrpc": "2.0", "method": method})
}

const protocolVersion = "2025-06-18"

// initialize runs the MCP handshake and returns the initialize response.
func (p *proc) initialize(ctx context.Context) (*message, error) {
	m, err := p.call(ctx, "initialize", map[string]any{
		"protocolVersion": protocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "supabase-mcp-bench", "version": "1"},
	})
	if err != nil {
		return nil, err
	}
	return m, p.notify("notifications/initialized")
}

// toolsList returns the tools/list response.
func (p *proc) toolsList(ctx context.Context) (*message, error) {
	return p.call(ctx, "tools/list", map[string]any{})
}

// toolResult is the part of a tools/call result the benchmark reads.
type toolResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	IsError bool `json:"isError"`
}

func (r *toolResult) text() string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// callTool runs tools/call and decodes the result; a tool error is returned
// as the result with IsError set, not as an error.
func (p *proc) callTool(ctx context.Context, name string, args map[string]any) (*toolResult, error) {
	m, err := p.call(ctx, "tools/call", map[string]any{"name": name, "arguments": args})
	if err != nil {
		return nil, err
	}
	var r toolResult
	if err := json.Unmarshal(m.Result, &r); err != nil {
		return nil, fmt.Errorf("%s tools/call %s: %w", p.spec.name, name, err)
	}
	return &r, nil
}

// close ends the server: stdin closed (the MCP way to say goodbye), then a
// kill if it is still there after two seconds.
func (p *proc) close() {
	_ = p.stdin.Close()
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		_ = p.cmd.Process.Kill()
		<-exited
	}
}

// memory is a snapshot of /proc/<pid>/status, in KiB.
type memory struct {
	HWM, RSS, Anon, File int64
}

func (p *proc) memory() (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			m.HWM = n
		case "VmRSS":
			m.RSS = n
		case "RssAnon":
			m.Anon = n
		case "RssFile":
			m.File = n
		}
	}
	if m.HWM == 0 {
		return m, errors.New("no VmHWM in /proc status (not Linux?)")
	}
	return m, nil
}

// tail keeps the last max bytes written (a server's stderr, for error messages).
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 && len(s)-i < 600 {
		if j := strings.LastIndexByte(s[:i], '\n'); j >= 0 {
			s = s[j+1:]
		}
	}
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return strconv.Quote(s)
}
