package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

// apiAt makes the server's client call the fake API as if it were at
// apiURL: every connection goes to the fake, whatever the host.
func apiAt(t *testing.T, apiURL string) func(*Options) {
	return func(o *Options) {
		fake, err := url.Parse(o.Client.BaseURL())
		if err != nil {
			t.Fatal(err)
		}
		dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, fake.Host)
		}
		c, err := client.New(client.Options{
			BaseURL:     apiURL,
			TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
			Timeout:     5 * time.Second,
			UserAgent:   "supabase-mcp/test",
			Logger:      o.Logger, // its debug lines too: they must not leak secrets
			HTTPClient:  &http.Client{Transport: &http.Transport{DialContext: dial}},
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Client = c
	}
}

// The project URL follows from the ref and the API host, after the API has
// confirmed the project; for a host without a known rule nothing is sent
// and the error says where to find the URL.
func TestProjectURL(t *testing.T) {
	h := newHarness(t, setup{tune: apiAt(t, "http://api.supabase.com")})
	got := decodeJSON[map[string]string](t, h.ok("projects_read", map[string]any{"operation": "get_url", "ref": activeRef}))
	if got["url"] != "https://"+activeRef+".supabase.co" {
		t.Fatalf("url = %v", got)
	}
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef); n != 1 {
		t.Fatalf("%d project reads, want 1", n)
	}
	h.fails("projects_read", map[string]any{"operation": "get_url", "ref": "zzzzzzzzzzzzzzzzzzzz"}, "404")

	local := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true, ProjectRef: activeRef}})
	local.fails("projects_read", map[string]any{"operation": "get_url"}, "cannot be derived from the API host 127.0.0.1", "Nothing was sent", "Project Settings > API")
	if n := len(local.api.Requests()); n != 0 {
		t.Fatalf("an underivable URL sent %d requests", n)
	}
}

// Only anon and publishable keys come back, in full, never a secret or
// service_role key; the API is not asked to reveal, and the operation takes
// no reveal.
func TestPublishableKeysOnly(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true, ProjectRef: activeRef}})
	text := h.ok("projects_read", map[string]any{"operation": "get_publishable_keys"})
	var keys []struct {
		Name, Type string
		APIKey     string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(payload(text)), &keys); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	want := map[string]string{}
	for _, k := range seededAPIKeys(t, h) {
		name, typ, key := k["name"].(string), k["type"].(string), k["api_key"].(string)
		switch {
		case typ == "publishable" || name == "anon":
			want[name+"/"+typ] = key
		case strings.Contains(text, key[:len(key)-4]):
			t.Fatalf("key %s (%s) is in the result: %s", name, typ, text)
		}
	}
	if len(keys) != 2 || len(want) != 2 {
		t.Fatalf("keys = %+v, want the anon and the publishable key", keys)
	}
	for _, k := range keys {
		if want[k.Name+"/"+k.Type] != k.APIKey || k.APIKey == "" {
			t.Errorf("key %s/%s = %q, want it in full", k.Name, k.Type, k.APIKey)
		}
	}
	if strings.Contains(text, "sb_secret_") || strings.Contains(text, "service_role") || strings.Contains(text, "redacted") {
		t.Fatalf("a secret key shows: %s", text)
	}
	reqs := h.api.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/projects/"+activeRef+"/api-keys" || reqs[0].RawQuery != "" {
		t.Fatalf("requests %+v: want one list without reveal", reqs)
	}
	full := newHarness(t, setup{})
	full.fails("projects_read", map[string]any{"operation": "get_publishable_keys", "ref": activeRef, "reveal": true}, "reveal")
	if n := len(full.api.Requests()); n != 0 {
		t.Fatalf("reveal: true sent %d requests", n)
	}
}
