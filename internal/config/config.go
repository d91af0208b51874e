// Package config parses the command line and environment strictly: an unknown
// flag, a bad value or a misspelled feature name is an error, never ignored.
package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultDocsURL is the GraphQL Content API of Supabase's documentation,
// which docs.search queries (the endpoint Supabase's own MCP server uses).
const DefaultDocsURL = "https://supabase.com/docs/api/graphql"

// DefaultAPIURL is the Supabase Management API.
const DefaultAPIURL = "https://api.supabase.com"

// TokensPage is where users create personal access tokens.
const TokensPage = "https://supabase.com/dashboard/account/tokens"

// Confirmation policies for destructive calls.
var ConfirmPolicies = []string{"auto", "elicit", "token", "deny", "none"}

// Transports the server speaks.
var Transports = []string{"stdio", "http", "sse"}

// Commands besides serving: `supabase-mcp login` and `supabase-mcp logout`.
const (
	CommandServe  = ""
	CommandLogin  = "login"
	CommandLogout = "logout"
)

// How HTTP clients authenticate (http and sse transports).
const (
	// AuthBearer: every request carries "Authorization: Bearer <Supabase
	// token>", and that token makes the request's API calls.
	AuthBearer = "bearer"
	// AuthStatic: every request carries the --http-token secret; the server
	// calls the API with its own token.
	AuthStatic = "http-token"
	// AuthLocal: loopback only, the server's own token, no credentials
	// needed (a request that brings a bearer token uses it instead).
	AuthLocal = "local"
	// AuthOAuth (--auth oauth): the server is an OAuth authorization
	// server for MCP clients and acts with each user's Supabase grant.
	AuthOAuth = "oauth"
)

// MinHTTPTokenLength is the shortest --http-token accepted.
const MinHTTPTokenLength = 16

// Defaults of the operational bounds.
const (
	// DefaultConfirmTimeout is how long a pending confirmation waits for the user.
	DefaultConfirmTimeout = 5 * time.Minute
	// DefaultMaxArgumentBytes caps one tool call's arguments: room for an
	// edge function deploy of a few MiB of source.
	DefaultMaxArgumentBytes = 4 << 20
	// DefaultMaxRequestBytes caps one JSON-RPC message (an HTTP request body,
	// a stdio line): the arguments plus the envelope.
	DefaultMaxRequestBytes = DefaultMaxArgumentBytes + 1<<20
)

