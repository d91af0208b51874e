package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSealOpensOnlyWithItsKeyAndID(t *testing.T) {
	k, err := deriveKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.seal("grant:a", []byte("sbp_oauth_secret"))
	if strings.Contains(string(sealed), "sbp_oauth_secret") {
		t.Fatal("sealed value holds the plaintext")
	}
	if got, err := k.open("grant:a", sealed); err != nil || string(got) != "sbp_oauth_secret" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := k.open("grant:b", sealed); err == nil {
		t.Fatal("a sealed grant opened under another id")
	}
	other, _ := deriveKeys([]byte(strings.Repeat("x", 32)))
	if _, err := other.open("grant:a", sealed); err == nil {
		t.Fatal("a sealed grant opened with another key")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.open("grant:a", sealed); err == nil {
		t.Fatal("an altered sealed grant opened")
	}
	if _, err := deriveKeys([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestMemoryStoreTakeIsSingleUse(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore()
	if err := m.Put(ctx, "code:x", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Take(ctx, "code:x"); err != nil || string(v) != "v" {
		t.Fatalf("take: %q %v", v, err)
	}
	if _, err := m.Take(ctx, "code:x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second take: %v", err)
	}
	if _, err := m.Get(ctx, "code:x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after take: %v", err)
	}
	if ok, err := m.PutNew(ctx, "lock", []byte("1"), 0); !ok || err != nil {
		t.Fatalf("first PutNew: %v %v", ok, err)
	}
	if ok, err := m.PutNew(ctx, "lock", []byte("2"), 0); ok || err != nil {
		t.Fatalf("second PutNew: %v %v", ok, err)
	}
	if v, _ := m.Get(ctx, "lock"); string(v) != "1" {
		t.Fatalf("PutNew replaced a value: %q", v)
	}
}

func TestRegistrationRefusesUnsafeMetadata(t *testing.T) {
	s, err := New(Config{PublicURL: "https://mcp.example.com", Upstream: Upstream{APIURL: "https://api.example.com", ClientID: "id", ClientSecret: "secret"}, Key: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"redirect_uris":["http://evil.example/cb"]}`:                                                "loopback hosts only",
		`{"redirect_uris":["javascript:alert(1)"]}`:                                                   "not allowed",
		`{"redirect_uris":["https://app.example/cb#frag"]}`:                                           "fragment",
		`{"redirect_uris":["myapp:/cb"]}`:                                                             "reverse domain",
		`{"redirect_uris":[]}`:                                                                        "between 1 and 10",
		`{"redirect_uris":["https://app.example/cb"],"grant_types":["password"]}`:                     "grant_types",
		`{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}`:                     "response_types",
		`{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}`: "token_endpoint_auth_method",
		`not json`: "JSON object",
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, RegisterPath, strings.NewReader(body)))
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want 400 with %q", body, w.Code, w.Body.String(), want)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, RegisterPath, strings.NewReader(`{"redirect_uris":["com.example.app:/cb","https://app.example/cb"],"client_name":"ok"}`)))
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"client_secret"`) {
		t.Fatalf("a confidential client (RFC 7591's default method): %d %s", w.Code, w.Body.String())
	}
}

func TestMetadata(t *testing.T) {
	s, err := New(Config{PublicURL: "https://mcp.example.com/", Upstream: Upstream{APIURL: "https://api.example.com", ClientID: "id", ClientSecret: "secret"}, Key: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		ProtectedResourcePath + "/mcp": `"resource":"https://mcp.example.com/mcp"`,
		ProtectedResourcePath:          `"authorization_servers":["https://mcp.example.com"]`,
		AuthorizationServerPath:        `"code_challenge_methods_supported":["S256"]`,
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want %s", path, w.Code, w.Body.String(), want)
		}
	}
	if _, err := New(Config{PublicURL: "https://mcp.example.com/mcp", Upstream: Upstream{APIURL: "x", ClientID: "id", ClientSecret: "s"}, Key: []byte(strings.Repeat("k", 32))}); err == nil {
		t.Fatal("a public URL with a path was accepted")
	}
}
