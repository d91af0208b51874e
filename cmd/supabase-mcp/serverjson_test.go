package main

import (
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// server.json (the MCP registry entry) agrees with the module, the image
// label, and the flags and variables the binary really reads.
func TestServerJSON(t *testing.T) {
	var entry struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Version     string `json:"version"`
		Packages    []struct {
			RegistryType string `json:"registryType"`
			Identifier   string `json:"identifier"`
			Version      string `json:"version"`
			Transport    struct {
				Type string `json:"type"`
				URL  string `json:"url"`
			} `json:"transport"`
			PackageArguments []struct {
				Type, Name, Value string
			} `json:"packageArguments"`
			EnvironmentVariables []struct {
				Name    string  `json:"name"`
				Default *string `json:"default"`
				Format  string  `json:"format"`
			} `json:"environmentVariables"`
		} `json:"packages"`
	}
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if err := json.Unmarshal([]byte(read("../../server.json")), &entry); err != nil {
		t.Fatal(err)
	}
	module := regexp.MustCompile(`(?m)^module (\S+)$`).FindStringSubmatch(read("../../go.mod"))[1]
	label := regexp.MustCompile(`io\.modelcontextprotocol\.server\.name="([^"]+)"`).FindStringSubmatch(read("../../Dockerfile"))
	owner := strings.Split(strings.TrimPrefix(module, "github.com/"), "/")
	if label == nil || entry.Name != label[1] || entry.Name != "io.github."+owner[0]+"/"+owner[1] {
		t.Errorf("name %q, image label %v, module %s", entry.Name, label, module)
	}
	if n := len(entry.Description); n == 0 || n > 100 {
		t.Errorf("description has %d characters (1 to 100)", n)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(entry.Version) {
		t.Errorf("version %q", entry.Version)
	}
	catalogue, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	known := config.Known{Features: catalogue.Features(), DefaultFeatures: defaultFeatures, Tools: catalogue.OperationNames()}
	byEnv := map[string]config.Flag{}
	for _, f := range config.Flags(known) {
		if f.Env != "" {
			byEnv[f.Env] = f
		}
	}
	for _, p := range entry.Packages {
		if p.RegistryType != "go" || p.Identifier != module || p.Version != "v"+entry.Version {
			t.Errorf("package %s %s %s", p.RegistryType, p.Identifier, p.Version)
		}
		args := []string{}
		for _, a := range p.PackageArguments {
			args = append(args, a.Name, a.Value)
		}
		cfg, err := config.Parse(args, func(k string) (string, bool) {
			if k == "SUPABASE_ACCESS_TOKEN" {
				return "sbp_x", true
			}
			return "", false
		}, known)
		if err != nil {
			t.Errorf("packageArguments %v: %v", args, err)
			continue
		}
		switch p.Transport.Type {
		case "stdio":
			if cfg.Transport != "stdio" {
				t.Errorf("stdio package runs %s", cfg.Transport)
			}
		case "streamable-http":
			u, err := url.Parse(p.Transport.URL)
			if err != nil || cfg.Transport != "http" || u.Host != cfg.Listen || u.Path != "/mcp" {
				t.Errorf("streamable-http package: url %s, transport %s, listen %s", p.Transport.URL, cfg.Transport, cfg.Listen)
			}
		default:
			t.Errorf("transport %q", p.Transport.Type)
		}
		// Each variable is one the server reads, with the default it
		// really has (stated or not, never a different one).
		for _, v := range p.EnvironmentVariables {
			f, ok := byEnv[v.Name]
			switch {
			case !ok:
				t.Errorf("server.json names %s, which the server does not read", v.Name)
			case v.Default != nil && *v.Default != f.Default:
				t.Errorf("server.json: %s defaults to %q; the server's default is %q", v.Name, *v.Default, f.Default)
			case f.Arg == "" && v.Format != "boolean":
				t.Errorf("server.json: %s is a boolean, format %q", v.Name, v.Format)
			}
		}
	}
}

// README.md's flags table gives the real default feature set (the config
// package's own test checks every other default).
func TestReadmeDefaultFeatures(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^\\| `--features` \\| `SUPABASE_MCP_FEATURES` \\| `([^`]*)` \\|").FindSubmatch(readme)
	if want := strings.Join(defaultFeatures, ","); m == nil || string(m[1]) != want {
		t.Errorf("README.md's --features default: %q, want %q", m, want)
	}
}
