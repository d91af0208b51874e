package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/suggest"
)

// Group is a heading of --help; flags are shown in the order of Groups.
type Group string

const (
	GroupConnection Group = "Connection"
	GroupSafety     Group = "Safety"
	GroupHTTP       Group = "Transport and HTTP"
	GroupLogging    Group = "Logging and output"
)

// Groups are the headings of --help, in order.
func Groups() []Group {
	return []Group{GroupConnection, GroupSafety, GroupHTTP, GroupLogging}
}

// Command sets say which commands take a flag.
type Commands uint8

const (
	ForServe Commands = 1 << iota
	ForLogin
	ForLogout
	forAll = ForServe | ForLogin | ForLogout
)

// Flag describes one command-line flag: what --help shows and README's
// flags table lists (a test keeps the two in step).
type Flag struct {
	Name string // without the leading dashes
	// Env is the environment variable that sets the flag's default; "" when none.
	Env   string
	Group Group
	// Arg names the value in --help ("URL", "N"); "" for a boolean flag.
	Arg string
	// Default is the value used when neither the flag nor Env is given,
	// written as a user would write it ("5m", "4MiB"); "" when none.
	Default  string
	Usage    string
	Commands Commands
}

// flagDef is a Flag bound to where its value goes.
type flagDef struct {
	Flag
	set func(string) error
}

// rawValues hold flags that are checked after parsing (lists, enums).
type rawValues struct {
	features, toolList, disabled, logLevel, origins string
	oauthKeyFile, sandboxFaults                     string
}