// Config is the parsed command line.
type Config struct {
	AccessToken string
	APIURL      string
	ReadOnly    bool
	ProjectRef  string
	// Features are the enabled feature groups, validated against the catalogue.
	Features []string
	// Tools is an allow list of "tool" or "tool.operation" names that
	// replaces the feature filter; DisabledTools is a deny list.
	Tools         []string
	DisabledTools []string
	Transport     string
	Listen        string
	RateLimit     int
	Confirm       string
	LogLevel      slog.Level
	Version       bool
	// ConfirmTimeout is how long a confirmation waits for the user's answer.
	ConfirmTimeout time.Duration
	// MaxArgumentBytes caps a tool call's arguments; MaxRequestBytes one
	// JSON-RPC message (HTTP body or stdio line).
	MaxArgumentBytes int64
	MaxRequestBytes  int64

	// Command is CommandServe, CommandLogin or CommandLogout.
	Command string
	// HTTPToken is the shared secret HTTP clients present (--http-token).
	HTTPToken string
	// AllowedOrigins are the browser origins (scheme://host[:port]) allowed
	// besides the server's own.
	AllowedOrigins []string
	// HTTPAuth is how HTTP clients authenticate: AuthBearer, AuthStatic or
	// AuthLocal (empty for stdio and the login commands).
	HTTPAuth string
	// UseStoredLogin: no access token was given, and the server runs on the
	// token set stored by `supabase-mcp login`.
	UseStoredLogin bool
	// APIURLGiven: --api-url or SUPABASE_API_URL set APIURL (else it is the
	// default, and a stored login's own issuer is used instead).
	APIURLGiven bool
	// OAuth app for login, logout and refreshing a stored login.
	OAuthClientID     string
	OAuthClientSecret string
	// NoBrowser: login prints the URL but does not open a browser.
	NoBrowser bool
	// DocsURL is the documentation's GraphQL Content API (docs.search).
	DocsURL string
	// Team deployment (several replicas): RedisURL shares the rate limit,
	// confirmations and token checks; SessionKeys (from --session-key-file
	// or SUPABASE_MCP_SESSION_KEYS) sign session ids and seal elicitation
	// states alike on every replica, the first key current, the others
	// still accepted (rotation).
	RedisURL       string
	SessionKeyFile string
	SessionKeys    string

	// Help: --help was given; print Usage(Command) and exit 0.
	Help bool
	// Warnings are things to log at start that do not stop the server.
	Warnings []string

	// --auth oauth: Auth is "oauth" (empty otherwise), PublicURL the
	// issuer clients reach (scheme://host[:port]), OAuthKey the master key
	// sealing the Supabase grants (from SUPABASE_MCP_OAUTH_KEY or
	// --oauth-key-file).
	Auth      string
	PublicURL string
	OAuthKey  []byte

	// Sandbox serves against an in-process simulator of the Management API
	// (seeded demo data, no token, nothing leaves the machine).
	Sandbox bool
	// SandboxState is the JSON file the sandbox keeps its state in across
	// restarts ("" keeps it in memory); SandboxReset starts it from the seed.
	SandboxState string
	SandboxReset bool
	// SandboxDatabaseURL is the PostgreSQL behind the sandbox's SQL endpoints.
	SandboxDatabaseURL string
	// SandboxFaultRates maps an HTTP status to the fraction of sandbox
	// requests answered with it; SandboxDelay slows every request.
	SandboxFaultRates map[int]float64
	SandboxDelay      time.Duration
}

// Env reads an environment variable (os.LookupEnv in production, a map in tests).
type Env func(string) (string, bool)

// Known are the catalogue's names, for strict validation.
type Known struct {
	Features []string
	// DefaultFeatures are enabled without --features.
	DefaultFeatures []string
	// Tools maps each tool name to its operation names.
	Tools map[string][]string
	// Groups maps each endpoint group (a tool's name before the read/write
	// split) to its tool names, so that --tools and --disable-tools keep
	// accepting the old names.
	Groups map[string][]string
	// StoredLogin reports whether `supabase-mcp login` has stored a token
	// set, which serves when no access token is given.
	StoredLogin bool
	// ReadFile reads --oauth-key-file (os.ReadFile in production).
	ReadFile func(string) ([]byte, error)
	// NoAuthServer, when set, says that this binary was built without the
	// OAuth authorization server and what to do: --auth oauth then fails
	// with it before its other requirements are checked.
	NoAuthServer string
	// NoRedis, when set, says that this binary was built without the Redis
	// store and what to do: --redis-url then fails with it.
	NoRedis string
}

