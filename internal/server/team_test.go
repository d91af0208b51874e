package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
	"github.com/supabase-mcp/supabase-mcp/internal/shared/redisstore"
	"github.com/supabase-mcp/supabase-mcp/internal/shared/sharedtest"
)

// team is two replicas that share nothing but one Redis (and the keys),
// behind a round-robin proxy without stickiness.
type team struct {
	proxy    *httpServer // what clients connect to
	replicas []*httpServer
}

const teamKeys = "c2hhcmVkLXRlc3Qta2V5LWZvci10d28tcmVwbGljYXMtMDEyMzQ1Njc4OQ=="

func startTeam(t *testing.T, apiURL, redisURL string, rateLimit int, policy *guard.Policy) *team {
	t.Helper()
	keys, err := shared.ParseKeys(teamKeys)
	if err != nil {
		t.Fatal(err)
	}
	prefix := sharedtest.Prefix(t)
	tm := &team{}
	var targets []*url.URL
	for range 2 {
		r, err := redisstore.Open(redisURL, prefix) // each replica its own connections
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		var p *guard.Policy // each replica its own policy (it holds caches)
		if policy != nil {
			p = &guard.Policy{Confirm: policy.Confirm}
		}
		h := startHTTP(t, apiURL, httpSetup{
			o:           HTTPOptions{Transport: "http", Auth: config.AuthBearer},
			policy:      p,
			limiters:    client.NewSharedLimiterPool(rateLimit, r).WithUserStore(r),
			maxRateWait: 10 * time.Minute,
			tune: func(o *Options) {
				o.Keys, o.Store = keys, r
				o.MaxCalls, o.MaxSessionCalls = 400, 400
			},
		})
		tm.replicas = append(tm.replicas, h)
		u, _ := url.Parse(h.url)
		targets = append(targets, u)
	}
	var next atomic.Uint64
	proxies := make([]*httputil.ReverseProxy, len(targets))
	for i, u := range targets {
		proxies[i] = httputil.NewSingleHostReverseProxy(u)
		proxies[i].FlushInterval = -1 // SSE answers stream through
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[next.Add(1)%uint64(len(proxies))].ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	tm.proxy = &httpServer{url: front.URL}
	return tm
}

// callCtx is a tool call with its own deadline; it returns the text and
// whether it was a tool error, or the protocol error.
func callCtx(ctx context.Context, m *mcpConn, tool string, args map[string]any) (string, bool, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := m.c.CallTool(ctx, req)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError, nil
}

var confirmTokenRE = regexp.MustCompile(`confirm-[0-9a-f]{48}`)

func countRequests(reqs []sandbox.Recorded, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// A confirmation token issued through one replica is redeemed exactly
// once, even when it is sent to both replicas at the same time; modern
// (stateless) clients work through a round-robin proxy.
func TestTeamConfirmationRedeemedOnceAcrossReplicas(t *testing.T) {
	u := newUsers(t)
	tm := startTeam(t, u.url, sharedtest.URL(t), 0, &guard.Policy{Confirm: guard.ConfirmToken})
	viaProxy := tm.proxy.mustConnect(t, "http", tokenA)
	onA := tm.replicas[0].mustConnect(t, "http", tokenA)
	onB := tm.replicas[1].mustConnect(t, "http", tokenA)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	for round := range 3 {
		del := map[string]any{"operation": "pause", "ref": activeRef}
		text, isErr, err := callCtx(ctx, viaProxy, "projects_write", del)
		token := confirmTokenRE.FindString(text)
		if err != nil || !isErr || token == "" {
			t.Fatalf("round %d: no confirmation token: %v %s", round, err, text)
		}
		before := countRequests(u.a.Requests(), "POST", "/v1/projects/"+activeRef+"/pause")
		confirmed := map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}
		var wg sync.WaitGroup
		var ok, unknown atomic.Int32
		for i := range 8 {
			conn := onA
			if i%2 == 1 {
				conn = onB
			}
			wg.Go(func() {
				text, isErr, err := callCtx(ctx, conn, "projects_write", confirmed)
				switch {
				case err != nil:
					t.Errorf("protocol error: %v", err)
				case !isErr:
					ok.Add(1)
				case strings.Contains(text, "unknown or was already used"):
					unknown.Add(1)
				default:
					// The one that ran may fail at the API (already paused):
					// it was still sent, once.
					if strings.Contains(text, "Supabase API error") {
						ok.Add(1)
					} else {
						t.Errorf("unexpected refusal: %s", text)
					}
				}
			})
		}
		wg.Wait()
		sent := countRequests(u.a.Requests(), "POST", "/v1/projects/"+activeRef+"/pause") - before
		if ok.Load() != 1 || unknown.Load() != 7 || sent != 1 {
			t.Fatalf("round %d: %d calls ran, %d were refused as used, %d requests sent; want 1, 7, 1", round, ok.Load(), unknown.Load(), sent)
		}
	}
}

// The long test: 300 calls at once through two replicas, with two tokens
// of one user, at --rate-limit 120, against a fake that answers 429 above
// 120 requests of that user in any sliding minute. No 429, and the
// recorded arrival times never hold more than 120 in a 60 s window.
//
// It takes about 2.6 minutes (300 requests at 116 per 61 s after a burst
// of 4); bash .ci/run runs it, -short skips it.
func TestTeamRateLimitAcrossReplicasPerUser(t *testing.T) {
	if testing.Short() {
		t.Skip("about 2.6 minutes; bash .ci/run runs it")
	}
	const tokenA2 = "sbp_test_a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
	u := newUsers(t)
	u.a.AcceptToken(tokenA2) // a second token of user A
	u.a.CountRateLimitPerUser()
	u.a.SetRateLimit(120)
	// The users' front proxy routes by token: add A's second token.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target, _ := url.Parse(u.a.URL())
		if r.Header.Get("Authorization") != "Bearer "+tokenA2 {
			target, _ = url.Parse(u.url)
		}
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	tm := startTeam(t, front.URL, sharedtest.URL(t), 120, nil)

	// Legacy clients keep a session each (the limiter queues per session);
	// without stickiness their calls still land on both replicas.
	const sessions, perSession = 10, 30
	var conns []*mcpConn
	for i := range sessions {
		tok := tokenA
		if i%2 == 1 {
			tok = tokenA2
		}
		conns = append(conns, tm.proxy.mustConnect(t, "http-legacy", tok))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for _, c := range conns {
		for range perSession {
			wg.Go(func() {
				text, isErr, err := callCtx(ctx, c, "organizations_read", map[string]any{"operation": "list"})
				if err != nil || isErr {
					if failed.Add(1) <= 3 {
						t.Errorf("a call failed: %v %s", err, text)
					}
				}
			})
		}
	}
	wg.Wait()
	if n := u.a.RateLimited(); n != 0 {
		t.Errorf("the API answered 429 %d times", n)
	}
	var times []time.Time
	for _, r := range u.a.Requests() {
		times = append(times, r.Time)
	}
	if got := countRequests(u.a.Requests(), "GET", "/v1/organizations"); got != sessions*perSession {
		t.Errorf("%d list requests reached the API, want %d (each call once)", got, sessions*perSession)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// Any 60 s window starts at some request: count from each.
	worst := 0
	for i, start := range times {
		j, _ := slices.BinarySearchFunc(times, start.Add(time.Minute), func(a, b time.Time) int { return a.Compare(b) })
		worst = max(worst, j-i)
	}
	t.Logf("%d requests in %s; at most %d in a 60 s window", len(times), times[len(times)-1].Sub(times[0]).Round(time.Second), worst)
	if worst > 120 {
		t.Fatalf("%d requests in one 60 s window, more than 120", worst)
	}
	// The shared limiter, not luck, kept the count: without it the two
	// replicas and two tokens would have sent everything at once.
	if worst < 100 {
		t.Fatalf("only %d requests in the busiest window: the test did not load the limit", worst)
	}
}

// Redis dies in the middle of a burst: calls waiting for the shared limit
// are refused with a clear error and never sent, a confirmation token
// cannot be used while Redis is down (nor twice after), /healthz says so,
// and everything works again once Redis is back.
func TestTeamRedisDownMidBurst(t *testing.T) {
	rs := sharedtest.Start(t)
	u := newUsers(t)
	tm := startTeam(t, u.url, rs.URL(), 120, &guard.Policy{Confirm: guard.ConfirmToken}) // a burst of 4, then one call every 0.53 s
	conns := []*mcpConn{tm.proxy.mustConnect(t, "http-legacy", tokenA), tm.proxy.mustConnect(t, "http-legacy", tokenA)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A token issued while Redis is up.
	text, _, err := callCtx(ctx, conns[0], "projects_write", map[string]any{"operation": "pause", "ref": activeRef})
	token := confirmTokenRE.FindString(text)
	if err != nil || token == "" {
		t.Fatalf("no confirmation token: %v %s", err, text)
	}

	const calls = 40
	var wg sync.WaitGroup
	var ok, refused atomic.Int32
	for i := range calls {
		wg.Go(func() {
			text, isErr, err := callCtx(ctx, conns[i%2], "organizations_read", map[string]any{"operation": "list"})
			switch {
			case err != nil:
				t.Errorf("protocol error: %v", err)
			case !isErr:
				ok.Add(1)
			case strings.Contains(text, "shared rate limiter (Redis) cannot be reached") && strings.Contains(text, "was not sent"):
				refused.Add(1)
			default:
				t.Errorf("unclear error: %s", text)
			}
		})
	}
	for countRequests(u.a.Requests(), "GET", "/v1/organizations") < 6 {
		select {
		case <-ctx.Done():
			t.Fatal("the burst did not start")
		case <-time.After(10 * time.Millisecond):
		}
	}
	rs.Kill()
	wg.Wait()
	sent := countRequests(u.a.Requests(), "GET", "/v1/organizations")
	if int(ok.Load()) != sent || ok.Load()+refused.Load() != calls || refused.Load() == 0 {
		t.Fatalf("%d calls succeeded, %d refused, %d requests sent: every request must be a success, every refusal unsent", ok.Load(), refused.Load(), sent)
	}

	// While Redis is down: the token does not redeem, nothing is sent.
	confirmed := map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}
	text, isErr, err := callCtx(ctx, conns[1], "projects_write", confirmed)
	if err != nil || !isErr || !strings.Contains(text, "Redis") {
		t.Fatalf("a confirmation during the outage: %v %v %s", err, isErr, text)
	}
	for _, r := range tm.replicas {
		if code, body := healthz(t, r.url); code != http.StatusServiceUnavailable || !strings.Contains(body, `"redis":"unreachable"`) {
			t.Fatalf("/healthz during the outage: %d %s", code, body)
		}
	}

	rs.Restart()
	for _, r := range tm.replicas {
		for {
			code, _ := healthz(t, r.url)
			if code == http.StatusOK {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatal("a replica did not reconnect to Redis")
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	conns[0].ok("organizations_read", map[string]any{"operation": "list"})
	// The restarted Redis kept nothing: the old token is unknown, not reusable.
	text, isErr, _ = callCtx(ctx, conns[0], "projects_write", confirmed)
	if !isErr || !strings.Contains(text, "unknown or was already used") {
		t.Fatalf("the old token after the outage: %s", text)
	}
	if n := countRequests(u.a.Requests(), "POST", "/v1/projects/"+activeRef+"/pause"); n != 0 {
		t.Fatalf("the confirmed call was sent %d times", n)
	}
	// A new token works, once.
	text, _, _ = callCtx(ctx, conns[1], "projects_write", map[string]any{"operation": "pause", "ref": activeRef})
	token = confirmTokenRE.FindString(text)
	confirmed["confirm"] = token
	// The same session (a token is bound to it); round robin sends the
	// redemption and its replay to different replicas.
	if text, isErr, _ := callCtx(ctx, conns[1], "projects_write", confirmed); isErr {
		t.Fatalf("a fresh token after recovery was refused: %s", text)
	}
	if _, isErr, _ := callCtx(ctx, conns[1], "projects_write", confirmed); !isErr {
		t.Fatal("a token was used twice")
	}
}

func healthz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stickyProxy is the HAProxy sample of the README in Go: round robin for
// requests without a session, and a session's requests to the replica
// whose answer minted its Mcp-Session-Id.
func stickyProxy(t *testing.T, tm *team) *httpServer {
	t.Helper()
	var mu sync.Mutex
	owner := map[string]int{}
	var next atomic.Uint64
	var proxies []*httputil.ReverseProxy
	for i, r := range tm.replicas {
		u, _ := url.Parse(r.url)
		p := httputil.NewSingleHostReverseProxy(u)
		p.FlushInterval = -1
		p.ModifyResponse = func(res *http.Response) error {
			if sid := res.Header.Get("Mcp-Session-Id"); sid != "" {
				mu.Lock()
				owner[sid] = i
				mu.Unlock()
			}
			return nil
		}
		proxies = append(proxies, p)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i, ok := owner[r.Header.Get("Mcp-Session-Id")]
		mu.Unlock()
		if !ok {
			i = int(next.Add(1) % uint64(len(proxies)))
		}
		proxies[i].ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return &httpServer{url: front.URL}
}

// An older (session) client whose confirmation is asked by elicitation
// works across replicas when the proxy routes by Mcp-Session-Id: the
// user's answer reaches the replica that asked.
func TestTeamStickySessionsElicit(t *testing.T) {
	u := newUsers(t)
	tm := startTeam(t, u.url, sharedtest.URL(t), 0, &guard.Policy{Confirm: guard.ConfirmElicit})
	yes := &user{}
	c := stickyProxy(t, tm).mustConnect(t, "http-legacy", tokenA, mcpclient.WithElicitationHandler(yes))
	// The call and the user's answer are two POSTs: round robin alone would
	// send the answer to the replica that did not ask.
	c.ok("projects_write", map[string]any{"operation": "pause", "ref": activeRef})
	yes.mu.Lock()
	asked := len(yes.asked)
	yes.mu.Unlock()
	if sent := countRequests(u.a.Requests(), "POST", "/v1/projects/"+activeRef+"/pause"); asked != 1 || sent != 1 {
		t.Fatalf("the user was asked %d times and %d calls were sent; want 1 and 1", asked, sent)
	}
}
