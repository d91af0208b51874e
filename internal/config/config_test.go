package config

import (
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var known = Known{
	Features:        []string{"account", "database", "functions"},
	DefaultFeatures: []string{"account", "database"},
	Tools:           map[string][]string{"projects_read": {"list", "get"}, "projects_write": {"delete"}, "database_read": {"list_tables"}, "database_write": {"execute_sql"}},
	Groups:          map[string][]string{"projects": {"projects_read", "projects_write"}, "database": {"database_read", "database_write"}},
}
var defaults = known.DefaultFeatures

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseDefaultsAndEnv(t *testing.T) {
	c, err := Parse(nil, envOf(map[string]string{
		"SUPABASE_ACCESS_TOKEN":  "sbp_x",
		"SUPABASE_MCP_READ_ONLY": "true",
		"SUPABASE_PROJECT_REF":   "abcdefghijklmnopqrst",
		"SUPABASE_API_URL":       "http://127.0.0.1:9/",
	}), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessToken != "sbp_x" || !c.ReadOnly || c.ProjectRef != "abcdefghijklmnopqrst" || c.APIURL != "http://127.0.0.1:9" {
		t.Fatalf("env not applied: %+v", c)
	}
	if c.Transport != "stdio" || c.Listen != "127.0.0.1:8080" || c.RateLimit != 60 || c.Confirm != "auto" || c.LogLevel != slog.LevelInfo {
		t.Fatalf("bad defaults: %+v", c)
	}
	if !slices.Equal(c.Features, defaults) {
		t.Fatalf("features = %v", c.Features)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Parse([]string{"--access-token", "flagtok", "--read-only=false", "--features", "functions, account", "--rate-limit", "120", "--confirm", "token", "--transport", "http", "--listen", "127.0.0.1:9000", "--log-level", "debug"},
		envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "envtok", "SUPABASE_MCP_READ_ONLY": "1"}), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessToken != "flagtok" || c.ReadOnly || c.RateLimit != 120 || c.Confirm != "token" || c.Transport != "http" || c.Listen != "127.0.0.1:9000" || c.LogLevel != slog.LevelDebug {
		t.Fatalf("flags not applied: %+v", c)
	}
	if !slices.Equal(c.Features, []string{"functions", "account"}) {
		t.Fatalf("features = %v", c.Features)
	}
	c, err = Parse([]string{"--features=all"}, envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}), known)
	if err != nil || !slices.Equal(c.Features, known.Features) {
		t.Fatalf("all: %v %v", c, err)
	}
}

