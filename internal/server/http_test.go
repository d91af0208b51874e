package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

const (
	tokenA     = "sbp_user_a_11111111111111111111111111111111"
	tokenB     = "sbp_user_b_22222222222222222222222222222222"
	ownToken   = "sbp_server_own_3333333333333333333333333333"
	httpSecret = "static-http-secret-4444444444"
)

// users is two Management APIs behind one URL: requests with tokenA reach
// api A, tokenB api B (each a fake with its own state), anything else gets
// the API's 401. So a call answered from the wrong state is visible.
type users struct {
	a, b, own *sandbox.Server
	url       string

	mu      sync.Mutex
	refused map[string]int // requests with unknown tokens, by Authorization
}

func (u *users) refusedCount(auth string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.refused[auth]
}

func newUsers(t *testing.T) *users {
	t.Helper()
	u := &users{a: sandbox.NewFromEnv(t, tokenA), b: sandbox.NewFromEnv(t, tokenB), own: sandbox.NewFromEnv(t, ownToken), refused: map[string]int{}}
	u.b.SetProfileUser("b0b0b0b0-0000-4000-8000-00000000000b") // A and B are two users
	u.own.SetProfileUser("0e0e0e0e-0000-4000-8000-00000000000e")
	proxies := map[string]*httputil.ReverseProxy{}
	for tok, api := range map[string]*sandbox.Server{tokenA: u.a, tokenB: u.b, ownToken: u.own} {
		target, _ := url.Parse(api.URL())
		proxies["Bearer "+tok] = httputil.NewSingleHostReverseProxy(target)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := proxies[r.Header.Get("Authorization")]; p != nil {
			p.ServeHTTP(w, r)
			return
		}
		u.mu.Lock()
		u.refused[r.Header.Get("Authorization")]++
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Unauthorized"}`)
	}))
	t.Cleanup(front.Close)
	u.url = front.URL
	return u
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type httpServer struct {
	url  string
	srv  *Server
	logs *syncBuffer
	stop context.CancelFunc
	done chan error
}

type httpSetup struct {
	o         HTTPOptions
	policy    *guard.Policy
	rateLimit int
	tune      func(*Options) // adjusts the server's options
	// limiters replaces the pool made from rateLimit (a shared one);
	// maxRateWait replaces the clients' default max wait.
	limiters    *client.LimiterPool
	maxRateWait time.Duration
}

// startHTTP runs the server on a real listener (127.0.0.1:0) in front of apiURL.
func startHTTP(t *testing.T, apiURL string, s httpSetup) *httpServer {
	t.Helper()
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	if s.policy == nil {
		s.policy = &guard.Policy{}
	}
	s.policy.Features = cat.Features()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := client.Options{BaseURL: apiURL, UserAgent: "supabase-mcp/test", Limiters: client.NewLimiterPool(s.rateLimit), Timeout: 5 * time.Second, Logger: logger, MaxRateWait: s.maxRateWait}
	if s.limiters != nil {
		opts.Limiters = s.limiters
	}
	pool, err := client.NewPool(opts, 8)
	if err != nil {
		t.Fatal(err)
	}
	opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: ownToken})
	own, err := client.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	so := Options{Version: "test", Catalogue: cat, Policy: s.policy, Client: own, Clients: pool, Logger: logger}
	if s.tune != nil {
		s.tune(&so)
	}
	srv, err := New(so)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &httpServer{url: "http://" + ln.Addr().String(), srv: srv, logs: logs, stop: cancel, done: make(chan error, 1)}
	go func() { h.done <- srv.Serve(ctx, ln, s.o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-h.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		for _, secret := range []string{tokenA, tokenB, ownToken, httpSecret} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the logs contain a token:\n%s", logs.String())
			}
		}
	})
	return h
}

type mcpConn struct {
	t *testing.T
	c *mcpclient.Client
}