// Parse reads args (without the program name) and env. A first argument
// "login" or "logout" selects that command, with its own flags. -h, -help
// and --help give a Config with Help set (and nothing else checked).
func Parse(args []string, env Env, known Known) (*Config, error) {
	if len(args) > 0 && (args[0] == CommandLogin || args[0] == CommandLogout) {
		return parseLogin(args[0], args[1:], env, known)
	}
	c := &Config{}
	var r rawValues
	c.MaxArgumentBytes, c.MaxRequestBytes = DefaultMaxArgumentBytes, DefaultMaxRequestBytes
	rest, given, src, err := parseArgs(commandFlags(CommandServe, c, &r, known), args, env)
	if errors.Is(err, errHelp) {
		return &Config{Help: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := c.parseSandbox(given, r.sandboxFaults); err != nil {
		return nil, err
	}
	c.APIURLGiven = given["api-url"] || src["api-url"] != ""
	if len(rest) > 0 {
		msg := fmt.Sprintf("unexpected argument %q (flags start with --; commands: login, logout", rest[0])
		if near := closest(rest[0], []string{CommandLogin, CommandLogout}, 1); len(near) > 0 {
			msg += "; did you mean " + near[0] + "?"
		}
		return nil, errors.New(msg + ")")
	}
	if c.Version {
		return c, nil
	}

	if err := c.LogLevel.UnmarshalText([]byte(r.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", r.logLevel)
	}
	if !slices.Contains(Transports, c.Transport) {
		return nil, fmt.Errorf("--transport %q: use %s", c.Transport, strings.Join(Transports, ", "))
	}
	if !slices.Contains(ConfirmPolicies, c.Confirm) {
		return nil, fmt.Errorf("--confirm %q: use %s", c.Confirm, strings.Join(ConfirmPolicies, ", "))
	}
	if c.RateLimit < 0 {
		return nil, fmt.Errorf("--rate-limit %d: use a number of requests per minute (0 turns the limiter off)", c.RateLimit)
	}
	if c.ConfirmTimeout < 10*time.Second || c.ConfirmTimeout > time.Hour {
		return nil, fmt.Errorf("--confirm-timeout %s: use a duration between 10s and 1h, such as 5m", c.ConfirmTimeout)
	}
	if c.MaxArgumentBytes < 64<<10 {
		return nil, fmt.Errorf("--max-argument-bytes %d: use at least 64KiB (default %s)", c.MaxArgumentBytes, "4MiB")
	}
	if c.MaxRequestBytes < c.MaxArgumentBytes {
		return nil, fmt.Errorf("--max-request-bytes %d is below --max-argument-bytes %d: a request carries the arguments plus its envelope", c.MaxRequestBytes, c.MaxArgumentBytes)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return nil, fmt.Errorf("--listen %q: use host:port, such as 127.0.0.1:8080", c.Listen)
	}
	if err := checkAPIURL(src.of("api-url"), c); err != nil {
		return nil, err
	}
	if d, err := url.Parse(c.DocsURL); err != nil || (d.Scheme != "https" && d.Scheme != "http") || d.Host == "" || d.User != nil {
		shown := fmt.Sprintf(" %q", c.DocsURL)
		if err == nil && d.User != nil {
			shown = "" // it holds a credential: not echoed
		}
		return nil, fmt.Errorf("%s%s: use an http(s) URL without credentials, such as %s", src.of("docs-url"), shown, DefaultDocsURL)
	}
	if c.ProjectRef != "" && !validRef(c.ProjectRef) {
		return nil, fmt.Errorf("%s %q: a project ref is 20 lowercase letters (Project Settings > General)", src.of("project-ref"), c.ProjectRef)
	}
	if c.Features, err = parseFeatures(src.of("features"), r.features, known.Features, known.DefaultFeatures); err != nil {
		return nil, err
	}
	if c.Tools, err = parseToolNames(src.of("tools"), r.toolList, known); err != nil {
		return nil, err
	}
	if c.DisabledTools, err = parseToolNames(src.of("disable-tools"), r.disabled, known); err != nil {
		return nil, err
	}
	if c.AllowedOrigins, err = parseOrigins(r.origins); err != nil {
		return nil, err
	}
	if err := c.checkToken(src.of("access-token")); err != nil {
		return nil, err
	}
	c.SessionKeys, _ = env("SUPABASE_MCP_SESSION_KEYS")
	if c.Auth != "" {
		if err := c.resolveOAuth(env, r.oauthKeyFile, known); err != nil {
			return nil, err
		}
		if err := c.checkTeam(known.NoRedis); err != nil {
			return nil, err
		}
		return c, nil
	}
	if c.PublicURL != "" || r.oauthKeyFile != "" {
		return nil, errors.New("--public-url and --oauth-key-file apply to --auth oauth only")
	}
	if err := c.resolveAuth(known.StoredLogin); err != nil {
		return nil, err
	}
	if err := c.checkTeam(known.NoRedis); err != nil {
		return nil, err
	}
	return c, nil
}

// checkTeam validates the team-deployment settings. Replicas sharing Redis
// must also share the keys: a random key per process would make every
// session id and elicitation state unknown to the other replicas.
func (c *Config) checkTeam(noRedis string) error {
	if c.RedisURL != "" && noRedis != "" {
		return errors.New(noRedis)
	}
	if c.SessionKeyFile != "" && c.SessionKeys != "" {
		return errors.New("--session-key-file and SUPABASE_MCP_SESSION_KEYS both set: use one")
	}
	hasKeys := c.SessionKeyFile != "" || c.SessionKeys != ""
	if c.Transport == "stdio" && (c.RedisURL != "" || hasKeys) {
		return errors.New("--redis-url and --session-key-file (SUPABASE_MCP_SESSION_KEYS) apply to --transport http or sse only")
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return errors.New("--redis-url: use redis://[:password@]host:port[/db] or rediss://... (the value is not shown: it may hold a password)")
		}
		if !hasKeys {
			return errors.New("--redis-url needs the replicas' shared keys: put one key (from `openssl rand -base64 32`) in a file and pass --session-key-file, or set SUPABASE_MCP_SESSION_KEYS")
		}
	}
	return nil
}

// checkAPIURL checks and normalises c.APIURL; name is where it came from.
func checkAPIURL(name string, c *Config) error {
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s %q: use an http(s) URL such as %s", name, c.APIURL, DefaultAPIURL)
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	return nil
}

// checkToken refuses README's placeholder, and notes (in Warnings) a token
// that does not look like one Supabase issues. Nothing is sent: a stdio
// client expects the server to answer at once, and the first call reports
// a token the API refuses.
func (c *Config) checkToken(name string) error {
	tok := strings.TrimSpace(c.AccessToken)
	if tok == "" {
		return nil
	}
	if strings.Contains(tok, "...") || strings.Contains(tok, "\u2026") || strings.Contains(tok, "<") {
		return fmt.Errorf("%s is a placeholder (%q), not a token: create a personal access token at %s and use that", name, tok, TokensPage)
	}
	// Personal access tokens are sbp_ and 40 hex digits; the Management
	// API's OAuth access tokens start with sbp_oauth_. The OpenAPI document
	// does not fix the OAuth format, so this only warns.
	if !strings.HasPrefix(tok, "sbp_") && c.APIURL == DefaultAPIURL {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s does not start with sbp_ like Supabase's personal and OAuth access tokens; if calls fail with 401, create a token at %s", name, TokensPage))
	}
	return nil
}

// EnvOAuthKey holds the --auth oauth master key (hex or base64 of at
// least 32 bytes); --oauth-key-file names a file holding it instead.
const EnvOAuthKey = "SUPABASE_MCP_OAUTH_KEY"

// resolveOAuth checks --auth oauth: HTTP transport, the upstream OAuth app,
// a public URL and a key; no token of the server's own is used.
func (c *Config) resolveOAuth(env Env, keyFile string, known Known) error {
	if c.Auth != AuthOAuth {
		return fmt.Errorf("--auth %q: use oauth (or leave it unset for the bearer, --http-token and local modes)", c.Auth)
	}
	if known.NoAuthServer != "" {
		return errors.New(known.NoAuthServer)
	}
	readFile := known.ReadFile
	if c.Transport != "http" {
		return errors.New("--auth oauth needs --transport http")
	}
	if c.HTTPToken != "" {
		return errors.New("--auth oauth and --http-token exclude each other: with oauth every client signs in as its user")
	}
	if strings.TrimSpace(c.AccessToken) != "" {
		return errors.New("--auth oauth acts with each user's own Supabase grant: unset SUPABASE_ACCESS_TOKEN (and --access-token)")
	}
	if c.OAuthClientID == "" || c.OAuthClientSecret == "" {
		return fmt.Errorf("--auth oauth needs your Supabase OAuth app: register one (Organization settings > OAuth Apps) with the redirect URL <public URL>/oauth/callback, then pass --oauth-client-id and --oauth-client-secret or set %s and %s", EnvOAuthClientID, EnvOAuthClientSecret)
	}
	u, err := url.Parse(c.PublicURL)
	if c.PublicURL == "" || err != nil || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		!(u.Scheme == "https" || u.Scheme == "http" && IsLoopback(u.Host+portSuffix(u))) {
		return fmt.Errorf("--public-url %q: give the https URL clients reach this server at, without a path (such as https://mcp.example.com); http only on a loopback host", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	raw, fromEnv := env(EnvOAuthKey)
	switch {
	case keyFile != "" && fromEnv && raw != "":
		return fmt.Errorf("--oauth-key-file and %s are both set: keep one", EnvOAuthKey)
	case keyFile != "":
		if readFile == nil {
			return errors.New("--oauth-key-file cannot be read here")
		}
		b, err := readFile(keyFile)
		if err != nil {
			return fmt.Errorf("--oauth-key-file: %w", err)
		}
		raw = string(b)
	case !fromEnv || raw == "":
		return fmt.Errorf("--auth oauth needs a key to seal the Supabase grants: set %s or --oauth-key-file to 32 random bytes in hex or base64 (for example from `openssl rand -hex 32`); every replica needs the same key", EnvOAuthKey)
	}
	if c.OAuthKey, err = decodeKey(strings.TrimSpace(raw)); err != nil {
		return err
	}
	c.HTTPAuth = AuthOAuth
	return nil
}

// portSuffix gives IsLoopback a host:port to read.
func portSuffix(u *url.URL) string {
	if u.Port() == "" {
		return ":0"
	}
	return ""
}

func decodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) >= 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= 32 {
			return b, nil
		}
	}
	return nil, errors.New("the OAuth key must be at least 32 bytes written in hex (64 characters) or base64, such as the output of `openssl rand -hex 32`")
}

// resolveAuth decides where the server's own Supabase token comes from and
// how HTTP clients authenticate. Binding to a non-loopback address needs
// client authentication: --http-token, or bearer tokens of each client's
// own (never the server's token for anyone who can reach the port).
func (c *Config) resolveAuth(storedLogin bool) error {
	c.AccessToken = strings.TrimSpace(c.AccessToken)
	hasToken := c.AccessToken != "" || storedLogin || c.Sandbox
	noToken := fmt.Sprintf("no access token: create a personal access token at %s and set SUPABASE_ACCESS_TOKEN (or pass --access-token), or sign in with `supabase-mcp login`", TokensPage)
	if c.Transport == "stdio" {
		if c.HTTPToken != "" || len(c.AllowedOrigins) > 0 {
			return errors.New("--http-token and --allowed-origins (or SUPABASE_MCP_HTTP_TOKEN) apply to --transport http or sse only")
		}
		if !hasToken {
			return errors.New(noToken)
		}
		c.UseStoredLogin = c.AccessToken == "" && !c.Sandbox
		return nil
	}
	if c.HTTPToken != "" {
		if len(c.HTTPToken) < MinHTTPTokenLength {
			return fmt.Errorf("--http-token is too short: use at least %d random characters (for example from `openssl rand -hex 32`)", MinHTTPTokenLength)
		}
		if !hasToken {
			return errors.New("--http-token: the server then calls the API with its own token, and it has none: " + noToken)
		}
		c.HTTPAuth, c.UseStoredLogin = AuthStatic, c.AccessToken == ""
		return nil
	}
	if IsLoopback(c.Listen) {
		if hasToken {
			c.HTTPAuth, c.UseStoredLogin = AuthLocal, c.AccessToken == ""
		} else {
			c.HTTPAuth = AuthBearer
		}
		return nil
	}
	if c.Sandbox {
		return fmt.Errorf("--listen %s is not a loopback address: set --http-token so that only clients that know it can use the sandbox", c.Listen)
	}
	if c.AccessToken != "" {
		return fmt.Errorf("--listen %s is not a loopback address: anyone who can reach it would act with the server's access token. Set --http-token (clients send it as a bearer token), or unset the access token so that each client sends its own Supabase token", c.Listen)
	}
	c.HTTPAuth = AuthBearer // a stored login stays unused: it is the local user's
	return nil
}

// IsLoopback reports whether a host:port listen address binds to loopback
// only ("localhost", 127.0.0.0/8 or ::1). An empty host binds every interface.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseOrigins reads a comma list of browser origins such as
// https://app.example.com or http://localhost:6274.
func parseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("--allowed-origins: %q is not an origin; use scheme://host[:port], such as https://app.example.com", o)
		}
		o = strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Environment variables of the OAuth app used by login, logout and refresh.
