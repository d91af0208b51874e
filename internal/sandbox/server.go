// Package sandbox is a stateful simulator of the Supabase Management API
// served over real HTTP (on 127.0.0.1), for tests at every level and for
// users (supabase-mcp --sandbox). Request and response shapes follow the
// Management API OpenAPI document; errors are {"message": "..."}. Every
// tools.yaml operation without a hand-written handler is answered by the
// generic one (catalogue.go).
//
// Locking: all state lives in Server and is guarded by mu (handlers run
// with it held, through withProject and the like); migMu serialises
// migration writes and is taken before mu; reqMu, faultMu, oauth.mu and
// the rate limiter's own mutex guard only the request log, the faults, the
// OAuth grants and the limiter, and are never held while taking mu.
//
// State: two organizations, three projects and two migrations are seeded (see
// the Seed* constants). Projects move through statuses like the real API:
// create gives COMING_UP, pause PAUSING, restore RESTORING; the transitional
// status is reported by the next Options.TransitionReads API reads (default
// 1) of the project (GET /v1/projects, /v1/projects/{ref}, its health, or its
// organization's project list), and the read after that reports the final
// status (ACTIVE_HEALTHY, INACTIVE, ACTIVE_HEALTHY). Mutations and the SQL
// endpoints see the status last reported. Test accessors (Projects, Project)
// never advance transitions.
//
// Test controls: every request is recorded (Requests); InjectFault makes
// matching requests fail, stall or drop; SetRateLimit emulates the per-token
// rate limit. The SQL endpoints run on a real PostgreSQL when
// Options.DatabaseURL is set; read-only queries run as the role
// sandbox_read_only (created on first use, member of pg_read_all_data) in a
// READ ONLY transaction that is rolled back.
package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// EnvDatabaseURL names the environment variable NewFromEnv reads the test
// PostgreSQL URL from.
const EnvDatabaseURL = "SUPABASE_MCP_TEST_DATABASE_URL"

// Options configures a Server.
type Options struct {
	// Token is the bearer token the server accepts; requests without
	// "Authorization: Bearer <Token>" get 401 {"message":"Unauthorized"}.
	Token string
	// DatabaseURL is the PostgreSQL URL behind the SQL endpoints. When empty they
	// answer 503 with a message saying how to give one.
	DatabaseURL string
	// TransitionReads is how many API reads of a project still report a
	// transitional status (COMING_UP, PAUSING, RESTORING) before it settles.
	// Zero means 1: the first read after the change sees the transitional
	// status, the second sees the final one. Negative means settle at once.
	TransitionReads int
	// Injection, when set, is appended to every name, description and
	// message the fake answers with (JSON fields of those names, error
	// messages included, and plain-text bodies): text that users or third
	// parties could have written, for tests of the untrusted-data boundary.
	Injection string

	// Chaos, when set, fails or slows requests at random (faults.go).
	Chaos *Chaos
	// StateFile, when set, is where the state is loaded from at start (if
	// it exists) and saved after every successful write.
	StateFile string
}

// Recorded is one request as the server received it.
type Recorded struct {
	Method, Path, RawQuery string
	// EscapedPath is the path as sent, before percent-decoding.
	EscapedPath string
	Header      http.Header
	Body        []byte
	Time        time.Time
	// Status and Response are the answer, as sent (zero while the request
	// is being handled, and for injected faults).
	Status   int
	Response []byte
}

// Server is a running fake Management API. It is safe for concurrent use.
type Server struct {
	opts Options
	http *http.Server // on a loopback port
	url  string
	busy sync.WaitGroup // requests being answered
	// closing guards busy: no request is added once Close waits.
	closing  sync.RWMutex
	isClosed bool
	mux      *http.ServeMux
	db       *dbPool // nil without Options.DatabaseURL

	reqMu    sync.Mutex
	requests []*Recorded

	faultMu sync.Mutex
	faults  []*activeFault

	rate  rateLimiter
	idem  idempotencyStore // answers by Idempotency-Key (idempotency.go)
	users tokenUsers       // whose tokens these are (users.go)

	oauth oauthState // OAuth app, codes and issued tokens (oauth.go)

	migMu sync.Mutex // serialises migration writes; taken before mu

	mu     sync.Mutex // guards the state below
	orgs   []*orgState
	projs  []*projectState
	migs   map[string][]Migration // by project ref
	nextID int

	// Endpoint-group state, created on first use by the group's handlers.
	branches  *branchStore                // every project's branches
	functions map[string][]*functionState // by project ref
	docs      map[string]any              // by request path: the generic handler's documents (documents.go)

	catalogue *tools.Catalogue // the operations the generic handler answers
	shapes    shapeTable       // their spec-derived response shapes
	seedData  seedFile         // the groups' seed data (seed/*.json)
	stateErr  error            // the last failure to save Options.StateFile
}

// New starts a fake API on 127.0.0.1 seeded with two organizations, three
// projects and a couple of migrations (see the Seed* constants).
func New(opts Options) *Server {
	s := &Server{opts: opts, mux: http.NewServeMux(), migs: map[string][]Migration{}, shapes: loadShapes(), docs: map[string]any{}}
	s.seedData, _ = loadSeed() // embedded; its test checks it loads
	if cat, err := tools.Default(); err == nil {
		s.catalogue = cat
	}
	if opts.DatabaseURL != "" {
		s.db = newDBPool(opts.DatabaseURL, 4)
	}
	s.seed()
	s.routes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("sandbox: cannot listen on a loopback port: " + err.Error())
	}
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: time.Minute}
	go s.http.Serve(ln)
	return s
}

