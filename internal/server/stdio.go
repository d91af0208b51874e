package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// ServeStdio serves JSON-RPC on in/out until in closes or ctx ends.
//
// mcp-go's stdio server queues tool calls for a few workers and, when its
// queue is full, runs them on its read loop, which then stops reading ping,
// cancellations and elicitation answers; a call cancelled while queued is
// not registered for cancellation yet and runs anyway. Every other request
// gets a goroutine of its own, holding its line, however many arrive. So a
// front end reads stdin first: it refuses lines over MaxRequestBytes
// without buffering them, answers tool calls beyond MaxCalls at once as
// busy (so mcp-go's workers and queue never fill), and other requests
// beyond MaxCalls too (so a client that sends requests faster than it
// reads the answers holds a bounded number of them); every request in
// progress holds its bytes of the server's budget; it passes on only the
// answers to requests the server sent (mcp-go answers any other message
// with an id, and that answer would free the slot of a running request
// with the same id); and it remembers cancellations of calls that have not
// started.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	f := &stdioFront{s: s, max: s.opts.MaxRequestBytes, limit: s.opts.MaxCalls, inflight: map[string]*pendingCall{}, awaiting: map[string]int{}}
	f.out = &lineWriter{w: out, onResponse: f.finished, onRequest: f.asked}
	if !s.front.CompareAndSwap(nil, f) {
		return errors.New("stdio: already serving")
	}
	defer s.front.Store(nil)

	std := mcpserver.NewStdioServer(s.mcp)
	std.SetErrorLogger(slog.NewLogLogger(s.log.Handler(), slog.LevelError))
	mcpserver.WithWorkerPoolSize(min(s.opts.MaxCalls, 100))(std)
	mcpserver.WithQueueSize(s.opts.MaxCalls)(std)

	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(f.pump(in, pw)) }()
	err := std.Listen(ctx, pr, f.out)
	pr.Close() // ends the pump if mcp-go stopped first
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// stdioFront sits between stdin and mcp-go's stdio server.
type stdioFront struct {
	s     *Server
	out   *lineWriter
	max   int64 // longest line passed on
	limit int   // tool calls in flight at most, and other requests at most

	mu       sync.Mutex
	inflight map[string]*pendingCall // requests passed on and not yet answered, by id
	calls    int                     // how many of them are tool calls
	awaiting map[string]int          // ids of the server's own requests not yet answered, to their order
	asks     int                     // requests the server has sent
}

// maxAwaiting bounds the server's requests kept as awaiting an answer
// (elicitation, one per tool call waiting for the user, at most MaxCalls at
// a time): past it the oldest is forgotten, and an answer to it dropped;
// mcp-go has stopped waiting for such an old one by then.
const maxAwaiting = 1024

type pendingCall struct {
	toolCall  bool
	cancelled bool  // notifications/cancelled arrived
	size      int64 // bytes taken from the server's budget
}

// codeBusy answers a request other than a tool call that the server
// cannot take now: JSON-RPC leaves -32000 to -32099 to the server.
const codeBusy = -32000

// pump copies stdin to mcp-go line by line, handling what must not wait.
func (f *stdioFront) pump(in io.Reader, to io.Writer) error {
	r := bufio.NewReaderSize(in, 64<<10)
	for {
		line, big, err := readBoundedLine(r, f.max)
		switch {
		case big != nil:
			f.refuseOversized(big)
		case len(bytes.TrimSpace(line)) > 0 && f.pass(line):
			if line[len(line)-1] != '\n' {
				line = append(line, '\n')
			}
			if _, werr := to.Write(line); werr != nil {
				return werr
			}
		}
		if err != nil {
			return err
		}
	}
}

