package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

// A HEAD of a list answers the number of its items in X-Total-Count (0 for
// a project that has none), and a string document is answered as
// text/plain: the action runs' count and logs, from seed/actions.json.
func TestGenericCountAndText(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	runs := projectPath(SeedProjectActive, "/actions")
	for ref, want := range map[string]string{SeedProjectActive: "2", SeedProjectPaused: "0"} {
		code, h, b := call(t, s, "HEAD", projectPath(ref, "/actions"), nil)
		wantStatus(t, code, http.StatusOK, b)
		if h.Get("X-Total-Count") != want || len(b) != 0 {
			t.Errorf("HEAD of %s's runs: count %q, body %q", ref, h.Get("X-Total-Count"), b)
		}
	}
	code, _, b := call(t, s, "GET", runs, nil)
	wantStatus(t, code, http.StatusOK, b)
	list := decode[[]map[string]any](t, b)
	if len(list) != 2 {
		t.Fatalf("runs %s", b)
	}
	id, _ := list[0]["id"].(string)
	code, h, b := call(t, s, "GET", runs+"/"+id+"/logs", nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !strings.Contains(string(b), "Applying migration") {
		t.Errorf("logs %s: %s", h.Get("Content-Type"), b)
	}
	// A run without logs answers the spec's empty body.
	code, h, b = call(t, s, "GET", runs+"/run_without_logs/logs", nil)
	wantStatus(t, code, http.StatusOK, b)
	if len(b) != 0 || strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("logs of an unknown run %s: %q", h.Get("Content-Type"), b)
	}
}

// A PATCH merges nested objects field by field: a storage config changed in
// one feature keeps the others, and still fits the spec.
func TestGenericPatchMergesNestedObjects(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := projectPath(SeedProjectActive, "/config/storage")
	code, _, b := call(t, s, "PATCH", path, map[string]any{"features": map[string]any{"s3Protocol": map[string]any{"enabled": false}}})
	wantStatus(t, code, http.StatusOK, b)
	code, _, b = call(t, s, "GET", path, nil)
	wantStatus(t, code, http.StatusOK, b)
	features, _ := decode[map[string]any](t, b)["features"].(map[string]any)
	s3, _ := features["s3Protocol"].(map[string]any)
	img, _ := features["imageTransformation"].(map[string]any)
	if s3["enabled"] != false || img["enabled"] != true {
		t.Errorf("config after PATCH %s", b)
	}
	wantSpecResponse(t, "GET", "/v1/projects/{ref}/config/storage", code, b)
	// null is a value: it replaces.
	pg := projectPath(SeedProjectActive, "/postgrest")
	code, _, b = call(t, s, "PATCH", pg, map[string]any{"db_pool": 5})
	wantStatus(t, code, http.StatusOK, b)
	code, _, b = call(t, s, "PATCH", pg, map[string]any{"db_pool": nil})
	wantStatus(t, code, http.StatusOK, b)
	if got := decode[map[string]any](t, b); got["db_pool"] != nil || got["max_rows"] != 1000.0 {
		t.Errorf("postgrest after PATCH of null %s", b)
	}
}