func TestStrictErrors(t *testing.T) {
	tok := map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--read-olny"}, tok, "unknown flag --read-olny; did you mean --read-only? (--help lists every flag)"},
		{[]string{"-read-onyl"}, tok, "unknown flag --read-onyl; did you mean --read-only?"},
		{[]string{"--features", "databse"}, tok, `--features: unknown feature group "databse"; did you mean database?`},
		{[]string{"--features", "all,foo"}, tok, `--features: unknown feature group "foo"`},
		{[]string{"--features", "foo,all"}, tok, `unknown feature group "foo"`},
		{[]string{"--rate-limit"}, tok, "--rate-limit needs a value"},
		{[]string{"--confirm-timeout", "soon"}, tok, `--confirm-timeout "soon": use a duration such as 90s or 5m`},
		{[]string{"--max-argument-bytes", "4 megs"}, tok, `--max-argument-bytes "4 megs": use bytes, or a number with KiB`},
		{[]string{"--tools", "projects.lst"}, tok, `--tools: tool projects has no operation "lst"; did you mean projects.list?`},
		{[]string{"--tools", "projetcs"}, tok, `did you mean projects?`},
		{[]string{"logn"}, tok, `unexpected argument "logn" (flags start with --; commands: login, logout; did you mean login?)`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_..."}, "SUPABASE_ACCESS_TOKEN is a placeholder (\"sbp_...\"), not a token: create a personal access token at " + TokensPage},
		{[]string{"--access-token", "sbp_…"}, nil, "--access-token is a placeholder"},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_PROJECT_REF": "ABC"}, `SUPABASE_PROJECT_REF "ABC": a project ref is 20 lowercase letters`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_API_URL": "ftp://x"}, `SUPABASE_API_URL "ftp://x"`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_TOOLS": "nope"}, `SUPABASE_MCP_TOOLS: unknown tool "nope"`},
		{[]string{"--features", "acount"}, tok, `unknown feature group "acount"`},
		{[]string{"--features", ","}, tok, "--features is empty"},
		{[]string{"--transport", "websocket"}, tok, `--transport "websocket"`},
		{[]string{"--confirm", "yes"}, tok, `--confirm "yes"`},
		{[]string{"--rate-limit", "-1"}, tok, "--rate-limit -1"},
		{[]string{"--rate-limit", "lots"}, tok, `--rate-limit "lots": use a whole number`},
		{[]string{"--log-level", "loud"}, tok, "--log-level"},
		{[]string{"--listen", "8080"}, tok, "--listen"},
		{[]string{"--api-url", "ftp://x"}, tok, "--api-url"},
		{[]string{"--project-ref", "ABC"}, tok, "20 lowercase letters"},
		{[]string{"serve"}, tok, `unexpected argument "serve"`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_READ_ONLY": "yes please"}, `SUPABASE_MCP_READ_ONLY="yes please": use true or false`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_FEATURES": "nope"}, `SUPABASE_MCP_FEATURES: unknown feature group "nope"`},
		{nil, nil, "SUPABASE_ACCESS_TOKEN"},
		{[]string{"--tools", "projcts"}, tok, `--tools: unknown tool "projcts"`},
		{[]string{"--disable-tools", "projects.destroy"}, tok, `--disable-tools: tool projects has no operation "destroy" (it has: list, get, delete)`},
		{[]string{"--tools", "database_read.execute_sql"}, tok, `tool database_read has no operation "execute_sql" (it has: list_tables); execute_sql is on database_write`},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args, envOf(tc.env), known)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%v) = %v, want error containing %q", tc.args, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
	_, err := Parse(nil, envOf(nil), known)
	if !strings.Contains(err.Error(), TokensPage) {
		t.Errorf("missing-token error does not say where to get one: %v", err)
	}
}

func TestVersionNeedsNoToken(t *testing.T) {
	c, err := Parse([]string{"--version"}, envOf(nil), known)
	if err != nil || !c.Version {
		t.Fatalf("--version: %v %v", c, err)
	}
}

// Names from before the read/write split keep working, resolved to
// today's tools: a group means both halves, group.operation the half that
// holds it; today's names pass as they are.
func TestToolFilters(t *testing.T) {
	c, err := Parse([]string{"--tools", "projects.list, database, projects_read.get, database_write", "--disable-tools", "projects.delete,database_write.execute_sql"}, envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}), known)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Tools, []string{"projects_read.list", "database_read", "database_write", "projects_read.get", "database_write"}) ||
		!slices.Equal(c.DisabledTools, []string{"projects_write.delete", "database_write.execute_sql"}) {
		t.Fatalf("tools %v disabled %v", c.Tools, c.DisabledTools)
	}
}

