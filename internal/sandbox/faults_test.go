package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestFaultRetryAfterOnce(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.InjectFault(Fault{Method: "GET", Path: "/v1/projects", Times: 1, Status: 429, RetryAfter: "2", RateLimitReset: "2"})
	code, h, body := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusTooManyRequests, body)
	if h.Get("Retry-After") != "2" || h.Get("x-ratelimit-reset") != "2" || message(t, body) != "Too Many Requests" {
		t.Errorf("headers %v body %s", h, body)
	}
	code, _, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests recorded, want 2", n)
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.InjectFault(Fault{Method: "POST", Path: "/v1/projects/*", Status: 500, Body: `{"message":"boom"}`})
	// Method mismatch, path mismatch: normal handling.
	code, _, body := call(t, s, "GET", "/v1/projects/"+SeedProjectActive, nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "POST", "/v1/organizations", `{"name":"x"}`)
	wantStatus(t, code, http.StatusCreated, body)
	// Times <= 0: every match until cleared, even unauthenticated ones.
	for range 3 {
		code, _, body = call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/pause", nil)
		wantStatus(t, code, http.StatusInternalServerError, body)
		if string(body) != `{"message":"boom"}` {
			t.Errorf("body %s", body)
		}
	}
	s.ClearFaults()
	code, _, body = call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/pause", nil)
	wantStatus(t, code, http.StatusOK, body)

	// A used-up fault lets the next one match.
	s.InjectFault(Fault{Path: "/v1/organizations", Times: 1, Status: 503})
	s.InjectFault(Fault{Path: "/v1/organizations", Times: 1, Status: 502})
	for _, want := range []int{503, 502, 200} {
		code, _, body = call(t, s, "GET", "/v1/organizations", nil)
		wantStatus(t, code, want, body)
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.InjectFault(Fault{Path: "/v1/projects", Times: 1, Delay: 5 * time.Second, Status: 500})
	start := time.Now()
	_, err := send(&http.Client{Timeout: 100 * time.Millisecond}, s, "GET", "/v1/projects", nil)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v, want a client timeout", err, time.Since(start))
	}
	code, _, body := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)

	// A Delay alone slows normal handling.
	s.InjectFault(Fault{Path: "/v1/organizations", Times: 1, Delay: 50 * time.Millisecond})
	start = time.Now()
	code, _, body = call(t, s, "GET", "/v1/organizations", nil)
	wantStatus(t, code, http.StatusOK, body)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
}

func TestFaultMalformed(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.InjectFault(Fault{Path: "/v1/projects", Times: 1, Malformed: true})
	code, _, body := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	var v any
	if err := json.Unmarshal(body, &v); err == nil {
		t.Errorf("body %s is valid JSON", body)
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.InjectFault(Fault{Path: "/v1/projects", Times: 1, Drop: true})
	// A fresh connection, so the client cannot retry it as a stale keep-alive.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := send(c, s, "GET", "/v1/projects", nil); err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a connection error", resp.StatusCode)
	}
	code, _, body := callWith(t, c, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests recorded, want 2", n)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s.rate.now = func() time.Time { return now }
	s.SetRateLimit(3)
	for i := range 3 {
		code, h, body := call(t, s, "GET", "/v1/projects", nil)
		wantStatus(t, code, http.StatusOK, body)
		if h.Get("x-ratelimit-limit") != "3" || h.Get("x-ratelimit-remaining") != strconv.Itoa(2-i) ||
			h.Get("x-ratelimit-reset") != strconv.Itoa(60-10*i) {
			t.Errorf("request %d headers %v", i+1, h)
		}
		now = now.Add(10 * time.Second)
	}
	code, h, body := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusTooManyRequests, body)
	if h.Get("Retry-After") != "30" || h.Get("x-ratelimit-remaining") != "0" || s.RateLimited() != 1 {
		t.Errorf("429 headers %v, RateLimited %d", h, s.RateLimited())
	}
	// Unauthenticated requests are rejected before counting.
	code, _, _ = callWith(t, http.DefaultClient, s, "GET", "/v1/projects", nil, "Authorization", "")
	wantStatus(t, code, http.StatusUnauthorized, nil)

	now = now.Add(31 * time.Second) // the first request leaves the window
	code, _, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusTooManyRequests, body)
	if s.RateLimited() != 2 {
		t.Errorf("RateLimited %d", s.RateLimited())
	}

	s.SetRateLimit(0)
	code, h, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
	if h.Get("x-ratelimit-limit") != "" {
		t.Errorf("headers without limit: %v", h)
	}
}

func TestRateLimitWindow(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.SetRateLimitWindow(200 * time.Millisecond)
	s.SetRateLimit(1)
	call(t, s, "GET", "/v1/projects", nil)
	code, h, body := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusTooManyRequests, body)
	if h.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", h.Get("Retry-After"))
	}
	time.Sleep(250 * time.Millisecond)
	code, _, body = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, body)
}

func TestCloseWithPendingDelay(t *testing.T) {
	t.Parallel()
	s := New(Options{Token: testToken})
	s.InjectFault(Fault{Delay: time.Minute})
	errc := make(chan error, 1)
	go func() {
		_, err := send(http.DefaultClient, s, "GET", "/v1/projects", nil)
		errc <- err
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a delayed request")
	}
	if err := <-errc; err == nil {
		t.Error("the delayed request succeeded, want a connection error")
	}
}
