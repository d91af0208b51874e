package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// The benchmarks here are the in-process side of bench/run.sh: no process
// start and no stdio, so they isolate the server's own work per call.
//
//	go test ./internal/server -run '^$' -bench . -benchmem

// benchServer is the real server with the default features and the limiter
// off, against the fake API, reached through mcp-go's in-process client.
func benchServer(b *testing.B, policy *guard.Policy) (*sandbox.Server, *mcpclient.Client) {
	b.Helper()
	if policy.Features == nil {
		policy.Features = DefaultFeatures
	}
	// Logging on, to a discarding handler, as in production at level info.
	h := newHarness(b, setup{policy: policy, logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return h.api, h.mcp
}

func benchCall(b *testing.B, mc *mcpclient.Client, tool string, args map[string]any) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := mc.CallTool(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	if res.IsError {
		b.Fatalf("%s %v: %v", tool, args, res.Content)
	}
}

// BenchmarkToolCall is one projects_read.list call through the server, HTTP to
// the fake API included; BenchmarkBareHTTP is the same request without the
// server, so the difference is the server's overhead.
func BenchmarkToolCall(b *testing.B) {
	_, mc := benchServer(b, &guard.Policy{})
	args := map[string]any{"operation": "list"}
	b.ReportAllocs()
	for b.Loop() {
		benchCall(b, mc, "projects_read", args)
	}
}

func BenchmarkBareHTTP(b *testing.B) {
	api := sandbox.New(sandbox.Options{Token: testToken})
	b.Cleanup(api.Close)
	hc := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, api.URL()+"/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkToolCallParallel is throughput with the limiter off.
func BenchmarkToolCallParallel(b *testing.B) {
	_, mc := benchServer(b, &guard.Policy{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		args := map[string]any{"operation": "list"}
		for pb.Next() {
			benchCall(b, mc, "projects_read", args)
		}
	})
}

// BenchmarkToolCallInvalid is a call refused before any request leaves (an
// unknown argument): the server's own validation path alone.
func BenchmarkToolCallInvalid(b *testing.B) {
	_, mc := benchServer(b, &guard.Policy{})
	req := mcp.CallToolRequest{}
	req.Params.Name = "projects_read"
	req.Params.Arguments = map[string]any{"operation": "get", "reff": "abcdefghijklmnopqrst"}
	b.ReportAllocs()
	for b.Loop() {
		res, err := mc.CallTool(context.Background(), req)
		if err != nil || !res.IsError {
			b.Fatal("expected a tool error", err)
		}
	}
}

// BenchmarkListTools is tools/list with the default features.
func BenchmarkListTools(b *testing.B) {
	_, mc := benchServer(b, &guard.Policy{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mc.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup is the in-process part of start-up: loading the
// catalogue and building the server with the default feature groups.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		cat, err := tools.Default()
		if err != nil {
			b.Fatal(err)
		}
		c, err := client.New(client.Options{
			BaseURL:     "http://127.0.0.1:1",
			TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
			Limiters:    client.NewLimiterPool(60),
		})
		if err != nil {
			b.Fatal(err)
		}
		_, err = New(Options{Version: "bench", Catalogue: cat, Policy: &guard.Policy{Features: []string{"account", "database"}},
			Client: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
	}
}
