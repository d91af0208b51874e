package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/authserver"
	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// oauthKey is the test's master key (32 bytes).
var oauthKey = []byte("0123456789abcdef0123456789abcdef")

// startOAuthHTTP runs the server in --auth oauth mode on 127.0.0.1, with the
// fake as Supabase (API and OAuth app), sharing store with other servers.
func startOAuthHTTP(t *testing.T, api *sandbox.Server, store authserver.Store) *httpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pool, err := client.NewPool(client.Options{BaseURL: api.URL(), UserAgent: "supabase-mcp/test", Timeout: 5 * time.Second, Logger: logger}, 8)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Version: "test", Catalogue: cat, Policy: &guard.Policy{Features: cat.Features()}, Clients: pool, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	as, err := authserver.New(authserver.Config{
		PublicURL: public,
		Upstream:  authserver.Upstream{APIURL: api.URL(), ClientID: sandbox.SeedOAuthClientID, ClientSecret: sandbox.SeedOAuthClientSecret},
		Key:       oauthKey, Store: store, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &httpServer{url: public, srv: srv, logs: logs, stop: cancel, done: make(chan error, 1)}
	go func() {
		h.done <- srv.Serve(ctx, ln, HTTPOptions{Transport: "http", Auth: config.AuthOAuth, OAuth: as})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-h.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		for _, leak := range []string{"sbp_oauth_", "oauth_refresh_", sandbox.SeedOAuthClientSecret} {
			if strings.Contains(logs.String(), leak) {
				t.Errorf("the logs contain a Supabase token or secret (%s):\n%s", leak, logs.String())
			}
		}
	})
	return h
}

// recorder keeps everything an MCP client received over HTTP.
type recorder struct {
	mu   sync.Mutex
	seen bytes.Buffer
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	for k, v := range resp.Header {
		r.seen.WriteString(k + ": " + strings.Join(v, ",") + "\n")
	}
	r.seen.Write(body)
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen.String()
}

// oauthClient is an MCP client that signed in through the server's OAuth.
type oauthClient struct {
	c       *mcpclient.Client
	handler *transport.OAuthHandler
	store   *transport.MemoryTokenStore
	seen    *recorder
}

const clientRedirect = "http://127.0.0.1:9/callback" // never contacted: the "browser" stops there

// signIn runs the whole dance with mcp-go's OAuth client: a 401 with
// resource_metadata, discovery, dynamic registration, the authorization
// request with PKCE and resource, this server's consent page, Supabase's
// (the fake's) consent, the code, the token; then it initializes.
func signIn(t *testing.T, h *httpServer) *oauthClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := &recorder{next: http.DefaultTransport}
	httpc := &http.Client{Transport: rec, Timeout: 10 * time.Second}
	store := transport.NewMemoryTokenStore()
	c, err := mcpclient.NewOAuthStreamableHttpClient(h.url+"/mcp", transport.OAuthConfig{
		RedirectURI: clientRedirect, PKCEEnabled: true, TokenStore: store, HTTPClient: httpc,
	}, transport.WithHTTPBasicClient(httpc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "oauth-test", Version: "1"}
	_, err = c.Initialize(ctx, init)
	if !mcpclient.IsOAuthAuthorizationRequiredError(err) {
		t.Fatalf("initialize without a token: %v, want an OAuth authorization request", err)
	}
	handler := mcpclient.GetOAuthHandler(err)
	if err := handler.RegisterClient(ctx, "oauth-test"); err != nil {
		t.Fatalf("dynamic registration: %v", err)
	}
	verifier, _ := transport.GenerateCodeVerifier()
	state, _ := transport.GenerateState()
	authURL, err := handler.GetAuthorizationURL(ctx, state, transport.GenerateCodeChallenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(authURL, "resource=") {
		t.Fatalf("the client sent no resource indicator: %s", authURL)
	}
	code, gotState := browse(t, h, authURL)
	if err := handler.ProcessAuthorizationResponse(ctx, code, gotState, verifier); err != nil {
		t.Fatalf("token request: %v", err)
	}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize with the token: %v", err)
	}
	return &oauthClient{c: c, handler: handler, store: store, seen: rec}
}

