package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// oauthEnv is what --auth oauth needs besides its flags: the OAuth app
// and the key sealing the grants.
func oauthEnv(api *sandbox.Server) []string {
	return []string{
		"SUPABASE_API_URL=" + api.URL(),
		"SUPABASE_MCP_OAUTH_CLIENT_ID=" + sandbox.SeedOAuthClientID,
		"SUPABASE_MCP_OAUTH_CLIENT_SECRET=" + sandbox.SeedOAuthClientSecret,
		"SUPABASE_MCP_OAUTH_KEY=" + strings.Repeat("ab", 32),
	}
}

// The default build leaves the authorization server out, and refuses
// --auth oauth at start, before listening, saying how to get a build that
// has it: with everything else --auth oauth needs given, and with nothing.
func TestDefaultBuildRefusesAuthOAuth(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	for _, tc := range []struct {
		args []string
		env  []string
	}{
		{[]string{"--transport", "http", "--auth", "oauth", "--listen", "127.0.0.1:0", "--public-url", "http://127.0.0.1:8080"}, oauthEnv(api)},
		{[]string{"--auth", "oauth"}, nil},
	} {
		// A binary that wrongly starts would serve until killed: the
		// deadline turns that into a failure, not a hang.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, tc.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		msg := stderr.String()
		if err == nil || cmd.ProcessState.ExitCode() != 1 || stdout.Len() != 0 {
			t.Errorf("%v: err %v, stdout %q: want exit 1", tc.args, err, stdout.String())
		}
		for _, want := range []string{"supabase-mcp: --auth oauth needs a build with the OAuth authorization server", "container image", "go build -tags authserver ./cmd/supabase-mcp"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: stderr %q lacks %q", tc.args, msg, want)
			}
		}
		if strings.Contains(msg, "listening") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
			t.Errorf("%v: want the one error line, before listening: %q", tc.args, msg)
		}
	}
}

// The default build does not link the OAuth library (fosite and what it
// brings: OpenTelemetry, gRPC, ...), go-redis, nor the YAML library
// tools.yaml is read with (the catalogue is precomputed), which would cost
// every start; the container image's build (authserver and redis tags) has
// the first two.
func TestDefaultBuildLeavesOutTeamLibraries(t *testing.T) {
	deps := func(tags ...string) string {
		args := append(append([]string{"list"}, tags...), "-deps", ".")
		out, err := exec.Command("go", args...).Output()
		if err != nil {
			t.Fatalf("go %v: %v", args, err)
		}
		return string(out)
	}
	const authserverPkg = "github.com/supabase-mcp/supabase-mcp/internal/authserver"
	const redisPkg = "github.com/supabase-mcp/supabase-mcp/internal/shared/redisstore"
	for _, pkg := range strings.Fields(deps()) {
		if strings.HasPrefix(pkg, "github.com/ory/") || pkg == authserverPkg || strings.HasPrefix(pkg, "go.opentelemetry.io/") || pkg == "gopkg.in/yaml.v3" ||
			strings.HasPrefix(pkg, "github.com/redis/") || pkg == redisPkg {
			t.Errorf("the default build links %s", pkg)
		}
	}
	tagged := strings.Fields(deps("-tags", "authserver,redis"))
	for _, pkg := range []string{authserverPkg, "github.com/ory/fosite", redisPkg, "github.com/redis/go-redis/v9"} {
		if !contains(tagged, pkg) {
			t.Errorf("the container image's build lacks %s", pkg)
		}
	}
	// The binary itself: its module list (go version -m) has neither.
	out, err := exec.Command("go", "version", "-m", buildBinary(t)).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "github.com/ory/") || strings.Contains(string(out), "github.com/redis/") {
		t.Errorf("the default binary carries an ory or redis module:\n%s", out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The authserver build (the container image's) serves --auth oauth: the
// authorization server's metadata, and a 401 that points clients to it.
// internal/server's tests run the whole OAuth flow through the same server.
func TestAuthServerBuildServesOAuth(t *testing.T) {
	bin := buildTeamBinary(t)
	api := sandbox.NewFromEnv(t, token)
	const public = "http://127.0.0.1:8080"
	p := start(t, bin, append(oauthEnv(api), "HOME="+t.TempDir()),
		"--transport", "http", "--auth", "oauth", "--listen", "127.0.0.1:0", "--public-url", public)
	port := p.waitLine(t, `msg=listening .*addr=\S+:(\d+) auth=oauth`)
	base := "http://127.0.0.1:" + port

	resp, err := http.Get(base + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || meta.Issuer != public || meta.TokenEndpoint != public+"/oauth/token" {
		t.Fatalf("metadata: %d %+v %v", resp.StatusCode, meta, err)
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sbp_0123456789abcdef0123456789abcdef01234567") // a Supabase token is not this server's
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `resource_metadata="`+public+"/.well-known/oauth-protected-resource/mcp") {
		t.Fatalf("/mcp with a foreign token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