// connect opens an MCP client: "http" (modern protocol), "http-legacy"
// (pinned to 2025-11-25, with a session) or "sse".
func (h *httpServer) connect(t *testing.T, kind, bearer string, extra ...mcpclient.ClientOption) (*mcpConn, error) {
	t.Helper()
	headers := map[string]string{}
	if bearer != "" {
		headers["Authorization"] = "Bearer " + bearer
	}
	var c *mcpclient.Client
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "http-test", Version: "1"}
	switch kind {
	case "sse":
		tr, err := transport.NewSSE(h.url+"/sse", transport.WithHeaders(headers))
		if err != nil {
			t.Fatal(err)
		}
		c = mcpclient.NewClient(tr, append([]mcpclient.ClientOption{mcpclient.WithProtocolVersion(mcp.ProtocolVersion20251125)}, extra...)...)
		init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	default:
		tr, err := transport.NewStreamableHTTP(h.url+"/mcp", transport.WithHTTPHeaders(headers))
		if err != nil {
			t.Fatal(err)
		}
		opts := extra
		if kind == "http-legacy" {
			opts = append(opts, mcpclient.WithProtocolVersion(mcp.ProtocolVersion20251125))
			init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
		}
		c = mcpclient.NewClient(tr, opts...)
	}
	// The SSE stream lives as long as Start's context: not a timeout.
	if err := c.Start(context.Background()); err != nil {
		c.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Initialize(ctx, init); err != nil {
		c.Close()
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &mcpConn{t: t, c: c}, nil
}

func (h *httpServer) mustConnect(t *testing.T, kind, bearer string, extra ...mcpclient.ClientOption) *mcpConn {
	t.Helper()
	c, err := h.connect(t, kind, bearer, extra...)
	if err != nil {
		t.Fatalf("%s client: %v", kind, err)
	}
	return c
}

func (m *mcpConn) call(tool string, args map[string]any) (string, bool) {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := m.c.CallTool(ctx, req)
	if err != nil {
		m.t.Fatalf("%s %v: protocol error %v", tool, args, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

func (m *mcpConn) ok(tool string, args map[string]any) string {
	m.t.Helper()
	text, isErr := m.call(tool, args)
	if isErr {
		m.t.Fatalf("%s %v: tool error %s", tool, args, text)
	}
	return text
}

func orgNames(t *testing.T, text string) []string {
	var orgs []map[string]any
	if err := json.Unmarshal([]byte(payload(text)), &orgs); err != nil {
		t.Fatalf("organizations: %v: %s", err, text)
	}
	var names []string
	for _, o := range orgs {
		names = append(names, o["name"].(string))
	}
	return names
}

var transports = []string{"http", "http-legacy", "sse"}

func serverTransport(kind string) string {
	if kind == "sse" {
		return "sse"
	}
	return "http"
}

// Every transport lists and calls tools with the caller's own token, and
// two callers never see each other's data.
func TestHTTPTransportsKeepUsersApart(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			u := newUsers(t)
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: serverTransport(kind), Auth: config.AuthBearer}})
			a, b := h.mustConnect(t, kind, tokenA), h.mustConnect(t, kind, tokenB)

			res, err := a.c.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil || len(res.Tools) == 0 {
				t.Fatalf("list tools: %v %v", res, err)
			}
			a.ok("organizations_write", map[string]any{"operation": "create", "name": "Only A"})
			b.ok("organizations_write", map[string]any{"operation": "create", "name": "Only B"})
			namesA := strings.Join(orgNames(t, a.ok("organizations_read", map[string]any{"operation": "list"})), ",")
			namesB := strings.Join(orgNames(t, b.ok("organizations_read", map[string]any{"operation": "list"})), ",")
			if !strings.Contains(namesA, "Only A") || strings.Contains(namesA, "Only B") || !strings.Contains(namesB, "Only B") || strings.Contains(namesB, "Only A") {
				t.Fatalf("A sees %s, B sees %s", namesA, namesB)
			}
			if len(u.own.Requests()) != 0 {
				t.Fatal("bearer mode used the server's own token")
			}
			for _, r := range u.a.Requests() {
				if r.Header.Get("Authorization") != "Bearer "+tokenA {
					t.Fatalf("api A got %q", r.Header.Get("Authorization"))
				}
			}
		})
	}
}

// A token's rate limit and 429 waits hold back only that token's calls.
func TestHTTPUsersHaveTheirOwnLimits(t *testing.T) {
	u := newUsers(t)
	h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthBearer}, rateLimit: 600})
	a, b := h.mustConnect(t, "http", tokenA), h.mustConnect(t, "http", tokenB)
	u.a.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/organizations", Times: 1, Status: 429, RetryAfter: "2"})
	start := time.Now()
	aDone := make(chan time.Duration, 1)
	go func() {
		a.ok("organizations_read", map[string]any{"operation": "list"})
		aDone <- time.Since(start)
	}()
	time.Sleep(300 * time.Millisecond) // A is now blocked for 2 s
	for range 3 {
		b.ok("projects_read", map[string]any{"operation": "list"})
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("B waited for A's limit: %s", d)
	}
	if d := <-aDone; d < 1900*time.Millisecond {
		t.Fatalf("A did not wait out its 429: %s", d)
	}
}

