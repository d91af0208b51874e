package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// pageUser is a person behind a client with URL elicitation: confirmation
// forms are answered yes, and a URL elicitation is opened for real over HTTP
// and its form filled in with the next of values (one per field).
type pageUser struct {
	t       testing.TB
	mu      sync.Mutex
	values  [][]string // what to type into each page, in turn
	asked   []mcp.ElicitationParams
	answers []int // HTTP status of each form submission
	decline bool  // do not open the page
}

var (
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	valueField = regexp.MustCompile(`name="(v\d+)"`)
)

func (u *pageUser) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	u.asked = append(u.asked, req.Params)
	u.mu.Unlock()
	accept := func(content any) (*mcp.ElicitationResult, error) {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: content}}, nil
	}
	if req.Params.Mode != mcp.ElicitationModeURL {
		answer := any(true)
		if props, ok := req.Params.RequestedSchema.(map[string]any)["properties"].(map[string]any); ok {
			if field, ok := props["confirm"].(map[string]any); ok && field["type"] == "string" {
				answer = field["description"]
			}
		}
		return accept(map[string]any{"confirm": answer})
	}
	if u.decline {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	}
	u.mu.Lock()
	if len(u.values) == 0 {
		u.mu.Unlock()
		return nil, fmt.Errorf("no values left to type")
	}
	for len(u.values) > 0 {
		typed := u.values[0]
		u.values = u.values[1:]
		u.mu.Unlock()
		status, err := fillPage(ctx, req.Params.URL, typed)
		if err != nil {
			return nil, err
		}
		u.mu.Lock()
		u.answers = append(u.answers, status)
		if status == http.StatusOK {
			break
		}
	}
	u.mu.Unlock()
	return accept(nil)
}

// fillPage loads the page and posts its form with typed, as a browser does.
func fillPage(ctx context.Context, pageURL string, typed []string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return resp.StatusCode, fmt.Errorf("page answered %d: %s", resp.StatusCode, page)
	}
	form := url.Values{"csrf": {string(m[1])}}
	for i, f := range valueField.FindAllSubmatch(page, -1) {
		if i < len(typed) {
			form.Set(string(f[1]), typed[i])
		}
	}
	u, _ := url.Parse(pageURL)
	post, _ := http.NewRequestWithContext(ctx, http.MethodPost, pageURL, strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err = http.DefaultClient.Do(post)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// urlElicitation declares URL-mode elicitation (and form) for a client.
var urlElicitation = mcpclient.WithClientCapabilities(mcp.ClientCapabilities{
	Elicitation: &mcp.ElicitationCapability{Form: &struct{}{}, URL: &struct{}{}},
})

// newPageHarness is a harness whose client supports URL elicitation, with
// the server's log captured.
func newPageHarness(t *testing.T, u *pageUser, legacy bool, tune func(*Options)) (*harness, *syncBuffer) {
	logs := &syncBuffer{}
	h := newHarness(t, setup{
		noElicitation: true, legacy: legacy, tune: tune,
		logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		clientOpt: []mcpclient.ClientOption{urlElicitation, mcpclient.WithElicitationHandler(u)},
	})
	return h, logs
}

func createProjectArgs(extra map[string]any) map[string]any {
	args := map[string]any{"operation": "create", "name": "oob", "organization_slug": sandbox.SeedOrgAcme,
		"region_selection": map[string]any{"type": "smartGroup", "code": "emea"}}
	for k, v := range extra {
		args[k] = v
	}
	return args
}

// sentBody is the body of the last request to method path.
func sentBody(t *testing.T, h *harness, method, path string) map[string]any {
	t.Helper()
	var body map[string]any
	for _, r := range h.api.Requests() {
		if r.Method == method && r.Path == path {
			body = nil
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%s %s body: %v", method, path, err)
			}
		}
	}
	if body == nil {
		t.Fatalf("no %s %s was sent", method, path)
	}
	return body
}

// noLeak fails if secret appears in what the model or the log can see.
func noLeak(t *testing.T, secret string, seen ...string) {
	t.Helper()
	for _, s := range seen {
		if strings.Contains(s, secret) {
			t.Fatalf("the secret value leaked into %q", s)
		}
	}
}

