// Package config parses the command line and environment strictly: an unknown
// flag, a bad value or a misspelled feature name is an error, never ignored.
package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

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

	// --auth oauth: Auth is "oauth" (empty otherwise), PublicURL the
	// issuer clients reach (scheme://host[:port]), OAuthKey the master key
	// sealing the Supabase grants (from SUPABASE_MCP_OAUTH_KEY or
	// --oauth-key-file).
	Auth      string
	PublicURL string
	OAuthKey  []byte
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
	// StoredLogin reports whether `supabase-mcp login` has stored a token
	// set, which serves when no access token is given.
	StoredLogin bool
	// ReadFile reads --oauth-key-file (os.ReadFile in production).
	ReadFile func(string) ([]byte, error)
}

// Parse reads args (without the program name) and env. A first argument
// "login" or "logout" selects that command, with its own flags.
func Parse(args []string, env Env, known Known) (*Config, error) {
	if len(args) > 0 && (args[0] == CommandLogin || args[0] == CommandLogout) {
		return parseLogin(args[0], args[1:], env)
	}
	fs := newFlagSet()
	c := &Config{}
	envStr := envString(env)
	readOnlyDefault, err := envBool(env, "SUPABASE_MCP_READ_ONLY")
	if err != nil {
		return nil, err
	}
	var features, logLevel, toolList, disabled string
	fs.StringVar(&c.AccessToken, "access-token", envStr("SUPABASE_ACCESS_TOKEN", ""), "")
	fs.StringVar(&c.APIURL, "api-url", envStr("SUPABASE_API_URL", DefaultAPIURL), "")
	fs.BoolVar(&c.ReadOnly, "read-only", readOnlyDefault, "")
	fs.StringVar(&c.ProjectRef, "project-ref", envStr("SUPABASE_PROJECT_REF", ""), "")
	fs.StringVar(&features, "features", envStr("SUPABASE_MCP_FEATURES", ""), "")
	fs.StringVar(&toolList, "tools", envStr("SUPABASE_MCP_TOOLS", ""), "")
	fs.StringVar(&disabled, "disable-tools", envStr("SUPABASE_MCP_DISABLE_TOOLS", ""), "")
	fs.StringVar(&c.Transport, "transport", "stdio", "")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "")
	fs.IntVar(&c.RateLimit, "rate-limit", 60, "")
	fs.StringVar(&c.Confirm, "confirm", "auto", "")
	fs.StringVar(&logLevel, "log-level", "info", "")
	fs.BoolVar(&c.Version, "version", false, "")
	fs.DurationVar(&c.ConfirmTimeout, "confirm-timeout", DefaultConfirmTimeout, "")
	c.MaxArgumentBytes, c.MaxRequestBytes = DefaultMaxArgumentBytes, DefaultMaxRequestBytes
	fs.Var((*byteSize)(&c.MaxArgumentBytes), "max-argument-bytes", "")
	fs.Var((*byteSize)(&c.MaxRequestBytes), "max-request-bytes", "")
	var origins string
	fs.StringVar(&c.HTTPToken, "http-token", envStr("SUPABASE_MCP_HTTP_TOKEN", ""), "")
	fs.StringVar(&origins, "allowed-origins", "", "")
	fs.StringVar(&c.OAuthClientID, "oauth-client-id", envStr(EnvOAuthClientID, ""), "")
	fs.StringVar(&c.OAuthClientSecret, "oauth-client-secret", envStr(EnvOAuthClientSecret, ""), "")
	// MCP authorization server mode (--auth oauth).
	var oauthKeyFile string
	fs.StringVar(&c.Auth, "auth", envStr("SUPABASE_MCP_AUTH", ""), "")
	fs.StringVar(&c.PublicURL, "public-url", envStr("SUPABASE_MCP_PUBLIC_URL", ""), "")
	fs.StringVar(&oauthKeyFile, "oauth-key-file", envStr("SUPABASE_MCP_OAUTH_KEY_FILE", ""), "")
	if err := parseFlags(fs, args, "supabase-mcp [login|logout] [flags]"); err != nil {
		return nil, err
	}
	c.APIURLGiven = apiURLGiven(fs, env)
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --; commands: login, logout)", fs.Arg(0))
	}
	if c.Version {
		return c, nil
	}

	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", logLevel)
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
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--api-url %q: use an http(s) URL such as %s", c.APIURL, DefaultAPIURL)
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if c.ProjectRef != "" && !validRef(c.ProjectRef) {
		return nil, fmt.Errorf("--project-ref %q: a project ref is 20 lowercase letters (Project Settings > General)", c.ProjectRef)
	}
	if c.Features, err = parseFeatures(features, known.Features, known.DefaultFeatures); err != nil {
		return nil, err
	}
	if c.Tools, err = parseToolNames("--tools", toolList, known.Tools); err != nil {
		return nil, err
	}
	if c.DisabledTools, err = parseToolNames("--disable-tools", disabled, known.Tools); err != nil {
		return nil, err
	}
	if c.AllowedOrigins, err = parseOrigins(origins); err != nil {
		return nil, err
	}
	if c.Auth != "" {
		if err := c.resolveOAuth(env, oauthKeyFile, known.ReadFile); err != nil {
			return nil, err
		}
		return c, nil
	}
	if c.PublicURL != "" || oauthKeyFile != "" {
		return nil, errors.New("--public-url and --oauth-key-file apply to --auth oauth only")
	}
	if err := c.resolveAuth(known.StoredLogin); err != nil {
		return nil, err
	}
	return c, nil
}