// envelopeHead is what the front end reads of each message. Params stay
// raw: a message whose params do not decode is still a request that mcp-go
// runs (and answers with an error), so it must be counted like any other.
type envelopeHead struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	// A message with a method and a result or error is no valid JSON-RPC
	// message; mcp-go takes it for an answer and writes nothing back, which
	// would hold its slot for good.
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// pass decides about one line: false when the front end answered it itself.
func (f *stdioFront) pass(line []byte) bool {
	var head envelopeHead
	if json.Unmarshal(line, &head) != nil {
		return true // not a JSON object: mcp-go answers it on its read loop
	}
	switch {
	case head.Method != "" && len(head.ID) > 0:
		key, ok := idKey(head.ID)
		if !ok {
			if string(bytes.TrimSpace(head.ID)) == "null" {
				return true // not a request: mcp-go does not run it
			}
			// JSON-RPC ids are strings or numbers. mcp-go runs a request with
			// any other id too, and one the front end cannot track would
			// escape the bounds on requests in progress and their cancellation.
			f.out.writeMessage(errorMessage(head.ID, mcp.INVALID_REQUEST, "the id of a request must be a string or a number"))
			return false
		}
		if head.Result != nil || head.Error != nil {
			f.out.writeMessage(errorMessage(head.ID, mcp.INVALID_REQUEST, "a message with a method is a request: it must not carry a result or an error"))
			return false
		}
		return f.admit(head, key, int64(len(line)))
	case head.Method == "" && head.ID != nil:
		return f.answers(head)
	case head.Method == string(mcp.MethodNotificationCancelled):
		var params struct {
			RequestID json.RawMessage `json:"requestId"`
		}
		_ = json.Unmarshal(head.Params, &params)
		if key, ok := idKey(params.RequestID); ok {
			f.mu.Lock()
			if p := f.inflight[key]; p != nil {
				p.cancelled = true
			}
			f.mu.Unlock()
		}
	}
	return true
}

// admit takes a request in, or answers it at once: its id is already in
// use, or too many requests of its kind, or too many bytes, are in progress.
func (f *stdioFront) admit(head envelopeHead, key string, size int64) bool {
	toolCall := head.Method == string(mcp.MethodToolsCall)
	f.mu.Lock()
	_, dup := f.inflight[key]
	n := f.calls
	if !toolCall {
		n = len(f.inflight) - f.calls
	}
	full := n >= f.limit
	heavy := !dup && !full && !f.s.held.take(size)
	if !dup && !full && !heavy {
		f.inflight[key] = &pendingCall{toolCall: toolCall, size: size}
		if toolCall {
			f.calls++
		}
	}
	f.mu.Unlock()
	switch {
	case dup:
		// Its response would free the running request's slot.
		f.out.writeMessage(errorMessage(head.ID, mcp.INVALID_REQUEST, "a request with this id is still running: use a new id for each request"))
	case full && toolCall:
		f.out.writeMessage(toolErrorMessage(head.ID, fmt.Sprintf("The server is busy: %d tool calls are running or waiting, the most it takes at once. Nothing was sent; retry shortly.", f.limit)))
	case heavy && toolCall:
		f.out.writeMessage(toolErrorMessage(head.ID, "The server is busy: the calls in progress already hold as much data as it takes at once. Nothing was sent; retry when they have finished."))
	case full:
		f.out.writeMessage(errorMessage(head.ID, codeBusy, fmt.Sprintf("The server is busy: %d requests other than tool calls are in progress, the most it takes at once (their answers may be waiting for the client to read them). Nothing was done; retry shortly.", f.limit)))
	case heavy:
		f.out.writeMessage(errorMessage(head.ID, codeBusy, "The server is busy: the requests in progress already hold as much data as it takes at once. Nothing was done; retry when they have finished."))
	default:
		return true
	}
	return false
}

// answers reports whether a message without a method is passed on: only
// an answer with a result (not null) to a request the server sent and
// still waits for. mcp-go answers any other message with an id that it
// cannot hand to a waiting request (method not found), with that id, and
// its answer would free the slot of the client's own request with the
// same id; a result it cannot hand on it ignores. So an error answer is
// dropped too, as mcp-go answers one that comes after it stopped waiting:
// the question then goes unanswered and times out, which fails closed.
func (f *stdioFront) answers(head envelopeHead) bool {
	key, ok := idKey(head.ID)
	hasResult := len(head.Result) > 0 && string(bytes.TrimSpace(head.Result)) != "null"
	f.mu.Lock()
	_, asked := f.awaiting[key]
	pass := ok && asked && hasResult
	if pass {
		delete(f.awaiting, key)
	}
	f.mu.Unlock()
	if !pass {
		id := string(head.ID)
		if len(id) > 64 {
			id = id[:64] + "..."
		}
		why := "it answers no request of this server"
		if ok && asked {
			why = "it carries no result"
		}
		f.s.log.Warn("dropped a message without a method: "+why, "id", id)
	}
	return pass
}