// Open is New for users (supabase-mcp --sandbox): it loads and keeps the
// state in opts.StateFile when set.
func Open(opts Options) (*Server, error) {
	s := New(opts)
	if opts.StateFile != "" {
		if err := s.loadState(opts.StateFile); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// NewFromEnv starts a fake API for a test, with DatabaseURL taken from
// SUPABASE_MCP_TEST_DATABASE_URL (SQL endpoints answer 503 when it is unset),
// and closes it when the test ends.
func NewFromEnv(t Cleaner, token string) *Server {
	t.Helper()
	s := New(Options{Token: token, DatabaseURL: os.Getenv(EnvDatabaseURL)})
	t.Cleanup(s.Close)
	return s
}

// Cleaner is the part of testing.TB that NewFromEnv uses (the package does
// not import testing outside its tests).
type Cleaner interface {
	Helper()
	Cleanup(func())
}

// URL is the base URL, e.g. "http://127.0.0.1:41234" (paths start with /v1).
func (s *Server) URL() string { return s.url }

// Close stops the HTTP server and closes database connections.
func (s *Server) Close() {
	s.closing.Lock()
	s.isClosed = true
	s.closing.Unlock()
	s.http.Close() // closes the connections too: clients stuck on a Delay fault don't hold it up
	s.busy.Wait()
	if s.db != nil {
		s.db.close()
	}
}

// HasDatabase reports whether the SQL endpoints run on a real PostgreSQL.
func (s *Server) HasDatabase() bool { return s.db != nil }

// Requests returns a copy of the recorded requests in arrival order.
func (s *Server) Requests() []Recorded {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Recorded, len(s.requests))
	for i, r := range s.requests {
		c := *r
		c.Header = r.Header.Clone()
		c.Body = bytes.Clone(r.Body)
		c.Response = bytes.Clone(r.Response)
		out[i] = c
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	s.requests = nil
	s.reqMu.Unlock()
}

// ServeHTTP records the request, then applies, in order: injected faults,
// authentication, rate limiting and finally the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.closing.RLock()
	if s.isClosed {
		s.closing.RUnlock()
		writeError(w, http.StatusServiceUnavailable, "sandbox: closed")
		return
	}
	s.busy.Add(1)
	s.closing.RUnlock()
	defer s.busy.Done()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "failed to read request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &Recorded{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, EscapedPath: r.URL.EscapedPath(),
		Header: r.Header.Clone(), Body: body, Time: time.Now(),
	}
	s.reqMu.Lock()
	s.requests = append(s.requests, rec)
	s.reqMu.Unlock()

	f := s.takeFault(r)
	if f != nil && !f.AfterApply && s.applyFault(w, r, f) {
		return
	}
	if f := s.opts.Chaos.pick(); f != nil && s.applyFault(w, r, f) {
		return
	}
	// The answer is buffered so that it can be recorded (and, with
	// Options.Injection, seeded with untrusted text) before it is sent.
	buf := &recorder{Code: http.StatusOK}
	s.serveIdempotent(buf, r, body)
	if f != nil && f.AfterApply && s.applyFault(w, r, f) {
		return
	}
	answer := buf.Body.Bytes()
	if s.opts.Injection != "" {
		answer = inject(answer, buf.Header().Get("Content-Type"), s.opts.Injection)
	}
	for k, v := range buf.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(buf.Code)
	w.Write(answer)
	s.reqMu.Lock()
	rec.Status, rec.Response = buf.Code, bytes.Clone(answer)
	s.reqMu.Unlock()
	if s.opts.StateFile != "" && r.Method != http.MethodGet && buf.Code < 400 {
		s.mu.Lock()
		if err := s.saveState(s.opts.StateFile); err != nil {
			s.stateErr = err
		}
		s.mu.Unlock()
	}
}

// StateError is the last error saving Options.StateFile, or nil.
func (s *Server) StateError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateErr
}

// serve applies authentication, rate limiting and the routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !oauthPaths[r.URL.Path] { // the OAuth endpoints are how a token is obtained
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || (token != s.opts.Token && !s.acceptsOAuthToken(token) && !s.users.accepts(token)) {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if !s.rate.allow(w, s.users.rateKey(token)) {
			return
		}
	}
	if !s.validRoute(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// recorder buffers an answer (as httptest.ResponseRecorder does, without
// linking net/http/httptest into every start of supabase-mcp).
type recorder struct {
	Code   int
	Body   bytes.Buffer
	header http.Header
	wrote  bool
}

func (r *recorder) Header() http.Header {
	if r.header == nil {
		r.header = http.Header{}
	}
	return r.header
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.Code, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.Body.Write(b)
}

// writeJSON answers with status and v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := plainJSON(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"sandbox: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers with the API's error shape {"message": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeEmpty answers operations whose success response has no schema.
func writeEmpty(w http.ResponseWriter, status int) { w.WriteHeader(status) }

// decodeBody strictly decodes a JSON object body into dst: unknown keys, wrong
// types, trailing data and a missing body are errors, answered with 400. It
// reports whether decoding succeeded.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(dst)
	if err == nil {
		var extra json.RawMessage
		if dec.Decode(&extra) != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("request body is required")
		}
		writeError(w, http.StatusBadRequest, "Invalid request body: "+strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

// decodeJSON decodes the JSON body into dst (validRoute has checked it
// against the operation), answering 400 when it is not JSON.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	raw, _ := readBody(r)
	if err := json.Unmarshal(raw, dst); err != nil {
		badRequest(w, "Invalid request body: %v", strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

// readBody reads r's body and puts it back for the next reader.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// badRequest is a shorthand for validation failures.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusBadRequest, fmt.Sprintf(format, args...))
}