func TestHTTPAuthModes(t *testing.T) {
	secret := "0123456789abcdef0123"
	cases := []struct {
		args        []string
		env         map[string]string
		storedLogin bool
		auth        string
		useLogin    bool
		want        string // error
	}{
		{[]string{"--transport", "http"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, AuthLocal, false, ""},
		{[]string{"--transport", "http"}, nil, true, AuthLocal, true, ""},
		{[]string{"--transport", "sse"}, nil, false, AuthBearer, false, ""},
		{[]string{"--transport", "http", "--listen", "localhost:9"}, nil, false, AuthBearer, false, ""},
		{[]string{"--transport", "http", "--listen", "0.0.0.0:8080"}, nil, false, AuthBearer, false, ""},
		{[]string{"--transport", "http", "--listen", "0.0.0.0:8080"}, nil, true, AuthBearer, false, ""},
		{[]string{"--transport", "http", "--listen", ":8080"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, "", false, "not a loopback address"},
		{[]string{"--transport", "http", "--listen", "[::1]:8080"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, AuthLocal, false, ""},
		{[]string{"--transport", "http", "--listen", "0.0.0.0:8080", "--http-token", secret}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, AuthStatic, false, ""},
		{[]string{"--transport", "http", "--listen", "0.0.0.0:8080"}, map[string]string{"SUPABASE_MCP_HTTP_TOKEN": secret}, true, AuthStatic, true, ""},
		{[]string{"--transport", "http", "--http-token", secret}, nil, false, "", false, "has none"},
		{[]string{"--transport", "http", "--http-token", "short"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, "", false, "too short"},
		{[]string{"--http-token", secret}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, "", false, "apply to --transport http or sse"},
		{[]string{"--allowed-origins", "https://a.example"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, false, "", false, "apply to --transport http or sse"},
		{nil, nil, true, "", true, ""},
		{nil, nil, false, "", false, "supabase-mcp login"},
	}
	for _, tc := range cases {
		k := known
		k.StoredLogin = tc.storedLogin
		c, err := Parse(tc.args, envOf(tc.env), k)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%v %v: err %v, want one line with %q", tc.args, tc.env, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
			continue
		}
		if c.HTTPAuth != tc.auth || c.UseStoredLogin != tc.useLogin {
			t.Errorf("%v %v stored=%v: auth %q login %v, want %q %v", tc.args, tc.env, tc.storedLogin, c.HTTPAuth, c.UseStoredLogin, tc.auth, tc.useLogin)
		}
	}
}

func TestAllowedOrigins(t *testing.T) {
	c, err := Parse([]string{"--transport", "http", "--allowed-origins", "https://App.example.com/, http://localhost:6274,https://app.example.com"}, envOf(nil), known)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.AllowedOrigins, []string{"https://app.example.com", "http://localhost:6274"}) {
		t.Fatalf("origins = %v", c.AllowedOrigins)
	}
	for _, bad := range []string{"app.example.com", "https://a.example/path", "ftp://a.example", "*"} {
		if _, err := Parse([]string{"--transport", "http", "--allowed-origins", bad}, envOf(nil), known); err == nil || !strings.Contains(err.Error(), "not an origin") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:1": true, "[::1]:80": true, "localhost:80": true, "LocalHost:1": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:80": false, "192.168.1.2:80": false, "example.com:80": false, "nonsense": false,
	} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
}

func TestLoginCommands(t *testing.T) {
	env := envOf(map[string]string{EnvOAuthClientID: "id-from-env", EnvOAuthClientSecret: "secret-from-env", "SUPABASE_ACCESS_TOKEN": "ignored"})
	c, err := Parse([]string{"login", "--oauth-client-id", "id-flag", "--no-browser", "--api-url", "http://127.0.0.1:9/"}, env, known)
	if err != nil {
		t.Fatal(err)
	}
	if c.Command != CommandLogin || c.OAuthClientID != "id-flag" || c.OAuthClientSecret != "secret-from-env" || !c.NoBrowser || c.APIURL != "http://127.0.0.1:9" {
		t.Fatalf("login = %+v", c)
	}
	c, err = Parse([]string{"logout"}, envOf(nil), known)
	if err != nil || c.Command != CommandLogout {
		t.Fatalf("logout: %+v %v", c, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login"}, "--oauth-client-id"},
		{[]string{"login", "--read-only"}, "login: unknown flag --read-only (--help lists every flag); login takes --api-url,"},
		{[]string{"logout", "--no-browser"}, "logout: unknown flag --no-browser"},
		{[]string{"login", "--no-browsr"}, "did you mean --no-browser?"},
		{[]string{"login", "now"}, `unexpected argument "now"`},
		{[]string{"logout", "--api-url", "x"}, "--api-url"},
	} {
		_, err := Parse(tc.args, envOf(nil), known)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// README.md's flags table lists exactly the flags of the table, with the
// same environment variables and defaults, and --help shows every flag of
// each command with both.
func TestReadmeAndHelpListEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ env, def string }
	documented := map[string]row{}
	unquote := func(s string) string { return strings.Trim(strings.TrimSpace(s), "`") }
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\|([^|]*)\\|([^|]*)\\|").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = row{unquote(m[2]), unquote(m[3])}
	}
	flags := Flags(known)
	if len(flags) < 15 || len(documented) < 15 {
		t.Fatalf("%d flags in the table, %d in README.md", len(flags), len(documented))
	}
	inTable := map[string]bool{}
	for _, f := range flags {
		inTable[f.Name] = true
		def := f.Default
		got, ok := documented[f.Name]
		if f.Name == "features" {
			def = got.def // the real catalogue's: cmd/supabase-mcp's TestReadmeDefaultFeatures checks it
		}
		switch {
		case !ok:
			t.Errorf("--%s is not in README.md's flags table", f.Name)
		case got != row{f.Env, def}:
			t.Errorf("README.md: --%s env %q default %q; the parser: env %q default %q", f.Name, got.env, got.def, f.Env, def)
		}
		if !slices.Contains(Groups(), f.Group) {
			t.Errorf("--%s has no known group: %q", f.Name, f.Group)
		}
	}
	for f := range documented {
		if !inTable[f] {
			t.Errorf("README.md documents --%s, which does not exist", f)
		}
	}
	for _, cmd := range []string{CommandServe, CommandLogin, CommandLogout} {
		c, err := Parse(append(strings.Fields(cmd), "--help"), envOf(nil), known)
		if err != nil || !c.Help || c.Command != cmd {
			t.Fatalf("%s --help: %+v %v", cmd, c, err)
		}
		help := Usage(cmd, known)
		for _, f := range flags {
			line := "  --" + f.Name
			if f.Arg != "" {
				line += " " + f.Arg
			}
			takes := f.Commands&commandBit(cmd) != 0
			at := strings.Index(help, line+"\n")
			if takes != (at >= 0) {
				t.Errorf("%q --help: shows --%s %v, takes it %v", cmd, f.Name, at >= 0, takes)
				continue
			}
			if !takes {
				continue
			}
			entry, _, _ := strings.Cut(help[at+len(line)+1:], "\n  --")
			if f.Env != "" && !strings.Contains(entry, "env "+f.Env) || f.Default != "" && !strings.Contains(entry, "default "+f.Default) {
				t.Errorf("%q --help: --%s lacks its env var or default: %q", cmd, f.Name, entry)
			}
		}
	}
	help := Usage(CommandServe, known)
	last := -1
	for _, g := range Groups() {
		at := strings.Index(help, "\n"+string(g)+":\n")
		if at < last {
			t.Errorf("--help: group %q missing or out of order", g)
		}
		last = at
	}
	for _, cmd := range []string{"supabase-mcp login", "supabase-mcp logout"} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README.md does not show %q", cmd)
		}
	}
}

// APIURLGiven tells a chosen API URL from the default (a stored login then
// uses its own issuer), for serving and for the login commands.
func TestAPIURLGiven(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_x"}, false},
		{[]string{"--api-url", DefaultAPIURL}, map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_x"}, true},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_x", "SUPABASE_API_URL": "http://127.0.0.1:9"}, true},
		{[]string{"logout"}, nil, false},
		{[]string{"logout"}, map[string]string{"SUPABASE_API_URL": "http://127.0.0.1:9"}, true},
		{[]string{"logout", "--api-url", "http://127.0.0.1:9"}, nil, true},
	} {
		c, err := Parse(tc.args, envOf(tc.env), known)
		if err != nil || c.APIURLGiven != tc.want {
			t.Errorf("%v %v: given %v, want %v (%v)", tc.args, tc.env, c != nil && c.APIURLGiven, tc.want, err)
		}
	}
}

