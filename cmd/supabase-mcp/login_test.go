package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/login"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// lockedBuffer collects a child's stderr, written from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// loginEnv is the environment of a user whose config directory is home,
// with the OAuth app set; apiURL "" leaves SUPABASE_API_URL unset.
func loginEnv(home, apiURL string) []string {
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home,
		"SUPABASE_MCP_OAUTH_CLIENT_ID=" + sandbox.SeedOAuthClientID, "SUPABASE_MCP_OAUTH_CLIENT_SECRET=" + sandbox.SeedOAuthClientSecret}
	if apiURL != "" {
		env = append(env, "SUPABASE_API_URL="+apiURL)
	}
	return env
}

// stdioServer starts the binary as a stdio server and initializes a client.
func stdioServer(t *testing.T, bin string, env []string, args ...string) (*mcpclient.Client, *lockedBuffer) {
	t.Helper()
	stderr := &lockedBuffer{}
	tr := transport.NewStdioWithOptions(bin, append(env, "PATH="+os.Getenv("PATH")), args, transport.WithCommandStderrWriter(stderr))
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := mcpclient.NewClient(tr)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "login-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v\n%s", err, stderr.String())
	}
	return c, stderr
}

func lastProjectsAuth(api *sandbox.Server) string {
	var auth string
	for _, r := range api.Requests() {
		if r.Path == "/v1/projects" {
			auth = r.Header.Get("Authorization")
		}
	}
	return auth
}

// A token endpoint that echoes the refresh token, client secret and code in
// its error body: through the real server, the tool result and the logs
// carry none of it.
func TestStoredLoginRefreshErrorLeaksNothing(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	home := t.TempDir()
	env := loginEnv(home, api.URL())
	path := filepath.Join(home, "supabase-mcp", "login.json")
	followLogin(t, start(t, bin, env, "login", "--no-browser"))
	s, err := login.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Expiry = time.Now().Add(-time.Minute)
	if err := login.Save(path, s); err != nil {
		t.Fatal(err)
	}
	api.EchoOAuthErrors(&sandbox.OAuthEcho{Status: 400}) // the echo in "error" itself

	c, stderr := stdioServer(t, bin, env, "--log-level", "debug")
	text, isErr := listProjects(t, c)
	if !isErr || !strings.Contains(text, "supabase-mcp login") || !strings.Contains(text, "OAuth token endpoint answered 400") {
		t.Fatalf("tool result: %s", text)
	}
	c.Close()
	secrets := []string{s.RefreshToken, s.AccessToken, sandbox.SeedOAuthClientSecret, "oauth_refresh_", "you sent"}
	for where, out := range map[string]string{"tool result": text, "log": stderr.String()} {
		for _, x := range secrets {
			if strings.Contains(out, x) {
				t.Errorf("%s leaks %q: %s", where, x, out)
			}
		}
	}
	var echoed bool
	for _, r := range api.Requests() {
		echoed = echoed || r.Path == "/v1/oauth/token" && strings.Contains(string(r.Body), s.RefreshToken)
	}
	if !echoed || lastProjectsAuth(api) != "" {
		t.Fatalf("refresh sent: %v; an API call was made anyway: %q", echoed, lastProjectsAuth(api))
	}
}

