package sandbox

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// Several tokens of one user: each is accepted, the profile is the same
// user, and with CountRateLimitPerUser the limit counts them together.
func TestTokensOfOneUserShareTheRateLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.AcceptToken("second-token")
	s.CountRateLimitPerUser()
	s.SetRateLimit(2)
	for _, tok := range []string{testToken, "second-token"} {
		code, _, b := call(t, s, "GET", "/v1/profile", nil, "Authorization", "Bearer "+tok)
		wantStatus(t, code, http.StatusOK, b)
		if p := decode[map[string]any](t, b); p["username"] != "alice" {
			t.Fatalf("profile for %s: %s", tok, b)
		}
	}
	code, h, b := call(t, s, "GET", "/v1/profile", nil, "Authorization", "Bearer second-token")
	wantStatus(t, code, http.StatusTooManyRequests, b)
	if h.Get("Retry-After") == "" || s.RateLimited() != 1 {
		t.Fatalf("third request of the user: Retry-After %q, limited %d", h.Get("Retry-After"), s.RateLimited())
	}
	code, _, b = call(t, s, "GET", "/v1/profile", nil, "Authorization", "Bearer not-a-token")
	wantStatus(t, code, http.StatusUnauthorized, b)
}

// Without CountRateLimitPerUser the limit counts per token.
func TestRateLimitPerTokenByDefault(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.AcceptToken("second-token")
	s.SetRateLimit(1)
	for _, tok := range []string{testToken, "second-token"} {
		code, _, b := call(t, s, "GET", "/v1/profile", nil, "Authorization", "Bearer "+tok)
		wantStatus(t, code, http.StatusOK, b)
	}
}

// Chaos at rate 1 fails every request with that status; 429s say when to
// retry. Delay alone lets the request through.
func TestChaosFaults(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(o *Options) { o.Chaos = &Chaos{Rates: map[int]float64{429: 1}} })
	code, h, b := call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusTooManyRequests, b)
	if h.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", h.Get("Retry-After"))
	}
	s = newServer(t, func(o *Options) { o.Chaos = &Chaos{Rates: map[int]float64{503: 1}} })
	code, _, b = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusServiceUnavailable, b)
	s = newServer(t, func(o *Options) { o.Chaos = &Chaos{Rates: map[int]float64{500: 0}, Delay: 1} })
	code, _, b = call(t, s, "GET", "/v1/projects", nil)
	wantStatus(t, code, http.StatusOK, b)
}

// With a state file, what was created is there after a restart; the seed
// is the start when the file does not exist; a broken file is an error.
func TestStateFileSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(Options{Token: testToken, StateFile: path, TransitionReads: -1})
	if err != nil {
		t.Fatal(err)
	}
	code, _, b := call(t, s, "POST", projectPath(SeedProjectActive, "/branches"), map[string]any{"branch_name": "kept-branch"})
	wantStatus(t, code, http.StatusCreated, b)
	code, _, b = call(t, s, "PATCH", projectPath(SeedProjectActive, "/config/auth"), map[string]any{"site_url": "https://kept.test"})
	wantStatus(t, code, http.StatusOK, b)
	code, _, b = call(t, s, "POST", "/v1/organizations", map[string]any{"name": "Kept Org"})
	wantStatus(t, code, http.StatusCreated, b)
	if err := s.StateError(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(Options{Token: testToken, StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	code, _, b = call(t, s2, "GET", projectPath(SeedProjectActive, "/branches"), nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.Contains(string(b), "kept-branch") || !strings.Contains(string(b), SeedBranchPreviewName) {
		t.Fatalf("branches after restart: %s", b)
	}
	code, _, b = call(t, s2, "GET", projectPath(SeedProjectActive, "/config/auth"), nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.Contains(string(b), "https://kept.test") {
		t.Fatalf("auth config after restart: %s", b)
	}
	code, _, b = call(t, s2, "GET", "/v1/organizations", nil)
	wantStatus(t, code, http.StatusOK, b)
	if !strings.Contains(string(b), "Kept Org") {
		t.Fatalf("organizations after restart: %s", b)
	}
	if len(s2.Projects()) < 4 || len(s2.Migrations(SeedProjectActive)) != 2 {
		t.Fatalf("projects %d, migrations %d after restart", len(s2.Projects()), len(s2.Migrations(SeedProjectActive)))
	}

	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := writeFile(broken, "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Token: testToken, StateFile: broken}); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("broken state file: %v", err)
	}
}