func TestOperationalBounds(t *testing.T) {
	env := envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "t"})
	c, err := Parse(nil, env, known)
	if err != nil {
		t.Fatal(err)
	}
	if c.ConfirmTimeout != DefaultConfirmTimeout || c.MaxArgumentBytes != DefaultMaxArgumentBytes || c.MaxRequestBytes != DefaultMaxRequestBytes {
		t.Fatalf("defaults: %v %d %d", c.ConfirmTimeout, c.MaxArgumentBytes, c.MaxRequestBytes)
	}
	c, err = Parse([]string{"--confirm-timeout", "90s", "--max-argument-bytes", "512KiB", "--max-request-bytes", "2MiB"}, env, known)
	if err != nil {
		t.Fatal(err)
	}
	if c.ConfirmTimeout.Seconds() != 90 || c.MaxArgumentBytes != 512<<10 || c.MaxRequestBytes != 2<<20 {
		t.Fatalf("flags: %v %d %d", c.ConfirmTimeout, c.MaxArgumentBytes, c.MaxRequestBytes)
	}
	for _, bad := range [][]string{
		{"--confirm-timeout", "1s"}, {"--confirm-timeout", "soon"},
		{"--max-argument-bytes", "4 megs"}, {"--max-argument-bytes", "100"},
		{"--max-argument-bytes", "8MiB", "--max-request-bytes", "4MiB"},
	} {
		if _, err := Parse(bad, env, known); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestDocsURL(t *testing.T) {
	tok := map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}
	c, err := Parse(nil, envOf(tok), known)
	if err != nil || c.DocsURL != DefaultDocsURL {
		t.Fatalf("default: %v %v", c, err)
	}
	env := map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_DOCS_URL": "http://127.0.0.1:9/graphql"}
	if c, err = Parse(nil, envOf(env), known); err != nil || c.DocsURL != "http://127.0.0.1:9/graphql" {
		t.Fatalf("env: %v %v", c, err)
	}
	for _, bad := range []string{"ftp://x/graphql", "supabase.com/docs", "https://user:pw@x/graphql"} {
		if _, err := Parse([]string{"--docs-url", bad}, envOf(tok), known); err == nil || !strings.Contains(err.Error(), "--docs-url") {
			t.Errorf("--docs-url %s: %v", bad, err)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("the error echoes a credential: %v", err)
		}
	}
}

