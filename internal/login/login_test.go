package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// browser acts as the user's browser: open fetches the authorization URL
// in the background, as a real browser does, and follows the redirects
// (the fake approves at once) back to the loopback listener. The page it
// ends on is kept for the test to check; the fetch never outlives the test.
type browser struct {
	pages chan string
	wg    sync.WaitGroup
}

func newBrowser(t *testing.T) *browser {
	b := &browser{pages: make(chan string, 8)}
	t.Cleanup(b.wg.Wait)
	return b
}

func (b *browser) open(u string) error {
	b.wg.Go(func() {
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Get(u)
		if err != nil {
			b.pages <- "browser error: " + err.Error()
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.pages <- "browser error: " + err.Error()
			return
		}
		b.pages <- string(body)
	})
	return nil
}

// page is the page the browser ended on (Login has returned by then, so
// the fetch has ended too).
func (b *browser) page(t *testing.T) string {
	t.Helper()
	select {
	case p := <-b.pages:
		return p
	case <-time.After(30 * time.Second):
		t.Fatal("the browser got no page")
		return ""
	}
}

func app(api *sandbox.Server) App {
	return App{APIURL: api.URL(), ClientID: sandbox.SeedOAuthClientID, ClientSecret: sandbox.SeedOAuthClientSecret}
}

// signIn runs the whole login flow against the fake, checking that the
// browser got the whole "signed in" page.
func signIn(t *testing.T, api *sandbox.Server) *Stored {
	t.Helper()
	var out bytes.Buffer
	b := newBrowser(t)
	s, err := Login(context.Background(), Options{App: app(api), Out: &out, Open: b.open, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), api.URL()+"/v1/oauth/authorize?") {
		t.Fatalf("login did not print the URL to open:\n%s", out.String())
	}
	if p := b.page(t); !strings.Contains(p, "supabase-mcp is signed in") || !strings.HasSuffix(p, "</p>\n") {
		t.Fatalf("callback page: %q", p)
	}
	return s
}

// loggedIn signs in and stores the login in a fresh directory.
func loggedIn(t *testing.T, api *sandbox.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cfg", "supabase-mcp", "login.json")
	if err := Replace(context.Background(), path, signIn(t, api), nil); err != nil {
		t.Fatal(err)
	}
	return path
}

func apiStatus(t *testing.T, api *sandbox.Server, token string) int {
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

func tokenRequests(api *sandbox.Server, grant string) (n int) {
	for _, r := range api.Requests() {
		if r.Path == "/v1/oauth/token" && strings.Contains(string(r.Body), "grant_type="+grant) {
			n++
		}
	}
	return n
}

// setExpiry rewrites the stored login with another expiry.
func setExpiry(t *testing.T, path string, expiry time.Time) {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Expiry = expiry
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
}

func TestLoginWithPKCEStoresTokens(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)

	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stored file: %v %v", st, err)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", dir.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() != "login.json" && e.Name() != "login.json.lock" {
			t.Fatalf("left-over file %s", e.Name())
		}
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.APIURL != api.URL() || s.ClientID != sandbox.SeedOAuthClientID || s.RefreshToken == "" || s.Expiry.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("stored %+v", s)
	}
	if apiStatus(t, api, s.AccessToken) != http.StatusOK {
		t.Fatal("the API refuses the new access token")
	}
	// PKCE: S256 challenge on the way out, verifier in the form-encoded exchange.
	var authorize, exchange *sandbox.Recorded
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
	if exchange.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || form.Get("code_verifier") == "" || form.Get("client_secret") != sandbox.SeedOAuthClientSecret {
		t.Fatalf("token request %s %v", exchange.Header.Get("Content-Type"), form)
	}
}

// openAndAnswer returns an Open function that sends the redirect that
// query yields for the authorization URL, waits for the page, and then
// calls after (so the test decides when the wait ends, not a clock).
func openAndAnswer(t *testing.T, query func(authQuery url.Values) string, pages chan<- string, after func()) func(string) error {
	return func(u string) error {
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		resp, err := http.Get(q.Get("redirect_uri") + "?" + query(q))
		if err != nil {
			pages <- "error: " + err.Error()
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			pages <- string(b)
		}
		if after != nil {
			after()
		}
		return nil
	}
}