// browse plays the user's browser: it opens the authorization URL,
// approves this server's consent page and follows the redirects through
// Supabase's consent (the fake approves at once) back to the client's
// redirect URI, whose code and state it returns.
func browse(t *testing.T, h *httpServer, authURL string) (code, state string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), clientRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(string(page), "oauth-test") {
		t.Fatalf("consent page: %d %s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(h.url+authserver.ConsentPath, url.Values{"id": {string(m[1])}, "decision": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode/100 != 3 || err != nil || !strings.HasPrefix(loc.String(), clientRedirect) || loc.Query().Get("code") == "" {
		t.Fatalf("after consent: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func (o *oauthClient) call(t *testing.T, tool string, args map[string]any) (string, bool) {
	t.Helper()
	return (&mcpConn{t: t, c: o.c}).call(tool, args)
}

func (o *oauthClient) token(t *testing.T) *transport.Token {
	t.Helper()
	tok, err := o.store.GetToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// status is the HTTP status of an MCP initialize sent with bearer.
func mcpStatus(t *testing.T, h *httpServer, bearer string) (int, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	hdr := map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
	if bearer != "" {
		hdr["Authorization"] = "Bearer " + bearer
	}
	resp := rawRequest(t, http.MethodPost, h.url+"/mcp", hdr, body)
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// supabaseTokens are the bearer tokens the fake API saw on API calls.
func supabaseTokens(api *sandbox.Server) []string {
	var out []string
	for _, r := range api.Requests() {
		// Not the OAuth endpoints, and not the profile lookup that names a
		// new token's user for the per-user rate limit: the tool calls.
		if strings.HasPrefix(r.Path, "/v1/oauth/") || r.Path == "/v1/profile" {
			continue
		}
		out = append(out, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	return out
}

// puts records every value written to a Store, to check what is kept at rest.
type puts struct {
	authserver.Store
	mu     sync.Mutex
	values []string
}

func (p *puts) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	p.mu.Lock()
	p.values = append(p.values, key+"="+string(value))
	p.mu.Unlock()
	return p.Store.Put(ctx, key, value, ttl)
}

func (p *puts) all() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.values, "\n")
}

func TestOAuthDanceWithMCPClient(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	stored := &puts{Store: authserver.NewMemoryStore()}
	h := startOAuthHTTP(t, api, stored)

	status, challenge := mcpStatus(t, h, "")
	if status != http.StatusUnauthorized || !strings.Contains(challenge, `resource_metadata="`+h.url+`/.well-known/oauth-protected-resource/mcp"`) {
		t.Fatalf("no token: %d %q", status, challenge)
	}

	oc := signIn(t, h)
	out, isErr := oc.call(t, "organizations_read", map[string]any{"operation": "list"})
	if isErr {
		t.Fatalf("tools/call: %s", out)
	}
	seen := supabaseTokens(api)
	if len(seen) == 0 || !strings.HasPrefix(seen[len(seen)-1], "sbp_oauth_") {
		t.Fatalf("the API did not get the Supabase OAuth token: %q", seen)
	}
	supabaseAccess := seen[len(seen)-1]
	first := oc.token(t)
	if first.AccessToken == supabaseAccess || strings.Contains(first.AccessToken, "sbp_") || first.RefreshToken == "" {
		t.Fatalf("the MCP client holds %q / %q", first.AccessToken, first.RefreshToken)
	}

	// Refresh: a new pair; the old access token stops working.
	ctx := context.Background()
	second, err := oc.handler.RefreshToken(ctx, first.RefreshToken)
	if err != nil || second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh: %v %+v", err, second)
	}
	if st, _ := mcpStatus(t, h, first.AccessToken); st != http.StatusUnauthorized {
		t.Fatalf("the access token replaced by a refresh still answers %d", st)
	}
	if out, isErr := oc.call(t, "organizations_read", map[string]any{"operation": "list"}); isErr {
		t.Fatalf("tools/call after refresh: %s", out)
	}

	// A Supabase token presented to this server is refused, though the API takes it.
	if st, _ := mcpStatus(t, h, supabaseAccess); st != http.StatusUnauthorized {
		t.Fatalf("a Supabase token presented directly answered %d", st)
	}
	if st, _ := mcpStatus(t, h, second.AccessToken); st != http.StatusOK {
		t.Fatalf("the live token answered %d", st)
	}

	// Revocation of the refresh token ends the authorization, here and at Supabase.
	if _, live := api.OAuthGrants(); live != 1 {
		t.Fatalf("live Supabase grants before revocation: %d", live)
	}
	resp := rawRequest(t, http.MethodPost, h.url+authserver.RevokePath, map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		url.Values{"token": {second.RefreshToken}, "client_id": {oc.handler.GetClientID()}}.Encode())
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if st, _ := mcpStatus(t, h, second.AccessToken); st != http.StatusUnauthorized {
		t.Fatalf("after revocation the access token answered %d", st)
	}
	if _, err := oc.handler.RefreshToken(ctx, second.RefreshToken); err == nil {
		t.Fatal("a revoked refresh token was refreshed")
	}
	if _, live := api.OAuthGrants(); live != 0 {
		t.Fatalf("the Supabase grant is still live after revocation (%d)", live)
	}

	// The MCP client never received a Supabase token or the app's secret.
	for _, r := range api.Requests() {
		if r.Path == "/v1/oauth/token" && r.Status/100 == 2 {
			var issued struct{ AccessToken, RefreshToken string }
			var raw map[string]any
			_ = json.Unmarshal(r.Response, &raw)
			issued.AccessToken, _ = raw["access_token"].(string)
			issued.RefreshToken, _ = raw["refresh_token"].(string)
			for _, secret := range []string{issued.AccessToken, issued.RefreshToken} {
				if secret != "" && strings.Contains(oc.seen.String(), secret) {
					t.Fatal("the MCP client received a Supabase token")
				}
			}
		}
	}
	for _, leak := range []string{"sbp_oauth_", "oauth_refresh_", sandbox.SeedOAuthClientSecret} {
		if strings.Contains(oc.seen.String(), leak) {
			t.Fatalf("the MCP client received %q", leak)
		}
	}

	// At rest: the Supabase tokens only sealed, the client's tokens only as
	// signatures, no verifier or code in the stored requests.
	atRest := stored.all()
	for _, secret := range []string{"sbp_oauth_", "oauth_refresh_", first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken, "code_verifier", `"code":`} {
		if strings.Contains(atRest, secret) {
			t.Fatalf("the store holds %q in the clear", secret)
		}
	}
	if !strings.Contains(atRest, "grant:") || !strings.Contains(atRest, "refresh:") {
		t.Fatalf("the store saw no grant or refresh record: the check above proves nothing")
	}
}

// A token this authorization server minted for another resource (another
// server sharing its store and key) is refused; it works where it belongs.
func TestOAuthRefusesTokensForAnotherAudience(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	store := authserver.NewMemoryStore()
	here, other := startOAuthHTTP(t, api, store), startOAuthHTTP(t, api, store)
	foreign := signIn(t, other).token(t)
	if st, _ := mcpStatus(t, other, foreign.AccessToken); st != http.StatusOK {
		t.Fatalf("the token does not work where it was issued (%d)", st)
	}
	st, challenge := mcpStatus(t, here, foreign.AccessToken)
	if st != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
		t.Fatalf("a token for another audience answered %d %q", st, challenge)
	}
	if n := len(supabaseTokens(api)); n != 0 {
		t.Fatalf("the refused token reached the API (%d requests)", n)
	}
}

// The authorization endpoint takes PKCE S256 only and this server's own
// resource only.
func TestOAuthAuthorizeRequiresS256AndOwnResource(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	h := startOAuthHTTP(t, api, nil)
	resp, err := http.Post(h.url+authserver.RegisterPath, "application/json",
		strings.NewReader(`{"redirect_uris":["`+clientRedirect+`"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"client_name":"raw"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || reg.ClientID == "" {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {clientRedirect}, "state": {"state-0123456789"}}
	for name, extra := range map[string]url.Values{
		"no PKCE":        {},
		"plain PKCE":     {"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"plain"}},
		"other resource": {"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}, "resource": {"https://elsewhere.example/mcp"}},
	} {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for k, v := range extra {
			q[k] = v
		}
		resp, err := noFollow.Get(h.url + authserver.AuthorizePath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") == "" {
			t.Errorf("%s: %d, Location %q; want an error redirect", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if reqs := api.Requests(); len(reqs) != 0 {
		t.Fatalf("refused authorizations reached Supabase: %d requests", len(reqs))
	}
}

// The server refreshes the Supabase grant itself (the MCP client sees
// nothing of it), and when Supabase no longer knows the grant the client's
// token is refused so that it signs in again.
func TestOAuthRefreshesTheSupabaseGrant(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	// Shorter than the server's refresh margin: every call finds the
	// Supabase token about to expire and refreshes it first.
	api.SetOAuthTokenLifetime(30 * time.Second)
	h := startOAuthHTTP(t, api, nil)
	oc := signIn(t, h)
	before := oc.token(t)
	for range 2 {
		if out, isErr := oc.call(t, "organizations_read", map[string]any{"operation": "list"}); isErr {
			t.Fatalf("tools/call: %s", out)
		}
	}
	seen := supabaseTokens(api)
	if len(seen) != 2 || seen[0] == seen[1] || !strings.HasPrefix(seen[0], "sbp_oauth_") {
		t.Fatalf("want two calls with two refreshed Supabase tokens, got %q", seen)
	}
	refreshes := 0
	for _, r := range api.Requests() {
		if r.Path == "/v1/oauth/token" && strings.Contains(string(r.Body), "grant_type=refresh_token") && r.Status/100 == 2 {
			refreshes++
		}
	}
	if refreshes < 2 { // every authenticated request finds it about to expire
		t.Fatalf("Supabase refreshes: %d, want at least 2", refreshes)
	}
	if oc.token(t).AccessToken != before.AccessToken {
		t.Fatal("the MCP client's token changed with the Supabase refresh")
	}

	api.RevokeOAuthGrants() // the user removes the app's access in the dashboard
	st, challenge := mcpStatus(t, h, before.AccessToken)
	if st != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
		t.Fatalf("with the Supabase grant revoked: %d %q", st, challenge)
	}
}

// A refresh token used twice (stolen and replayed) revokes its family: the
// tokens the legitimate refresh produced stop working too.
func TestOAuthRefreshTokenReuseRevokesTheFamily(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	h := startOAuthHTTP(t, api, nil)
	oc := signIn(t, h)
	first := oc.token(t)
	ctx := context.Background()
	second, err := oc.handler.RefreshToken(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := mcpStatus(t, h, second.AccessToken); st != http.StatusOK {
		t.Fatalf("fresh token: %d", st)
	}
	if _, err := oc.handler.RefreshToken(ctx, first.RefreshToken); err == nil {
		t.Fatal("a used refresh token was accepted again")
	}
	if st, _ := mcpStatus(t, h, second.AccessToken); st != http.StatusUnauthorized {
		t.Fatalf("after refresh-token reuse the family's access token answered %d", st)
	}
	if _, err := oc.handler.RefreshToken(ctx, second.RefreshToken); err == nil {
		t.Fatal("after refresh-token reuse the family's refresh token still works")
	}
}

// Of two concurrent redemptions of one authorization code, one succeeds.
func TestOAuthCodeIsSingleUse(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_not_used_in_oauth_mode_000000000000000")
	h := startOAuthHTTP(t, api, nil)
	resp, err := http.Post(h.url+authserver.RegisterPath, "application/json",
		strings.NewReader(`{"redirect_uris":["`+clientRedirect+`"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"client_name":"oauth-test"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	verifier, _ := transport.GenerateCodeVerifier()
	q := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {clientRedirect}, "state": {"state-0123456789"},
		"code_challenge": {transport.GenerateCodeChallenge(verifier)}, "code_challenge_method": {"S256"}, "resource": {h.url + "/mcp"}}
	code, _ := browse(t, h, h.url+authserver.AuthorizePath+"?"+q.Encode())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {clientRedirect}, "client_id": {reg.ClientID}, "code_verifier": {verifier}}.Encode()
	statuses := make(chan int, 2)
	start := make(chan struct{})
	for range 2 {
		go func() {
			<-start
			resp, err := http.Post(h.url+authserver.TokenPath, "application/x-www-form-urlencoded", strings.NewReader(form))
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	ok := 0
	for range 2 {
		if <-statuses == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 2 concurrent redemptions of one code succeeded", ok)
	}
}