const (
	EnvOAuthClientID     = "SUPABASE_MCP_OAUTH_CLIENT_ID"
	EnvOAuthClientSecret = "SUPABASE_MCP_OAUTH_CLIENT_SECRET"
)

// parseLogin reads the flags of `supabase-mcp login` and `supabase-mcp logout`.
func parseLogin(command string, args []string, env Env, known Known) (*Config, error) {
	c := &Config{Command: command}
	var r rawValues
	defs := commandFlags(command, c, &r, known)
	rest, given, src, err := parseArgs(defs, args, env)
	if errors.Is(err, errHelp) {
		return &Config{Command: command, Help: true}, nil
	}
	if err != nil {
		var unknown *unknownFlagError
		if errors.As(err, &unknown) {
			names := make([]string, len(defs))
			for i, d := range defs {
				names[i] = "--" + d.Name
			}
			return nil, fmt.Errorf("%s: %w; %s takes %s", command, err, command, strings.Join(names, ", "))
		}
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	c.APIURLGiven = given["api-url"] || src["api-url"] != ""
	if len(rest) > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q (flags start with --)", command, rest[0])
	}
	if err := c.LogLevel.UnmarshalText([]byte(r.logLevel)); err != nil {
		return nil, fmt.Errorf("%s: --log-level %q: use debug, info, warn or error", command, r.logLevel)
	}
	if err := checkAPIURL(src.of("api-url"), c); err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	if command == CommandLogin && (c.OAuthClientID == "" || c.OAuthClientSecret == "") {
		return nil, fmt.Errorf("login needs your OAuth app's credentials: register an app (Organization settings > OAuth Apps) with the redirect URL http://127.0.0.1/callback (login listens on a random loopback port), then pass --oauth-client-id and --oauth-client-secret or set %s and %s", EnvOAuthClientID, EnvOAuthClientSecret)
	}
	return c, nil
}

