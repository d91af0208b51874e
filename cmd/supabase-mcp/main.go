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
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/login"
	"github.com/supabase-mcp/supabase-mcp/internal/server"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
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
	// Start-up leaves about 2.5 MB of short-lived data, nearly all of it
	// from package initialisation (mcp-go's JSON Schema library compiles its
	// meta-schemas, the SQL parser registers its protobuf types; the
	// catalogue and the tools/list entries are precomputed); collecting it
	// while the client waits for the handshake costs time and memory. Collect it once the
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
	known := config.Known{
		Features:        catalogue.Features(),
		DefaultFeatures: defaultFeatures,
		Tools:           catalogue.OperationNames(),
		Groups:          catalogue.GroupTools(),
		StoredLogin:     loginPath != "" && login.Exists(loginPath),
		ReadFile:        os.ReadFile,
		NoAuthServer:    noAuthServer,
		NoRedis:         noRedis,
	}
	cfg, err := config.Parse(args, env, known)
	if err != nil {
		return err
	}
	if cfg.Help {
		_, err := io.WriteString(stdout, config.Usage(cfg.Command, known))
		return err
	}
	serverVersion := buildVersion() // it reads the build info: once per run
	if cfg.Version {
		fmt.Fprintln(stdout, "supabase-mcp", serverVersion)
		return nil
	}
	// stdout carries JSON-RPC only; every log line goes to stderr.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}
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

	team, err := openTeam(cfg)
	if err != nil {
		return err
	}
	defer team.close()
	opts := client.Options{
		BaseURL:   cfg.APIURL,
		UserAgent: "supabase-mcp/" + serverVersion,
		Limiters:  team.limiters(cfg.RateLimit),
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
	if cfg.HTTPAuth == config.AuthBearer || cfg.HTTPAuth == config.AuthLocal || cfg.HTTPAuth == config.AuthOAuth {
		if pool, err = client.NewPool(opts, 0); err != nil {
			return err
		}
	}
	// The docs client sends nothing until a docs.search call.
	docs, err := client.NewDocs(client.DocsOptions{URL: cfg.DocsURL, UserAgent: "supabase-mcp/" + serverVersion})
	if err != nil {
		return err
	}
	// A database password generated for the user is shown on the terminal
	// the user runs a stdio server from; an HTTP server shows it to no one.
	var userNotice io.Writer
	if cfg.Transport == "stdio" {
		userNotice = stderr
	}
	policy := &guard.Policy{
		ReadOnly:      cfg.ReadOnly,
		ProjectRef:    cfg.ProjectRef,
		Features:      cfg.Features,
		Tools:         cfg.Tools,
		DisabledTools: cfg.DisabledTools,
		Confirm:       cfg.Confirm,
	}
	if len(policy.Expose(catalogue)) == 0 {
		return errors.New(noToolsError(cfg))
	}
	srv, err := server.New(server.Options{
		Version:          serverVersion,
		Catalogue:        catalogue,
		Policy:           policy,
		Client:           api,
		Clients:          pool,
		Docs:             docs,
		Logger:           logger,
		ConfirmTimeout:   cfg.ConfirmTimeout,
		MaxArgumentBytes: cfg.MaxArgumentBytes,
		MaxRequestBytes:  cfg.MaxRequestBytes,
		UserNotice:       userNotice,
		Keys:             team.keys,
		Store:            team.store(),
		Sandbox:          cfg.Sandbox,
	})
	if err != nil {
		return err
	}
	// The parser is not on the start-up path: it warms up in the background.
	guard.WarmSQLParser()
	exposed := []any{"features", cfg.Features}
	if len(cfg.Tools) > 0 { // --tools replaces the feature filter
		exposed = []any{"tools", cfg.Tools}
	}
	if len(cfg.DisabledTools) > 0 {
		exposed = append(exposed, "disabled_tools", cfg.DisabledTools)
	}
	logger.Info("starting", append([]any{"sandbox", cfg.Sandbox, "version", serverVersion, "transport", cfg.Transport, "read_only", cfg.ReadOnly, "project_ref", cfg.ProjectRef}, exposed...)...)

	if cfg.Transport == "stdio" {
		return srv.ServeStdio(ctx, stdin, stdout)
	}
	var oauthServer server.AuthServer
	if cfg.HTTPAuth == config.AuthOAuth {
		if oauthServer, err = newAuthServer(cfg, team.store(), logger); err != nil {
			return err
		}
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
		OAuth:          oauthServer,
	})
}

// team is the state replicas share (--redis-url, --session-key-file).
type team struct {
	keys  *shared.Keys // nil: a random key for this process
	redis teamStore    // nil: everything in process
}

// teamStore is what replicas share through Redis (redisstore.Store, in
// builds with the redis tag).
type teamStore interface {
	shared.Store
	client.SharedBuckets
	Close() error
}

func openTeam(cfg *config.Config) (*team, error) {
	t := &team{}
	var err error
	switch {
	case cfg.SessionKeyFile != "":
		t.keys, err = shared.LoadKeysFile(cfg.SessionKeyFile)
	case cfg.SessionKeys != "":
		t.keys, err = shared.ParseKeys(cfg.SessionKeys)
	}
	if err != nil {
		return nil, err
	}
	if cfg.RedisURL != "" {
		if t.redis, err = openRedis(cfg.RedisURL); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *team) limiters(perMinute int) *client.LimiterPool {
	if t.redis == nil {
		return client.NewLimiterPool(perMinute)
	}
	return client.NewSharedLimiterPool(perMinute, t.redis).WithUserStore(t.redis)
}

func (t *team) store() shared.Store {
	if t.redis == nil {
		return nil
	}
	return t.redis
}

func (t *team) close() {
	if t.redis != nil {
		_ = t.redis.Close()
	}
}

// noToolsError explains a configuration whose filters leave no tool: such
// a server would start and offer the client nothing.
func noToolsError(cfg *config.Config) string {
	var filters []string
	if len(cfg.Tools) > 0 {
		filters = append(filters, "--tools "+strings.Join(cfg.Tools, ","))
	} else {
		filters = append(filters, "--features "+strings.Join(cfg.Features, ","))
	}
	if len(cfg.DisabledTools) > 0 {
		filters = append(filters, "--disable-tools "+strings.Join(cfg.DisabledTools, ","))
	}
	if cfg.ReadOnly {
		filters = append(filters, "--read-only (read operations only)")
	}
	if cfg.ProjectRef != "" {
		filters = append(filters, "--project-ref (no account-level operations)")
	}
	return "no tools left to offer: " + strings.Join(filters, " with ") + " leave no operation; loosen one of them"
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
