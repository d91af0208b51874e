// Package authserver makes the HTTP server an OAuth 2.1 authorization
// server for MCP clients (the MCP authorization spec, 2025-11-25): RFC 9728
// protected-resource metadata, RFC 8414 server metadata, RFC 7591 dynamic
// registration, the authorization-code grant with PKCE S256 only, RFC 8707
// resource indicators, refresh-token rotation and RFC 7009 revocation.
//
// Upstream it is one OAuth app at Supabase: a user who authorizes an MCP
// client is sent through Supabase's consent screen, and the Supabase grant
// is kept here, sealed with AES-256-GCM, and refreshed here. The MCP client
// gets this server's own opaque tokens, bound to this server as audience;
// a Supabase token never reaches it, and a token for another audience (or
// a Supabase token) is never accepted.
//
// The OAuth protocol work (request validation, PKCE, token minting and
// verification, rotation, revocation) is github.com/ory/fosite's.
package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"golang.org/x/oauth2"
)

// Config configures a Server.
type Config struct {
	// PublicURL is where clients reach this server (scheme://host[:port],
	// no path): the issuer. The protected resource is PublicURL + "/mcp".
	PublicURL string
	// Upstream is the OAuth app at Supabase.
	Upstream Upstream
	// Key is the master key (at least MinKeyBytes): it seals the Supabase
	// grants and keys the token signatures. Every replica needs the same.
	Key []byte
	// Store keeps clients, codes, token records and sealed grants; nil
	// means a MemoryStore (one replica).
	Store Store
	// AccessTokenLifetime and RefreshTokenLifetime of the tokens issued to
	// MCP clients; 0 means one hour and 30 days.
	AccessTokenLifetime  time.Duration
	RefreshTokenLifetime time.Duration
	// HTTPClient talks to Supabase; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Upstream is the OAuth app registered at Supabase.
type Upstream struct {
	APIURL       string // e.g. https://api.supabase.com
	ClientID     string
	ClientSecret string
}

// Paths served by a Server.
const (
	ProtectedResourcePath   = "/.well-known/oauth-protected-resource"
	AuthorizationServerPath = "/.well-known/oauth-authorization-server"
	AuthorizePath           = "/oauth/authorize"
	ConsentPath             = "/oauth/consent"
	CallbackPath            = "/oauth/callback"
	TokenPath               = "/oauth/token"
	RegisterPath            = "/oauth/register"
	RevokePath              = "/oauth/revoke"
	// ResourcePath is the protected resource (the MCP endpoint).
	ResourcePath = "/mcp"
)

// Errors of Verify and SupabaseToken.
var (
	// ErrInvalidToken: not an access token this server issued for itself,
	// or expired or revoked. Answer 401 invalid_token.
	ErrInvalidToken = errors.New("the access token is not valid for this server (unknown, expired, revoked, or issued for another audience)")
	// ErrGrantRevoked: the user's Supabase grant is gone (revoked at
	// Supabase); the client must authorize again. Answer 401 invalid_token.
	ErrGrantRevoked = errors.New("the Supabase authorization behind this token was revoked; authorize again")
	// ErrUpstreamUnavailable: Supabase could not be asked. Answer 503.
	ErrUpstreamUnavailable = errors.New("Supabase's OAuth endpoint did not answer; retry shortly")
)

const (
	pendingTTL    = 10 * time.Minute
	codeTTL       = 5 * time.Minute
	maxBodyBytes  = 64 << 10
	refreshMargin = time.Minute
)

// Server is the authorization server and the token check of the resource.
type Server struct {
	cfg      Config
	resource string
	keys     *keys
	store    *fositeStore
	provider fosite.OAuth2Provider
	fconf    *fosite.Config
	upstream *oauth2.Config
	log      *slog.Logger

	// refreshing serialises refreshes of one grant in this process.
	refreshMu  sync.Mutex
	refreshing map[string]*sync.Mutex
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("authserver: the public URL %q must be scheme://host[:port] without a path", cfg.PublicURL)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Upstream.APIURL == "" || cfg.Upstream.ClientID == "" || cfg.Upstream.ClientSecret == "" {
		return nil, errors.New("authserver: the Supabase OAuth app (API URL, client id and secret) is required")
	}
	k, err := deriveKeys(cfg.Key)
	if err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.AccessTokenLifetime <= 0 {
		cfg.AccessTokenLifetime = time.Hour
	}
	if cfg.RefreshTokenLifetime <= 0 {
		cfg.RefreshTokenLifetime = 30 * 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		resource: cfg.PublicURL + ResourcePath,
		keys:     k,
		store: &fositeStore{store: cfg.Store, codeTTL: codeTTL,
			accessTTL: cfg.AccessTokenLifetime, refreshTTL: cfg.RefreshTokenLifetime},
		log:        cfg.Logger,
		refreshing: map[string]*sync.Mutex{},
		upstream: &oauth2.Config{
			ClientID: cfg.Upstream.ClientID, ClientSecret: cfg.Upstream.ClientSecret,
			RedirectURL: cfg.PublicURL + CallbackPath,
			Endpoint: oauth2.Endpoint{
				AuthURL:   strings.TrimRight(cfg.Upstream.APIURL, "/") + "/v1/oauth/authorize",
				TokenURL:  strings.TrimRight(cfg.Upstream.APIURL, "/") + "/v1/oauth/token",
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
	s.fconf = &fosite.Config{
		AccessTokenLifespan:            cfg.AccessTokenLifetime,
		RefreshTokenLifespan:           cfg.RefreshTokenLifetime,
		AuthorizeCodeLifespan:          codeTTL,
		GlobalSecret:                   k.hmac,
		EnforcePKCE:                    true,
		EnablePKCEPlainChallengeMethod: false,
		RefreshTokenScopes:             []string{}, // every grant gets a refresh token
		AccessTokenIssuer:              cfg.PublicURL,
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       fosite.ExactAudienceMatchingStrategy,
		SendDebugMessagesToClients:     false,
		// http is allowed for the issuer's own loopback redirects only
		// (fosite's default: https, loopback, or a native app's scheme).
	}
	s.provider = compose.Compose(s.fconf, s.store, compose.NewOAuth2HMACStrategy(s.fconf),
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2PKCEFactory,
	)
	return s, nil
}

// Resource is the protected resource's identifier (PublicURL + "/mcp").
func (s *Server) Resource() string { return s.resource }

// ResourceMetadataURL is what the 401 challenge names in resource_metadata.
func (s *Server) ResourceMetadataURL() string {
	return s.cfg.PublicURL + ProtectedResourcePath + ResourcePath
}

// Owns reports whether path is one of the Server's endpoints, which need no
// bearer token.
func (s *Server) Owns(path string) bool {
	switch path {
	case ProtectedResourcePath, ProtectedResourcePath + ResourcePath, AuthorizationServerPath,
		AuthorizePath, ConsentPath, CallbackPath, TokenPath, RegisterPath, RevokePath:
		return true
	}
	return false
}

// ServeHTTP serves the metadata and OAuth endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	switch r.URL.Path {
	case ProtectedResourcePath, ProtectedResourcePath + ResourcePath:
		s.metadata(w, r, s.protectedResourceMetadata())
	case AuthorizationServerPath:
		s.metadata(w, r, s.serverMetadata())
	case AuthorizePath:
		s.authorize(w, r)
	case ConsentPath:
		s.consent(w, r)
	case CallbackPath:
		s.callback(w, r)
	case TokenPath:
		s.token(w, r)
	case RegisterPath:
		s.register(w, r)
	case RevokePath:
		s.revoke(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) protectedResourceMetadata() map[string]any {
	return map[string]any{
		"resource":                 s.resource,
		"authorization_servers":    []string{s.cfg.PublicURL},
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "supabase-mcp",
	}
}

func (s *Server) serverMetadata() map[string]any {
	p := s.cfg.PublicURL
	return map[string]any{
		"issuer":                                     p,
		"authorization_endpoint":                     p + AuthorizePath,
		"token_endpoint":                             p + TokenPath,
		"registration_endpoint":                      p + RegisterPath,
		"revocation_endpoint":                        p + RevokePath,
		"response_types_supported":                   []string{"code"},
		"response_modes_supported":                   []string{"query"},
		"grant_types_supported":                      []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":           []string{"S256"},
		"token_endpoint_auth_methods_supported":      authMethods,
		"revocation_endpoint_auth_methods_supported": authMethods,
		"client_id_metadata_document_supported":      false,
	}
}

var authMethods = []string{"none", "client_secret_basic", "client_secret_post"}

// metadata answers GET (and CORS preflight: browser clients read it).
func (s *Server) metadata(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, v)
	case http.MethodOptions:
		w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, OPTIONS")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Verify checks an MCP client's bearer token: an access token this server
// issued, live, with this server's resource as audience. It returns the
// grant the token acts for (an opaque id).
func (s *Server) Verify(ctx context.Context, token string) (string, error) {
	use, ar, err := s.provider.IntrospectToken(ctx, token, fosite.AccessToken, &fosite.DefaultSession{})
	if err != nil || use != fosite.AccessToken || ar == nil {
		return "", ErrInvalidToken
	}
	if !slices.Contains(ar.GetGrantedAudience(), s.resource) {
		return "", ErrInvalidToken
	}
	sess, ok := ar.GetSession().(*fosite.DefaultSession)
	if !ok || sess.Subject == "" {
		return "", ErrInvalidToken
	}
	return sess.Subject, nil
}

// UpstreamUnavailable reports whether an error of SupabaseToken means that
// Supabase could not be asked (ErrUpstreamUnavailable: answer 503).
func (s *Server) UpstreamUnavailable(err error) bool {
	return errors.Is(err, ErrUpstreamUnavailable)
}

// Principal is a stable name for a grant that reveals nothing of it, for
// binding sessions and confirmations.
func (s *Server) Principal(grantID string) string {
	sum := sha256.Sum256([]byte("supabase-mcp grant\x00" + grantID))
	return "oauth:" + hex.EncodeToString(sum[:16])
}