func TestLoginRefusedOrAbandoned(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	pages := make(chan string, 4)

	// The user refuses: the authorization server redirects with an error.
	// Only a known error code is repeated, never the description.
	deny := openAndAnswer(t, func(q url.Values) string {
		return "error=access_denied&error_description=secret-ish+text&state=" + url.QueryEscape(q.Get("state"))
	}, pages, nil)
	_, err := Login(context.Background(), Options{App: app(api), Out: io.Discard, Open: deny, Timeout: 30 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "access_denied") || strings.Contains(err.Error(), "secret-ish") {
		t.Fatalf("refused login: %v", err)
	}
	if p := <-pages; !strings.Contains(p, "Sign-in was refused (access_denied)") {
		t.Fatalf("refusal page %q", p)
	}
	odd := openAndAnswer(t, func(q url.Values) string {
		return "error=" + url.QueryEscape("<b>sbp_leak</b>") + "&state=" + url.QueryEscape(q.Get("state"))
	}, pages, nil)
	_, err = Login(context.Background(), Options{App: app(api), Out: io.Discard, Open: odd, Timeout: 30 * time.Second})
	if err == nil || strings.Contains(err.Error(), "sbp_leak") || !strings.Contains(err.Error(), "unknown_error") {
		t.Fatalf("unknown error code: %v", err)
	}
	if p := <-pages; strings.Contains(p, "sbp_leak") {
		t.Fatalf("page repeats the error: %q", p)
	}

	// A forged redirect (wrong state) does not count: it gets a page
	// saying so, and Login keeps waiting until the user gives up.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	forge := openAndAnswer(t, func(url.Values) string { return "code=stolen&state=guess" }, pages, cancel)
	_, err = Login(ctx, Options{App: app(api), Out: io.Discard, Open: forge, Timeout: 30 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "login cancelled") {
		t.Fatalf("forged redirect: %v", err)
	}
	if p := <-pages; !strings.Contains(p, "not the one supabase-mcp is waiting for") {
		t.Fatalf("forged redirect page %q", p)
	}
	if tokenRequests(api, "authorization_code") != 0 {
		t.Fatal("a forged code was exchanged")
	}

	// A wrong client secret fails at the exchange.
	bad := app(api)
	bad.ClientSecret = "wrong"
	b := newBrowser(t)
	_, err = Login(context.Background(), Options{App: bad, Out: io.Discard, Open: b.open, Timeout: 30 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad secret: %v", err)
	}
	b.page(t)
}

func TestSourceRefreshesBeforeExpiryAndPersists(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	src, err := NewSource(path, App{}, time.Minute)
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
	setExpiry(t, path, time.Now().Add(30*time.Second)) // within the minute's margin
	second, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || tokenRequests(api, "refresh_token") != 1 {
		t.Fatalf("no refresh before expiry (%d refresh requests)", tokenRequests(api, "refresh_token"))
	}
	stored, _ := Load(path)
	if stored.AccessToken != second.AccessToken || stored.RefreshToken == "" || stored.RefreshToken == first.RefreshToken {
		t.Fatal("the refreshed set was not stored")
	}
	if apiStatus(t, api, second.AccessToken) != http.StatusOK {
		t.Fatal("the refreshed token does not work")
	}
	if third, err := src.Token(); err != nil || third.AccessToken != second.AccessToken || tokenRequests(api, "refresh_token") != 1 {
		t.Fatalf("the stored refresh was not reused: %v", err)
	}
	if _, err := NewSource(path, App{APIURL: "http://127.0.0.1:1"}, 0); err == nil || !strings.Contains(err.Error(), "stored login is for") {
		t.Fatalf("another API URL: %v", err)
	}
}

// Several processes share one login: when its token runs out, exactly one
// of them refreshes (the refresh token works once), the others pick up the
// stored result.
func TestSourcesShareOneLoginSafely(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	setExpiry(t, path, time.Now().Add(-time.Minute))
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
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			tok, err := sources[i%len(sources)].Token()
			if err != nil {
				errs <- err
				return
			}
			tokens <- tok.AccessToken
		})
	}
	wg.Wait()
	close(tokens)
	close(errs)
	for err := range errs {
		t.Errorf("Token: %v", err)
	}
	seen := map[string]bool{}
	for tok := range tokens {
		seen[tok] = true
	}
	if n := tokenRequests(api, "refresh_token"); n != 1 || len(seen) != 1 {
		t.Fatalf("%d refreshes, %d distinct tokens; want 1 and 1", n, len(seen))
	}
}

