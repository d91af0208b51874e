package config

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
)

var known = Known{
	Features:        []string{"account", "database", "functions"},
	DefaultFeatures: []string{"account", "database"},
	Tools:           map[string][]string{"projects": {"list", "get", "delete"}, "database": {"execute_sql"}},
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
	c, err := Parse([]string{"--access-token", "flagtok", "--read-only=false", "--features", "functions, account", "--rate-limit", "120", "--confirm", "token", "--transport", "http", "--listen", ":9000", "--log-level", "debug"},
		envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "envtok", "SUPABASE_MCP_READ_ONLY": "1"}), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessToken != "flagtok" || c.ReadOnly || c.RateLimit != 120 || c.Confirm != "token" || c.Transport != "http" || c.Listen != ":9000" || c.LogLevel != slog.LevelDebug {
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
		{[]string{"--read-olny"}, tok, "flag provided but not defined: -read-olny"},
		{[]string{"--features", "acount"}, tok, `unknown feature group "acount"`},
		{[]string{"--features", ","}, tok, "--features is empty"},
		{[]string{"--transport", "websocket"}, tok, `--transport "websocket"`},
		{[]string{"--confirm", "yes"}, tok, `--confirm "yes"`},
		{[]string{"--rate-limit", "-1"}, tok, "--rate-limit -1"},
		{[]string{"--rate-limit", "lots"}, tok, "invalid value"},
		{[]string{"--log-level", "loud"}, tok, "--log-level"},
		{[]string{"--listen", "8080"}, tok, "--listen"},
		{[]string{"--api-url", "ftp://x"}, tok, "--api-url"},
		{[]string{"--project-ref", "ABC"}, tok, "20 lowercase letters"},
		{[]string{"serve"}, tok, `unexpected argument "serve"`},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_READ_ONLY": "yes please"}, "SUPABASE_MCP_READ_ONLY"},
		{nil, map[string]string{"SUPABASE_ACCESS_TOKEN": "t", "SUPABASE_MCP_FEATURES": "nope"}, `unknown feature group "nope"`},
		{nil, nil, "SUPABASE_ACCESS_TOKEN"},
		{[]string{"--tools", "projcts"}, tok, `--tools: unknown tool "projcts"`},
		{[]string{"--disable-tools", "projects.destroy"}, tok, `--disable-tools: tool projects has no operation "destroy"`},
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

func TestToolFilters(t *testing.T) {
	c, err := Parse([]string{"--tools", "projects.list, database", "--disable-tools", "projects.delete"}, envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "t"}), known)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Tools, []string{"projects.list", "database"}) || !slices.Equal(c.DisabledTools, []string{"projects.delete"}) {
		t.Fatalf("tools %v disabled %v", c.Tools, c.DisabledTools)
	}
}
