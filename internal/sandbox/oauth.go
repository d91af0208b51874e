package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The OAuth app every fake API knows (an app the user registered in the
// dashboard). Its redirect URIs are any loopback http URL.
const (
	SeedOAuthClientID     = "5b2a9c1e-3f4d-4e8a-9b7c-1d2e3f4a5b6c"
	SeedOAuthClientSecret = "sb_secret_fake_0123456789abcdef"
)

// DefaultOAuthTokenLifetime is the access-token lifetime unless
// SetOAuthTokenLifetime changes it.
const DefaultOAuthTokenLifetime = time.Hour

// oauthState is the OAuth authorization server: /v1/oauth/authorize
// approves at once (as if the user clicked Authorize), /v1/oauth/token
// exchanges codes (checking the PKCE verifier) and rotates refresh tokens,
// /v1/oauth/revoke revokes a grant with all its tokens. Access tokens it
// issues are accepted by every other endpoint until they expire or are
// revoked.
type oauthState struct {
	mu       sync.Mutex
	lifetime time.Duration
	codes    map[string]*oauthCode
	access   map[string]*oauthAccess // by access token
	refresh  map[string]*oauthGrant  // by current refresh token
	grants   []*oauthGrant
	echo     *OAuthEcho // when set, the token and revoke endpoints fail with it
}

// OAuthEcho makes the token and revoke endpoints fail as a careless
// authorization server might: with Status and a JSON body whose fields
// repeat everything the request carried (refresh token, client secret,
// code, verifier), so tests can check that none of it is passed on.
type OAuthEcho struct {
	Status int
	// ErrorCode is the body's "error" field; empty puts the echo there too.
	ErrorCode string
}

type oauthCode struct {
	clientID, redirectURI string
	challenge, method     string
	expires               time.Time
	used                  bool
}

type oauthGrant struct {
	clientID string
	revoked  bool
}

type oauthAccess struct {
	grant   *oauthGrant
	expires time.Time
}

// oauthPaths need no bearer token: they are how one is obtained.
var oauthPaths = map[string]bool{"/v1/oauth/authorize": true, "/v1/oauth/token": true, "/v1/oauth/revoke": true}

func (s *Server) oauthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/oauth/authorize", s.oauthAuthorize)
	mux.HandleFunc("POST /v1/oauth/token", s.oauthToken)
	mux.HandleFunc("POST /v1/oauth/revoke", s.oauthRevoke)
}

// SetOAuthTokenLifetime sets the lifetime (expires_in) of access tokens
// issued from now on.
func (s *Server) SetOAuthTokenLifetime(d time.Duration) {
	s.oauth.mu.Lock()
	s.oauth.lifetime = d
	s.oauth.mu.Unlock()
}

// RevokeOAuthGrants revokes every grant, as a user removing the app's
// access in the dashboard: its access and refresh tokens stop working.
func (s *Server) RevokeOAuthGrants() {
	s.oauth.mu.Lock()
	for _, g := range s.oauth.grants {
		g.revoked = true
	}
	s.oauth.mu.Unlock()
}

// EchoOAuthErrors makes the token and revoke endpoints answer every request
// with e (nil restores normal handling). The requests are still recorded.
func (s *Server) EchoOAuthErrors(e *OAuthEcho) {
	s.oauth.mu.Lock()
	s.oauth.echo = e
	s.oauth.mu.Unlock()
}

// echoOAuthError answers r with the configured echo, if any.
func (s *Server) echoOAuthError(w http.ResponseWriter, r *http.Request) bool {
	s.oauth.mu.Lock()
	e := s.oauth.echo
	s.oauth.mu.Unlock()
	if e == nil {
		return false
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	echo := "you sent: " + string(raw)
	if form, err := url.ParseQuery(string(raw)); err == nil {
		for k, v := range form {
			echo += " " + k + "=" + strings.Join(v, ",")
		}
	}
	code := e.ErrorCode
	if code == "" {
		code = echo
	}
	writeJSON(w, e.Status, map[string]string{"error": code, "error_description": echo, "message": echo, "hint": echo})
	return true
}

// OAuthGrants counts the grants issued and those still live.
func (s *Server) OAuthGrants() (issued, live int) {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	for _, g := range s.oauth.grants {
		if !g.revoked {
			live++
		}
	}
	return len(s.oauth.grants), live
}

// OAuthGrantLive reports whether the grant that refreshToken currently
// belongs to (its latest refresh token) is live.
func (s *Server) OAuthGrantLive(refreshToken string) bool {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	g := s.oauth.refresh[refreshToken]
	return g != nil && !g.revoked
}

// acceptsOAuthToken reports whether token is a live access token.
func (s *Server) acceptsOAuthToken(token string) bool {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	a := s.oauth.access[token]
	return a != nil && !a.grant.revoked && time.Now().Before(a.expires)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description, "message": description})
}