// parseFeatures reads a comma list of feature groups; name is where it
// came from. "all" enables every group, but a list with all and a name
// that is no group is refused like any misspelling.
func parseFeatures(name, list string, known, defaults []string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(defaults), nil
	}
	var out []string
	all := false
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "all":
			all = true
		case !slices.Contains(known, f):
			msg := fmt.Sprintf("%s: unknown feature group %q", name, f)
			if near := closest(f, known, 2); len(near) > 0 {
				msg += "; did you mean " + strings.Join(near, " or ") + "?"
			}
			return nil, fmt.Errorf("%s (known: all, %s)", msg, strings.Join(known, ", "))
		case !slices.Contains(out, f):
			out = append(out, f)
		}
	}
	if all {
		return slices.Clone(known), nil
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty; known: all, %s", name, strings.Join(known, ", "))
	}
	return out, nil
}

// parseToolNames validates "tool" and "tool.operation" names and resolves
// old names (the group before the read/write split) to today's: "database"
// is every tool of the group, "database.list_tables" the tool that holds
// the operation.
func parseToolNames(flagName, list string, known Known) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		tool, op, hasOp := strings.Cut(name, ".")
		if split, isGroup := known.Groups[tool]; isGroup && known.Tools[tool] == nil {
			if !hasOp {
				out = append(out, split...)
				continue
			}
			i := slices.IndexFunc(split, func(t string) bool { return slices.Contains(known.Tools[t], op) })
			if i < 0 {
				var all []string
				for _, t := range split {
					all = append(all, known.Tools[t]...)
				}
				msg := fmt.Sprintf("%s: tool %s has no operation %q", flagName, tool, op)
				if near := closest(op, all, 2); len(near) > 0 {
					msg += "; did you mean " + tool + "." + strings.Join(near, " or "+tool+".") + "?"
				}
				return nil, fmt.Errorf("%s (it has: %s)", msg, strings.Join(all, ", "))
			}
			out = append(out, split[i]+"."+op)
			continue
		}
		ops, ok := known.Tools[tool]
		switch {
		case !ok:
			msg := fmt.Sprintf("%s: unknown tool %q", flagName, tool)
			if near := closest(tool, append(sortedKeys(known.Tools), sortedKeys(known.Groups)...), 2); len(near) > 0 {
				msg += "; did you mean " + strings.Join(near, " or ") + "?"
			}
			return nil, fmt.Errorf("%s (tools: %s)", msg, strings.Join(sortedKeys(known.Tools), ", "))
		case hasOp && !slices.Contains(ops, op):
			msg := fmt.Sprintf("%s: tool %s has no operation %q", flagName, tool, op)
			if near := closest(op, ops, 2); len(near) > 0 {
				msg += "; did you mean " + tool + "." + strings.Join(near, " or "+tool+".") + "?"
			}
			return nil, fmt.Errorf("%s (it has: %s)%s", msg, strings.Join(ops, ", "), otherHalf(known, tool, op))
		}
		out = append(out, name)
	}
	return out, nil
}