// asked is called for every request the server writes to the client.
func (f *stdioFront) asked(id json.RawMessage) {
	key, ok := idKey(id)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.awaiting) >= maxAwaiting {
		oldest, first := "", 0
		for k, n := range f.awaiting {
			if oldest == "" || n < first {
				oldest, first = k, n
			}
		}
		delete(f.awaiting, oldest)
	}
	f.asks++
	f.awaiting[key] = f.asks
}

// starting is called as mcp-go starts a tool call (after registering it for
// cancellation): it reports whether the call was cancelled while queued.
func (f *stdioFront) starting(id any) bool {
	raw, err := json.Marshal(id)
	if err != nil {
		return false
	}
	key, ok := idKey(raw)
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.inflight[key]
	return p != nil && p.cancelled
}

// finished is called for every response written: the call's slot is free.
func (f *stdioFront) finished(id json.RawMessage) {
	key, ok := idKey(id)
	if !ok {
		return
	}
	f.mu.Lock()
	if p := f.inflight[key]; p != nil {
		delete(f.inflight, key)
		if p.toolCall {
			f.calls--
		}
		f.s.held.give(p.size)
	}
	f.mu.Unlock()
}

func (f *stdioFront) refuseOversized(big *oversized) {
	f.s.log.Warn("refused a message over --max-request-bytes", "bytes", big.n, "limit", f.max, "method", big.method)
	if len(big.id) == 0 {
		return
	}
	if _, ok := idKey(big.id); !ok {
		return
	}
	msg := fmt.Sprintf("The request is too large (over %d bytes; at most %d, --max-request-bytes): it was not read, and nothing was sent. Send smaller arguments.", big.n, f.max)
	if big.method == string(mcp.MethodToolsCall) {
		f.out.writeMessage(toolErrorMessage(big.id, msg))
		return
	}
	f.out.writeMessage(errorMessage(big.id, mcp.INVALID_REQUEST, msg))
}

// hooks lets the stdio front end cancel a call that was cancelled while it
// waited in mcp-go's queue: by the time the hook runs, mcp-go has registered
// the call, so a cancellation sent to it now takes effect.
func (s *Server) hooks() *mcpserver.Hooks {
	h := &mcpserver.Hooks{}
	h.AddOnRequestInitialization(s.refuseRenamed)
	h.AddBeforeCallTool(func(ctx context.Context, id any, _ *mcp.CallToolRequest) {
		f := s.front.Load()
		if f == nil || !f.starting(id) {
			return
		}
		raw, err := json.Marshal(id)
		if err != nil {
			return
		}
		s.mcp.HandleMessage(ctx, fmt.Appendf(nil, `{"jsonrpc":"2.0","method":%q,"params":{"requestId":%s}}`, mcp.MethodNotificationCancelled, raw))
	})
	return h
}

// idKey normalises a JSON-RPC id (1 and 1.0 are one id; "1" is another).
func idKey(raw json.RawMessage) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch v := v.(type) {
	case float64:
		return fmt.Sprintf("n:%v", v), true
	case string:
		return "s:" + v, true
	}
	return "", false
}

func toolErrorMessage(id json.RawMessage, text string) []byte {
	res := mcp.NewToolResultError(text)
	body, _ := json.Marshal(struct {
		*mcp.CallToolResult
		ResultType string `json:"resultType"`
	}{res, "complete"})
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":%s}`, id, body)
}

func errorMessage(id json.RawMessage, code int, text string) []byte {
	msg, _ := json.Marshal(text)
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":%s}}`, id, code, msg)
}

// lineWriter serialises whole lines to stdout (mcp-go writes responses and
// its own requests from several goroutines, not all under one lock) and
// reports each response's id.
type lineWriter struct {
	mu         sync.Mutex
	w          io.Writer
	onResponse func(id json.RawMessage) // a response to the client's request
	onRequest  func(id json.RawMessage) // a request of the server's own
}

