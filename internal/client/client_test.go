package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const testToken = "sbp_0123456789abcdef0123456789abcdef01234567"

func newClient(t *testing.T, baseURL string, mod func(*Options)) *Client {
	t.Helper()
	opts := Options{
		BaseURL:     baseURL,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
		UserAgent:   "supabase-mcp/test",
		Limiters:    NewLimiterPool(0),
		Timeout:     2 * time.Second,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// server counts requests and answers each with h(n, w, r), n starting at 1.
func server(t *testing.T, h func(n int32, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(count.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func apiError(t *testing.T, err error) *APIError {
	t.Helper()
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

func TestNewValidates(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	for _, o := range []Options{
		{TokenSource: ts},
		{BaseURL: "https://api.supabase.com"},
		{BaseURL: "api.supabase.com", TokenSource: ts},
		{BaseURL: "ftp://api.supabase.com", TokenSource: ts},
		{BaseURL: "https://%zz", TokenSource: ts},
		{BaseURL: "https://api.supabase.com?x=1", TokenSource: ts},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

func TestRequestAndHeaders(t *testing.T) {
	srv, _ := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		for k, want := range map[string]string{
			"Authorization": "Bearer " + testToken,
			"User-Agent":    "supabase-mcp/test",
			"Accept":        "application/json",
			"Content-Type":  "application/json",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/projects/abc/database/query" || r.URL.Query().Get("read_only") != "true" {
			t.Errorf("got %s %s", r.Method, r.URL)
		}
		w.Header().Set("X-Echo", "1")
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	})
	c := newClient(t, srv.URL+"/", nil) // trailing slash must not double up
	resp, err := c.Do(t.Context(), &Request{
		Method: "post",
		Path:   "/v1/projects/abc/database/query",
		Query:  url.Values{"read_only": {"true"}},
		Body:   []byte(`{"query":"select 1"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusCreated || resp.Header.Get("X-Echo") != "1" || string(resp.Body) != `{"query":"select 1"}` {
		t.Errorf("got %+v", resp)
	}
}

func TestLimiterSharedAcrossClients(t *testing.T) {
	t.Parallel()
	srv, count := server(t, func(int32, http.ResponseWriter, *http.Request) {})
	pool := NewLimiterPool(600) // burst 20, then 580/min
	opt := func(o *Options) { o.Limiters = pool }
	c1, c2 := newClient(t, srv.URL, opt), newClient(t, srv.URL, opt)

	const n = 40
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		wg.Go(func() {
			if _, err := c.Do(t.Context(), &Request{Path: "/v1/projects"}); err != nil {
				t.Error(err)
			}
		})
	}

	// The bucket for testToken is now drained; another token is not delayed.
	time.Sleep(50 * time.Millisecond)
	other := newClient(t, srv.URL, func(o *Options) {
		o.Limiters = pool
		o.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "another-token"})
	})
	otherStart := time.Now()
	if _, err := other.Do(t.Context(), &Request{Path: "/v1/projects"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(otherStart); d > 300*time.Millisecond {
		t.Errorf("other token took %s", d)
	}

	wg.Wait()
	// 20 from the burst, the other 20 at 580/min: >= 20*60/580 s.
	want := (n - 20) * time.Minute / 580
	if d := time.Since(start); d < want-100*time.Millisecond {
		t.Errorf("%d calls took %s, want >= %s", n, d, want)
	}
	if got := count.Load(); got != n+1 {
		t.Errorf("server saw %d requests, want %d", got, n+1)
	}
}

func TestBlockAfter429DelaysOtherCalls(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/first" && n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	pool := NewLimiterPool(0)
	c := newClient(t, srv.URL, func(o *Options) { o.Limiters = pool })

	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(t.Context(), &Request{Path: "/v1/first"})
		done <- err
	}()
	for pool.blockedUntil(testToken).IsZero() {
		if time.Since(start) > 2*time.Second {
			t.Fatal("no Block after 429")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := c.Do(t.Context(), &Request{Path: "/v1/second"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("concurrent call with the same token finished after %s, want >= ~1s", d)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRetry429(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, header string }{
		{http.MethodGet, "Retry-After"},
		{http.MethodGet, "X-Ratelimit-Reset"},
		{http.MethodPost, "Retry-After"}, // not processed, so safe to resend
	} {
		t.Run(tc.method+" "+tc.header, func(t *testing.T) {
			t.Parallel()
			srv, count := server(t, func(n int32, w http.ResponseWriter, r *http.Request) {
				if body, _ := io.ReadAll(r.Body); tc.method == http.MethodPost && string(body) != `{"a":1}` {
					t.Errorf("attempt %d body %q", n, body)
				}
				if n == 1 {
					w.Header().Set(tc.header, "1")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmt.Fprint(w, `{"ok":true}`)
			})
			req := &Request{Method: tc.method, Path: "/v1/projects"}
			if tc.method == http.MethodPost {
				req.Body = []byte(`{"a":1}`)
			}
			start := time.Now()
			resp, err := newClient(t, srv.URL, nil).Do(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < 900*time.Millisecond {
				t.Errorf("took %s, want >= ~1s", d)
			}
			if count.Load() != 2 || string(resp.Body) != `{"ok":true}` {
				t.Errorf("requests %d, body %q", count.Load(), resp.Body)
			}
		})
	}
}

func Test429RetriesExhausted(t *testing.T) {
	t.Parallel()
	srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"Too many requests"}`)
	})
	_, err := newClient(t, srv.URL, func(o *Options) { o.MaxRetries = 2 }).Do(t.Context(), &Request{Path: "/v1/projects"})
	if apiErr := apiError(t, err); apiErr.Status != http.StatusTooManyRequests || count.Load() != 3 {
		t.Errorf("err %v after %d requests", err, count.Load())
	}
}

func Test429WaitBeyondDeadlineFailsFast(t *testing.T) {
	t.Parallel()
	srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, srv.URL, nil).Do(ctx, &Request{Method: http.MethodPost, Path: "/v1/projects"})
	apiErr := apiError(t, err)
	if apiErr.Status != 429 || apiErr.RetryAfter != 30*time.Second || count.Load() != 1 || time.Since(start) > 500*time.Millisecond {
		t.Errorf("err %+v, %d requests, after %s", apiErr, count.Load(), time.Since(start))
	}
	if !strings.Contains(err.Error(), "retry after 30s") {
		t.Errorf("error %q lacks the retry hint", err)
	}
}

func TestCancelDuring429Wait(t *testing.T) {
	t.Parallel()
	srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests) // no header: 60 s default
	})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := newClient(t, srv.URL, nil).Do(ctx, &Request{Path: "/v1/projects"})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second || count.Load() != 1 {
		t.Errorf("err %v after %s and %d requests", err, time.Since(start), count.Load())
	}
}

func TestRetry5xxOnlyForReads(t *testing.T) {
	t.Parallel()
	t.Run("GET retried", func(t *testing.T) {
		srv, count := server(t, func(n int32, w http.ResponseWriter, _ *http.Request) {
			if n <= 2 {
				http.Error(w, "boom", http.StatusInternalServerError)
			}
		})
		if _, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Path: "/v1/projects"}); err != nil || count.Load() != 3 {
			t.Errorf("err %v after %d requests", err, count.Load())
		}
	})
	t.Run("GET gives up", func(t *testing.T) {
		srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		_, err := newClient(t, srv.URL, func(o *Options) { o.MaxRetries = 1 }).Do(t.Context(), &Request{Method: http.MethodHead, Path: "/v1/projects"})
		if apiError(t, err).Status != 503 || count.Load() != 2 {
			t.Errorf("err %v after %d requests", err, count.Load())
		}
	})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(m+" not resent", func(t *testing.T) {
			srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"message":"failed to create project"}`)
			})
			_, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Method: m, Path: "/v1/projects", Body: []byte(`{}`)})
			apiErr := apiError(t, err)
			if apiErr.Status != 500 || apiErr.Message != "failed to create project" || count.Load() != 1 {
				t.Errorf("err %+v after %d requests", apiErr, count.Load())
			}
		})
	}
}

// A write with an Idempotency-Key is retried on 5xx and network errors,
// sending the same key and body every time; without one it never is.
func TestRetryWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	const key = "0b6f6b0e-4d4c-4c1e-9d4e-6f0c2a7b9e11"
	t.Run("5xx", func(t *testing.T) {
		var mu sync.Mutex
		var keys, bodies []string
		srv, count := server(t, func(n int32, w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			keys, bodies = append(keys, r.Header.Get("Idempotency-Key")), append(bodies, string(b))
			mu.Unlock()
			if n <= 2 {
				w.WriteHeader(http.StatusBadGateway)
			}
		})
		_, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Method: http.MethodPost, Path: "/v1/projects/x/database/migrations", Body: []byte(`{"query":"select 1"}`), IdempotencyKey: key})
		if err != nil || count.Load() != 3 {
			t.Fatalf("err %v after %d requests", err, count.Load())
		}
		for i := range keys {
			if keys[i] != key || bodies[i] != `{"query":"select 1"}` {
				t.Errorf("attempt %d sent key %q body %q", i+1, keys[i], bodies[i])
			}
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		srv, count := server(t, func(n int32, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			}
		})
		// A fresh connection per attempt: net/http itself resends requests
		// with an Idempotency-Key dropped on a reused one, and this test is
		// about the client's own retry.
		hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		_, err := newClient(t, srv.URL, func(o *Options) { o.HTTPClient = hc }).Do(t.Context(), &Request{Method: http.MethodPut, Path: "/v1/projects/x/database/migrations", Body: []byte(`{}`), IdempotencyKey: key})
		if err != nil || count.Load() != 2 {
			t.Fatalf("err %v after %d requests", err, count.Load())
		}
	})
	t.Run("4xx not resent", func(t *testing.T) {
		srv, count := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
		})
		_, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Method: http.MethodPost, Path: "/v1/x", Body: []byte(`{}`), IdempotencyKey: key})
		if apiError(t, err).Status != 400 || count.Load() != 1 {
			t.Errorf("err %v after %d requests", err, count.Load())
		}
	})
	t.Run("no key no header", func(t *testing.T) {
		srv, _ := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
			if _, ok := r.Header["Idempotency-Key"]; ok {
				w.WriteHeader(http.StatusBadRequest)
			}
		})
		if _, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Method: http.MethodPost, Path: "/v1/x", Body: []byte(`{}`)}); err != nil {
			t.Error(err)
		}
	})
}

func TestAPIErrorMessages(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400) // 800 bytes, cut mid-rune at 500
	for _, tc := range []struct {
		status      int
		body, want  string
		errorString string
	}{
		{404, `{"message":"project not found"}`, "project not found", "GET /v1/projects/abc: 404 Not Found: project not found"},
		{400, `{"error":"invalid ref"}`, "invalid ref", ""},
		{400, `{"msg":"bad sql"}`, "bad sql", ""},
		{400, `{"error":{"message":"nested"}}`, "nested", ""},
		{403, `{"code":7}`, `{"code":7}`, ""},
		{403, "  forbidden here\n", "forbidden here", "GET /v1/projects/abc: 403 Forbidden: forbidden here"},
		{404, "", "Not Found", "GET /v1/projects/abc: 404 Not Found"},
		{400, long, strings.Repeat("é", 250) + "…", ""},
		{418, "<html>teapot</html>", "<html>teapot</html>", ""},
	} {
		srv, _ := server(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		})
		_, err := newClient(t, srv.URL, nil).Do(t.Context(), &Request{Path: "/v1/projects/abc"})
		apiErr := apiError(t, err)
		if apiErr.Status != tc.status || apiErr.Message != tc.want || apiErr.Method != "GET" || apiErr.Path != "/v1/projects/abc" {
			t.Errorf("body %q: got %+v, want message %q", tc.body, apiErr, tc.want)
		}
		if tc.errorString != "" && err.Error() != tc.errorString {
			t.Errorf("Error() = %q, want %q", err, tc.errorString)
		}
	}
}

func TestResponseSizeCap(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		n := 1024
		if r.URL.Path == "/v1/big" {
			n++
		}
		w.Write(bytes.Repeat([]byte("x"), n))
	})
	c := newClient(t, srv.URL, func(o *Options) { o.MaxResponseBytes = 1024 })
	if resp, err := c.Do(t.Context(), &Request{Path: "/v1/fits"}); err != nil || len(resp.Body) != 1024 {
		t.Fatalf("at the cap: %v", err)
	}
	_, err := c.Do(t.Context(), &Request{Path: "/v1/big"})
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err %v does not match ErrResponseTooLarge", err)
	}
	if want := "response from GET /v1/big exceeds 1 KiB; narrow the request"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv, count := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Timeout = 100 * time.Millisecond; o.MaxRetries = 1 })

	_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, Path: "/v1/projects", Body: []byte(`{}`)})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "POST /v1/projects: network error: no response within 100ms") {
		t.Errorf("POST: %v", err)
	}
	if count.Load() != 1 {
		t.Errorf("POST sent %d times, want 1", count.Load())
	}

	count.Store(0)
	if _, err = c.Do(t.Context(), &Request{Path: "/v1/projects"}); !errors.Is(err, context.DeadlineExceeded) || count.Load() != 2 {
		t.Errorf("GET: %v after %d requests, want a retry", err, count.Load())
	}
}

func TestTokenRedaction(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	withLog := func(o *Options) { o.Logger = logger; o.MaxRetries = 1 }
	srv, _ := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		status := http.StatusBadRequest
		if r.URL.Path == "/v1/500" {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":"bad header %s, query %s"}`, r.Header.Get("Authorization"), r.URL.RawQuery)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for e := err; e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), testToken) {
				t.Errorf("%s: error leaks the token: %q", name, e)
			}
		}
	}
	q := url.Values{"t": {testToken}} // puts the token into url.Error text
	_, err = newClient(t, srv.URL, withLog).Do(t.Context(), &Request{Path: "/v1/400", Query: q})
	check("400 echo", err)
	if !strings.Contains(err.Error(), "Bearer [REDACTED]") {
		t.Errorf("400 echo: %q lacks the redaction marker", err)
	}
	_, err = newClient(t, srv.URL, withLog).Do(t.Context(), &Request{Path: "/v1/500"})
	check("500 echo", err)
	_, err = newClient(t, closed, withLog).Do(t.Context(), &Request{Path: "/v1/projects", Query: q})
	check("closed port", err)
	if !strings.Contains(err.Error(), "GET /v1/projects: network error: ") {
		t.Errorf("closed port: %q", err)
	}

	if !strings.Contains(logs.String(), "status=400") || !strings.Contains(logs.String(), "attempt=2") {
		t.Errorf("debug log lacks request lines:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("debug log leaks the token:\n%s", logs.String())
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header, value string
		want          time.Duration
		ok            bool
	}{
		{"Retry-After", "7", 7 * time.Second, true},
		{"Retry-After", "1.5", 1500 * time.Millisecond, true},
		{"Retry-After", now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
		{"Retry-After", now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"Retry-After", "9999", maxRetryWait, true},
		{"Retry-After", "soon", 0, false},
		{"Retry-After", "NaN", 0, false},
		{"X-Ratelimit-Reset", "3", 3 * time.Second, true},
		{"X-Ratelimit-Reset", fmt.Sprint(now.Add(20 * time.Second).Unix()), 20 * time.Second, true},
		{"X-Ratelimit-Reset", "-1", 0, false},
	} {
		h := http.Header{}
		h.Set(tc.header, tc.value)
		if got, ok := retryAfter(h, now); got != tc.want || ok != tc.ok {
			t.Errorf("%s: %s => %s %v, want %s %v", tc.header, tc.value, got, ok, tc.want, tc.ok)
		}
	}
}
