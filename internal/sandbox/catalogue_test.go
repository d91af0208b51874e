package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Every catalogue operation, called with minimal valid arguments the way the
// server builds them, gets a success whose body fits the spec: the generic
// handler and the hand-written ones alike.
func TestEveryOperationAnswersSpecShaped(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := Fixtures()
	for _, tl := range cat.Tools {
		e := &tools.ExposedTool{Tool: tl, Operations: tl.Operations}
		for _, op := range tl.Operations {
			if !op.ManagementAPI() {
				continue // docs search: not the Management API
			}
			t.Run(op.QualifiedName(), func(t *testing.T) {
				sql := strings.Contains(op.Path, "/database/query")
				if sql && os.Getenv(EnvDatabaseURL) == "" {
					t.Fatal("SQL operations need " + EnvDatabaseURL)
				}
				s := New(Options{Token: "tok", DatabaseURL: os.Getenv(EnvDatabaseURL), TransitionReads: -1})
				defer s.Close()
				call, err := e.Decode(tools.MinimalArgs(op, fixtures), nil)
				if err != nil {
					t.Fatal(err)
				}
				if u, ok := call.Request.(tools.APIURLUser); ok {
					u.UseAPIURL("https://api.supabase.com") // get_url derives from the API host
				}
				req, err := call.HTTPRequest()
				if err != nil {
					t.Fatal(err)
				}
				u := s.URL() + req.Path
				if q := req.Query.Encode(); q != "" {
					u += "?" + q
				}
				hr, _ := http.NewRequest(req.Method, u, bytes.NewReader(req.Body))
				hr.Header.Set("Authorization", "Bearer tok")
				if req.ContentType != "" {
					hr.Header.Set("Content-Type", req.ContentType)
				}
				resp, err := http.DefaultClient.Do(hr)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body bytes.Buffer
				body.ReadFrom(resp.Body)
				if resp.StatusCode >= 300 {
					t.Fatalf("%s %s: %d %s", req.Method, req.Path, resp.StatusCode, body.Bytes())
				}
				// The spec's entitlement configs are a oneOf whose variants do
				// not exclude each other, so no answer can match exactly one.
				// The spec documents no body for the SQL endpoints.
				if resp.Header.Get("Content-Type") == "application/json" && op.QualifiedName() != "organizations_read.get_entitlements" && !sql {
					wantSpecResponse(t, op.Method, op.Path, resp.StatusCode, body.Bytes())
				}
			})
		}
	}
}

// genericOnly serves every catalogue operation with the generic handler
// alone, as a new operation is served before anyone writes a handler for it.
func genericOnly(t *testing.T) (*Server, func(method, path string, body any) (int, []byte)) {
	s := New(Options{Token: "tok"})
	t.Cleanup(s.Close)
	mux := http.NewServeMux()
	s.catalogueRoutes(mux)
	return s, func(method, path string, body any) (int, []byte) {
		var rd *bytes.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		} else {
			rd = bytes.NewReader(nil)
		}
		r := httptest.NewRequest(method, path, rd)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, w.Body.Bytes()
	}
}

// A GET of a config-shaped resource answers what the last PATCH stored, over
// the spec's shape; the request is validated against the operation's request
// type; an unknown project is a 404.
func TestGenericConfigStore(t *testing.T) {
	t.Parallel()
	_, do := genericOnly(t)
	path := projectPath(SeedProjectActive, "/config/realtime")
	code, b := do("PATCH", path, map[string]any{"max_concurrent_users": 500})
	wantStatus(t, code, http.StatusNoContent, b)
	code, b = do("PATCH", path, map[string]any{"private_only": true})
	wantStatus(t, code, http.StatusNoContent, b)
	code, b = do("GET", path, nil)
	wantStatus(t, code, http.StatusOK, b)
	got := decode[map[string]any](t, b)
	if got["max_concurrent_users"] != 500.0 || got["private_only"] != true {
		t.Fatalf("GET after two PATCHes = %s", b)
	}
	wantSpecResponse(t, "GET", "/v1/projects/{ref}/config/realtime", code, b)

	code, b = do("PATCH", path, map[string]any{"max_concurent_users": 1})
	wantStatus(t, code, http.StatusBadRequest, b)
	if m := message(t, b); !strings.Contains(m, "max_concurent_users") {
		t.Errorf("unknown field message %q", m)
	}
	code, b = do("PATCH", path, map[string]any{"connection_pool": "many"})
	wantStatus(t, code, http.StatusBadRequest, b)

	code, b = do("GET", projectPath("zzzzzzzzzzzzzzzzzzzz", "/config/realtime"), nil)
	wantStatus(t, code, http.StatusNotFound, b)

	// Another project's config is its own.
	code, b = do("GET", projectPath(SeedProjectPaused, "/config/realtime"), nil)
	wantStatus(t, code, http.StatusOK, b)
	if decode[map[string]any](t, b)["max_concurrent_users"] == 500.0 {
		t.Errorf("config leaked across projects: %s", b)
	}
}

// Every operation answered by the generic handler alone gets a success that
// fits the spec: what a new tools.yaml entry gets with no sandbox code.
func TestGenericAnswersEveryOperation(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := Fixtures()
	_, do := genericOnly(t)
	for _, tl := range cat.Tools {
		e := &tools.ExposedTool{Tool: tl, Operations: tl.Operations}
		for _, op := range tl.Operations {
			if !op.ManagementAPI() {
				continue // docs search: not the Management API
			}
			call, err := e.Decode(tools.MinimalArgs(op, fixtures), nil)
			if err != nil {
				t.Fatal(err)
			}
			if u, ok := call.Request.(tools.APIURLUser); ok {
				u.UseAPIURL("https://api.supabase.com")
			}
			req, err := call.HTTPRequest()
			if err != nil {
				t.Fatal(err)
			}
			if req.ContentType != "" && req.ContentType != "application/json" {
				continue // multipart uploads: the lifecycle handlers' business
			}
			u := req.Path
			if q := req.Query.Encode(); q != "" {
				u += "?" + q
			}
			var body any
			if req.Body != nil {
				json.Unmarshal(req.Body, &body)
			}
			code, b := do(req.Method, u, body)
			if code >= 300 {
				t.Errorf("%s: %s %s: %d %s", op.QualifiedName(), req.Method, req.Path, code, b)
				continue
			}
			if op.QualifiedName() != "organizations_read.get_entitlements" && op.Method != "HEAD" {
				wantSpecResponse(t, op.Method, op.Path, code, b)
			}
		}
	}
}
