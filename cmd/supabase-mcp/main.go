// Command supabase-mcp is an MCP server for the Supabase Management API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/server"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// The garbage collector waits startupGCDelay after start, unless the Go
// runtime's memory reaches startupMemoryLimit first (about 9 MiB is in use
// when the server starts serving; 12 MiB is what it settles at under load),
// so that a burst of calls right after start cannot grow the heap unchecked.
const (
	startupGCDelay     = 500 * time.Millisecond
	startupMemoryLimit = 12 << 20
)

// defaultGCPercent replaces Go's 100 unless GOGC is set: the server is idle
// most of the time and allocates little per call, so a heap held closer to
// its live size (under 2 MB) is worth the extra collections, which cost a few
// microseconds per call. Steady-state RSS is about 1.5 MB lower.
const defaultGCPercent = 50

// defaultFeatures are enabled when --features is not given.
var defaultFeatures = []string{"account", "database"}

func main() {
	// Start-up leaves a few MB of short-lived data (package initialisation,
	// the catalogue, schemas); collecting it while the client waits for the
	// handshake costs about 1 ms and a little memory. Collect it once the
	// handshake is over. The user's GOGC and GOMEMLIMIT come back after.
	gcPercent := debug.SetGCPercent(-1)
	if _, set := os.LookupEnv("GOGC"); !set {
		gcPercent = defaultGCPercent
	}
	memLimit := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(memLimit, startupMemoryLimit))
	time.AfterFunc(startupGCDelay, func() {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(memLimit)
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "supabase-mcp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env config.Env, stdin io.Reader, stdout, stderr io.Writer) error {
	catalogue, err := tools.Default()
	if err != nil {
		return err
	}
	cfg, err := config.Parse(args, env, config.Known{
		Features:        catalogue.Features(),
		DefaultFeatures: defaultFeatures,
		Tools:           catalogue.OperationNames(),
	})
	if err != nil {
		return err
	}
	if cfg.Version {
		fmt.Fprintln(stdout, "supabase-mcp", buildVersion())
		return nil
	}
	// stdout carries JSON-RPC only; every log line goes to stderr.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	api, err := client.New(client.Options{
		BaseURL:     cfg.APIURL,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.AccessToken}),
		UserAgent:   "supabase-mcp/" + buildVersion(),
		Limiters:    client.NewLimiterPool(cfg.RateLimit),
		Logger:      logger,
	})
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{
		Version:   buildVersion(),
		Catalogue: catalogue,
		Policy: &guard.Policy{
			ReadOnly:      cfg.ReadOnly,
			ProjectRef:    cfg.ProjectRef,
			Features:      cfg.Features,
			Tools:         cfg.Tools,
			DisabledTools: cfg.DisabledTools,
			Confirm:       cfg.Confirm,
		},
		Client: api,
		Logger: logger,
	})
	if err != nil {
		return err
	}
	// The parser is not on the start-up path: it warms up in the background.
	guard.WarmSQLParser()
	logger.Info("starting", "version", buildVersion(), "transport", cfg.Transport, "read_only", cfg.ReadOnly, "project_ref", cfg.ProjectRef, "features", cfg.Features)

	switch cfg.Transport {
	case "http":
		return serveHTTP(ctx, cfg.Listen, srv.HTTPHandler(), logger)
	case "sse":
		return serveHTTP(ctx, cfg.Listen, srv.SSEHandler(), logger)
	default:
		return srv.ServeStdio(ctx, stdin, stdout)
	}
}

func serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