// flagTable is the one list of flags. A flag is one line here, written
// {Flag{name, env, group, arg, default, usage, commands}, setter}; the
// parser, --help and README's flags table (checked by a test) follow it.
func flagTable(c *Config, r *rawValues, known Known) []flagDef {
	defaultFeatures := strings.Join(known.DefaultFeatures, ",")
	return []flagDef{
		{Flag{"access-token", "SUPABASE_ACCESS_TOKEN", GroupConnection, "TOKEN", "", "personal access token (or OAuth access token); prefer the env var, flags show in process lists", ForServe}, str(&c.AccessToken)},
		{Flag{"api-url", "SUPABASE_API_URL", GroupConnection, "URL", DefaultAPIURL, "Management API base URL", forAll}, str(&c.APIURL)},
		{Flag{"rate-limit", "", GroupConnection, "N", "60", "requests per minute to the API, per access token; 0 turns the limiter off", ForServe}, integer(&c.RateLimit)},
		{Flag{"oauth-client-id", EnvOAuthClientID, GroupConnection, "ID", "", "OAuth app for login, logout and refreshing the stored login", forAll}, str(&c.OAuthClientID)},
		{Flag{"oauth-client-secret", EnvOAuthClientSecret, GroupConnection, "SECRET", "", "that OAuth app's secret", forAll}, str(&c.OAuthClientSecret)},
		{Flag{"no-browser", "", GroupConnection, "", "false", "login only: print the URL, do not open a browser", ForLogin}, boolean(&c.NoBrowser)},

		{Flag{"read-only", "SUPABASE_MCP_READ_ONLY", GroupSafety, "", "false", "list and accept only read operations", ForServe}, boolean(&c.ReadOnly)},
		{Flag{"project-ref", "SUPABASE_PROJECT_REF", GroupSafety, "REF", "", "confine every call to this project (20 lowercase letters)", ForServe}, str(&c.ProjectRef)},
		{Flag{"features", "SUPABASE_MCP_FEATURES", GroupSafety, "LIST", defaultFeatures, "comma list of feature groups to enable, or all", ForServe}, str(&r.features)},
		{Flag{"tools", "SUPABASE_MCP_TOOLS", GroupSafety, "LIST", "", "allow list of tool or tool.operation names; replaces --features", ForServe}, str(&r.toolList)},
		{Flag{"disable-tools", "SUPABASE_MCP_DISABLE_TOOLS", GroupSafety, "LIST", "", "deny list of tool or tool.operation names", ForServe}, str(&r.disabled)},
		{Flag{"confirm", "", GroupSafety, "POLICY", "auto", "how calls that need consent are confirmed: " + strings.Join(ConfirmPolicies, ", "), ForServe}, str(&c.Confirm)},
		{Flag{"confirm-timeout", "", GroupSafety, "DURATION", "5m", "how long a confirmation waits for the user's answer", ForServe}, duration(&c.ConfirmTimeout)},
		{Flag{"max-argument-bytes", "", GroupSafety, "SIZE", "4MiB", "largest tool-call arguments (KiB, MiB, GiB)", ForServe}, (*byteSize)(&c.MaxArgumentBytes).Set},
		{Flag{"max-request-bytes", "", GroupSafety, "SIZE", "5MiB", "largest JSON-RPC message (HTTP body or stdio line)", ForServe}, (*byteSize)(&c.MaxRequestBytes).Set},

		{Flag{"transport", "", GroupHTTP, "NAME", "stdio", "stdio, http (Streamable HTTP at /mcp) or sse (legacy /sse and /message)", ForServe}, str(&c.Transport)},
		{Flag{"listen", "", GroupHTTP, "ADDR", "127.0.0.1:8080", "host:port for http and sse; other than loopback needs client authentication", ForServe}, str(&c.Listen)},
		{Flag{"http-token", "SUPABASE_MCP_HTTP_TOKEN", GroupHTTP, "SECRET", "", "shared secret HTTP clients send as a bearer token (16+ characters)", ForServe}, str(&c.HTTPToken)},
		{Flag{"allowed-origins", "", GroupHTTP, "LIST", "", "browser origins (scheme://host[:port]) allowed besides the server's own", ForServe}, str(&r.origins)},

		{Flag{"log-level", "", GroupLogging, "LEVEL", "info", "debug, info, warn or error; logs go to stderr", forAll}, str(&r.logLevel)},
		{Flag{"version", "", GroupLogging, "", "", "print the version and exit", ForServe}, boolean(&c.Version)},
		// Flags of other features go here, one line each.
		{Flag{"sandbox", "", GroupConnection, "", "false", "serve against a local simulator of the Management API with demo data: no token, nothing leaves the machine", ForServe}, boolean(&c.Sandbox)},
		{Flag{"sandbox-state", "", GroupConnection, "FILE", "", "with --sandbox: keep the simulator's state in this JSON file across restarts", ForServe}, str(&c.SandboxState)},
		{Flag{"sandbox-reset", "", GroupConnection, "", "false", "with --sandbox-state: start again from the demo seed", ForServe}, boolean(&c.SandboxReset)},
		{Flag{"sandbox-database-url", "SUPABASE_MCP_SANDBOX_DATABASE_URL", GroupConnection, "URL", "", "with --sandbox: the PostgreSQL that SQL operations run on", ForServe}, str(&c.SandboxDatabaseURL)},
		{Flag{"sandbox-faults", "", GroupConnection, "LIST", "", "with --sandbox: inject faults, such as 429=0.05,500=0.02,delay=200ms", ForServe}, str(&r.sandboxFaults)},
		{Flag{"auth", "SUPABASE_MCP_AUTH", GroupHTTP, "MODE", "", "oauth: be an OAuth authorization server for remote MCP clients (needs --transport http, --public-url, the OAuth app and a key, and a build with it: the container image, or go build -tags authserver)", ForServe}, str(&c.Auth)},
		{Flag{"public-url", "SUPABASE_MCP_PUBLIC_URL", GroupHTTP, "URL", "", "with --auth oauth: the https URL clients reach this server at, without a path", ForServe}, str(&c.PublicURL)},
		{Flag{"oauth-key-file", "SUPABASE_MCP_OAUTH_KEY_FILE", GroupHTTP, "FILE", "", "with --auth oauth: file holding the key that seals Supabase grants (or SUPABASE_MCP_OAUTH_KEY)", ForServe}, str(&r.oauthKeyFile)},
		{Flag{"docs-url", "SUPABASE_MCP_DOCS_URL", GroupConnection, "URL", DefaultDocsURL, "Supabase docs GraphQL endpoint that docs_read.search queries (no token is sent there)", ForServe}, str(&c.DocsURL)},
		{Flag{"redis-url", "SUPABASE_MCP_REDIS_URL", GroupHTTP, "URL", "", "Redis shared by replicas: rate limit, confirmations, token checks (needs shared session keys, and a build with it: the container image, or go build -tags redis)", ForServe}, str(&c.RedisURL)},
		{Flag{"session-key-file", "SUPABASE_MCP_SESSION_KEY_FILE", GroupHTTP, "FILE", "", "keys that sign session ids and seal states on every replica, one per line, first current (or SUPABASE_MCP_SESSION_KEYS)", ForServe}, str(&c.SessionKeyFile)},
	}
}

// Flags lists every flag of every command, in table order.
func Flags(known Known) []Flag {
	var out []Flag
	for _, d := range flagTable(&Config{}, &rawValues{}, known) {
		out = append(out, d.Flag)
	}
	return out
}

// commandBit is the Commands bit of a command.
func commandBit(command string) Commands {
	switch command {
	case CommandLogin:
		return ForLogin
	case CommandLogout:
		return ForLogout
	}
	return ForServe
}

// commandFlags are the flags command takes.
func commandFlags(command string, c *Config, r *rawValues, known Known) []flagDef {
	var out []flagDef
	for _, d := range flagTable(c, r, known) {
		if d.Commands&commandBit(command) != 0 {
			out = append(out, d)
		}
	}
	return out
}

// sources says, per flag, where its value came from, so that an error
// names what the user set: "--features" or "SUPABASE_MCP_FEATURES".
type sources map[string]string

func (s sources) of(name string) string {
	if src, ok := s[name]; ok {
		return src
	}
	return "--" + name
}

// errHelp is returned by parseArgs for -h, -help and --help.
var errHelp = errors.New("help requested")