// EnvOAuthKey holds the --auth oauth master key (hex or base64 of at
// least 32 bytes); --oauth-key-file names a file holding it instead.
const EnvOAuthKey = "SUPABASE_MCP_OAUTH_KEY"

// resolveOAuth checks --auth oauth: HTTP transport, the upstream OAuth app,
// a public URL and a key; no token of the server's own is used.
func (c *Config) resolveOAuth(env Env, keyFile string, readFile func(string) ([]byte, error)) error {
	if c.Auth != AuthOAuth {
		return fmt.Errorf("--auth %q: use oauth (or leave it unset for the bearer, --http-token and local modes)", c.Auth)
	}
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
	hasToken := c.AccessToken != "" || storedLogin
	noToken := fmt.Sprintf("no access token: create a personal access token at %s and set SUPABASE_ACCESS_TOKEN (or pass --access-token), or sign in with `supabase-mcp login`", TokensPage)
	if c.Transport == "stdio" {
		if c.HTTPToken != "" || len(c.AllowedOrigins) > 0 {
			return errors.New("--http-token and --allowed-origins (or SUPABASE_MCP_HTTP_TOKEN) apply to --transport http or sse only")
		}
		if !hasToken {
			return errors.New(noToken)
		}
		c.UseStoredLogin = c.AccessToken == ""
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
func parseLogin(command string, args []string, env Env) (*Config, error) {
	fs := newFlagSet()
	envStr := envString(env)
	c := &Config{Command: command}
	var logLevel string
	fs.StringVar(&c.APIURL, "api-url", envStr("SUPABASE_API_URL", DefaultAPIURL), "")
	fs.StringVar(&c.OAuthClientID, "oauth-client-id", envStr(EnvOAuthClientID, ""), "")
	fs.StringVar(&c.OAuthClientSecret, "oauth-client-secret", envStr(EnvOAuthClientSecret, ""), "")
	fs.StringVar(&logLevel, "log-level", "info", "")
	if command == CommandLogin {
		fs.BoolVar(&c.NoBrowser, "no-browser", false, "")
	}
	if err := parseFlags(fs, args, "supabase-mcp "+command+" [flags]"); err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	c.APIURLGiven = apiURLGiven(fs, env)
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q (flags start with --)", command, fs.Arg(0))
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("%s: --log-level %q: use debug, info, warn or error", command, logLevel)
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: --api-url %q: use an http(s) URL such as %s", command, c.APIURL, DefaultAPIURL)
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if command == CommandLogin && (c.OAuthClientID == "" || c.OAuthClientSecret == "") {
		return nil, fmt.Errorf("login needs your OAuth app's credentials: register an app (Organization settings > OAuth Apps) with the redirect URL http://127.0.0.1/callback (login listens on a random loopback port), then pass --oauth-client-id and --oauth-client-secret or set %s and %s", EnvOAuthClientID, EnvOAuthClientSecret)
	}
	return c, nil
}

// apiURLGiven reports whether --api-url or SUPABASE_API_URL was set.
func apiURLGiven(fs *flag.FlagSet, env Env) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "api-url" })
	v, ok := env("SUPABASE_API_URL")
	return given || ok && v != ""
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("supabase-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return fmt.Errorf("usage: %s; see README.md for every flag", usage)
		}
		return err
	}
	return nil
}

func envString(env Env) func(name, def string) string {
	return func(name, def string) string {
		if v, ok := env(name); ok && v != "" {
			return v
		}
		return def
	}
}

func parseFeatures(list string, known, defaults []string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(defaults), nil
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "all":
			return slices.Clone(known), nil
		case !slices.Contains(known, f):
			return nil, fmt.Errorf("--features: unknown feature group %q; known: all, %s", f, strings.Join(known, ", "))
		case !slices.Contains(out, f):
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--features is empty; known: all, %s", strings.Join(known, ", "))
	}
	return out, nil
}

// parseToolNames checks "tool" and "tool.operation" names against the catalogue.
func parseToolNames(flagName, list string, known map[string][]string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		tool, op, hasOp := strings.Cut(name, ".")
		ops, ok := known[tool]
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: unknown tool %q; tools: %s", flagName, tool, strings.Join(sortedKeys(known), ", "))
		case hasOp && !slices.Contains(ops, op):
			return nil, fmt.Errorf("%s: tool %s has no operation %q; it has: %s", flagName, tool, op, strings.Join(ops, ", "))
		}
		out = append(out, name)
	}
	return out, nil
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func envBool(env Env, name string) (bool, error) {
	v, ok := env(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: use true or false", name, v)
	}
	return b, nil
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
		return fmt.Errorf("%q is not a size: use bytes, or a number with KiB, MiB or GiB (such as 4MiB)", v)
	}
	*b = byteSize(n * mult)
	return nil
}