// otherHalf points to the sibling tool when it holds the operation
// ("database_read.execute_sql" is on database_write).
func otherHalf(known Known, tool, op string) string {
	for _, split := range known.Groups {
		if !slices.Contains(split, tool) {
			continue
		}
		for _, t := range split {
			if t != tool && slices.Contains(known.Tools[t], op) {
				return fmt.Sprintf("; %s is on %s", op, t)
			}
		}
	}
	return ""
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func validRef(s string) bool {
	if len(s) != 20 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// byteSize is a flag holding a number of bytes, written as a plain number
// or with a KiB, MiB or GiB suffix (4MiB, 512KiB).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(v string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(v)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return errors.New("use bytes, or a number with KiB, MiB or GiB (such as 4MiB)")
	}
	*b = byteSize(n * mult)
	return nil
}

// parseSandbox checks the --sandbox* flags: they need --sandbox, which
// replaces the API, so an access token or --api-url would be unused.
func (c *Config) parseSandbox(given map[string]bool, faults string) error {
	if !c.Sandbox {
		for _, name := range []string{"sandbox-state", "sandbox-reset", "sandbox-database-url", "sandbox-faults"} {
			if given[name] {
				return fmt.Errorf("--%s needs --sandbox", name)
			}
		}
		return nil
	}
	if given["access-token"] || given["api-url"] {
		return errors.New("--sandbox serves a simulated API that needs no token: leave out --access-token and --api-url")
	}
	c.AccessToken = "" // SUPABASE_ACCESS_TOKEN is never sent to the sandbox
	if c.SandboxReset && c.SandboxState == "" {
		return errors.New("--sandbox-reset resets the file of --sandbox-state: give that too (without it the state is in memory and starts from the seed anyway)")
	}
	c.SandboxFaultRates = map[int]float64{}
	total := 0.0
	for _, item := range strings.Split(faults, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		bad := fmt.Errorf("--sandbox-faults %q: use a comma list of STATUS=FRACTION and delay=DURATION, such as 429=0.05,500=0.02,delay=200ms", item)
		if !ok {
			return bad
		}
		if key == "delay" {
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 || d > time.Minute {
				return bad
			}
			c.SandboxDelay = d
			continue
		}
		status, err := strconv.Atoi(key)
		rate, err2 := strconv.ParseFloat(val, 64)
		if err != nil || err2 != nil || status < 400 || status > 599 || rate < 0 || rate > 1 {
			return bad
		}
		c.SandboxFaultRates[status] = rate
		total += rate
	}
	if total > 1 {
		return fmt.Errorf("--sandbox-faults: the fractions add up to %g, more than 1", total)
	}
	return nil
}
