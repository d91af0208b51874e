// Package config parses the command line and environment strictly: an unknown
// flag, a bad value or a misspelled feature name is an error, never ignored.
package config

import (
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
	// StoredLogin reports whether `supabase-mcp login` has stored a token
	// set, which serves when no access token is given.
	StoredLogin bool
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
	var sandboxFaults string
	fs.BoolVar(&c.Sandbox, "sandbox", false, "")
	fs.StringVar(&c.SandboxState, "sandbox-state", "", "")
	fs.BoolVar(&c.SandboxReset, "sandbox-reset", false, "")
	fs.StringVar(&c.SandboxDatabaseURL, "sandbox-database-url", envStr("SUPABASE_MCP_SANDBOX_DATABASE_URL", ""), "")
	fs.StringVar(&sandboxFaults, "sandbox-faults", "", "")
	if err := parseFlags(fs, args, "supabase-mcp [login|logout] [flags]"); err != nil {
		return nil, err
	}
	if err := c.parseSandbox(fs, sandboxFaults); err != nil {
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
	if err := c.resolveAuth(known.StoredLogin); err != nil {
		return nil, err
	}
	return c, nil
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

// parseSandbox checks the --sandbox* flags: they need --sandbox, which
// replaces the API, so an access token or --api-url would be unused.
func (c *Config) parseSandbox(fs *flag.FlagSet, faults string) error {
	if !c.Sandbox {
		for _, name := range []string{"sandbox-state", "sandbox-reset", "sandbox-database-url", "sandbox-faults"} {
			if flagGiven(fs, name) {
				return fmt.Errorf("--%s needs --sandbox", name)
			}
		}
		return nil
	}
	if flagGiven(fs, "access-token") || flagGiven(fs, "api-url") {
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

func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