// A confirmation token or a session opened with one credential is worthless
// with another.
func TestHTTPConfirmationsAndSessionsAreBoundToTheToken(t *testing.T) {
	u := newUsers(t)
	h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthBearer}, policy: &guard.Policy{Confirm: guard.ConfirmToken}})
	a, b := h.mustConnect(t, "http", tokenA), h.mustConnect(t, "http", tokenB)
	args := map[string]any{"operation": "pause", "ref": activeRef}
	text, isErr := a.call("projects_write", args)
	if !isErr {
		t.Fatalf("pause ran without confirmation: %s", text)
	}
	confirmToken := func(text string) string {
		i := strings.Index(text, `confirm: "`)
		if i < 0 {
			t.Fatalf("no confirmation token: %s", text)
		}
		token := text[i+len(`confirm: "`):]
		return token[:strings.Index(token, `"`)]
	}
	withToken := map[string]any{"operation": "pause", "ref": activeRef, "confirm": confirmToken(text)}
	if text, isErr := b.call("projects_write", withToken); !isErr || !strings.Contains(text, "issued for a different call") {
		t.Fatalf("B used A's confirmation: %s", text)
	}
	if p, _ := u.b.Project(activeRef); p.Status != sandbox.StatusActiveHealthy {
		t.Fatal("B's project changed")
	}
	// The token is spent by B's attempt (single use); A asks again.
	text, _ = a.call("projects_write", args)
	withToken["confirm"] = confirmToken(text)
	a.ok("projects_write", withToken)
	if p, _ := u.a.Project(activeRef); p.Status == sandbox.StatusActiveHealthy {
		t.Fatal("A's confirmed pause did not happen")
	}
	if p, _ := u.b.Project(activeRef); p.Status != sandbox.StatusActiveHealthy {
		t.Fatal("B's project changed")
	}

	// Legacy sessions: B cannot ride on A's session id.
	legacy := h.mustConnect(t, "http-legacy", tokenA)
	sid := legacy.c.GetSessionId()
	if sid == "" {
		t.Fatal("legacy client got no session id")
	}
	for _, tc := range []struct {
		method string
		bearer string
		want   int
	}{{"POST", tokenB, http.StatusNotFound}, {"GET", tokenB, http.StatusNotFound}, {"DELETE", tokenB, http.StatusNotFound}, {"POST", tokenA, http.StatusOK}} {
		req, _ := http.NewRequest(tc.method, h.url+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+tc.bearer)
		req.Header.Set("Mcp-Session-Id", sid)
		req.Header.Set("Mcp-Protocol-Version", mcp.ProtocolVersion20251125)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("session of A used by %s with %s: %d, want %d", tc.method, tc.bearer[:10], resp.StatusCode, tc.want)
		}
	}

	// SSE: the message endpoint of A's stream refuses B.
	hs := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "sse", Auth: config.AuthBearer}})
	sa := hs.mustConnect(t, "sse", tokenA)
	endpoint := mcpclient.GetEndpoint(sa.c).String()
	req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":9,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tokenB)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("B posted to A's SSE session: %d", resp.StatusCode)
	}
	sa.ok("organizations_read", map[string]any{"operation": "list"})
}

