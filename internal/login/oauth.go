package login

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/oauth2"
)

// App is the OAuth app the user registered, and the API it belongs to.
type App struct {
	APIURL       string // e.g. https://api.supabase.com, no trailing slash
	ClientID     string
	ClientSecret string
	// HTTPClient makes the token and revoke requests; nil means a client
	// with a 30 s timeout.
	HTTPClient *http.Client
}

// CallbackPath is where the loopback listener receives the redirect.
const CallbackPath = "/callback"

func (a App) config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     a.ClientID,
		ClientSecret: a.ClientSecret,
		RedirectURL:  redirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:  a.APIURL + "/v1/oauth/authorize",
			TokenURL: a.APIURL + "/v1/oauth/token",
			// The token endpoint takes the client credentials in the form body.
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

func (a App) httpClient() *http.Client {
	if a.HTTPClient != nil {
		return a.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (a App) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, a.httpClient())
}

// Options for Login.
type Options struct {
	App
	// Out receives the instructions (the URL to open).
	Out io.Writer
	// Open opens the URL in a browser; nil, or an error, leaves it to the
	// user. OpenBrowser is the usual choice.
	Open func(url string) error
	// Timeout bounds the wait for the user; 0 means 5 minutes.
	Timeout time.Duration
}

// Login runs the authorization-code flow with PKCE: it listens on a random
// loopback port, shows the authorization URL (and opens a browser), waits
// for the redirect with the code, and exchanges the code for a token set.
// Replace stores the result.
func Login(ctx context.Context, o Options) (*Stored, error) {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen for the redirect: %w", err)
	}
	redirect := fmt.Sprintf("http://%s%s", ln.Addr().String(), CallbackPath)
	cfg := o.config(redirect)
	state := randomString()
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	type result struct {
		code string
		err  error
	}
	results := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc(CallbackPath, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(w, http.StatusBadRequest, "This sign-in link is not the one supabase-mcp is waiting for. Start again with supabase-mcp login.")
			return
		}
		// The page is written and flushed before the code is handed on:
		// once Login has the code it shuts this server down, and the
		// browser must already have the whole page by then.
		var res result
		switch {
		case q.Get("error") != "":
			// Only a known code is repeated: the rest of the redirect is
			// whatever the browser was sent to.
			code := cmp.Or(knownOAuthError(q.Get("error")), "unknown_error")
			res.err = fmt.Errorf("authorization refused: %s", code)
			page(w, http.StatusOK, "Sign-in was refused ("+code+"). You can close this tab.")
		case q.Get("code") == "":
			res.err = errors.New("the redirect carried no authorization code")
			page(w, http.StatusBadRequest, "The redirect carried no authorization code.")
		default:
			res.code = q.Get("code")
			page(w, http.StatusOK, "supabase-mcp is signed in. You can close this tab.")
		}
		select {
		case results <- res:
		default: // a second redirect: the first one counts
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		srv.Serve(ln)
		close(served)
	}()
	defer func() {
		// Graceful: a page being written is finished; a connection that
		// hangs on is cut after a short while.
		sctx, scancel := context.WithTimeout(context.Background(), callbackShutdown)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
		<-served
	}()

	fmt.Fprintf(o.Out, "To sign in to Supabase, open this URL in a browser:\n\n  %s\n\nWaiting for the redirect to %s ...\n", authURL, redirect)
	if o.Open != nil {
		if err := o.Open(authURL); err == nil {
			fmt.Fprintln(o.Out, "(A browser window was opened.)")
		}
	}

	var res result
	select {
	case res = <-results:
	case <-ctx.Done():
		if parent.Err() != nil {
			return nil, fmt.Errorf("login cancelled: %w", parent.Err())
		}
		return nil, fmt.Errorf("no sign-in within %s: %w", o.Timeout, ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := cfg.Exchange(o.ctx(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchanging the authorization code: %w", summarise(tokenEndpoint, o.APIURL, err))
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("the token endpoint returned no refresh token")
	}
	s := &Stored{APIURL: o.APIURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	s.setToken(tok)
	return s, nil
}

// callbackShutdown bounds how long the callback server waits for open
// connections when Login returns.
const callbackShutdown = 2 * time.Second

// page writes a complete response (with its length) and flushes it.
func page(w http.ResponseWriter, status int, msg string) {
	body := fmt.Sprintf("<!doctype html><title>supabase-mcp</title><p>%s</p>\n", html.EscapeString(msg))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, body)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func randomString() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrRevokeFailed is wrapped by Logout's error when the local tokens were
// deleted but the authorization server did not confirm the revocation.
var ErrRevokeFailed = errors.New("revoking the grant failed")

// Logout revokes the stored grant at the issuer recorded with it (POST
// /v1/oauth/revoke) and deletes the stored token set, under the login lock
// (so that no refresh rotates the token meanwhile). app.APIURL, when set,
// is the API URL the user asked for: if it is not the stored issuer,
// nothing is sent and nothing deleted. The stored app credentials are the
// ones used: the grant is theirs.
//
// The local tokens are deleted even when revoking fails (a running server
// notices and stops using them); the error then wraps ErrRevokeFailed and
// says to revoke the app's access in the dashboard.
func Logout(ctx context.Context, path string, app App) error {
	s, err := Load(path)
	if err != nil {
		return err
	}
	if err := sameIssuer(s, app.APIURL); err != nil {
		return fmt.Errorf("%w; nothing was sent or deleted: run `supabase-mcp logout --api-url %s`", err, s.APIURL)
	}
	lctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	unlock, err := lockFile(lctx, path+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if s, err = Load(path); err != nil { // a refresh may have rotated it meanwhile
		return err
	}
	if err := sameIssuer(s, app.APIURL); err != nil {
		return fmt.Errorf("%w; nothing was sent or deleted", err)
	}
	revokeErr := revoke(ctx, s.app(app.HTTPClient), s.RefreshToken)
	if err := Remove(path); err != nil {
		return fmt.Errorf("deleting the stored tokens: %w", err)
	}
	if revokeErr != nil {
		return fmt.Errorf("%w: the local tokens were deleted, but the grant may still be live at %s (%w); revoke supabase-mcp's access in the Supabase dashboard (Organization settings, OAuth Apps)", ErrRevokeFailed, hostOf(s.APIURL), revokeErr)
	}
	return nil
}

// sameIssuer refuses a configured API URL that is not the stored login's.
func sameIssuer(s *Stored, apiURL string) error {
	if apiURL == "" || apiURL == s.APIURL {
		return nil
	}
	return fmt.Errorf("the stored login was issued by %s, not %s (the API URL given); its tokens are only ever sent to their issuer", s.APIURL, apiURL)
}

// ErrPreviousGrantLive is wrapped by Replace's error when the new login
// was stored but the grant it replaced could not be revoked.
var ErrPreviousGrantLive = errors.New("the login this one replaced could not be revoked")

// Replace stores a new login at path and revokes the grant it replaces
// (an earlier login, or a login that raced this one and stored first), all
// under the login lock, so that no grant is left live with nobody holding
// it. The replaced grant is revoked at its own issuer with its own app.
// When that revocation fails the new login is stored anyway and the error
// wraps ErrPreviousGrantLive.
func Replace(ctx context.Context, path string, s *Stored, httpClient *http.Client) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	unlock, err := lockFile(lctx, path+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	// A file others could read is still worth revoking; a damaged one
	// (or a link, or another user's) cannot be, and is replaced.
	old, _, _ := load(path, false)
	if _, err := save(path, s); err != nil {
		return err
	}
	if old == nil || old.RefreshToken == "" || old.RefreshToken == s.RefreshToken {
		return nil
	}
	if err := revoke(ctx, old.app(httpClient), old.RefreshToken); err != nil {
		return fmt.Errorf("%w: the new login is stored, but the one it replaced may still be live at %s (%w); revoke the older access in the Supabase dashboard", ErrPreviousGrantLive, hostOf(old.APIURL), err)
	}
	return nil
}

// revoke asks the issuer to revoke the grant of refreshToken. Its error is
// a summary (status and known OAuth error code): never the body.
func revoke(ctx context.Context, app App, refreshToken string) error {
	body, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret, "refresh_token": refreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, app.APIURL+"/v1/oauth/revoke", bytes.NewReader(body))
	if err != nil {
		return errors.New("the OAuth revoke endpoint URL is unusable")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := app.httpClient().Do(req)
	if err != nil {
		return summarise(revokeEndpoint, app.APIURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var msg struct {
		Error string `json:"error"`
	}
	json.Unmarshal(b, &msg)
	return &endpointError{endpoint: revokeEndpoint, status: resp.StatusCode, code: knownOAuthError(msg.Error)}
}

// OpenBrowser opens url in the user's browser, where there is one.
func OpenBrowser(target string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", target)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", target)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical session")
		}
		cmd = exec.Command("xdg-open", target)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
