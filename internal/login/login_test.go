package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/fakeapi"
)

// browser acts as the user: opens the authorization URL and follows the
// redirects (the fake approves at once) back to the loopback listener.
func browser(t *testing.T) func(string) error {
	return func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
		return nil
	}
}

func app(api *fakeapi.Server) App {
	return App{APIURL: api.URL(), ClientID: fakeapi.SeedOAuthClientID, ClientSecret: fakeapi.SeedOAuthClientSecret}
}

// loggedIn runs the whole login flow against the fake and stores the result.
func loggedIn(t *testing.T, api *fakeapi.Server) string {
	t.Helper()
	var out bytes.Buffer
	s, err := Login(context.Background(), Options{App: app(api), Out: &out, Open: browser(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), api.URL()+"/v1/oauth/authorize?") {
		t.Fatalf("login did not print the URL to open:\n%s", out.String())
	}
	path := filepath.Join(t.TempDir(), "cfg", "supabase-mcp", "login.json")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

func apiStatus(t *testing.T, api *fakeapi.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", api.URL()+"/v1/organizations", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func tokenRequests(api *fakeapi.Server, grant string) (n int) {
	for _, r := range api.Requests() {
		if r.Path == "/v1/oauth/token" && strings.Contains(string(r.Body), "grant_type="+grant) {
			n++
		}
	}
	return n
}

func TestLoginWithPKCEStoresTokens(t *testing.T) {
	api := fakeapi.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)

	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stored file: %v %v", st, err)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", dir.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left-over files: %v", entries)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.APIURL != api.URL() || s.ClientID != fakeapi.SeedOAuthClientID || s.RefreshToken == "" || s.Expiry.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("stored %+v", s)
	}
	if apiStatus(t, api, s.AccessToken) != http.StatusOK {
		t.Fatal("the API refuses the new access token")
	}
	// PKCE: S256 challenge on the way out, verifier in the form-encoded exchange.
	var authorize, exchange *fakeapi.Recorded
	for _, r := range api.Requests() {
		switch r.Path {
		case "/v1/oauth/authorize":
			authorize = &r
		case "/v1/oauth/token":
			exchange = &r
		}
	}
	q, _ := url.ParseQuery(authorize.RawQuery)
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("response_type") != "code" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Fatalf("authorize query %v", q)
	}
	form, _ := url.ParseQuery(string(exchange.Body))
	if exchange.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || form.Get("code_verifier") == "" || form.Get("client_secret") != fakeapi.SeedOAuthClientSecret {
		t.Fatalf("token request %s %v", exchange.Header.Get("Content-Type"), form)
	}
}

