// Command supabase-mcp is an MCP server for the Supabase Management API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/login"
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
var defaultFeatures = server.DefaultFeatures

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
	loginPath := loginFile()
	cfg, err := config.Parse(args, env, config.Known{
		Features:        catalogue.Features(),
		DefaultFeatures: defaultFeatures,
		Tools:           catalogue.OperationNames(),
		StoredLogin:     loginPath != "" && login.Exists(loginPath),
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
	app := login.App{APIURL: cfg.APIURL, ClientID: cfg.OAuthClientID, ClientSecret: cfg.OAuthClientSecret}
	// A stored login's tokens only go to the issuer recorded with it: an
	// API URL given explicitly must match it; none given means the issuer.
	storedApp := login.App{}
	if cfg.APIURLGiven {
		storedApp.APIURL = cfg.APIURL
	}
	if cfg.Command == config.CommandLogin || cfg.Command == config.CommandLogout || cfg.UseStoredLogin {
		if err := secureLoginDir(loginPath, logger); err != nil {
			return err
		}
	}
	switch cfg.Command {
	case config.CommandLogin:
		return runLogin(ctx, cfg, app, loginPath, stderr)
	case config.CommandLogout:
		if loginPath == "" {
			return login.ErrNotLoggedIn
		}
		if err := login.Logout(ctx, loginPath, storedApp); err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		fmt.Fprintln(stderr, "Signed out: the grant was revoked and the stored tokens deleted.")
		return nil
	}

	opts := client.Options{
		BaseURL:   cfg.APIURL,
		UserAgent: "supabase-mcp/" + buildVersion(),
		Limiters:  client.NewLimiterPool(cfg.RateLimit),
		Logger:    logger,
	}
	// The server's own client: from the access token, or the stored login
	// (refreshed before expiry), unless every HTTP client brings its own.
	var api *client.Client
	switch {
	case cfg.Sandbox:
		sb, token, err := startSandbox(cfg, logger)
		if err != nil {
			return err
		}
		defer sb.Close()
		opts.BaseURL = sb.URL()
		opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
	case cfg.AccessToken != "" && cfg.HTTPAuth != config.AuthBearer:
		opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.AccessToken})
	case cfg.UseStoredLogin:
		src, err := login.NewSource(loginPath, storedApp, 0)
		if err != nil {
			return err
		}
		src.Log = logger
		opts.TokenSource = src
		opts.BaseURL = src.Issuer()
		logger.Info("using the stored login", "api_url", src.Issuer())
	}
	if opts.TokenSource != nil {
		if api, err = client.New(opts); err != nil {
			return err
		}
	}
	var pool *client.Pool
	if cfg.HTTPAuth == config.AuthBearer || cfg.HTTPAuth == config.AuthLocal {
		if pool, err = client.NewPool(opts, 0); err != nil {
			return err
		}
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
		Client:           api,
		Clients:          pool,
		Logger:           logger,
		ConfirmTimeout:   cfg.ConfirmTimeout,
		MaxArgumentBytes: cfg.MaxArgumentBytes,
		MaxRequestBytes:  cfg.MaxRequestBytes,
		Sandbox:          cfg.Sandbox,
	})
	if err != nil {
		return err
	}
	// The parser is not on the start-up path: it warms up in the background.
	guard.WarmSQLParser()
	logger.Info("starting", "sandbox", cfg.Sandbox, "version", buildVersion(), "transport", cfg.Transport, "read_only", cfg.ReadOnly, "project_ref", cfg.ProjectRef, "features", cfg.Features)

	if cfg.Transport == "stdio" {
		return srv.ServeStdio(ctx, stdin, stdout)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln, server.HTTPOptions{
		Transport:      cfg.Transport,
		Auth:           cfg.HTTPAuth,
		StaticToken:    cfg.HTTPToken,
		AllowedOrigins: cfg.AllowedOrigins,
	})
}

// loginFile is where `supabase-mcp login` keeps the token set; "" when
// there is no user config directory (then there is no stored login).
func loginFile() string {
	path, err := login.DefaultPath()
	if err != nil {
		return ""
	}
	return path
}

func runLogin(ctx context.Context, cfg *config.Config, app login.App, path string, out io.Writer) error {
	if path == "" {
		return errors.New("login: no user config directory to keep the tokens in (set HOME or XDG_CONFIG_HOME)")
	}
	o := login.Options{App: app, Out: out}
	if !cfg.NoBrowser {
		o.Open = login.OpenBrowser
	}
	stored, err := login.Login(ctx, o)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	// Replace revokes the login this one replaces (an older one, or one
	// that raced it); failing that, the new login still counts.
	err = login.Replace(ctx, path, stored, app.HTTPClient)
	if err != nil && !errors.Is(err, login.ErrPreviousGrantLive) {
		return fmt.Errorf("login: storing the tokens: %w", err)
	}
	fmt.Fprintf(out, "Signed in. The tokens are stored in %s (readable only by you); supabase-mcp uses them when no access token is given, and running servers pick them up.\n", path)
	if err != nil {
		fmt.Fprintf(out, "Warning: %v\n", err)
	}
	return nil
}

// secureLoginDir tightens the login directory (or refuses it) before it is
// used, and says so when it changed anything.
func secureLoginDir(path string, logger *slog.Logger) error {
	if path == "" {
		return nil
	}
	note, err := login.SecureDir(path)
	if err != nil {
		return err
	}
	if note != "" {
		logger.Warn(note)
	}
	return nil
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
