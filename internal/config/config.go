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
)

// DefaultAPIURL is the Supabase Management API.
const DefaultAPIURL = "https://api.supabase.com"

// TokensPage is where users create personal access tokens.
const TokensPage = "https://supabase.com/dashboard/account/tokens"

// Confirmation policies for destructive calls.
var ConfirmPolicies = []string{"auto", "elicit", "token", "deny", "none"}

// Transports the server speaks.
var Transports = []string{"stdio", "http", "sse"}

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
}

// Parse reads args (without the program name) and env.
func Parse(args []string, env Env, known Known) (*Config, error) {
	fs := flag.NewFlagSet("supabase-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	c := &Config{}
	envStr := func(name, def string) string {
		if v, ok := env(name); ok && v != "" {
			return v
		}
		return def
	}
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, fmt.Errorf("usage: supabase-mcp [flags]; see README.md for every flag")
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
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
	if strings.TrimSpace(c.AccessToken) == "" {
		return nil, fmt.Errorf("no access token: create a personal access token at %s and set SUPABASE_ACCESS_TOKEN (or pass --access-token)", TokensPage)
	}
	return c, nil
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