// The user types db_pass on a one-time page opened by URL elicitation; it
// reaches the API, and neither the result, the confirmation prompt nor the
// log holds it. Modern and 2025-11-25 clients alike, and leaving db_pass out
// or asking with value_from: "user" alike.
func TestProjectCreateDBPassFromUserPage(t *testing.T) {
	const secret = "Typed-by-the-user-7f3a9c"
	for _, tc := range []struct {
		name   string
		legacy bool
		args   map[string]any
	}{
		{"modern, left out", false, createProjectArgs(nil)},
		{"2025-11-25, left out", true, createProjectArgs(nil)},
		{"modern, value_from user", false, createProjectArgs(map[string]any{"value_from": "user"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &pageUser{t: t, values: [][]string{{"short"}, {secret}}} // first try breaks the length rule
			h, logs := newPageHarness(t, u, tc.legacy, nil)
			text := h.ok("projects_write", tc.args)
			if got := sentBody(t, h, "POST", "/v1/projects")["db_pass"]; got != secret {
				t.Fatalf("the API received db_pass %v", got)
			}
			if !strings.Contains(text, "entered db_pass on a page of their own") {
				t.Errorf("result does not say where db_pass came from: %s", text)
			}
			var prompts []string
			sawPage := false
			for _, q := range u.asked {
				prompts = append(prompts, q.Message, q.URL)
				if q.Mode == mcp.ElicitationModeURL {
					sawPage = true
					if !strings.HasPrefix(q.URL, "http://127.0.0.1:") || q.ElicitationID == "" {
						t.Errorf("page URL %q id %q", q.URL, q.ElicitationID)
					}
				} else if !strings.Contains(q.Message, "db_pass: entered by you") {
					t.Errorf("confirmation prompt does not say the user enters db_pass: %s", q.Message)
				}
			}
			if !sawPage || len(u.asked) != 2 {
				t.Fatalf("asked %d times (page: %v)", len(u.asked), sawPage)
			}
			if len(u.answers) != 2 || u.answers[0] != http.StatusBadRequest || u.answers[1] != http.StatusOK {
				t.Errorf("form answers %v, want the short password refused on the page, then accepted", u.answers)
			}
			noLeak(t, secret, append(prompts, text, logs.String())...)
			if !strings.Contains(logs.String(), "tool call") {
				t.Fatal("the log captured nothing; the leak check would be empty")
			}
		})
	}
}

// Secret values of function secrets: the model names them, the user types
// each value.
func TestSecretsCreateValuesFromUserPage(t *testing.T) {
	u := &pageUser{t: t, values: [][]string{{"value-one-1111", "value-two-2222"}}}
	h, logs := newPageHarness(t, u, false, nil)
	text := h.ok("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "value_from": "user",
		"secrets": []any{map[string]any{"name": "ONE"}, map[string]any{"name": "TWO"}}})
	var sent []map[string]string
	for _, r := range h.api.Requests() {
		if r.Method == "POST" && r.Path == "/v1/projects/"+activeRef+"/secrets" {
			if err := json.Unmarshal(r.Body, &sent); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(sent) != 2 || sent[0]["value"] != "value-one-1111" || sent[1]["value"] != "value-two-2222" {
		t.Fatalf("the API received %v", sent)
	}
	var seen []string
	for _, q := range u.asked {
		seen = append(seen, q.Message)
		if q.Mode == mcp.ElicitationModeURL && !strings.Contains(q.Message, "secrets[ONE].value, secrets[TWO].value") {
			t.Errorf("page request does not name the values: %s", q.Message)
		}
	}
	noLeak(t, "value-one-1111", append(seen, text, logs.String())...)
	noLeak(t, "value-two-2222", append(seen, text, logs.String())...)
}

// The user declines to open the page: nothing is sent.
func TestUserSecretPageDeclined(t *testing.T) {
	u := &pageUser{t: t, decline: true}
	h, _ := newPageHarness(t, u, false, nil)
	h.fails("database_config_write", map[string]any{"operation": "update_password", "ref": activeRef}, "did not open the page", "nothing was sent")
	if n := h.requestsTo("PATCH", "/v1/projects/"+activeRef+"/database/password"); n != 0 {
		t.Fatalf("the password change was sent %d times", n)
	}
}

// Without URL elicitation a database password is generated and shown only
// to the user (UserNotice), never in the result.
func TestDBPassGeneratedWithoutURLElicitation(t *testing.T) {
	var notice syncBuffer
	h := newHarness(t, setup{tune: func(o *Options) { o.UserNotice = &notice }})
	text := h.ok("projects_write", createProjectArgs(nil))
	pass, _ := sentBody(t, h, "POST", "/v1/projects")["db_pass"].(string)
	if len(pass) < 24 || !strings.Contains(notice.String(), pass) {
		t.Fatalf("db_pass %q; notice %q", pass, notice.String())
	}
	noLeak(t, pass, text)
	if !strings.Contains(text, "generated db_pass and showed it only to the user") {
		t.Errorf("result: %s", text)
	}
	for _, q := range h.user.questions() {
		noLeak(t, pass, q.Message)
		if !strings.Contains(q.Message, "db_pass: generated by the server, shown only to you") {
			t.Errorf("confirmation prompt: %s", q.Message)
		}
	}
	// Two calls, two passwords.
	h.ok("projects_write", createProjectArgs(nil))
	if again, _ := sentBody(t, h, "POST", "/v1/projects")["db_pass"].(string); again == pass {
		t.Fatal("the same password was generated twice")
	}
}

// Fail closed: no page and nothing the server may generate, so a clear
// refusal and nothing sent. A value the model gives still works as before.
func TestUserSecretWithoutChannelRefused(t *testing.T) {
	h := newHarness(t, setup{}) // form elicitation only, no UserNotice
	h.fails("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "ONE"}}},
		"secrets[ONE].value", "cannot open a page", "URL elicitation", "Nothing was sent")
	h.fails("projects_write", createProjectArgs(nil), "db_pass", "cannot open a page")
	if n := h.requestsTo("POST", "/v1/projects/"+activeRef+"/secrets") + h.requestsTo("POST", "/v1/projects"); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
	h.ok("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "ONE", "value": "given-by-model"}}})
	h.fails("projects_write", createProjectArgs(map[string]any{"value_from": "user", "db_pass": "a-Strong-pass-123"}), "leave db_pass out")
	h.fails("projects_write", createProjectArgs(map[string]any{"db_pass": "(entered by you)"}), "reserved")
}

// The SMTP password is optional: the model asks for it with value_from.
func TestSMTPPasswordFromUserPage(t *testing.T) {
	const secret = "smtp-typed-by-user-42"
	u := &pageUser{t: t, values: [][]string{{secret}}}
	h, logs := newPageHarness(t, u, false, nil)
	text := h.ok("auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "value_from": "user",
		"config": map[string]any{"smtp_host": "smtp.example.com", "smtp_user": "mailer"}})
	if got := sentBody(t, h, "PATCH", "/v1/projects/"+activeRef+"/config/auth")["smtp_pass"]; got != secret {
		t.Fatalf("the API received smtp_pass %v", got)
	}
	seen := []string{text, logs.String()}
	for _, q := range u.asked {
		seen = append(seen, q.Message)
	}
	noLeak(t, secret, seen...)
	// Without value_from the optional field is just left unset.
	h.fails("auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "value_from": "user",
		"config": map[string]any{"smtp_pass": "given"}}, "leave config.smtp_pass out")
}

// The page itself: only its own Host, its form token and its own Origin are
// accepted, it is single use, and nothing about it may be cached or framed.
func TestSecretPageHygiene(t *testing.T) {
	sp := newSecretPages(slog.New(slog.DiscardHandler), time.Minute)
	page, err := sp.open("binding", "test.op needs x.", []string{"x"}, func([]string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.remove(page) })
	resp, err := http.Get(page.url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if !strings.Contains(resp.Header.Get(k), want) {
			t.Errorf("%s: %q, want %q", k, resp.Header.Get(k), want)
		}
	}
	csrf := csrfField.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || csrf == nil {
		t.Fatalf("page: %d %s", resp.StatusCode, body)
	}
	post := func(form url.Values, header ...string) int {
		req, _ := http.NewRequest(http.MethodPost, page.url, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			if header[i] == "Host" {
				req.Host = header[i+1]
			} else {
				req.Header.Set(header[i], header[i+1])
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := url.Values{"csrf": {string(csrf[1])}, "v0": {"value"}}
	if got := post(url.Values{"csrf": {"wrong"}, "v0": {"value"}}); got != http.StatusForbidden {
		t.Errorf("wrong form token: %d", got)
	}
	if got := post(good, "Origin", "http://evil.example"); got != http.StatusForbidden {
		t.Errorf("foreign origin: %d", got)
	}
	if got := post(good, "Host", "rebound.example:80"); got != http.StatusNotFound {
		t.Errorf("foreign host: %d", got)
	}
	select {
	case <-page.done:
		t.Fatal("a refused submission completed the page")
	default:
	}
	if got := post(good); got != http.StatusOK {
		t.Fatalf("good submission: %d", got)
	}
	if vals, err := sp.wait(context.Background(), page); err != nil || len(vals) != 1 || vals[0] != "value" {
		t.Fatalf("values %v, %v", vals, err)
	}
	if got := post(good); got != http.StatusNotFound {
		t.Errorf("second use: %d", got)
	}
}

// Over HTTP the page lives on the server's own listener, outside the MCP
// credential check (its path is the credential), for modern and
// 2025-11-25 clients alike.
func TestUserSecretPageOverHTTP(t *testing.T) {
	const secret = "Typed-over-http-5e1b77"
	for _, kind := range []string{"http", "http-legacy"} {
		t.Run(kind, func(t *testing.T) {
			u := newUsers(t)
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: "http", Auth: config.AuthBearer}})
			pu := &pageUser{t: t, values: [][]string{{secret}}}
			c := h.mustConnect(t, kind, tokenA, urlElicitation, mcpclient.WithElicitationHandler(pu))
			text := c.ok("projects_write", createProjectArgs(nil))
			var body map[string]any
			for _, r := range u.a.Requests() {
				if r.Method == "POST" && r.Path == "/v1/projects" {
					json.Unmarshal(r.Body, &body)
				}
			}
			if body["db_pass"] != secret {
				t.Fatalf("the API received %v", body["db_pass"])
			}
			seen := []string{text, h.logs.String()}
			pageOnServer := false
			for _, q := range pu.asked {
				seen = append(seen, q.Message)
				pageOnServer = pageOnServer || strings.HasPrefix(q.URL, h.url+secretPagePath)
			}
			if !pageOnServer {
				t.Errorf("no page on the server's own listener %s: %+v", h.url, pu.asked)
			}
			noLeak(t, secret, seen...)
		})
	}
}
