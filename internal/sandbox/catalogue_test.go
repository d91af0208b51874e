package sandbox

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
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
				req := minimalRequest(t, e, op, fixtures)
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

// minimalRequest is the request the server sends for op called with minimal
// valid arguments (fixtures name the seeded objects).
func minimalRequest(t *testing.T, e *tools.ExposedTool, op *tools.Operation, fixtures map[string]any) *client.Request {
	t.Helper()
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
	return req
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
	for _, tl := range cat.Tools {
		e := &tools.ExposedTool{Tool: tl, Operations: tl.Operations}
		for _, op := range tl.Operations {
			if !op.ManagementAPI() {
				continue // docs search: not the Management API
			}
			req := minimalRequest(t, e, op, fixtures)
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
			_, do := genericOnly(t) // each operation on the seed, as a new one would be
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

// A path whose GET answers a list is a collection: POST adds an item, the
// item's own path reads, changes and deletes it, and a deleted or unknown
// item is a 404.
func TestGenericCollection(t *testing.T) {
	t.Parallel()
	_, do := genericOnly(t)
	keys := projectPath(SeedProjectActive, "/api-keys")
	code, b := do("POST", keys, map[string]any{"type": "secret", "name": "ci_key"})
	wantStatus(t, code, http.StatusCreated, b)
	id, _ := decode[map[string]any](t, b)["id"].(string)
	if id == "" {
		t.Fatalf("created item has no id: %s", b)
	}
	code, b = do("GET", keys, nil)
	wantStatus(t, code, http.StatusOK, b)
	if list := decode[[]map[string]any](t, b); len(list) == 0 || list[len(list)-1]["name"] != "ci_key" {
		t.Fatalf("list after POST = %s", b)
	}
	code, b = do("PATCH", keys+"/"+id, map[string]any{"name": "ci_key_2"})
	wantStatus(t, code, http.StatusOK, b)
	code, b = do("GET", keys+"/"+id, nil)
	wantStatus(t, code, http.StatusOK, b)
	if got := decode[map[string]any](t, b); got["name"] != "ci_key_2" || got["type"] != "secret" {
		t.Fatalf("item after PATCH = %s", b)
	}
	code, b = do("DELETE", keys+"/"+id, nil)
	wantStatus(t, code, http.StatusOK, b)
	code, b = do("GET", keys+"/"+id, nil)
	wantStatus(t, code, http.StatusNotFound, b)
	code, b = do("DELETE", keys+"/"+id, nil)
	wantStatus(t, code, http.StatusNotFound, b)
}

// Seed files load, are named for tools.yaml groups, and give every project,
// created ones too, its own copy of the "{ref}" documents.
func TestSeedFiles(t *testing.T) {
	seed, err := loadSeed()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{}
	for _, tl := range cat.Tools {
		groups[tl.Group] = true
	}
	names, _ := fs.Glob(seedFiles, "seed/*.json")
	for _, n := range names {
		if g := strings.TrimSuffix(strings.TrimPrefix(n, "seed/"), ".json"); !groups[g] {
			t.Errorf("%s is not named for a tools.yaml group", n)
		}
	}
	for k := range seed.Answers {
		if method, p, ok := strings.Cut(k, " "); !ok || !strings.HasPrefix(p, "/v1/") || strings.ToUpper(method) != method {
			t.Errorf("answer key %q is not \"METHOD /v1/...\"", k)
		}
	}
	s := New(Options{Token: "tok"})
	defer s.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.addProject(Project{Name: "fresh"}, "")
	for k := range seed.Documents {
		if strings.Contains(k, "{ref}") {
			if _, ok := s.docs[strings.ReplaceAll(k, "{ref}", p.Ref)]; !ok {
				t.Errorf("new project has no %s", k)
			}
		}
	}
}

// A POST of a JSON array to a collection adds each item, replacing one of
// the same name; a DELETE with a JSON array of names removes those items
// and no other; a PUT without a body stores its query arguments; each new
// item gets its own id, although the spec's example has one.
func TestGenericBatchesAndQuerySettings(t *testing.T) {
	t.Parallel()
	_, do := genericOnly(t)
	keys := projectPath(SeedProjectActive, "/config/auth/signing-keys")
	ids := map[string]bool{}
	for range 2 {
		code, b := do("POST", keys, map[string]any{"algorithm": "ES256"})
		wantStatus(t, code, http.StatusCreated, b)
		ids[decode[map[string]any](t, b)["id"].(string)] = true
	}
	if len(ids) != 2 || ids["00000000-0000-4000-8000-000000000000"] {
		t.Fatalf("new keys' ids: %v", ids)
	}
	secrets := projectPath(SeedProjectActive, "/secrets")
	names := func() []string {
		_, b := do("GET", secrets, nil)
		var out []string
		for _, it := range decode[[]map[string]any](t, b) {
			out = append(out, it["name"].(string)+"="+it["value"].(string))
		}
		return out
	}
	before := len(names())
	code, b := do("POST", secrets, []any{map[string]any{"name": "A_KEY", "value": "one"}, map[string]any{"name": "B_KEY", "value": "two"}})
	wantStatus(t, code, http.StatusCreated, b)
	code, b = do("POST", secrets, []any{map[string]any{"name": "A_KEY", "value": "three"}})
	wantStatus(t, code, http.StatusCreated, b)
	if got := strings.Join(names(), ","); len(names()) != before+2 || !strings.Contains(got, "A_KEY=three") || !strings.Contains(got, "B_KEY=two") {
		t.Fatalf("after two POSTs: %s", got)
	}
	code, b = do("DELETE", secrets, []any{"A_KEY"})
	wantStatus(t, code, http.StatusOK, b)
	if got := strings.Join(names(), ","); len(names()) != before+1 || strings.Contains(got, "A_KEY") {
		t.Fatalf("after DELETE: %s", got)
	}

	legacy := projectPath(SeedProjectActive, "/api-keys/legacy")
	for _, enabled := range []string{"false", "true"} {
		code, b = do("PUT", legacy+"?enabled="+enabled, nil)
		wantStatus(t, code, http.StatusOK, b)
		if _, b = do("GET", legacy, nil); !strings.Contains(string(b), `"enabled":`+enabled) {
			t.Fatalf("after PUT enabled=%s: %s", enabled, b)
		}
	}
}