// --redis-url needs the shared keys, takes only redis URLs (never quoted:
// they hold passwords), and applies to HTTP only.
func TestTeamFlags(t *testing.T) {
	http := []string{"--transport", "http", "--listen", "0.0.0.0:8080"}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{append(http, "--redis-url", "redis://:hunter2@r:6379/0"), nil, "needs the replicas' shared keys"},
		{append(http, "--redis-url", "http://:hunter2@r:6379/0", "--session-key-file", "k"), nil, "use redis://"},
		{[]string{"--redis-url", "redis://r:6379"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_SESSION_KEYS": "k"}, "http or sse only"},
		{append(http, "--session-key-file", "k"), map[string]string{"SUPABASE_MCP_SESSION_KEYS": "k"}, "use one"},
	} {
		_, err := Parse(c.args, envOf(c.env), known)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: %v, want %q (and no password)", c.args, err, c.want)
		}
	}
	cfg, err := Parse(append(http, "--session-key-file", "keys"), envOf(map[string]string{"SUPABASE_MCP_REDIS_URL": "rediss://r:6380/1"}), known)
	if err != nil || cfg.RedisURL != "rediss://r:6380/1" || cfg.SessionKeyFile != "keys" {
		t.Fatalf("%+v %v", cfg, err)
	}
}

