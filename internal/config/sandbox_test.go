package config

import (
	"strings"
	"testing"
	"time"
)

// --sandbox needs no token (an env token is dropped, never used), parses
// its fault list, and the other --sandbox* flags need it.
func TestSandboxFlags(t *testing.T) {
	c, err := Parse([]string{"--sandbox", "--sandbox-faults", "429=0.05,500=0.02,delay=200ms", "--sandbox-state", "s.json", "--sandbox-reset"},
		envOf(map[string]string{"SUPABASE_ACCESS_TOKEN": "sbp_real"}), known)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sandbox || c.AccessToken != "" || c.UseStoredLogin || c.SandboxFaultRates[429] != 0.05 || c.SandboxFaultRates[500] != 0.02 ||
		c.SandboxDelay != 200*time.Millisecond || c.SandboxState != "s.json" || !c.SandboxReset {
		t.Fatalf("parsed %+v", c)
	}
	c, err = Parse([]string{"--sandbox", "--transport", "http"}, envOf(nil), known)
	if err != nil || c.HTTPAuth != AuthLocal {
		t.Fatalf("--sandbox over loopback HTTP: %v %+v", err, c)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sandbox-state", "s.json"}, "--sandbox-state needs --sandbox"},
		{[]string{"--sandbox-faults", "500=0.1"}, "--sandbox-faults needs --sandbox"},
		{[]string{"--sandbox", "--access-token", "sbp_x"}, "leave out --access-token"},
		{[]string{"--sandbox", "--api-url", "https://api.example.com"}, "--api-url"},
		{[]string{"--sandbox", "--sandbox-reset"}, "--sandbox-reset resets the file of --sandbox-state"},
		{[]string{"--sandbox", "--sandbox-faults", "429"}, "use a comma list of STATUS=FRACTION"},
		{[]string{"--sandbox", "--sandbox-faults", "200=0.5"}, "use a comma list"},
		{[]string{"--sandbox", "--sandbox-faults", "500=2"}, "use a comma list"},
		{[]string{"--sandbox", "--sandbox-faults", "delay=soon"}, "use a comma list"},
		{[]string{"--sandbox", "--sandbox-faults", "429=0.6,500=0.6"}, "more than 1"},
		{[]string{"--sandbox", "--transport", "http", "--listen", "0.0.0.0:8080"}, "set --http-token"},
	} {
		if _, err := Parse(tc.args, envOf(nil), known); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
