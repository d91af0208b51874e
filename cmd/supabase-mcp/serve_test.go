package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/login"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// proc is the binary running in the background with its stderr scanned.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
	done   chan struct{}
}

func start(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	pr, pw := io.Pipe()
	p := &proc{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitLine returns the first stderr line matching re (its first group).
func (p *proc) waitLine(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line := <-p.lines:
			if m := rx.FindStringSubmatch(line); m != nil {
				return m[len(m)-1]
			}
		case <-timeout:
			t.Fatalf("no stderr line matching %s", re)
		}
	}
}

func (p *proc) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not exit")
		return -1
	}
}

// followLogin acts as the browser for a login run: opens the printed URL;
// the fake approves and redirects to the loopback listener.
func followLogin(t *testing.T, p *proc) {
	t.Helper()
	u := p.waitLine(t, `^\s+(http://\S+/v1/oauth/authorize\?\S+)$`)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "signed in") {
		t.Fatalf("callback page: %s", body)
	}
	p.waitLine(t, `^(Signed in)\.`)
	if code := p.exitCode(t); code != 0 {
		t.Fatalf("login exited %d", code)
	}
}

func listProjects(t *testing.T, c *mcpclient.Client) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "projects_read", map[string]any{"operation": "list"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res.Content[0].(mcp.TextContent).Text, res.IsError
}

// The whole OAuth life cycle through the binary: login (PKCE, loopback
// redirect), a stdio server on the stored login that refreshes it before
// expiry and stores the new set, a revoked grant, logout.
func TestLoginServeLogout(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, "sbp_not_used_by_this_test")
	api.SetOAuthTokenLifetime(30 * time.Second) // within the server's refresh margin: every use refreshes
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "SUPABASE_API_URL=" + api.URL(),
		"SUPABASE_MCP_OAUTH_CLIENT_ID=" + sandbox.SeedOAuthClientID, "SUPABASE_MCP_OAUTH_CLIENT_SECRET=" + sandbox.SeedOAuthClientSecret}
	path := filepath.Join(home, "supabase-mcp", "login.json")

	followLogin(t, start(t, bin, env, "login", "--no-browser"))
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stored login: %v %v", st, err)
	}
	before, _ := login.Load(path)

	// The server: no access token given, so the stored login serves.
	tr := transport.NewStdio(bin, append(env, "PATH="+os.Getenv("PATH")))
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := mcpclient.NewClient(tr)
	defer c.Close()
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "login-test", Version: "1"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	if text, isErr := listProjects(t, c); isErr {
		t.Fatalf("projects list on the stored login: %s", text)
	}
	after, _ := login.Load(path)
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken {
		t.Fatal("the server did not refresh and store the expiring login")
	}
	var last sandbox.Recorded
	for _, r := range api.Requests() {
		if r.Path == "/v1/projects" {
			last = r
		}
	}
	if last.Header.Get("Authorization") != "Bearer "+after.AccessToken {
		t.Fatal("the API call did not use the refreshed token")
	}

	// Revoked in the dashboard: calls fail with a sentence saying to log in again.
	api.RevokeOAuthGrants()
	text, isErr := listProjects(t, c)
	if !isErr || !strings.Contains(text, "supabase-mcp login") || strings.Contains(text, after.RefreshToken) {
		t.Fatalf("after revocation: %s", text)
	}

	// Log in again, then out: the grant is revoked and the file is gone.
	followLogin(t, start(t, bin, env, "login", "--no-browser"))
	lo := start(t, bin, env, "logout")
	lo.waitLine(t, `^(Signed out)`)
	if code := lo.exitCode(t); code != 0 || login.Exists(path) {
		t.Fatalf("logout: exit %d, file exists %v", code, login.Exists(path))
	}
	if issued, live := api.OAuthGrants(); issued != 2 || live != 0 {
		t.Fatalf("grants issued %d live %d", issued, live)
	}
}

// The http transport in the binary: serves on --listen, and on SIGTERM lets
// the running call finish, then exits 0.
func TestHTTPServeAndGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	p := start(t, bin, []string{"SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL(), "HOME=" + t.TempDir()},
		"--transport", "http", "--listen", "127.0.0.1:0")
	addr := p.waitLine(t, `msg=listening .*addr=(\S+)`)

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	c, err := mcpclient.NewStreamableHttpClient("http://" + addr + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "http-test", Version: "1"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects", Delay: time.Second})
	result := make(chan string, 1)
	go func() {
		text, _ := listProjects(t, c)
		result <- text
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if n := len(api.Requests()); n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if text := <-result; !strings.Contains(text, sandbox.SeedProjectActive) {
		t.Fatalf("the running call was cut off: %s", text)
	}
	if code := p.exitCode(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

// Without a token of its own on a non-loopback address the server demands
// each client's bearer token; with one, it refuses to start.
func TestHTTPCommandLine(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	home := "HOME=" + t.TempDir()
	p := start(t, bin, []string{"SUPABASE_API_URL=" + api.URL(), home}, "--transport", "sse", "--listen", "0.0.0.0:0")
	port := p.waitLine(t, `msg=listening .*addr=\S+:(\d+) auth=bearer`)
	resp, err := http.Get("http://127.0.0.1:" + port + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("sse without a token: %d", resp.StatusCode)
	}

	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--transport", "http", "--listen", "0.0.0.0:0"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, "not a loopback address"},
		{[]string{"--transport", "http", "--http-token", "short"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, "too short"},
		{[]string{"--allowed-origins", "nope"}, []string{"SUPABASE_ACCESS_TOKEN=x"}, "not an origin"},
		{[]string{"login"}, nil, "--oauth-client-id"},
		{[]string{"logout", "--force"}, nil, "logout: unknown flag --force"},
		{[]string{"logout"}, nil, "not signed in"},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), home}, tc.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err == nil || stdout.Len() != 0 || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: err %v, stderr %q, want one line with %q", tc.args, err, stderr.String(), tc.want)
		}
	}
}
