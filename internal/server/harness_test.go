package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

const testToken = "sbp_test_0123456789abcdef0123456789abcdef"

// harness is the real server wired to the fake Management API over HTTP,
// reached through mcp-go's in-process client.
type harness struct {
	t      testing.TB
	api    *sandbox.Server
	mcp    *mcpclient.Client
	policy *guard.Policy
	user   *user
	srv    *Server
	docs   *docsEndpoint // the stand-in docs GraphQL endpoint
}

type setup struct {
	policy    *guard.Policy
	rateLimit int
	// user answers elicitations; nil means a user who confirms everything.
	// noElicitation makes a client that does not declare the capability.
	user          *user
	noElicitation bool
	legacy        bool // pin the client to protocol 2025-11-25
	logger        *slog.Logger
	clientOpt     []mcpclient.ClientOption
	// injection makes the fake API append this text to every name,
	// description and message it answers with (sandbox.Options.Injection).
	injection string
	// tune adjusts the server's options (bounds, timeouts).
	tune func(*Options)
}

// user is the person behind the client: answers confirmation forms.
type user struct {
	mu      sync.Mutex
	asked   []mcp.ElicitationParams
	decline bool
	typed   string // typed instead of the requested name, when set
	away    bool   // never answers: waits until the request is given up
}

func (u *user) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	u.asked = append(u.asked, req.Params)
	if u.away {
		u.mu.Unlock()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	defer u.mu.Unlock()
	if u.decline {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	}
	// Type what the form asks for (its description), or say yes.
	answer := any(true)
	if props, ok := req.Params.RequestedSchema.(map[string]any)["properties"].(map[string]any); ok {
		if field, ok := props["confirm"].(map[string]any); ok && field["type"] == "string" {
			answer = field["description"]
			if u.typed != "" {
				answer = u.typed
			}
		}
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": answer},
	}}, nil
}

func (u *user) questions() []mcp.ElicitationParams {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]mcp.ElicitationParams(nil), u.asked...)
}

func newHarness(t testing.TB, s setup) *harness {
	t.Helper()
	api := sandbox.New(sandbox.Options{Token: testToken, DatabaseURL: os.Getenv(sandbox.EnvDatabaseURL), Injection: s.injection})
	t.Cleanup(api.Close)
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	if s.policy == nil {
		s.policy = &guard.Policy{}
	}
	if s.policy.Features == nil {
		s.policy.Features = cat.Features()
	}
	c, err := client.New(client.Options{
		BaseURL:     api.URL(),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
		UserAgent:   "supabase-mcp/test",
		Limiters:    client.NewLimiterPool(s.rateLimit),
		Timeout:     5 * time.Second,
		Logger:      s.logger, // the client's debug lines too: they must not leak secrets
	})
	if err != nil {
		t.Fatal(err)
	}
	docs := newDocsEndpoint(t)
	o := Options{Version: "test", Catalogue: cat, Policy: s.policy, Client: c, Logger: s.logger, Docs: docs.client(t)}
	if s.tune != nil {
		s.tune(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if s.user == nil {
		s.user = &user{}
	}
	opts := s.clientOpt
	if !s.noElicitation {
		opts = append(opts, mcpclient.WithElicitationHandler(s.user))
	}
	if s.legacy {
		opts = append(opts, mcpclient.WithProtocolVersion(mcp.ProtocolVersion20251125))
	}
	h := &harness{t: t, api: api, policy: s.policy, user: s.user, srv: srv, docs: docs}
	h.mcp = connect(t, srv, s.legacy, opts...)
	return h
}

// connect starts and initializes an in-process client of srv.
func connect(t testing.TB, srv *Server, legacy bool, opts ...mcpclient.ClientOption) *mcpclient.Client {
	t.Helper()
	mc, err := mcpclient.NewInProcessClientWithOptions(srv.MCPServer(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := mc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mc.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "harness", Version: "1"}
	if legacy {
		init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	}
	if _, err := mc.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return mc
}

// secondClient is another MCP session on the same server and fake API.
func (h *harness) secondClient(t testing.TB, legacy bool) *harness {
	var opts []mcpclient.ClientOption
	if legacy {
		opts = append(opts, mcpclient.WithProtocolVersion(mcp.ProtocolVersion20251125))
	}
	return &harness{t: t, api: h.api, policy: h.policy, user: h.user, srv: h.srv, docs: h.docs, mcp: connect(t, h.srv, legacy, opts...)}
}

// call invokes a tool and returns its text and isError flag. A protocol
// error fails the test: errors a model can act on must be tool results.
func (h *harness) call(tool string, args map[string]any) (string, bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := h.mcp.CallTool(ctx, req)
	if err != nil {
		h.t.Fatalf("%s %v: protocol error %v", tool, args, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	text := b.String()
	if strings.Contains(text, testToken) {
		h.t.Fatalf("result leaks the access token: %s", text)
	}
	return text, res.IsError
}

// ok calls and fails the test on a tool error.
func (h *harness) ok(tool string, args map[string]any) string {
	h.t.Helper()
	text, isErr := h.call(tool, args)
	if isErr {
		h.t.Fatalf("%s %v: unexpected tool error: %s", tool, args, text)
	}
	return text
}

// fails calls and fails the test unless the result is a tool error containing want.
func (h *harness) fails(tool string, args map[string]any, want ...string) string {
	h.t.Helper()
	text, isErr := h.call(tool, args)
	if !isErr {
		h.t.Fatalf("%s %v: expected a tool error, got %s", tool, args, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			h.t.Fatalf("%s %v: error %q lacks %q", tool, args, text, w)
		}
	}
	return text
}

// payload extracts the JSON inside an untrusted-data boundary (or the whole text).
func payload(text string) string {
	if i := strings.Index(text, ">\n"); strings.HasPrefix(text, "Below is") && i >= 0 {
		rest := text[i+2:]
		if j := strings.LastIndex(rest, "\n</untrusted-data-"); j >= 0 {
			return rest[:j]
		}
	}
	return text
}

func decodeJSON[T any](t *testing.T, text string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(payload(text)), &v); err != nil {
		t.Fatalf("result is not the expected JSON: %v\n%s", err, text)
	}
	return v
}

// requestsTo counts recorded requests with that method and path.
func (h *harness) requestsTo(method, path string) int {
	n := 0
	for _, r := range h.api.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func (h *harness) listTools() []mcp.Tool {
	h.t.Helper()
	res, err := h.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.Tools
}

func randomSuffix() string {
	return strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
}
