package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// HTTPOptions configures the http (Streamable HTTP) and sse (legacy
// HTTP+SSE) transports.
type HTTPOptions struct {
	// Transport is "http" or "sse".
	Transport string
	// Auth is how clients authenticate: config.AuthBearer (each request's
	// bearer token is a Supabase token and makes its API calls),
	// config.AuthStatic (clients present StaticToken; the server's own
	// client makes the calls) or config.AuthLocal (no credentials needed;
	// the server's own client, unless the request brings a bearer token).
	Auth string
	// StaticToken is the shared secret for config.AuthStatic.
	StaticToken string
	// AllowedOrigins are the browser origins (scheme://host[:port], lower
	// case) allowed besides the server's own; CORS answers are sent for them.
	AllowedOrigins []string
	// ShutdownGrace bounds how long running calls may take to finish once
	// the context ends; 0 means DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// MaxRequestBytes caps a request body (413 beyond); 0 means the
	// server's Options.MaxRequestBytes.
	MaxRequestBytes int64
	// BodyTimeout bounds reading one request body; 0 means DefaultBodyTimeout.
	BodyTimeout time.Duration
	// OAuth is the authorization server of config.AuthOAuth: it serves its
	// own endpoints and vouches for the bearer tokens it issued.
	OAuth AuthServer
}

// AuthServer is what the HTTP transport needs of the OAuth authorization
// server of config.AuthOAuth (internal/authserver implements it). An
// interface, so that this package does not link the OAuth library into
// every binary: only builds with the authserver tag carry one.
type AuthServer interface {
	// Owns reports whether path is one of its endpoints (served by
	// ServeHTTP, without a bearer token).
	Owns(path string) bool
	http.Handler
	// ResourceMetadataURL is what the 401 challenge names in resource_metadata.
	ResourceMetadataURL() string
	// Verify checks a bearer token it issued and returns the grant it acts for.
	Verify(ctx context.Context, token string) (grantID string, err error)
	// SupabaseToken is the grant's live Supabase access token.
	SupabaseToken(ctx context.Context, grantID string) (string, error)
	// UpstreamUnavailable reports whether SupabaseToken's error means
	// Supabase did not answer (503, retry) rather than a bad grant (401).
	UpstreamUnavailable(err error) bool
	// Principal names the grant for binding sessions and confirmations,
	// revealing nothing of it.
	Principal(grantID string) string
}

// DefaultBodyTimeout is how long a client may take to send a request body:
// a body that trickles in is cut off then.
const DefaultBodyTimeout = 10 * time.Second

// Timeouts of the HTTP server. There is no write timeout: SSE streams and
// long GET streams stay open for as long as the client listens. The read
// timeout is a backstop; each request's body has its own, shorter deadline,
// which is lifted once the body is read so that streams are not cut.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)

// bearerRetryAfter is the Retry-After sent when a bearer token cannot be
// verified because the API did not answer.
const bearerRetryAfter = 5 * time.Second

// healthTimeout bounds /healthz's question to the shared store.
const healthTimeout = time.Second

// DefaultShutdownGrace is how long running calls may take to finish on shutdown.
const DefaultShutdownGrace = 10 * time.Second

// sessionIdleTTL is how long a legacy Streamable HTTP session may idle.
const sessionIdleTTL = 30 * time.Minute

// identity is who an HTTP request acts for: the API client its tool calls
// use, and a principal that binds sessions and confirmations to it. The
// principal never holds a token, only a hash of it.
type identity struct {
	client    *client.Client
	principal string
}

type identityKey struct{}