// logout and serve never send a stored login to another API than its
// issuer: an explicit other API URL is refused, naming both, with nothing
// sent there; none given means the issuer.
func TestStoredLoginStaysWithItsIssuer(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	other := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	home := t.TempDir()
	path := filepath.Join(home, "supabase-mcp", "login.json")
	followLogin(t, start(t, bin, loginEnv(home, api.URL()), "login", "--no-browser"))
	s, _ := login.Load(path)

	for _, args := range [][]string{{"logout", "--api-url", other.URL()}, {}} {
		p := start(t, bin, loginEnv(home, other.URL()), args...)
		msg := p.waitLine(t, `^(supabase-mcp: .*)$`)
		if code := p.exitCode(t); code == 0 {
			t.Fatalf("%v with another API URL: exit 0", args)
		}
		if !strings.Contains(msg, api.URL()) || !strings.Contains(msg, other.URL()) {
			t.Fatalf("%v: the error does not name both APIs: %s", args, msg)
		}
	}
	if n := len(other.Requests()); n != 0 {
		t.Fatalf("the other API got %d requests", n)
	}
	if !login.Exists(path) || !api.OAuthGrantLive(s.RefreshToken) {
		t.Fatal("a refused logout changed something")
	}

	lo := start(t, bin, loginEnv(home, ""), "logout")
	lo.waitLine(t, `^(Signed out)`)
	if code := lo.exitCode(t); code != 0 || login.Exists(path) || api.OAuthGrantLive(s.RefreshToken) {
		t.Fatalf("logout at the stored issuer: exit %d, file %v, grant live %v", code, login.Exists(path), api.OAuthGrantLive(s.RefreshToken))
	}
	if n := len(other.Requests()); n != 0 {
		t.Fatalf("the other API got %d requests", n)
	}
}

// A revocation that fails exits non-zero and says to revoke in the
// dashboard; the local tokens are gone, and nothing leaks.
func TestLogoutReportsFailedRevocation(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	home := t.TempDir()
	env := loginEnv(home, api.URL())
	path := filepath.Join(home, "supabase-mcp", "login.json")
	followLogin(t, start(t, bin, env, "login", "--no-browser"))
	s, _ := login.Load(path)
	api.EchoOAuthErrors(&sandbox.OAuthEcho{Status: 500, ErrorCode: "server_error"})

	lo := start(t, bin, env, "logout")
	line := lo.waitLine(t, `^(supabase-mcp: logout: .*)$`)
	if code := lo.exitCode(t); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(line, "dashboard") || !strings.Contains(line, "500") || strings.Contains(line, "Signed out") {
		t.Fatalf("logout message: %s", line)
	}
	for _, x := range []string{s.RefreshToken, sandbox.SeedOAuthClientSecret, "you sent"} {
		if strings.Contains(line, x) {
			t.Fatalf("leaks %q: %s", x, line)
		}
	}
	if login.Exists(path) || !api.OAuthGrantLive(s.RefreshToken) {
		t.Fatalf("file kept %v, grant revoked %v", login.Exists(path), !api.OAuthGrantLive(s.RefreshToken))
	}
}

// A running server picks up a new login: its first call carries token A;
// after `login` again, the next call carries token B, and A is revoked.
func TestRunningServerPicksUpNewLogin(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	home := t.TempDir()
	path := filepath.Join(home, "supabase-mcp", "login.json")
	followLogin(t, start(t, bin, loginEnv(home, api.URL()), "login", "--no-browser"))
	a, _ := login.Load(path)

	// No API URL given: the server talks to the stored login's issuer.
	c, stderr := stdioServer(t, bin, loginEnv(home, ""))
	if text, isErr := listProjects(t, c); isErr || lastProjectsAuth(api) != "Bearer "+a.AccessToken {
		t.Fatalf("first call: %s (%q)\n%s", text, lastProjectsAuth(api), stderr.String())
	}
	followLogin(t, start(t, bin, loginEnv(home, api.URL()), "login", "--no-browser"))
	b, _ := login.Load(path)
	if b.AccessToken == a.AccessToken {
		t.Fatal("the second login stored the same token")
	}
	if text, isErr := listProjects(t, c); isErr || lastProjectsAuth(api) != "Bearer "+b.AccessToken {
		t.Fatalf("after a new login: %s (%q)", text, lastProjectsAuth(api))
	}
	if api.OAuthGrantLive(a.RefreshToken) || !api.OAuthGrantLive(b.RefreshToken) {
		t.Fatal("the replaced login is still live")
	}
}