func TestLoginRefusedOrAbandoned(t *testing.T) {
	api := fakeapi.NewFromEnv(t, "sbp_unused")
	// The user refuses: the authorization server redirects with an error.
	deny := func(u string) error {
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		go http.Get(q.Get("redirect_uri") + "?error=access_denied&state=" + url.QueryEscape(q.Get("state")))
		return nil
	}
	_, err := Login(context.Background(), Options{App: app(api), Out: io.Discard, Open: deny, Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("refused login: %v", err)
	}
	// A forged redirect (wrong state) does not count; nobody signs in in time.
	forge := func(u string) error {
		parsed, _ := url.Parse(u)
		go http.Get(parsed.Query().Get("redirect_uri") + "?code=stolen&state=guess")
		return nil
	}
	_, err = Login(context.Background(), Options{App: app(api), Out: io.Discard, Open: forge, Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no sign-in within") {
		t.Fatalf("forged redirect: %v", err)
	}
	// A wrong client secret fails at the exchange.
	bad := app(api)
	bad.ClientSecret = "wrong"
	_, err = Login(context.Background(), Options{App: bad, Out: io.Discard, Open: browser(t), Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("bad secret: %v", err)
	}
}

func TestSourceRefreshesBeforeExpiryAndPersists(t *testing.T) {
	api := fakeapi.NewFromEnv(t, "sbp_unused")
	api.SetOAuthTokenLifetime(2 * time.Second)
	path := loggedIn(t, api)
	src, err := NewSource(path, App{}, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tokenRequests(api, "refresh_token") != 0 {
		t.Fatal("refreshed a fresh token")
	}
	time.Sleep(600 * time.Millisecond) // now within 1.5 s of expiry
	second, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || tokenRequests(api, "refresh_token") != 1 {
		t.Fatalf("no refresh before expiry (%d refresh requests)", tokenRequests(api, "refresh_token"))
	}
	stored, _ := Load(path)
	if stored.AccessToken != second.AccessToken || stored.RefreshToken == "" {
		t.Fatal("the refreshed set was not stored")
	}
	if apiStatus(t, api, second.AccessToken) != http.StatusOK {
		t.Fatal("the refreshed token does not work")
	}
	time.Sleep(1500 * time.Millisecond)
	if apiStatus(t, api, first.AccessToken) != http.StatusUnauthorized {
		t.Fatal("the fake accepts an expired access token")
	}
	if _, err := NewSource(path, App{APIURL: "http://127.0.0.1:1"}, 0); err == nil || !strings.Contains(err.Error(), "stored login is for") {
		t.Fatalf("another API URL: %v", err)
	}
}

// Several processes share one login: when its token runs out, exactly one
// of them refreshes (the refresh token works once), the others pick up the
// stored result.
func TestSourcesShareOneLoginSafely(t *testing.T) {
	api := fakeapi.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	stale, _ := Load(path)
	stale.Expiry = time.Now().Add(-time.Minute)
	if err := Save(path, stale); err != nil {
		t.Fatal(err)
	}
	var sources []*Source
	for range 4 { // each Source has its own open file for the lock, like a process
		src, err := NewSource(path, App{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, src)
	}
	var wg sync.WaitGroup
	tokens := make(chan string, 16)
	for i := range 16 {
		wg.Go(func() {
			tok, err := sources[i%len(sources)].Token()
			if err != nil {
				t.Errorf("Token: %v", err)
				return
			}
			tokens <- tok.AccessToken
		})
	}
	wg.Wait()
	close(tokens)
	seen := map[string]bool{}
	for tok := range tokens {
		seen[tok] = true
	}
	if n := tokenRequests(api, "refresh_token"); n != 1 || len(seen) != 1 {
		t.Fatalf("%d refreshes, %d distinct tokens; want 1 and 1", n, len(seen))
	}
}

func TestRevokedLoginAndLogout(t *testing.T) {
	api := fakeapi.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	s, _ := Load(path)

	// Revoked in the dashboard: the access token stops working, and the
	// refresh fails with a sentence telling the user what to do.
	api.RevokeOAuthGrants()
	if apiStatus(t, api, s.AccessToken) != http.StatusUnauthorized {
		t.Fatal("a revoked access token still works")
	}
	s.Expiry = time.Now().Add(-time.Second)
	Save(path, s)
	src, _ := NewSource(path, App{}, 0)
	if _, err := src.Token(); !errors.Is(err, ErrLoginInvalid) || !strings.Contains(err.Error(), "supabase-mcp login") {
		t.Fatalf("revoked refresh: %v", err)
	}

	// Logout revokes through /v1/oauth/revoke and deletes the file.
	path = loggedIn(t, api)
	if _, live := api.OAuthGrants(); live != 1 {
		t.Fatalf("%d live grants", live)
	}
	s, _ = Load(path)
	if err := Logout(context.Background(), path, App{}); err != nil {
		t.Fatal(err)
	}
	if Exists(path) {
		t.Fatal("logout left the tokens")
	}
	if _, live := api.OAuthGrants(); live != 0 {
		t.Fatal("logout did not revoke the grant")
	}
	if apiStatus(t, api, s.AccessToken) != http.StatusUnauthorized {
		t.Fatal("access token works after logout")
	}
	var revoke map[string]string
	for _, r := range api.Requests() {
		if r.Path == "/v1/oauth/revoke" {
			json.Unmarshal(r.Body, &revoke)
		}
	}
	if revoke["refresh_token"] != s.RefreshToken || revoke["client_id"] != fakeapi.SeedOAuthClientID {
		t.Fatalf("revoke body %v", revoke)
	}
	if err := Logout(context.Background(), path, App{}); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("second logout: %v", err)
	}

	// Revocation failing (API unreachable): the tokens still go, and the error says so.
	path = loggedIn(t, api)
	err := Logout(context.Background(), path, App{APIURL: "http://127.0.0.1:1", ClientID: "x", ClientSecret: "y"})
	if err == nil || !strings.Contains(err.Error(), "were deleted, but revoking them failed") || Exists(path) {
		t.Fatalf("logout offline: %v", err)
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "none.json")); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("missing: %v", err)
	}
	p := filepath.Join(dir, "bad.json")
	os.WriteFile(p, []byte("{"), 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "login` again") {
		t.Fatalf("damaged: %v", err)
	}
	os.WriteFile(p, []byte("{}"), 0o600)
	if _, err := Load(p); err == nil {
		t.Fatal("empty token set accepted")
	}
}

// The portable lock (used where flock is missing) excludes, and a lock
// left by a crashed process is taken over.
func TestCreateLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l.lock")
	unlock, err := createLock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := createLock(ctx, p); err == nil {
		t.Fatal("lock taken twice")
	}
	unlock()
	unlock2, err := createLock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	_ = unlock2 // crash: never unlocked
	old := time.Now().Add(-2 * staleLock)
	os.Chtimes(p, old, old)
	if unlock3, err := createLock(context.Background(), p); err != nil {
		t.Fatal(err)
	} else {
		unlock3()
	}
	// flock excludes other opens in the same process too.
	fl := filepath.Join(t.TempDir(), "f.lock")
	u1, err := lockFile(context.Background(), fl)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel2()
	if _, err := lockFile(ctx2, fl); err == nil {
		t.Fatal("platform lock taken twice")
	}
	u1()
}
