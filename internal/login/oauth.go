package login

import (
	"bytes"
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
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
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
func Login(ctx context.Context, o Options) (*Stored, error) {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
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
		var res result
		switch {
		case q.Get("error") != "":
			res.err = fmt.Errorf("authorization refused: %s %s", q.Get("error"), q.Get("error_description"))
			page(w, http.StatusOK, "Sign-in was refused: "+q.Get("error")+". You can close this tab.")
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
	go srv.Serve(ln)
	defer srv.Close()

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
		return nil, fmt.Errorf("no sign-in within %s: %w", o.Timeout, ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := cfg.Exchange(o.ctx(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchanging the authorization code: %w", describe(err))
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("the token endpoint returned no refresh token")
	}
	s := &Stored{APIURL: o.APIURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	s.setToken(tok)
	return s, nil
}

func page(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>supabase-mcp</title><p>%s</p>\n", html.EscapeString(msg))
}

func randomString() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// describe shortens an x/oauth2 error to the endpoint's own words (never
// echoing tokens: the bodies of token-endpoint errors carry none).
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	msg := re.ErrorCode
	if re.ErrorDescription != "" {
		msg += ": " + re.ErrorDescription
	}
	if msg == "" {
		var body struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(re.Body, &body) == nil && body.Message != "" {
			msg = body.Message
		} else {
			msg = strings.TrimSpace(string(re.Body))
			if len(msg) > 200 {
				msg = msg[:200]
			}
		}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	return &endpointError{status: status, msg: msg, err: err}
}

type endpointError struct {
	status int
	msg    string
	err    error
}

func (e *endpointError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }
func (e *endpointError) Unwrap() error { return e.err }

// Logout revokes the stored grant through POST /v1/oauth/revoke and deletes
// the stored token set. The local tokens are deleted even when revoking
// fails; the error then says so.
func Logout(ctx context.Context, path string, app App) error {
	s, err := Load(path)
	if err != nil {
		return err
	}
	if app.APIURL == "" {
		app.APIURL = s.APIURL
	}
	if app.ClientID == "" {
		app.ClientID, app.ClientSecret = s.ClientID, s.ClientSecret
	}
	revokeErr := revoke(ctx, app, s.RefreshToken)
	if err := Remove(path); err != nil {
		return fmt.Errorf("deleting the stored tokens: %w", err)
	}
	if revokeErr != nil {
		return fmt.Errorf("the stored tokens were deleted, but revoking them failed (%w): revoke the app's access in the Supabase dashboard", revokeErr)
	}
	return nil
}

func revoke(ctx context.Context, app App, refreshToken string) error {
	body, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret, "refresh_token": refreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, app.APIURL+"/v1/oauth/revoke", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := app.httpClient().Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var msg struct {
		Message string `json:"message"`
	}
	json.Unmarshal(b, &msg)
	return fmt.Errorf("POST /v1/oauth/revoke: %d %s", resp.StatusCode, msg.Message)
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