func withIdentity(ctx context.Context, id *identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

func identityFrom(ctx context.Context) *identity {
	id, _ := ctx.Value(identityKey{}).(*identity)
	return id
}

// clientFor is the API client for a tool call: the one of the HTTP request's
// identity, else the server's own.
func (s *Server) clientFor(ctx context.Context) *client.Client {
	if id := identityFrom(ctx); id != nil {
		return id.client
	}
	return s.opts.Client
}

// bindingSubject is what confirmations are bound to: the MCP session and,
// over HTTP, the credential, so that one user's confirmation token is
// useless to another even without a session (modern stateless requests).
func bindingSubject(ctx context.Context) string {
	subject := sessionID(ctx)
	if id := identityFrom(ctx); id != nil {
		subject += "\x00" + id.principal
	}
	return subject
}

// Serve serves o.Transport on ln until ctx ends, then shuts down
// gracefully: new requests are refused, running tool calls may finish
// (bounded by o.ShutdownGrace), open streams are closed, and Serve returns
// nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener, o HTTPOptions) error {
	h, closeStreams, err := s.httpHandler(o)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.log.Info("listening", "transport", o.Transport, "addr", ln.Addr().String(), "auth", o.Auth)
	// Secret-entry pages live on this listener when the user's browser can
	// reach it at its own address (loopback); otherwise there are none.
	if a, ok := ln.Addr().(*net.TCPAddr); ok && a.IP.IsLoopback() {
		s.pages.setBase("http://" + ln.Addr().String())
	} else {
		s.pages.disable()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	grace := o.ShutdownGrace
	if grace <= 0 {
		grace = DefaultShutdownGrace
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "running_calls", s.calls.Load(), "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- hs.Shutdown(sctx) }() // closes the listener at once
	s.waitForCalls(sctx)
	// A finished call's result may still sit in a stream's queue: give the
	// stream writers a moment before ending the streams.
	select {
	case <-time.After(100 * time.Millisecond):
	case <-sctx.Done():
	}
	closeStreams(sctx)
	if err := <-shutdown; err != nil {
		s.log.Warn("calls still running after the grace period were cut off", "running_calls", s.calls.Load())
		hs.Close()
	}
	s.log.Info("stopped")
	return nil
}

// waitForCalls returns when no tool call runs or ctx ends.
func (s *Server) waitForCalls(ctx context.Context) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for s.calls.Load() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// HTTPHandler is the handler Serve uses, for tests and embedding: /mcp (or
// /sse and /message) behind the origin and credential checks, and /healthz.
func (s *Server) HTTPHandler(o HTTPOptions) (http.Handler, error) {
	h, _, err := s.httpHandler(o)
	return h, err
}

func (s *Server) httpHandler(o HTTPOptions) (http.Handler, func(context.Context), error) {
	switch o.Auth {
	case config.AuthStatic:
		if len(o.StaticToken) < config.MinHTTPTokenLength {
			return nil, nil, errors.New("http: the static token is missing or too short")
		}
		fallthrough
	case config.AuthLocal:
		if s.opts.Client == nil {
			return nil, nil, fmt.Errorf("http: auth %s needs the server's own API client", o.Auth)
		}
	case config.AuthBearer:
	case config.AuthOAuth:
		if o.OAuth == nil || s.opts.Clients == nil || o.Transport != "http" {
			return nil, nil, errors.New("http: auth oauth needs the authorization server, a client pool and the http transport")
		}
	default:
		return nil, nil, fmt.Errorf("http: unknown auth mode %q", o.Auth)
	}
	if (o.Auth == config.AuthBearer || o.Auth == config.AuthLocal) && s.opts.Clients == nil {
		return nil, nil, fmt.Errorf("http: auth %s needs a client pool for bearer tokens", o.Auth)
	}
	copyIdentity := func(ctx context.Context, r *http.Request) context.Context {
		if id := identityFrom(r.Context()); id != nil {
			return withIdentity(ctx, id)
		}
		return ctx
	}
	// Browsers on an allowed origin need CORS answers; the Mcp-Param-*
	// headers of the modern protocol are covered by "*".
	corsHeaders := []string{"*", "Authorization", "Content-Type", "Mcp-Session-Id", "Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name", "Last-Event-ID"}
	corsOpts := []mcpserver.CORSOption{
		mcpserver.WithCORSAllowedOrigins(o.AllowedOrigins...),
		mcpserver.WithCORSAllowedHeaders(corsHeaders...),
		mcpserver.WithCORSExposedHeaders("Mcp-Session-Id", "WWW-Authenticate"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if s.opts.Store != nil {
			// Without the shared store this replica can neither count calls
			// nor confirm them: it is not ready, and says why.
			ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
			err := s.opts.Store.Ping(ctx)
			cancel()
			if err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, `{"status":"unavailable","version":%q,"redis":"unreachable"}`+"\n", s.opts.Version)
				return
			}
			fmt.Fprintf(w, `{"status":"ok","version":%q,"redis":"ok"}`+"\n", s.opts.Version)
			return
		}
		fmt.Fprintf(w, `{"status":"ok","version":%q}`+"\n", s.opts.Version)
	})
	var closeStreams func(context.Context)
	var endpoints []string // the paths that need credentials; any other is 404
	switch o.Transport {
	case "http":
		endpoints = []string{"/mcp"}
		opts := []mcpserver.StreamableHTTPOption{
			mcpserver.WithEndpointPath("/mcp"),
			mcpserver.WithHTTPContextFunc(copyIdentity),
			mcpserver.WithSessionIdManagerResolver(sessionResolver{s}),
			mcpserver.WithStreamableHTTPLogger(s.log),
			// Legacy sessions whose client vanished without DELETE are dropped.
			mcpserver.WithSessionIdleTTL(sessionIdleTTL),
		}
		if len(o.AllowedOrigins) > 0 {
			opts = append(opts, mcpserver.WithStreamableHTTPCORS(corsOpts...))
		}
		st := mcpserver.NewStreamableHTTPServer(s.mcp, opts...)
		mux.Handle("/mcp", st)
		closeStreams = func(ctx context.Context) { _ = st.Shutdown(ctx) } // used as a handler: closes sessions, stops the sweeper
	case "sse":
		opts := []mcpserver.SSEOption{
			mcpserver.WithSSEContextFunc(copyIdentity),
			mcpserver.WithSessionIDGenerator(func(_ context.Context, r *http.Request) (string, error) {
				id := identityFrom(r.Context())
				if id == nil {
					return "", errors.New("no identity")
				}
				return s.newSessionID(id.principal), nil
			}),
			mcpserver.WithKeepAlive(true),
			mcpserver.WithKeepAliveInterval(25 * time.Second),
		}
		if len(o.AllowedOrigins) > 0 {
			opts = append(opts, mcpserver.WithSSECORS(corsOpts...))
		}
		endpoints = []string{"/sse", "/message"}
		sse := mcpserver.NewSSEServer(s.mcp, opts...)
		mux.Handle("/sse", sse.SSEHandler())
		mux.Handle("/message", sse.MessageHandler())
		closeStreams = func(context.Context) { sse.CloseSessions() }
	default:
		return nil, nil, fmt.Errorf("http: unknown transport %q", o.Transport)
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = s.opts.MaxRequestBytes
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	g := &gate{s: s, o: o, next: mux, verified: newTokenCache(s.opts.Store), endpoints: endpoints}
	return g, closeStreams, nil
}

// gate checks every request before mcp-go sees it: the Origin (against DNS
// rebinding and foreign web pages), then the credentials, and puts the
// request's identity into its context.
type gate struct {
	s        *Server
	o        HTTPOptions
	next     http.Handler
	verified *tokenCache
	// endpoints are the MCP paths. Any other path is 404 before credentials
	// are asked for: a client probing /.well-known/oauth-* for metadata
	// then knows there is none, rather than waiting on a 401 for a login
	// this server cannot offer.
	endpoints []string
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		g.next.ServeHTTP(w, r)
		return
	}
	if g.o.OAuth != nil && g.o.OAuth.Owns(r.URL.Path) {
		g.o.OAuth.ServeHTTP(w, r) // metadata and OAuth endpoints: how a token is obtained
		return
	}
	if strings.HasPrefix(r.URL.Path, secretPagePath) {
		// A browser page: its unguessable single-use path is the
		// credential, and it checks Host, Origin and its form token itself.
		g.s.pages.ServeHTTP(w, r)
		return
	}
	if !slices.Contains(g.endpoints, r.URL.Path) {
		http.Error(w, fmt.Sprintf("Not Found: this server answers MCP at %s (and GET /healthz)", strings.Join(g.endpoints, " and ")), http.StatusNotFound)
		return
	}
	if !g.originAllowed(r) {
		g.s.log.Info("refused request from a foreign origin", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, fmt.Sprintf("Forbidden: origin %q is not allowed (the server allows its own origin and those listed in --allowed-origins)", r.Header.Get("Origin")), http.StatusForbidden)
		return
	}
	if g.s.draining.Load() {
		w.Header().Set("Connection", "close")
		http.Error(w, "the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		g.next.ServeHTTP(w, r) // CORS preflight: carries no credentials by design
		return
	}
	if r.ContentLength > g.o.MaxRequestBytes {
		g.tooLarge(w, r)
		return
	}
	id, status, msg := g.authenticate(r)
	if id == nil && status == http.StatusServiceUnavailable {
		g.s.log.Warn("refused a bearer token that could not be verified", "path", r.URL.Path, "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", strconv.Itoa(int(bearerRetryAfter.Seconds())))
		http.Error(w, msg, status)
		return
	}
	if id == nil {
		g.s.log.Info("refused request without valid credentials", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", msg)
		challenge := `Bearer realm="supabase-mcp"`
		if g.o.OAuth != nil {
			challenge += fmt.Sprintf(`, resource_metadata=%q`, g.o.OAuth.ResourceMetadataURL())
		}
		if status == http.StatusUnauthorized && hasAuthorization(r) {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		http.Error(w, msg, status)
		return
	}
	// A session may only be used with the credential that opened it: the
	// legacy SSE message endpoint names it in the query, Streamable HTTP in
	// a header (on GET and DELETE too, where mcp-go does not validate it).
	sid := r.Header.Get("Mcp-Session-Id")
	if r.URL.Path == "/message" {
		sid = r.URL.Query().Get("sessionId")
	}
	if sid != "" && !g.s.sessionBelongs(sid, id.principal) {
		http.Error(w, "session not found", http.StatusNotFound)
		return
	}
	if !g.readBody(w, r) {
		return
	}
	if r.URL.Path == "/mcp" && r.Method == http.MethodPost && sid == "" && needsSession(r) {
		http.Error(w, "Bad Request: no Mcp-Session-Id header. Send initialize first, then repeat the Mcp-Session-Id it answered with on every request of the session", http.StatusBadRequest)
		return
	}
	g.next.ServeHTTP(w, r.WithContext(withIdentity(r.Context(), id)))
}

// needsSession reports whether a Streamable HTTP POST (its body already
// read) is one that mcp-go only serves within a session: a request or
// notification other than initialize, of a protocol version before
// 2026-07-28 (which has no sessions). mcp-go answers those 404 when the
// session id is missing; the transport specification asks for 400 (404
// means the session expired, and sends clients to initialize again).
func needsSession(r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	var msg struct {
		Method string `json:"method"`
		Params struct {
			Meta *mcp.Meta `json:"_meta"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &msg) != nil || msg.Method == "" || msg.Method == string(mcp.MethodInitialize) {
		return false // not JSON, a batch, a response: mcp-go's answer stands
	}
	return !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) && !mcp.IsModernProtocol(msg.Params.Meta.ProtocolVersion())
}

// readBody reads the request body under the size cap and the body deadline,
// so that mcp-go never reads an unbounded or trickling body, then lifts the
// deadline: what follows may be a long stream. It answers and returns false
// when the body is refused.
func (g *gate) readBody(w http.ResponseWriter, r *http.Request) bool {
	rc := http.NewResponseController(w)
	if r.Body == nil || r.Body == http.NoBody {
		_ = rc.SetReadDeadline(time.Time{})
		return true
	}
	// Reserve what the body may hold before reading it: many large bodies at
	// once must not add up beyond the server's budget.
	reserved := g.o.MaxRequestBytes
	if r.ContentLength >= 0 {
		reserved = r.ContentLength
	}
	if !g.s.held.take(reserved) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Service Unavailable: the server is busy with other large requests; retry shortly", http.StatusServiceUnavailable)
		return false
	}
	context.AfterFunc(r.Context(), func() { g.s.held.give(reserved) }) // when the request is done
	_ = rc.SetReadDeadline(time.Now().Add(g.o.BodyTimeout))
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, g.o.MaxRequestBytes))
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		var tooBig *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooBig):
			g.tooLarge(w, r)
		case errors.As(err, &netErr) && netErr.Timeout():
			g.s.log.Info("cut off a request body that was too slow", "path", r.URL.Path, "remote", r.RemoteAddr, "timeout", g.o.BodyTimeout)
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("Request Timeout: the body did not arrive within %s", g.o.BodyTimeout), http.StatusRequestTimeout)
		default:
			w.Header().Set("Connection", "close")
			http.Error(w, "Bad Request: the body could not be read", http.StatusBadRequest)
		}
		return false
	}
	r.Body = io.NopCloser(&buf)
	r.ContentLength = int64(buf.Len())
	return true
}

func (g *gate) tooLarge(w http.ResponseWriter, r *http.Request) {
	g.s.log.Warn("refused a request body over --max-request-bytes", "path", r.URL.Path, "remote", r.RemoteAddr, "limit", g.o.MaxRequestBytes)
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("Request Entity Too Large: the body exceeds %d bytes (--max-request-bytes)", g.o.MaxRequestBytes), http.StatusRequestEntityTooLarge)
}

// originAllowed: requests without Origin come from non-browser clients; a
// browser's Origin must be the server's own or on the allow list.
func (g *gate) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	origin = strings.ToLower(strings.TrimSuffix(origin, "/"))
	if slices.Contains(g.o.AllowedOrigins, origin) {
		return true
	}
	host := strings.ToLower(r.Host)
	return host != "" && (origin == "http://"+host || origin == "https://"+host)
}

func hasAuthorization(r *http.Request) bool { return r.Header.Get("Authorization") != "" }

// bearerToken reads "Authorization: Bearer <token>".
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// authenticate returns the request's identity, or the status and message
// to refuse it with. Messages never contain the credential.
func (g *gate) authenticate(r *http.Request) (*identity, int, string) {
	token, hasBearer := bearerToken(r)
	if hasAuthorization(r) && !hasBearer {
		return nil, http.StatusUnauthorized, "Unauthorized: the Authorization header must be \"Bearer <token>\""
	}
	switch g.o.Auth {
	case config.AuthStatic:
		if !hasBearer {
			return nil, http.StatusUnauthorized, "Unauthorized: send the server's HTTP token as \"Authorization: Bearer <token>\""
		}
		want, got := sha256.Sum256([]byte(g.o.StaticToken)), sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
			return nil, http.StatusUnauthorized, "Unauthorized: wrong HTTP token"
		}
		return &identity{client: g.s.opts.Client, principal: "static"}, 0, ""
	case config.AuthLocal:
		if !hasBearer {
			return &identity{client: g.s.opts.Client, principal: "local"}, 0, ""
		}
	case config.AuthOAuth:
		return g.authenticateOAuth(r, token, hasBearer)
	default:
		if !hasBearer {
			return nil, http.StatusUnauthorized, "Unauthorized: send your Supabase access token as \"Authorization: Bearer <token>\""
		}
	}
	sum := sha256.Sum256([]byte(token))
	c := g.s.opts.Clients.Get(token)
	switch g.verified.check(r.Context(), sum, c) {
	case tokenRefused:
		return nil, http.StatusUnauthorized, "Unauthorized: the Supabase API does not accept this access token"
	case tokenUnverified:
		return nil, http.StatusServiceUnavailable, "Service Unavailable: the access token could not be verified with the Supabase API (it did not answer); retry shortly"
	}
	return &identity{client: c, principal: "bearer:" + hex.EncodeToString(sum[:])}, 0, ""
}

// authenticateOAuth accepts only access tokens the authorization server
// issued for this server, and calls the API with the Supabase token of the
// grant behind it, which stays here.
func (g *gate) authenticateOAuth(r *http.Request, token string, hasBearer bool) (*identity, int, string) {
	if !hasBearer {
		return nil, http.StatusUnauthorized, "Unauthorized: sign in through this server's OAuth authorization (see the resource_metadata in WWW-Authenticate)"
	}
	grantID, err := g.o.OAuth.Verify(r.Context(), token)
	if err != nil {
		return nil, http.StatusUnauthorized, "Unauthorized: " + err.Error()
	}
	supabaseToken, err := g.o.OAuth.SupabaseToken(r.Context(), grantID)
	switch {
	case g.o.OAuth.UpstreamUnavailable(err):
		return nil, http.StatusServiceUnavailable, "Service Unavailable: " + err.Error()
	case err != nil:
		return nil, http.StatusUnauthorized, "Unauthorized: " + err.Error()
	}
	return &identity{client: g.s.opts.Clients.Get(supabaseToken), principal: g.o.OAuth.Principal(grantID)}, 0, ""
}

// tokenCache remembers which bearer tokens the API accepted or refused, so
// that a wrong token gets 401 at the door rather than a tool error, at the
// cost of one API request per new token (GET /v1/profile, which every valid
// token may read) every verifiedTTL.
//
// With a shared store (Redis) the verdicts are shared too: a token one
// replica checked is not checked again by the others. The store is only a
// cache: when it cannot be reached the API is asked.
type tokenCache struct {
	store shared.Store // nil: this process only

	mu      sync.Mutex
	entries map[[sha256.Size]byte]tokenVerdict
	pending map[[sha256.Size]byte]chan struct{}
}

type tokenVerdict struct {
	ok      bool
	expires time.Time
}

const (
	verifiedTTL   = 10 * time.Minute
	refusedTTL    = time.Minute
	maxVerdicts   = 4096
	verifyTimeout = 15 * time.Second
)

func newTokenCache(store shared.Store) *tokenCache {
	return &tokenCache{store: store, entries: map[[sha256.Size]byte]tokenVerdict{}, pending: map[[sha256.Size]byte]chan struct{}{}}
}

// Verdicts of tokenCache.check.
type tokenCheck int

const (
	tokenAccepted tokenCheck = iota
	tokenRefused
	// tokenUnverified: the API could not be asked (network trouble, 5xx,
	// rate limit, timeout). Fail closed: the token is refused for now, not
	// remembered, and gets no session.
	tokenUnverified
)

// check reports whether the token may be used.
func (tc *tokenCache) check(ctx context.Context, key [sha256.Size]byte, c *client.Client) tokenCheck {
	for {
		tc.mu.Lock()
		if v, ok := tc.entries[key]; ok && time.Now().Before(v.expires) {
			tc.mu.Unlock()
			if v.ok {
				return tokenAccepted
			}
			return tokenRefused
		}
		wait, busy := tc.pending[key]
		if !busy {
			done := make(chan struct{})
			tc.pending[key] = done
			tc.mu.Unlock()
			ok, known, fromStore := tc.sharedVerdict(ctx, key)
			if !known {
				ok, known = verify(ctx, c)
			}
			tc.mu.Lock()
			delete(tc.pending, key)
			close(done)
			if known {
				tc.remember(key, ok)
			}
			tc.mu.Unlock()
			if known && !fromStore {
				tc.share(ctx, key, ok)
			}
			switch {
			case !known:
				return tokenUnverified
			case ok:
				return tokenAccepted
			}
			return tokenRefused
		}
		tc.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return tokenUnverified
		}
	}
}

// sharedVerdict is what another replica found, if the shared store has it.
func (tc *tokenCache) sharedVerdict(ctx context.Context, key [sha256.Size]byte) (ok, known, fromStore bool) {
	if tc.store == nil {
		return false, false, false
	}
	v, found, err := tc.store.Get(ctx, shared.PrefixTokenCheck+hex.EncodeToString(key[:]))
	if err != nil || !found {
		return false, false, false
	}
	return string(v) == "1", true, true
}

// share records a verdict for the other replicas (best effort: it is a cache).
func (tc *tokenCache) share(ctx context.Context, key [sha256.Size]byte, ok bool) {
	if tc.store == nil {
		return
	}
	v, ttl := "0", refusedTTL
	if ok {
		v, ttl = "1", verifiedTTL
	}
	_ = tc.store.Set(context.WithoutCancel(ctx), shared.PrefixTokenCheck+hex.EncodeToString(key[:]), []byte(v), ttl)
}

func (tc *tokenCache) remember(key [sha256.Size]byte, ok bool) {
	now := time.Now()
	if len(tc.entries) >= maxVerdicts {
		for k, v := range tc.entries {
			if now.After(v.expires) {
				delete(tc.entries, k)
			}
		}
		for k := range tc.entries { // still full: forget arbitrary ones
			if len(tc.entries) < maxVerdicts*3/4 {
				break
			}
			delete(tc.entries, k)
		}
	}
	ttl := verifiedTTL
	if !ok {
		ttl = refusedTTL
	}
	tc.entries[key] = tokenVerdict{ok: ok, expires: now.Add(ttl)}
}

// verify asks the API about a token: known is false when it could not tell.
func verify(ctx context.Context, c *client.Client) (ok, known bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyTimeout)
	defer cancel()
	_, err := c.Do(ctx, &client.Request{Method: http.MethodGet, Path: "/v1/profile"})
	var apiErr *client.APIError
	switch {
	case err == nil:
		return true, true
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized:
		return false, true
	case errors.As(err, &apiErr) && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests:
		return true, true // authenticated, whatever else the answer says
	default:
		return false, false
	}
}

// Session ids carry a MAC of the principal that opened the session, so a
// session can only be used with the same credential. They need no state:
// several server processes with the same key would accept each other's.

func (s *Server) newSessionID(principal string) string {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	enc := base64.RawURLEncoding
	return "mcp-" + enc.EncodeToString(nonce) + "." + enc.EncodeToString(s.sessionMAC(nonce, principal))
}

func (s *Server) sessionBelongs(id, principal string) bool {
	rest, ok := strings.CutPrefix(id, "mcp-")
	if !ok {
		return false
	}
	n, m, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	enc := base64.RawURLEncoding
	nonce, err1 := enc.DecodeString(n)
	mac, err2 := enc.DecodeString(m)
	// Any configured key verifies: ids minted before a rotation stay good
	// while the old key is still listed.
	return err1 == nil && err2 == nil && len(nonce) == 16 && len(mac) == 16 &&
		s.keys.VerifyMAC(shared.PurposeSessionID, sessionMessage(nonce, principal), mac)
}

func (s *Server) sessionMAC(nonce []byte, principal string) []byte {
	return s.keys.MAC(shared.PurposeSessionID, sessionMessage(nonce, principal))[:16]
}

func sessionMessage(nonce []byte, principal string) []byte {
	return append(append([]byte(nil), nonce...), principal...)
}

// sessionResolver gives mcp-go, per request, a session id manager bound to
// the request's principal.
type sessionResolver struct{ s *Server }

func (r sessionResolver) ResolveSessionIdManager(req *http.Request) mcpserver.SessionIdManager {
	if req == nil { // mcp-go's own housekeeping
		return boundSessions{s: r.s, any: true}
	}
	m := boundSessions{s: r.s}
	if id := identityFrom(req.Context()); id != nil {
		m.principal = id.principal
	}
	return m
}

type boundSessions struct {
	s         *Server
	principal string
	any       bool
}

func (b boundSessions) Generate() string { return b.s.newSessionID(b.principal) }

func (b boundSessions) Validate(id string) (bool, error) {
	if !b.any && !b.s.sessionBelongs(id, b.principal) {
		return false, errors.New("session not found")
	}
	return false, nil
}

func (b boundSessions) Terminate(id string) (bool, error) {
	_, err := b.Validate(id)
	return false, err
}

// callCounter counts running tool calls, for graceful shutdown.
type callCounter = atomic.Int64