// Write takes one whole message line, as mcp-go writes them.
//
// A request is done once its answer is being written, so its slot is freed
// first: a client that reads the answer and sends the next request at once
// finds the slot free. Only the answer being written is then past the
// bounds (while stdout is full, say); the others wait for the lock with
// their slots held.
func (lw *lineWriter) Write(p []byte) (int, error) {
	var head struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	parsed := json.Unmarshal(p, &head) == nil && len(head.ID) > 0
	lw.mu.Lock()
	defer lw.mu.Unlock()
	switch {
	case parsed && head.Method == "":
		lw.onResponse(head.ID)
	case parsed:
		lw.onRequest(head.ID) // before the client can see it, so its answer finds it
	}
	return lw.w.Write(p)
}

// writeMessage writes a message of the front end's own (not tracked).
func (lw *lineWriter) writeMessage(msg []byte) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	_, _ = lw.w.Write(append(msg, '\n'))
}

// oversized describes a line longer than the bound: its length so far and
// the envelope's id and method, read without keeping the line.
type oversized struct {
	n      int64
	id     []byte
	method string
	scan   envelopeScanner
}

// readBoundedLine reads one line. A line longer than max is consumed to its
// end without being kept: big describes it, and line is nil.
func readBoundedLine(r *bufio.Reader, max int64) (line []byte, big *oversized, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if big == nil && int64(len(line)+len(chunk)) > max {
			big = &oversized{}
			big.scan.feed(line)
			big.n = int64(len(line))
			line = nil
		}
		if big != nil {
			big.scan.feed(chunk)
			big.n += int64(len(chunk))
		} else {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if big != nil {
			big.id, big.method = big.scan.id, big.scan.methodName()
		}
		return line, big, err
	}
}

// envelopeScanner finds the top-level "id" and "method" of a JSON object fed
// in pieces, keeping nothing else: enough to answer a message that is too
// large to read.
type envelopeScanner struct {
	depth         int
	inStr, esc    bool
	expectKey     bool
	readingKey    bool
	key           []byte
	capturing     bool
	capture       []byte
	curKey        string
	id, methodRaw []byte
}

const maxCapture = 256

func (e *envelopeScanner) methodName() string {
	var m string
	if json.Unmarshal(e.methodRaw, &m) != nil {
		return ""
	}
	return m
}

func (e *envelopeScanner) feed(p []byte) {
	for _, c := range p {
		if e.inStr {
			switch {
			case e.esc:
				e.esc = false
			case c == '\\':
				e.esc = true
			case c == '"':
				e.inStr = false
				if e.readingKey {
					e.readingKey, e.curKey = false, string(e.key)
					continue
				}
			}
			if e.readingKey && len(e.key) < maxCapture {
				e.key = append(e.key, c)
			}
			e.keep(c)
			continue
		}
		switch c {
		case '"':
			e.inStr = true
			if e.depth == 1 && e.expectKey {
				e.expectKey, e.readingKey, e.key = false, true, e.key[:0]
				continue
			}
			e.keep(c)
		case '{', '[':
			e.depth++
			if e.depth == 1 && c == '{' {
				e.expectKey = true
			} else if e.capturing && e.depth == 2 {
				e.capturing = false // an object or array: not an id
			}
		case '}', ']':
			if e.depth == 1 {
				e.finish()
			}
			e.depth--
		case ',':
			if e.depth == 1 {
				e.finish()
				e.expectKey = true
			}
		case ':':
			if e.depth == 1 && (e.curKey == "id" || e.curKey == "method") {
				e.capturing, e.capture = true, e.capture[:0]
			}
		case ' ', '\t', '\r', '\n':
		default:
			e.keep(c)
		}
	}
}

func (e *envelopeScanner) keep(c byte) {
	if e.capturing && e.depth == 1 && len(e.capture) < maxCapture {
		e.capture = append(e.capture, c)
	}
}

func (e *envelopeScanner) finish() {
	if !e.capturing {
		return
	}
	e.capturing = false
	v := bytes.Clone(e.capture)
	if e.curKey == "id" {
		e.id = v
	} else {
		e.methodRaw = v
	}
}
