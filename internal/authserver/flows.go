package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"
	"golang.org/x/oauth2"
)

// pending is an authorization request between the MCP client's redirect
// to /oauth/authorize and Supabase's redirect back to /oauth/callback.
type pending struct {
	// Form is the MCP client's authorization request, validated by fosite
	// and validated again when the code is issued.
	Form url.Values `json:"form"`
	// Verifier is this server's PKCE verifier towards Supabase.
	Verifier string `json:"verifier"`
}

// resourceOK checks the RFC 8707 resource indicators of a request: each
// must be this server's resource. None given means this server's too (it
// serves one resource, and its tokens only ever name it).
func (s *Server) resourceOK(form url.Values) bool {
	for _, r := range form["resource"] {
		if strings.TrimRight(r, "/") != s.resource {
			return false
		}
	}
	return true
}

func errInvalidTarget(resource string) error {
	return fosite.ErrInvalidRequest.WithHint(fmt.Sprintf("The resource parameter must be %s: this server only issues tokens for itself.", resource))
}

// authorize validates the MCP client's request and shows this server's own
// consent page naming the client: Supabase's consent screen names only this
// server's app, so without it any registered client could ride on a
// Supabase session the user already has (the confused-deputy problem the
// MCP spec describes for proxies with a static upstream client id).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	if !s.resourceOK(ar.GetRequestForm()) {
		s.provider.WriteAuthorizeError(ctx, w, ar, errInvalidTarget(s.resource))
		return
	}
	if ar.GetRequestForm().Get("code_challenge_method") != "S256" {
		s.provider.WriteAuthorizeError(ctx, w, ar, fosite.ErrInvalidRequest.WithHint("PKCE with code_challenge_method=S256 is required."))
		return
	}
	c, err := s.store.client(ctx, ar.GetClient().GetID())
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, fosite.ErrServerError)
		return
	}
	id := randomID()
	p := pending{Form: ar.GetRequestForm(), Verifier: oauth2.GenerateVerifier()}
	if err := s.store.putJSON(ctx, keyPending+id, &p, pendingTTL); err != nil {
		s.log.Warn("could not store a pending authorization", "err", err)
		s.provider.WriteAuthorizeError(ctx, w, ar, fosite.ErrTemporarilyUnavailable)
		return
	}
	name := c.Name
	if name == "" {
		name = "an unnamed client"
	}
	redirect, _ := url.Parse(ar.GetRedirectURI().String())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+s.upstreamOrigin()+"; frame-ancestors 'none'")
	_ = consentPage.Execute(w, map[string]string{
		"Client": name, "ClientID": c.ID, "RedirectHost": redirect.Host, "Redirect": redirect.Scheme + "://" + redirect.Host + redirect.Path,
		"Action": ConsentPath, "ID": id,
	})
}