// --auth oauth needs the http transport, the Supabase OAuth app, a public
// URL and a key; it uses no token of the server's own.
func TestAuthOAuth(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	base := map[string]string{EnvOAuthClientID: "id", EnvOAuthClientSecret: "secret", EnvOAuthKey: hexKey}
	args := []string{"--transport", "http", "--auth", "oauth", "--listen", "0.0.0.0:8080", "--public-url", "https://mcp.example.com/"}
	c, err := Parse(args, envOf(base), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAuth != AuthOAuth || c.PublicURL != "https://mcp.example.com" || len(c.OAuthKey) != 32 || c.UseStoredLogin {
		t.Fatalf("%+v", c)
	}
	files := Known{Features: known.Features, DefaultFeatures: known.DefaultFeatures, Tools: known.Tools, Groups: known.Groups, StoredLogin: true,
		ReadFile: func(string) ([]byte, error) { return []byte(hexKey + "\n"), nil }}
	noKey := map[string]string{EnvOAuthClientID: "id", EnvOAuthClientSecret: "secret"}
	if c, err := Parse(append(args, "--oauth-key-file", "key"), envOf(noKey), files); err != nil || len(c.OAuthKey) != 32 || c.UseStoredLogin {
		t.Fatalf("key file: %v %+v", err, c)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--auth", "oauth", "--public-url", "https://mcp.example.com"}, base, "--transport http"},
		{[]string{"--transport", "sse", "--auth", "oauth", "--public-url", "https://mcp.example.com"}, base, "--transport http"},
		{[]string{"--transport", "http", "--auth", "magic"}, base, "use oauth"},
		{args, noKey, "needs a key"},
		{args, with(EnvOAuthKey, "short"), "at least 32 bytes"},
		{args, with(EnvOAuthClientSecret, ""), "OAuth app"},
		{args, with("SUPABASE_ACCESS_TOKEN", "sbp_x"), "unset SUPABASE_ACCESS_TOKEN"},
		{append(args, "--http-token", "0123456789abcdef0123"), base, "exclude each other"},
		{[]string{"--transport", "http", "--auth", "oauth"}, base, "--public-url"},
		{[]string{"--transport", "http", "--auth", "oauth", "--public-url", "http://mcp.example.com"}, base, "http only on a loopback host"},
		{[]string{"--transport", "http", "--auth", "oauth", "--public-url", "https://mcp.example.com/mcp"}, base, "without a path"},
		{[]string{"--transport", "http", "--public-url", "https://mcp.example.com"}, map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}, "--auth oauth only"},
	} {
		_, err := Parse(tc.args, envOf(tc.env), known)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if c, err := Parse([]string{"--transport", "http", "--auth", "oauth", "--public-url", "http://127.0.0.1:8080"}, envOf(base), known); err != nil || c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("loopback http public URL: %v", err)
	}
}

// A binary built without the Redis store refuses --redis-url with the
// reason, before asking for the transport or shared keys it would need.
func TestRedisNotBuilt(t *testing.T) {
	without := known
	without.NoRedis = "this binary has no Redis store"
	for _, args := range [][]string{
		{"--redis-url", "redis://127.0.0.1:6379/0"},
		{"--transport", "http", "--redis-url", "redis://127.0.0.1:6379/0", "--session-key-file", "/nonexistent"},
		{"--transport", "http", "--redis-url", "not a url"},
	} {
		_, err := Parse(args, envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_x"}), without)
		if err == nil || err.Error() != without.NoRedis {
			t.Errorf("%v: %v, want %q", args, err, without.NoRedis)
		}
	}
	// Without --redis-url the same binary starts as before.
	if _, err := Parse([]string{"--transport", "http"}, envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_x"}), without); err != nil {
		t.Errorf("http without Redis: %v", err)
	}
}

// A binary built without the authorization server refuses --auth oauth
// with the reason, before asking for the transport, app or key it would
// need: a user must not set those up for nothing.
func TestAuthOAuthNotBuilt(t *testing.T) {
	without := known
	without.NoAuthServer = "this binary has no authorization server"
	for _, args := range [][]string{
		{"--auth", "oauth"},
		{"--transport", "http", "--auth", "oauth", "--public-url", "https://mcp.example.com"},
	} {
		_, err := Parse(args, envOf(nil), without)
		if err == nil || err.Error() != without.NoAuthServer {
			t.Errorf("%v: %v, want %q", args, err, without.NoAuthServer)
		}
	}
	// Other --auth values keep their own message.
	if _, err := Parse([]string{"--transport", "http", "--auth", "magic"}, envOf(nil), without); err == nil || !strings.Contains(err.Error(), "use oauth") {
		t.Errorf("--auth magic: %v", err)
	}
}
