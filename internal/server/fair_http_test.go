package server

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// Over HTTP, two clients sharing the server's token (static HTTP
// authentication) in two sessions: client A's backlog does not hold back
// client B's call. (Modern stateless requests carry no session: clients
// sharing a credential are one caller there.)
func TestFairLimiterOverHTTP(t *testing.T) {
	for _, kind := range []string{"http-legacy", "sse"} {
		t.Run(kind, func(t *testing.T) {
			u := newUsers(t)
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: serverTransport(kind), Auth: config.AuthStatic, StaticToken: httpSecret}, rateLimit: 300, tune: func(o *Options) { o.MaxSessionCalls = 64 }}) // a burst of 10, then one call every 207 ms; A may run its 40 calls at once (the limiter is under test, not the per-session bound)
			a, b := h.mustConnect(t, kind, httpSecret), h.mustConnect(t, kind, httpSecret)
			const aCalls, burst = 40, 10
			countA := func(reqs []sandbox.Recorded) int {
				n := 0
				for _, r := range reqs {
					if r.Method == "GET" && r.Path == "/v1/projects" {
						n++
					}
				}
				return n
			}
			var wg sync.WaitGroup
			aErrs := make(chan string, aCalls)
			for range aCalls {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					req := mcp.CallToolRequest{}
					req.Params.Name = "projects_read"
					req.Params.Arguments = map[string]any{"operation": "list"}
					res, err := a.c.CallTool(ctx, req)
					switch {
					case err != nil:
						aErrs <- err.Error()
					case res.IsError:
						aErrs <- fmt.Sprint(res.Content)
					}
				})
			}
			for deadline := time.Now().Add(20 * time.Second); countA(u.own.Requests()) <= burst; {
				if time.Now().After(deadline) {
					t.Fatalf("A's calls did not get through the burst: %d sent", countA(u.own.Requests()))
				}
				time.Sleep(5 * time.Millisecond)
			}
			sentBefore := countA(u.own.Requests())
			b.ok("organizations_read", map[string]any{"operation": "list"})
			reqs := u.own.Requests()
			at := -1
			for i, r := range reqs {
				if r.Path == "/v1/organizations" {
					at = i
					break
				}
			}
			if at < 0 {
				t.Fatal("B's request was not sent")
			}
			// One turn each would let at most 2 of A's calls go first; the
			// rest of the margin is for B's request to travel over HTTP to the
			// limiter (a second). Served first come, first served, about 28
			// would go first.
			if ahead := countA(reqs[:at]) - sentBefore; ahead > 6 {
				t.Fatalf("%d of A's queued calls were sent before B's one call; want at most 6", ahead)
			}
			if waiting := aCalls - countA(reqs[:at]); waiting < 10 {
				t.Fatalf("only %d of A's calls were still waiting when B was served: the test proves nothing", waiting)
			}
			wg.Wait()
			close(aErrs)
			for e := range aErrs {
				t.Errorf("a call of A failed: %s", e)
			}
		})
	}
}