func (s *Server) upstreamOrigin() string {
	u, err := url.Parse(s.upstream.Endpoint.AuthURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<meta charset="utf-8"><title>supabase-mcp: authorize a client</title>
<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}code{word-break:break-all}</style>
<h1>Authorize {{.Client}}?</h1>
<p><b>{{.Client}}</b> (client id <code>{{.ClientID}}</code>) asks to use this supabase-mcp server as you.
It will act on your Supabase account with the access you grant on the next page, at Supabase.</p>
<p>After you approve, you are sent back to <code>{{.Redirect}}</code>. Continue only if you started this from that application.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<button name="decision" value="approve">Continue to Supabase</button>
<button name="decision" value="deny">Cancel</button>
</form>
`))

// consent takes the user's answer on the consent page and sends the browser
// to Supabase (or back to the client with access_denied).
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	// The form is this server's own page: a post from another origin is a
	// forged one.
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !strings.EqualFold(strings.TrimRight(o, "/"), s.cfg.PublicURL) {
		http.Error(w, "Forbidden: the consent form was posted from another site", http.StatusForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request: the form could not be read", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	id := r.PostForm.Get("id")
	b, err := s.cfg.Store.Take(ctx, keyPending+id)
	if err != nil {
		page(w, http.StatusBadRequest, "This authorization request expired or was already answered. Start again from your MCP client.")
		return
	}
	var p pending
	if err := json.Unmarshal(b, &p); err != nil {
		page(w, http.StatusBadRequest, "This authorization request is unreadable. Start again from your MCP client.")
		return
	}
	if r.PostForm.Get("decision") != "approve" {
		s.finishWithError(ctx, w, p.Form, fosite.ErrAccessDenied.WithHint("The user declined."))
		return
	}
	state := randomID()
	if err := s.store.putJSON(ctx, keyPending+"upstream:"+state, &p, pendingTTL); err != nil {
		s.finishWithError(ctx, w, p.Form, fosite.ErrTemporarilyUnavailable)
		return
	}
	http.Redirect(w, r, s.upstream.AuthCodeURL(state, oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

// rebuild re-validates a stored authorization request with fosite.
func (s *Server) rebuild(ctx context.Context, form url.Values) (fosite.AuthorizeRequester, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.PublicURL+AuthorizePath+"?"+form.Encode(), nil)
	if err != nil {
		return nil, err
	}
	return s.provider.NewAuthorizeRequest(ctx, req)
}

// finishWithError sends the browser back to the MCP client with err, when
// the stored request still names a valid client and redirect URI.
func (s *Server) finishWithError(ctx context.Context, w http.ResponseWriter, form url.Values, err error) {
	ar, rerr := s.rebuild(ctx, form)
	if rerr != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, rerr)
		return
	}
	s.provider.WriteAuthorizeError(ctx, w, ar, err)
}

// callback receives Supabase's redirect, exchanges the code, keeps the
// Supabase grant sealed, and issues this server's code to the MCP client.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	b, err := s.cfg.Store.Take(ctx, keyPending+"upstream:"+q.Get("state"))
	if q.Get("state") == "" || err != nil {
		page(w, http.StatusBadRequest, "This sign-in is not one supabase-mcp is waiting for (expired, or already used). Start again from your MCP client.")
		return
	}
	var p pending
	if err := json.Unmarshal(b, &p); err != nil {
		page(w, http.StatusBadRequest, "This sign-in is unreadable. Start again from your MCP client.")
		return
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		s.finishWithError(ctx, w, p.Form, fosite.ErrAccessDenied.WithHint("Supabase did not authorize the request."))
		return
	}
	tok, err := s.upstream.Exchange(s.upstreamCtx(ctx), q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		s.log.Warn("Supabase refused the authorization code exchange", "err", summarise(err))
		s.finishWithError(ctx, w, p.Form, fosite.ErrServerError.WithHint("Supabase refused the authorization code exchange."))
		return
	}
	ar, err := s.rebuild(ctx, p.Form)
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	grantID := randomID()
	if err := s.saveGrant(ctx, grantID, grantOf(tok)); err != nil {
		s.log.Warn("could not store a Supabase grant", "err", err)
		s.provider.WriteAuthorizeError(ctx, w, ar, fosite.ErrTemporarilyUnavailable)
		return
	}
	for _, sc := range ar.GetRequestedScopes() {
		ar.GrantScope(sc)
	}
	ar.GrantAudience(s.resource)
	resp, err := s.provider.NewAuthorizeResponse(ctx, ar, &fosite.DefaultSession{Subject: grantID})
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	s.log.Info("authorized an MCP client", "client_id", ar.GetClient().GetID())
	s.provider.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// token is the token endpoint: codes and refresh tokens, with the
// resource checked when the client names it. The audience itself was fixed
// when the code was issued; Verify enforces it on every request.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAccessRequest(ctx, r, &fosite.DefaultSession{})
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	if !s.resourceOK(r.PostForm) {
		s.provider.WriteAccessError(ctx, w, ar, errInvalidTarget(s.resource))
		return
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	if sess, ok := ar.GetSession().(*fosite.DefaultSession); ok && sess.Subject != "" {
		s.touchGrant(ctx, sess.Subject)
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// revoke is RFC 7009 revocation. Revoking a refresh token ends the whole
// authorization: the Supabase grant behind it is revoked at Supabase and
// deleted here.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.provider.WriteRevocationResponse(ctx, w, fosite.ErrInvalidRequest)
		return
	}
	grantID := ""
	if use, ar, err := s.provider.IntrospectToken(ctx, r.PostForm.Get("token"), fosite.RefreshToken, &fosite.DefaultSession{}); err == nil && use == fosite.RefreshToken {
		if sess, ok := ar.GetSession().(*fosite.DefaultSession); ok {
			grantID = sess.Subject
		}
	}
	err := s.provider.NewRevocationRequest(ctx, r)
	if err == nil && grantID != "" {
		s.dropGrant(ctx, grantID)
	}
	s.provider.WriteRevocationResponse(ctx, w, err)
}

// registration is the RFC 7591 client metadata this server reads.
type registration struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientName              string   `json:"client_name"`
	Scope                   string   `json:"scope"`
}

func registrationError(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": description})
}

// register is open dynamic client registration (RFC 7591), as MCP clients
// expect: a client gets nothing by registering but the right to ask a user.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	var reg registration
	if err := json.NewDecoder(r.Body).Decode(&reg); err != nil {
		registrationError(w, "invalid_client_metadata", "the body must be a JSON object of client metadata (RFC 7591)")
		return
	}
	if len(reg.RedirectURIs) == 0 || len(reg.RedirectURIs) > 10 {
		registrationError(w, "invalid_redirect_uri", "give between 1 and 10 redirect_uris")
		return
	}
	for _, u := range reg.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			registrationError(w, "invalid_redirect_uri", err.Error())
			return
		}
	}
	method := reg.TokenEndpointAuthMethod
	if method == "" {
		method = "client_secret_basic" // RFC 7591's default
	}
	if !slices.Contains(authMethods, method) {
		registrationError(w, "invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post")
		return
	}
	if len(reg.GrantTypes) == 0 {
		reg.GrantTypes = []string{"authorization_code"}
	}
	for _, g := range reg.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			registrationError(w, "invalid_client_metadata", "grant_types may hold authorization_code and refresh_token only")
			return
		}
	}
	if !slices.Contains(reg.GrantTypes, "authorization_code") {
		registrationError(w, "invalid_client_metadata", "grant_types must include authorization_code")
		return
	}
	if len(reg.ResponseTypes) == 0 {
		reg.ResponseTypes = []string{"code"}
	}
	if len(reg.ResponseTypes) != 1 || reg.ResponseTypes[0] != "code" {
		registrationError(w, "invalid_client_metadata", "response_types must be [\"code\"]")
		return
	}
	if len(reg.ClientName) > 200 || len(reg.Scope) > 1000 {
		registrationError(w, "invalid_client_metadata", "client_name or scope is too long")
		return
	}
	ctx := r.Context()
	c := &clientRecord{
		DefaultClient: fosite.DefaultClient{
			ID: randomID(), RedirectURIs: reg.RedirectURIs, GrantTypes: reg.GrantTypes,
			ResponseTypes: reg.ResponseTypes, Scopes: strings.Fields(reg.Scope),
			Audience: []string{s.resource}, Public: method == "none",
		},
		Name: reg.ClientName, AuthMethod: method, RegisteredAt: time.Now().UTC(),
	}
	answer := map[string]any{
		"client_id": c.ID, "client_id_issued_at": c.RegisteredAt.Unix(),
		"redirect_uris": c.RedirectURIs, "grant_types": c.GrantTypes, "response_types": c.ResponseTypes,
		"token_endpoint_auth_method": method,
	}
	if reg.ClientName != "" {
		answer["client_name"] = reg.ClientName
	}
	if reg.Scope != "" {
		answer["scope"] = strings.Join(c.Scopes, " ")
	}
	if !c.Public {
		secret := randomID()
		hash, err := s.fconf.GetSecretsHasher(ctx).Hash(ctx, []byte(secret))
		if err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		c.Secret = hash
		answer["client_secret"], answer["client_secret_expires_at"] = secret, 0
	}
	if err := s.store.saveClient(ctx, c); err != nil {
		s.log.Warn("could not store a registered client", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "error_description": "the client could not be stored; retry later"})
		return
	}
	s.log.Info("registered an MCP client", "client_id", c.ID, "client_name", c.Name, "auth_method", method)
	writeJSON(w, http.StatusCreated, answer)
}

// checkRedirectURI allows https, http on a loopback host (native apps,
// RFC 8252), and a native app's private-use scheme; never fragments or
// schemes a browser would run.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URI %q must be absolute, without a fragment", raw)
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("redirect URI %q has no host", raw)
		}
	case "http":
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && h != "::1" {
			return fmt.Errorf("redirect URI %q: http is allowed for loopback hosts only; use https", raw)
		}
	case "javascript", "data", "file", "vbscript", "about", "blob", "ftp", "ws", "wss":
		return fmt.Errorf("redirect URI %q: scheme %s is not allowed", raw, scheme)
	default:
		if !strings.Contains(scheme, ".") {
			return fmt.Errorf("redirect URI %q: a private-use scheme must be a reverse domain name, such as com.example.app (RFC 8252)", raw)
		}
	}
	return nil
}

func page(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, msg)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html><meta charset="utf-8"><title>supabase-mcp</title><p>{{.}}</p>
`))

// summarise names an upstream error without its body (which may echo
// secrets): the OAuth error code, or that the request failed.
func summarise(err error) string {
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		return "no access or refresh token in the answer"
	case errors.As(err, &re):
		code := re.ErrorCode
		if !knownOAuthErrors[code] {
			code = "unrecognised error"
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Sprintf("status %d, %s", status, code)
	default:
		return "the request failed (network or timeout)"
	}
}

var knownOAuthErrors = map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true, "access_denied": true, "server_error": true, "temporarily_unavailable": true}