func (s *Server) oauthAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != SeedOAuthClientID {
		badRequest(w, "unknown client_id")
		return
	}
	if q.Get("response_type") != "code" {
		badRequest(w, "response_type must be code")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || !isLoopbackHost(redirect.Hostname()) {
		badRequest(w, "redirect_uri is not registered for this app (it allows http://127.0.0.1 and http://localhost on any port)")
		return
	}
	method := q.Get("code_challenge_method")
	challenge := q.Get("code_challenge")
	switch {
	case challenge == "" && method != "":
		badRequest(w, "code_challenge_method without code_challenge")
		return
	case challenge != "" && method == "":
		method = "plain"
	case method == "sha256":
		method = "S256"
	case challenge != "" && method != "S256" && method != "plain":
		badRequest(w, "code_challenge_method must be S256 or plain")
		return
	}
	code := "oauth_code_" + randomToken()
	s.oauth.mu.Lock()
	if s.oauth.codes == nil {
		s.oauth.codes = map[string]*oauthCode{}
	}
	s.oauth.codes[code] = &oauthCode{clientID: SeedOAuthClientID, redirectURI: q.Get("redirect_uri"), challenge: challenge, method: method, expires: time.Now().Add(10 * time.Minute)}
	s.oauth.mu.Unlock()
	back := redirect.Query()
	back.Set("code", code)
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func isLoopbackHost(h string) bool { return h == "127.0.0.1" || h == "localhost" || h == "::1" }

// oauthTokenFields are the OAuthTokenBody properties (additionalProperties: false).
var oauthTokenFields = map[string]bool{"grant_type": true, "client_id": true, "client_secret": true, "code": true, "code_verifier": true, "redirect_uri": true, "refresh_token": true, "resource": true, "scope": true}

func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	if s.echoOAuthError(w, r) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		badRequest(w, "the body must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		badRequest(w, "malformed form body")
		return
	}
	f := r.PostForm
	for k := range f {
		if !oauthTokenFields[k] {
			badRequest(w, "property %s should not exist", k)
			return
		}
	}
	if f.Get("client_id") != SeedOAuthClientID || subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(SeedOAuthClientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong client secret")
		return
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	var grant *oauthGrant
	switch f.Get("grant_type") {
	case "authorization_code":
		c := s.oauth.codes[f.Get("code")]
		switch {
		case c == nil || c.used || time.Now().After(c.expires) || c.clientID != f.Get("client_id"):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code is unknown, used or expired")
			return
		case f.Get("redirect_uri") != c.redirectURI:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
			return
		case c.challenge != "" && !pkceMatches(c.challenge, c.method, f.Get("code_verifier")):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		}
		c.used = true
		grant = &oauthGrant{clientID: c.clientID}
		s.oauth.grants = append(s.oauth.grants, grant)
	case "refresh_token":
		rt := f.Get("refresh_token")
		grant = s.oauth.refresh[rt]
		if grant == nil || grant.revoked || grant.clientID != f.Get("client_id") {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is unknown, used or revoked")
			return
		}
		delete(s.oauth.refresh, rt) // rotation: each refresh token works once
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	lifetime := s.oauth.lifetime
	if lifetime <= 0 {
		lifetime = DefaultOAuthTokenLifetime
	}
	access, refresh := "sbp_oauth_"+randomToken(), "oauth_refresh_"+randomToken()
	if s.oauth.access == nil {
		s.oauth.access, s.oauth.refresh = map[string]*oauthAccess{}, map[string]*oauthGrant{}
	}
	s.oauth.access[access] = &oauthAccess{grant: grant, expires: time.Now().Add(lifetime)}
	s.oauth.refresh[refresh] = grant
	writeJSON(w, http.StatusCreated, map[string]any{
		"access_token": access, "refresh_token": refresh,
		"expires_in": int((lifetime + time.Second - 1) / time.Second), "token_type": "Bearer",
	})
}

func pkceMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		verifier = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(challenge), []byte(verifier)) == 1
}

func (s *Server) oauthRevoke(w http.ResponseWriter, r *http.Request) {
	if s.echoOAuthError(w, r) {
		return
	}
	var body struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		RefreshToken string `json:"refresh_token"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ClientID == "" || body.ClientSecret == "" || body.RefreshToken == "" {
		badRequest(w, "client_id, client_secret and refresh_token are required")
		return
	}
	if body.ClientID != SeedOAuthClientID || subtle.ConstantTimeCompare([]byte(body.ClientSecret), []byte(SeedOAuthClientSecret)) != 1 {
		writeError(w, http.StatusUnauthorized, "unknown client or wrong client secret")
		return
	}
	s.oauth.mu.Lock()
	if g := s.oauth.refresh[body.RefreshToken]; g != nil && g.clientID == body.ClientID {
		g.revoked = true
	}
	s.oauth.mu.Unlock()
	writeEmpty(w, http.StatusNoContent) // unknown tokens too, as RFC 7009 asks
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