// parseArgs applies defaults, then environment variables, then the flags in
// args, and returns the arguments left after them. Flags are written
// --name value or --name=value (one dash works too); boolean flags take no
// value unless written --name=false.
func parseArgs(defs []flagDef, args []string, env Env) (rest []string, given map[string]bool, src sources, err error) {
	src = sources{}
	given = map[string]bool{}
	byName := map[string]*flagDef{}
	for i := range defs {
		d := &defs[i]
		byName[d.Name] = d
		if d.Default != "" {
			if err := d.set(d.Default); err != nil {
				return nil, nil, nil, fmt.Errorf("--%s: bad default %q: %w", d.Name, d.Default, err)
			}
		}
		if d.Env == "" {
			continue
		}
		if v, ok := env(d.Env); ok && v != "" {
			if err := d.set(v); err != nil {
				return nil, nil, nil, fmt.Errorf("%s=%q: %v", d.Env, v, err)
			}
			src[d.Name] = d.Env
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args[i+1:], given, src, nil
		}
		if len(a) < 2 || a[0] != '-' {
			return args[i:], given, src, nil
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, value, hasValue := strings.Cut(name, "=")
		if name == "h" || name == "help" {
			return nil, nil, nil, errHelp
		}
		d := byName[name]
		if d == nil || name == "" || name[0] == '-' {
			return nil, nil, nil, unknownFlag(name, defs)
		}
		switch {
		case hasValue:
		case d.Arg == "": // boolean
			value = "true"
		case i+1 < len(args):
			i++
			value = args[i]
		default:
			return nil, nil, nil, fmt.Errorf("--%s needs a value (%s)", name, d.Usage)
		}
		if err := d.set(value); err != nil {
			return nil, nil, nil, fmt.Errorf("--%s %q: %v", name, value, err)
		}
		given[name] = true
		delete(src, name)
	}
	return nil, given, src, nil
}

func unknownFlag(name string, defs []flagDef) error {
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.Name
	}
	msg := fmt.Sprintf("unknown flag --%s", name)
	if near := closest(name, names, 2); len(near) > 0 {
		msg += "; did you mean --" + strings.Join(near, " or --") + "?"
	}
	return &unknownFlagError{msg + " (--help lists every flag)"}
}

// unknownFlagError is a flag no command of this program takes.
type unknownFlagError struct{ msg string }

func (e *unknownFlagError) Error() string { return e.msg }

// closest returns up to n candidates near name (suggest.Closest).
func closest(name string, candidates []string, n int) []string {
	return suggest.Closest(name, candidates, n, 1)
}

// Usage is the text of `supabase-mcp [command] --help`: every flag the
// command takes, grouped, with its environment variable and default.
func Usage(command string, known Known) string {
	var b strings.Builder
	switch command {
	case CommandLogin:
		b.WriteString("Usage: supabase-mcp login [flags]\n\nSigns in to Supabase with your OAuth app (authorization code with PKCE) and stores the tokens;\nthe server uses them when no access token is given.\n")
	case CommandLogout:
		b.WriteString("Usage: supabase-mcp logout [flags]\n\nRevokes the stored login's grant and deletes the stored tokens.\n")
	default:
		b.WriteString("Usage: supabase-mcp [flags]          serve MCP over stdio (or HTTP with --transport)\n" +
			"       supabase-mcp login [flags]    sign in with an OAuth app and store the tokens\n" +
			"       supabase-mcp logout [flags]   revoke and delete the stored login\n\n" +
			"An MCP server for the Supabase Management API. Create an access token at\n" + TokensPage + "\n" +
			"and set SUPABASE_ACCESS_TOKEN, or run `supabase-mcp login`.\n")
	}
	b.WriteString("\nFlags win over environment variables.\n")
	defs := commandFlags(command, &Config{}, &rawValues{}, known)
	for _, g := range Groups() {
		header := false
		for _, d := range defs {
			if d.Group != g {
				continue
			}
			if !header {
				fmt.Fprintf(&b, "\n%s:\n", g)
				header = true
			}
			fmt.Fprintf(&b, "  --%s", d.Name)
			if d.Arg != "" {
				fmt.Fprintf(&b, " %s", d.Arg)
			}
			fmt.Fprintf(&b, "\n      %s", d.Usage)
			var notes []string
			if d.Env != "" {
				notes = append(notes, "env "+d.Env)
			}
			if d.Default != "" {
				notes = append(notes, "default "+d.Default)
			}
			if len(notes) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
			}
			b.WriteString("\n")
		}
	}
	if command == CommandServe {
		fmt.Fprintf(&b, "\nFeature groups: %s.\n", strings.Join(known.Features, ", "))
		b.WriteString("Commands login and logout take their own flags: supabase-mcp login --help.\n")
	}
	return b.String()
}

// Value setters. Their errors say what to write instead; the caller
// prefixes the flag or environment variable and the value.

func str(p *string) func(string) error {
	return func(v string) error { *p = v; return nil }
}

func boolean(p *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("use true or false")
		}
		*p = b
		return nil
	}
}

func integer(p *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("use a whole number")
		}
		*p = n
		return nil
	}
}

func duration(p *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("use a duration such as 90s or 5m")
		}
		*p = d
		return nil
	}
}
