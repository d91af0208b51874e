package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Each token gets its own Client, sending that token; two users' tokens
// have their own buckets.
func TestPoolClientsPerToken(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/profile" { // every token its own user
			fmt.Fprintf(w, `{"gotrue_id":%q}`, r.Header.Get("Authorization"))
			return
		}
		mu.Lock()
		seen[r.Header.Get("Authorization")]++
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	p, err := NewPool(Options{BaseURL: srv.URL, Limiters: NewLimiterPool(60)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Get("token-a"), p.Get("token-b")
	if a == b || p.Get("token-a") != a {
		t.Fatal("one client per token, reused")
	}
	ctx := context.Background()
	// The burst of 60/min is 2: a uses it up (its user lookup and a call,
	// then a call a second later), b must not wait for a.
	for range 2 {
		if _, err := a.Do(ctx, &Request{Method: "GET", Path: "/v1/x"}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := b.Do(ctx, &Request{Method: "GET", Path: "/v1/x"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Fatalf("token b waited %s for token a's bucket", d)
	}
	if seen["Bearer token-a"] != 2 || seen["Bearer token-b"] != 1 {
		t.Fatalf("requests by token: %v", seen)
	}
	// Bounded: the least recently used client (b; a was asked for since) goes.
	p.Get("token-c")
	if p.Len() != 2 {
		t.Fatalf("pool holds %d clients, want 2", p.Len())
	}
	if p.Get("token-a") != a {
		t.Fatal("recently used client was dropped")
	}
	if _, err := NewPool(Options{BaseURL: "ftp://x"}, 1); err == nil {
		t.Fatal("bad options accepted")
	}
}

// Many distinct tokens do not grow the limiter pool without bound, and a
// bucket in use survives pruning.
func TestLimiterPoolPrunesIdleBuckets(t *testing.T) {
	p := NewLimiterPool(60)
	ctx := context.Background()
	for range 2 {
		if err := p.Wait(ctx, "busy", 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 * pruneAbove {
		p.bucket(fmt.Sprint("idle-", i))
	}
	if n := p.size(); n > pruneAbove+1 {
		t.Fatalf("pool holds %d buckets", n)
	}
	if b := p.bucket("busy"); b.tokens.TokensAt(p.clock.Now()) >= p.burst {
		t.Fatal("the busy bucket was pruned and came back full")
	}
}

// One user's two tokens share one bucket: the API counts per user.
func TestPoolTokensOfOneUserShareABucket(t *testing.T) {
	var mu sync.Mutex
	var profiles, calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/v1/profile" {
			profiles++
			w.Write([]byte(`{"gotrue_id":"the-same-user"}`))
			return
		}
		calls++
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	limiters := NewLimiterPool(60) // a burst of 2
	p, err := NewPool(Options{BaseURL: srv.URL, Limiters: limiters, MaxRateWait: time.Millisecond}, 4)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Token a's user lookup and one call spend the burst; token b's lookup
	// is charged to the same user, so its call finds no token.
	if _, err := p.Get("token-a").Do(ctx, &Request{Path: "/v1/x"}); err != nil {
		t.Fatal(err)
	}
	_, err = p.Get("token-b").Do(ctx, &Request{Path: "/v1/x"})
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("token b of the same user got its own budget: %v", err)
	}
	if profiles != 2 || calls != 1 {
		t.Fatalf("profiles %d, calls %d; want 2 and 1", profiles, calls)
	}
	// Known now: no second lookup.
	if _, err := p.Get("token-a").Do(ctx, &Request{Path: "/v1/profile"}); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("want the shared bucket empty: %v", err)
	}
	if profiles != 2 {
		t.Fatalf("the user was looked up again: %d lookups", profiles)
	}
}