func rawRequest(t *testing.T, method, url string, header map[string]string, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

const wrongToken = "sbp_not_a_real_token_000000000000000"

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// Foreign origins get 403, missing or wrong credentials 401 with a
// challenge, on both transports and through mcp-go's clients.
func TestHTTPRefusesForeignOriginsAndBadCredentials(t *testing.T) {
	u := newUsers(t)
	for _, kind := range []string{"http", "sse"} {
		t.Run(kind, func(t *testing.T) {
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: kind, Auth: config.AuthBearer, AllowedOrigins: []string{"https://app.example.com"}}})
			path, method, body := "/mcp", "POST", initializeBody
			if kind == "sse" {
				path, method, body = "/sse", "GET", ""
			}
			post := func(header map[string]string) *http.Response {
				header["Content-Type"] = "application/json"
				header["Accept"] = "application/json, text/event-stream"
				if kind == "sse" {
					// An accepted SSE stream stays open: read only the status.
					req, _ := http.NewRequest(method, h.url+path, nil)
					for k, v := range header {
						req.Header.Set(k, v)
					}
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					resp, err := http.DefaultClient.Do(req.WithContext(ctx))
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					return resp
				}
				return rawRequest(t, method, h.url+path, header, body)
			}

			resp := post(map[string]string{"Authorization": "Bearer " + tokenA, "Origin": "https://evil.example"})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("foreign origin: %d", resp.StatusCode)
			}
			for _, origin := range []string{"https://app.example.com", h.url} {
				resp = post(map[string]string{"Authorization": "Bearer " + tokenA, "Origin": origin})
				if resp.StatusCode != http.StatusOK {
					t.Errorf("origin %s: %d", origin, resp.StatusCode)
				}
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" && got != h.url {
				t.Errorf("same origin got CORS header %q", got)
			}
			resp = post(map[string]string{"Authorization": "Bearer " + tokenA, "Origin": "https://app.example.com"})
			if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("allowed origin lacks CORS header: %v", resp.Header)
			}
			pre := rawRequest(t, "OPTIONS", h.url+path, map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}, "")
			if pre.StatusCode != http.StatusNoContent || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
			}

			for name, header := range map[string]map[string]string{
				"missing":     {},
				"wrong":       {"Authorization": "Bearer " + wrongToken},
				"wrong again": {"Authorization": "Bearer " + wrongToken},
				"basic":       {"Authorization": "Basic dXNlcjpwYXNz"},
			} {
				resp := post(header)
				challenge := resp.Header.Get("WWW-Authenticate")
				if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer ") {
					t.Errorf("%s credentials: %d %q", name, resp.StatusCode, challenge)
				}
				if strings.HasPrefix(name, "wrong") && !strings.Contains(challenge, `error="invalid_token"`) {
					t.Errorf("wrong token challenge %q", challenge)
				}
			}
			if _, err := h.connect(t, kind, ""); err == nil {
				t.Error("an MCP client without a token connected")
			}
			if _, err := h.connect(t, kind, "sbp_wrong_token_999999999999999999999"); err == nil {
				t.Error("an MCP client with a wrong token connected")
			}
			// /healthz needs nothing.
			if resp := rawRequest(t, "GET", h.url+"/healthz", map[string]string{"Origin": "https://evil.example"}, ""); resp.StatusCode != http.StatusOK {
				t.Errorf("healthz: %d", resp.StatusCode)
			}
			// DNS rebinding: a loopback connection naming another host is refused by mcp-go.
			req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
			req.Host = "rebound.example:80"
			req.Header.Set("Authorization", "Bearer "+tokenA)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("rebinding host: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
		})
	}
	// A wrong token is checked with the API once per server, then remembered.
	if n := u.refusedCount("Bearer " + wrongToken); n != 2 {
		t.Errorf("the wrong token reached the API %d times, want once per server", n)
	}
}

// With --http-token clients present the shared secret and the server calls
// the API with its own token; the secret never reaches the API.
func TestHTTPStaticToken(t *testing.T) {
	u := newUsers(t)
	for _, kind := range []string{"http", "sse"} {
		t.Run(kind, func(t *testing.T) {
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: serverTransport(kind), Auth: config.AuthStatic, StaticToken: httpSecret}})
			c := h.mustConnect(t, kind, httpSecret)
			c.ok("organizations_read", map[string]any{"operation": "list"})
			if _, err := h.connect(t, kind, tokenA); err == nil {
				t.Error("a Supabase token was accepted in place of the HTTP token")
			}
			if _, err := h.connect(t, kind, ""); err == nil {
				t.Error("no credentials accepted")
			}
		})
	}
	if len(u.own.Requests()) == 0 || len(u.a.Requests()) != 0 {
		t.Fatalf("own %d, a %d requests", len(u.own.Requests()), len(u.a.Requests()))
	}
	for _, r := range u.own.Requests() {
		if strings.Contains(r.Header.Get("Authorization"), httpSecret) {
			t.Fatal("the HTTP token reached the API")
		}
	}
}

// On loopback without client authentication the server's own token serves,
// and a bearer token, when sent, is used instead.
func TestHTTPLocalMode(t *testing.T) {
	u := newUsers(t)
	h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthLocal}})
	h.mustConnect(t, "http", "").ok("organizations_read", map[string]any{"operation": "list"})
	h.mustConnect(t, "http", tokenB).ok("organizations_read", map[string]any{"operation": "list"})
	if len(u.own.Requests()) != 1 || len(u.b.Requests()) != 2 { // B: profile check + list
		t.Fatalf("own %d, b %d requests", len(u.own.Requests()), len(u.b.Requests()))
	}
}

