package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// Benchmarks of the client against a local server; BenchmarkBareHTTP is the
// same request with a plain http.Client, so the difference is the client's
// own cost (auth, limiter, size cap, error mapping).
//
//	go test ./internal/client -run '^$' -bench . -benchmem

var benchBody = []byte(`[` + strings.Repeat(`{"id":"abcdefghijklmnopqrst","name":"acme-prod","region":"us-east-1","status":"ACTIVE_HEALTHY"},`, 15) + `{}]`)

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(benchBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkDo(b *testing.B) {
	for _, bc := range []struct {
		name      string
		perMinute int
	}{{"limiter-off", 0}, {"limiter-on", 600_000_000}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := benchServer(b)
			c, err := New(Options{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}), Limiters: NewLimiterPool(bc.perMinute)})
			if err != nil {
				b.Fatal(err)
			}
			req := &Request{Method: "GET", Path: "/v1/projects"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Do(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBareHTTP(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkLimiterWait is the limiter's cost per request when it lets the
// request through at once (bucket lookup by token hash, token take).
func BenchmarkLimiterWait(b *testing.B) {
	p := NewLimiterPool(600_000_000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Wait(ctx, testToken, DefaultMaxRateWait); err != nil {
			b.Fatal(err)
		}
	}
}