func TestRevokedLoginAndLogout(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	s, _ := Load(path)

	// Revoked in the dashboard: the access token stops working, and the
	// refresh fails with a sentence telling the user what to do.
	api.RevokeOAuthGrants()
	if apiStatus(t, api, s.AccessToken) != http.StatusUnauthorized {
		t.Fatal("a revoked access token still works")
	}
	setExpiry(t, path, time.Now().Add(-time.Second))
	src, _ := NewSource(path, App{}, 0)
	if _, err := src.Token(); !errors.Is(err, ErrLoginInvalid) || !strings.Contains(err.Error(), "supabase-mcp login") || !strings.Contains(err.Error(), "invalid_grant") {
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
	if revoke["refresh_token"] != s.RefreshToken || revoke["client_id"] != sandbox.SeedOAuthClientID {
		t.Fatalf("revoke body %v", revoke)
	}
	if err := Logout(context.Background(), path, App{}); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("second logout: %v", err)
	}
}

// Logout only ever talks to the issuer recorded with the login: another
// API URL is refused with nothing sent there and nothing deleted.
func TestLogoutStaysWithTheIssuer(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	other := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	s, _ := Load(path)
	api.ResetRequests()

	err := Logout(context.Background(), path, App{APIURL: other.URL()})
	if err == nil || !strings.Contains(err.Error(), api.URL()) || !strings.Contains(err.Error(), other.URL()) || !strings.Contains(err.Error(), "nothing was sent") {
		t.Fatalf("logout against another API: %v", err)
	}
	if n := len(other.Requests()) + len(api.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	if !Exists(path) || !api.OAuthGrantLive(s.RefreshToken) {
		t.Fatal("a refused logout changed something")
	}
	// The same API URL, or none: the stored issuer.
	if err := Logout(context.Background(), path, App{APIURL: api.URL()}); err != nil {
		t.Fatal(err)
	}
	if api.OAuthGrantLive(s.RefreshToken) || Exists(path) || len(other.Requests()) != 0 {
		t.Fatal("logout did not revoke at the issuer")
	}
}

// leaks reports which secret text appears in s.
func leaks(s string, secrets ...string) []string {
	var found []string
	for _, x := range append(secrets, sandbox.SeedOAuthClientSecret, "oauth_refresh_", "oauth_code_", "code_verifier", "you sent") {
		if x != "" && strings.Contains(s, x) {
			found = append(found, x)
		}
	}
	return found
}

// An authorization server that echoes what it was sent in its error bodies
// (refresh token, client secret, code): nothing of it reaches an error or
// a log line, whatever the status and error field.
func TestOAuthErrorsAreSummarised(t *testing.T) {
	for _, echo := range []sandbox.OAuthEcho{
		{Status: 400, ErrorCode: "invalid_grant"},
		{Status: 401, ErrorCode: "invalid_client"},
		{Status: 400},                    // the echo in the error field itself
		{Status: 500, ErrorCode: "oops"}, // not an RFC 6749 code
		{Status: 503, ErrorCode: "temporarily_unavailable"},
	} {
		t.Run(strings.ReplaceAll(http.StatusText(echo.Status)+"_"+echo.ErrorCode, " ", ""), func(t *testing.T) {
			api := sandbox.NewFromEnv(t, "sbp_unused")
			path := loggedIn(t, api)
			s, _ := Load(path)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			api.EchoOAuthErrors(&echo)

			// The exchange of a code.
			b := newBrowser(t)
			_, err := Login(context.Background(), Options{App: app(api), Out: io.Discard, Open: b.open, Timeout: 30 * time.Second})
			b.page(t)
			if err == nil || !strings.Contains(err.Error(), "OAuth token endpoint answered") {
				t.Fatalf("exchange: %v", err)
			}
			errs := []string{err.Error()}

			// A refresh.
			setExpiry(t, path, time.Now().Add(-time.Second))
			src, err := NewSource(path, App{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			src.Log = logger
			if _, err := src.Token(); err == nil {
				t.Fatal("refresh succeeded")
			} else {
				errs = append(errs, err.Error())
			}
			wantInvalid := echo.Status < 500
			if _, err := src.Token(); errors.Is(err, ErrLoginInvalid) != wantInvalid {
				t.Fatalf("status %d: login invalid = %v", echo.Status, err)
			}

			// A revocation, on logout and when a new login replaces an old one.
			second := *s
			second.RefreshToken = "oauth_refresh_other"
			if err := Replace(context.Background(), path, &second, nil); !errors.Is(err, ErrPreviousGrantLive) {
				t.Fatalf("replacing: %v", err)
			} else {
				errs = append(errs, err.Error())
			}
			if err := Logout(context.Background(), path, App{}); !errors.Is(err, ErrRevokeFailed) || !strings.Contains(err.Error(), "dashboard") || Exists(path) {
				t.Fatalf("logout: %v", err)
			} else {
				errs = append(errs, err.Error())
			}

			for _, e := range errs {
				if l := leaks(e, s.RefreshToken, s.AccessToken); l != nil {
					t.Errorf("error leaks %v: %s", l, e)
				}
			}
			if l := leaks(logs.String(), s.RefreshToken, s.AccessToken); l != nil {
				t.Errorf("log leaks %v: %s", l, logs.String())
			}
			// The fake did echo: the test can fail.
			var echoed bool
			for _, r := range api.Requests() {
				echoed = echoed || r.Path == "/v1/oauth/token" && strings.Contains(string(r.Body), s.RefreshToken)
			}
			if !echoed {
				t.Fatal("the refresh token was never sent, so nothing could be echoed")
			}
		})
	}
}

// A failed revocation: unreachable issuer.
func TestLogoutReportsUnreachableIssuer(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	s, _ := Load(path)
	s.APIURL = "http://127.0.0.1:1" // nothing listens there
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	err := Logout(context.Background(), path, App{})
	if !errors.Is(err, ErrRevokeFailed) || !strings.Contains(err.Error(), "cannot reach the OAuth revoke endpoint at 127.0.0.1:1") || !strings.Contains(err.Error(), "dashboard") {
		t.Fatalf("logout offline: %v", err)
	}
	if Exists(path) {
		t.Fatal("the local tokens were kept")
	}
}

// Two logins that race: both store, the one that stored first is revoked
// by the one that stored second, and the live grant is the stored one.
// A login that replaces an older one revokes it too.
func TestRacingLoginsLeaveOneLiveGrant(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := filepath.Join(t.TempDir(), "supabase-mcp", "login.json")
	first, second := signIn(t, api), signIn(t, api)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, s := range []*Stored{first, second} {
		wg.Go(func() { errs <- Replace(context.Background(), path, s, nil) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	stored, _ := Load(path)
	if issued, live := api.OAuthGrants(); issued != 2 || live != 1 || !api.OAuthGrantLive(stored.RefreshToken) {
		t.Fatalf("issued %d, live %d; the stored grant live: %v", issued, live, api.OAuthGrantLive(stored.RefreshToken))
	}

	third := signIn(t, api)
	if err := Replace(context.Background(), path, third, nil); err != nil {
		t.Fatal(err)
	}
	if _, live := api.OAuthGrants(); live != 1 || !api.OAuthGrantLive(third.RefreshToken) || api.OAuthGrantLive(stored.RefreshToken) {
		t.Fatalf("after a new login: %d live", live)
	}
}

// A running server picks up a new login without a restart, stops using a
// removed one, and refuses one for another API.
func TestSourcePicksUpNewLogin(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	src, err := NewSource(path, App{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if err := Replace(context.Background(), path, signIn(t, api), nil); err != nil {
		t.Fatal(err)
	}
	b, err := src.Token()
	if err != nil || b.AccessToken == a.AccessToken {
		t.Fatalf("the new login was not picked up: %v", err)
	}
	if apiStatus(t, api, a.AccessToken) != http.StatusUnauthorized || apiStatus(t, api, b.AccessToken) != http.StatusOK {
		t.Fatal("the replaced login was not revoked, or the new one does not work")
	}

	s, _ := Load(path)
	s.APIURL = "http://127.0.0.1:1"
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(); err == nil || !strings.Contains(err.Error(), "now for http://127.0.0.1:1") {
		t.Fatalf("a login for another API: %v", err)
	}

	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(); !errors.Is(err, ErrSignedOut) {
		t.Fatalf("after logout: %v", err)
	}
}

// The token store: a directory others can get at is tightened (ours) or
// refused (not ours); a login file others can read, another user's, or a
// link is refused; the lock file is never followed through a link.
func TestTokenStorePermissions(t *testing.T) {
	api := sandbox.NewFromEnv(t, "sbp_unused")
	path := loggedIn(t, api)
	dir := filepath.Dir(path)

	os.Chmod(dir, 0o777)
	note, err := SecureDir(path)
	if fi, _ := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 || !strings.Contains(note, "0777") {
		t.Fatalf("open directory: note %q err %v mode %v", note, err, fi.Mode().Perm())
	}
	os.Chmod(dir, 0o757)
	if _, err := Load(path); err != nil { // Load tightens as well
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("Load left mode %v", fi.Mode().Perm())
	}

	os.Chmod(path, 0o644)
	for name, err := range map[string]error{
		"Load":   func() error { _, err := Load(path); return err }(),
		"Source": func() error { _, err := NewSource(path, App{}, 0); return err }(),
		"Logout": Logout(context.Background(), path, App{}),
	} {
		if !errors.Is(err, ErrUnsafeStore) || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Errorf("%s of a 0644 file: %v", name, err)
		}
	}
	os.Chmod(path, 0o600)

	// A link as the login file: refused, and a save replaces the link
	// rather than writing through it.
	s, _ := Load(path)
	elsewhere := filepath.Join(t.TempDir(), "target.json")
	os.Rename(path, elsewhere)
	os.Symlink(elsewhere, path)
	if _, err := Load(path); !errors.Is(err, ErrUnsafeStore) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("linked login file: %v", err)
	}
	before, _ := os.ReadFile(elsewhere)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(elsewhere); !bytes.Equal(before, after) {
		t.Fatal("Save wrote through a link")
	}
	if fi, _ := os.Lstat(path); fi.Mode()&os.ModeSymlink != 0 {
		t.Fatal("the link is still there")
	}

	// A link as the lock file: nothing is created where it points.
	lockTarget := filepath.Join(t.TempDir(), "created-through-the-link")
	os.Remove(path + ".lock")
	os.Symlink(lockTarget, path+".lock")
	setExpiry(t, path, time.Now().Add(-time.Second)) // so Token takes the lock
	src, err := NewSource(path, App{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(); !errors.Is(err, ErrUnsafeStore) || !strings.Contains(err.Error(), "lock file") {
		t.Fatalf("linked lock: %v", err)
	}
	if err := Logout(context.Background(), path, App{}); !errors.Is(err, ErrUnsafeStore) {
		t.Fatalf("logout with a linked lock: %v", err)
	}
	if _, err := os.Lstat(lockTarget); err == nil {
		t.Fatal("the lock was created through the link")
	}
	if tokenRequests(api, "refresh_token") != 0 {
		t.Fatal("refreshed without the lock")
	}
	os.Remove(path + ".lock")

	// Another user's directory or file (needs root to arrange).
	if os.Geteuid() != 0 {
		t.Log("not root: ownership cases skipped")
		return
	}
	os.Chown(path, 65534, 65534)
	if _, err := Load(path); !errors.Is(err, ErrUnsafeStore) || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("another user's file: %v", err)
	}
	os.Chown(path, 0, 0)
	os.Chown(dir, 65534, 65534)
	defer os.Chown(dir, 0, 0)
	if _, err := SecureDir(path); !errors.Is(err, ErrUnsafeStore) || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("another user's directory: %v", err)
	}
	if err := Save(path, s); !errors.Is(err, ErrUnsafeStore) {
		t.Fatalf("saving into another user's directory: %v", err)
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	os.Mkdir(dir, 0o700)
	if _, err := Load(filepath.Join(dir, "none.json")); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nodir", "none.json")); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("missing directory: %v", err)
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
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already given up: one try, which must fail
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
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := lockFile(ctx2, fl); err == nil {
		t.Fatal("platform lock taken twice")
	}
	u1()
}
