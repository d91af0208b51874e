package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent calls keep their connections: rounds of five at once (mcp-go's
// stdio worker count) open five connections in all, not new ones per round.
func TestConcurrentCallsReuseConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // overlap the five
		w.Write([]byte(`{}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, nil)
	for range 4 {
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/v1/projects"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if n := conns.Load(); n > 5 {
		t.Fatalf("4 rounds of 5 concurrent calls opened %d connections, want at most 5", n)
	}
}