// SIGTERM-style shutdown: running calls finish and deliver their results,
// new connections are refused, Serve returns nil.
func TestHTTPGracefulShutdown(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			u := newUsers(t)
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: serverTransport(kind), Auth: config.AuthBearer, ShutdownGrace: 5 * time.Second}})
			c := h.mustConnect(t, kind, tokenA)
			u.a.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Delay: 700 * time.Millisecond})
			result := make(chan string, 1)
			go func() {
				text, _ := c.call("projects_read", map[string]any{"operation": "list"})
				result <- text
			}()
			for h.srv.calls.Load() == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			h.stop()
			text := <-result
			var projects []map[string]any
			if err := json.Unmarshal([]byte(payload(text)), &projects); err != nil || len(projects) == 0 {
				t.Fatalf("the running call did not finish: %s", text)
			}
			select {
			case err := <-h.done:
				if err != nil {
					t.Fatal(err)
				}
				h.done <- nil // for the cleanup
			case <-time.After(4 * time.Second):
				t.Fatal("Serve did not return")
			}
			if _, err := http.Get(h.url + "/healthz"); err == nil {
				t.Fatal("the listener still accepts connections")
			}
		})
	}
}

// Handler options are checked.
func TestHTTPOptionsValidation(t *testing.T) {
	cat, _ := tools.Default()
	srv, err := New(Options{Catalogue: cat, Policy: &guard.Policy{Features: cat.Features()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []HTTPOptions{
		{Transport: "http", Auth: config.AuthBearer},                            // no pool
		{Transport: "http", Auth: config.AuthStatic, StaticToken: httpSecret},   // no own client
		{Transport: "http", Auth: "none"},                                       // unknown mode
		{Transport: "websocket", Auth: config.AuthStatic, StaticToken: "short"}, // short token
	} {
		if _, err := srv.HTTPHandler(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// Paths other than the MCP endpoints are 404 without asking for
// credentials (OAuth metadata probes included), and a legacy POST without
// its session id is 400 with a message saying what to do, while initialize
// and modern (sessionless) requests need none.
func TestHTTPUnknownPathsAndMissingSession(t *testing.T) {
	u := newUsers(t)
	for _, transport := range []string{"http", "sse"} {
		h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: transport, Auth: config.AuthBearer}})
		for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/register", "/", "/mcp/"} {
			for _, bearer := range []string{"", wrongToken} {
				header := map[string]string{}
				if bearer != "" {
					header["Authorization"] = "Bearer " + bearer
				}
				resp := rawRequest(t, "GET", h.url+path, header, "")
				if resp.StatusCode != http.StatusNotFound || resp.Header.Get("WWW-Authenticate") != "" {
					t.Errorf("%s GET %s (bearer %q): %d, challenge %q; want 404 without one", transport, path, bearer, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
				}
			}
		}
		if u.refusedCount("Bearer "+wrongToken) != 0 {
			t.Errorf("%s: an unknown path checked the token with the API", transport)
		}
		// The MCP endpoints still want credentials.
		endpoint := map[string]string{"http": "/mcp", "sse": "/sse"}[transport]
		if resp := rawRequest(t, "GET", h.url+endpoint, nil, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s GET %s without credentials: %d", transport, endpoint, resp.StatusCode)
		}
	}

	h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthBearer}})
	post := func(body, protocol string) (int, string) {
		req, _ := http.NewRequest("POST", h.url+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+tokenA)
		if protocol != "" {
			req.Header.Set("Mcp-Protocol-Version", protocol)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, protocol := range []string{mcp.ProtocolVersion20251125, ""} {
		status, text := post(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, protocol)
		if status != http.StatusBadRequest || !strings.Contains(text, "no Mcp-Session-Id header. Send initialize first") {
			t.Errorf("legacy tools/list without a session (protocol header %q): %d %q", protocol, status, text)
		}
	}
	if status, text := post(initializeBody, ""); status != http.StatusOK {
		t.Errorf("initialize without a session: %d %q", status, text)
	}
	// A modern client has no sessions: its requests go through.
	m := h.mustConnect(t, "http", tokenA)
	m.ok("organizations_read", map[string]any{"operation": "list"})
}
