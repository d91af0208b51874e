package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// Two sessions share one token's budget: while session A has many calls
// waiting for the limiter, session B's single call gets one of the next
// tokens instead of waiting behind all of A's.
func TestFairLimiterSecondSessionNotStarved(t *testing.T) {
	h := newHarness(t, setup{rateLimit: 600}) // a burst of 20, then 580/min
	b := h.secondClient(t, false)
	const aCalls, burst = 50, 20
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
			res, err := h.mcp.CallTool(ctx, req)
			switch {
			case err != nil:
				aErrs <- err.Error()
			case res.IsError:
				aErrs <- fmt.Sprint(res.Content)
			}
		})
	}
	// The burst is spent and the bucket has refilled once: A's other calls
	// have had that time to queue behind it.
	for deadline := time.Now().Add(20 * time.Second); countA(h.api.Requests()) <= burst; {
		if time.Now().After(deadline) {
			t.Fatalf("A's calls did not get through the burst: %d sent", countA(h.api.Requests()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	sentBefore := countA(h.api.Requests())

	b.ok("organizations_read", map[string]any{"operation": "list"})

	reqs := h.api.Requests()
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
	// Round robin sends one or two of A's calls ahead of B's (one turn
	// each); a first-come queue would send every one still waiting (10 or
	// more, checked below). The slack covers A's turns that pass while B's
	// call travels to the limiter on a busy machine (about one per 100 ms
	// at this rate).
	aheadOfB := countA(reqs[:at]) - sentBefore
	if aheadOfB > 5 {
		t.Fatalf("%d of A's queued calls were sent before B's one call; want at most 5 (one turn each, plus travel time)", aheadOfB)
	}
	if waiting := aCalls - countA(reqs[:at]); waiting < 10 {
		t.Fatalf("only %d of A's calls were still waiting when B was served: the test proves nothing", waiting)
	}
	wg.Wait()
	close(aErrs)
	for e := range aErrs {
		t.Errorf("a call of A failed: %s", e)
	}
}

// After a 429 asking for longer than the limiter's max wait, the call says
// when to retry, and the next call is refused by the limiter without being
// sent.
func TestRateLimitRefusalSaysWhenToRetry(t *testing.T) {
	h := newHarness(t, setup{rateLimit: 60})
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Times: 1, Status: 429, RetryAfter: "100"})
	h.fails("projects_read", map[string]any{"operation": "list"}, "rate limit was hit; wait 1m40s before retrying")
	sent := len(h.api.Requests())
	text := h.fails("organizations_read", map[string]any{"operation": "list"}, "Rate limited: retry after ", " s; nothing was sent.")
	if n := len(h.api.Requests()); n != sent {
		t.Fatalf("%d requests sent after the refusal: %s", n-sent, text)
	}
	if !strings.HasPrefix(text, "Rate limited: retry after 9") && !strings.HasPrefix(text, "Rate limited: retry after 100 s") {
		t.Fatalf("refusal %q: want a retry after about 100 s", text)
	}
}

// A call cancelled while it waits for the limiter is never sent, and its
// turn goes to the next call.
func TestLimiterCancelledWhileQueuedIsNeverSent(t *testing.T) {
	h := newHarness(t, setup{rateLimit: 60}) // a burst of 2, then about 1 a second
	pool := h.srv.opts.Client.Limiters()
	for range 2 {
		h.ok("projects_read", map[string]any{"operation": "list"})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan string, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "projects_read"
		req.Params.Arguments = map[string]any{"operation": "get", "ref": activeRef}
		res, err := h.mcp.CallTool(ctx, req)
		if err != nil {
			done <- err.Error()
			return
		}
		done <- fmt.Sprint(res.IsError, res.Content)
	}()
	for deadline := time.Now().Add(10 * time.Second); pool.Waiting() != 1; {
		if time.Now().After(deadline) {
			t.Fatal("the call did not queue for the limiter")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	// In process, the handler's result comes back; a transport may instead
	// answer the cancelled request with an error.
	if got := <-done; !strings.Contains(got, "nothing was sent") && !strings.Contains(got, "context canceled") {
		t.Fatalf("cancelled call answered %s", got)
	}
	if pool.Waiting() != 0 {
		t.Fatal("the cancelled call is still queued")
	}
	// The next call of the same session takes the token that was due for
	// the cancelled one; had that one stayed queued, it would go first.
	h.ok("organizations_read", map[string]any{"operation": "list"})
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef); n != 0 {
		t.Fatalf("the cancelled call was sent (%d requests)", n)
	}
}
