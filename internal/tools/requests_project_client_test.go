package tools

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestProjectURLRule(t *testing.T) {
	const ref = "abcdefghijklmnopqrst"
	for api, want := range map[string]string{
		"https://api.supabase.com":     "https://" + ref + ".supabase.co",
		"https://API.supabase.com/":    "https://" + ref + ".supabase.co",
		"https://api.supabase.green":   "https://" + ref + ".supabase.green",
		"http://api.supabase.red:8080": "https://" + ref + ".supabase.red",
	} {
		if got, err := ProjectURL(api, ref); err != nil || got != want {
			t.Errorf("ProjectURL(%s) = %q, %v; want %s", api, got, err, want)
		}
	}
	for _, api := range []string{"http://127.0.0.1:8080", "https://api.example.com", "https://supabase.com", "https://api.supabase.com.evil.net", ""} {
		if got, err := ProjectURL(api, ref); err == nil {
			t.Errorf("ProjectURL(%q) = %q: an unknown host must not be guessed", api, got)
		}
	}
}

func jwt(payload string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}

// The keys' allow list holds whatever the API calls them: a secret value
// never passes, even labelled publishable or anon.
func TestPublishableKeysAllowList(t *testing.T) {
	body := `[
	 {"name":"anon","type":"legacy","api_key":"` + jwt(`{"role":"anon"}`) + `"},
	 {"name":"anon","type":"legacy","api_key":"` + jwt(`{"role":"service_role"}`) + `"},
	 {"name":"service_role","type":"legacy","api_key":"` + jwt(`{"role":"service_role"}`) + `"},
	 {"name":"default","type":"publishable","api_key":"sb_publishable_abc","id":"1"},
	 {"name":"odd","type":"publishable","api_key":"sb_secret_abc"},
	 {"name":"odd2","type":"publishable","api_key":"plain"},
	 {"name":"default","type":"secret","api_key":"sb_secret_xyz"},
	 {"name":"masked","type":"publishable","api_key":"<redacted: 40 chars>"},
	 {"name":"anon","type":"secret","api_key":"sb_secret_anon"}
	]`
	out, err := (&GetPublishableKeys{}).FormatResult([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Count(s, `"api_key"`) != 2 || !strings.Contains(s, "sb_publishable_abc") || !strings.Contains(s, jwt(`{"role":"anon"}`)) {
		t.Fatalf("want exactly the anon JWT and the publishable key: %s", s)
	}
	if strings.Contains(s, "sb_secret_") || strings.Contains(s, jwt(`{"role":"service_role"}`)) || strings.Contains(s, "plain") {
		t.Fatalf("a secret passed: %s", s)
	}
	none, err := (&GetPublishableKeys{}).FormatResult([]byte(`[{"name":"default","type":"secret","api_key":"sb_secret_xyz"}]`))
	if err != nil || !strings.Contains(string(none), "no anon or publishable key") {
		t.Fatalf("no public key: %s, %v", none, err)
	}
}
