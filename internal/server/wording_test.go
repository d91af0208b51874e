package server

import (
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

// A confirmation token of a server run that has ended is refused saying
// the server restarted, and nothing is sent.
func TestConfirmationTokenAfterRestart(t *testing.T) {
	args := map[string]any{"operation": "pause", "ref": activeRef}
	before := newHarness(t, setup{noElicitation: true})
	m := tokenRE.FindStringSubmatch(before.fails("projects", args, "Confirmation required"))
	if m == nil {
		t.Fatal("no token")
	}
	after := newHarness(t, setup{noElicitation: true})
	args["confirm"] = m[1]
	after.fails("projects", args, "Not confirmed: ", "before the server restarted", "Call again without confirm")
	if n := after.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 0 {
		t.Fatalf("%d pause requests", n)
	}
}

// Error texts end their sentences once: no "undone..", no "?.".
func TestErrorTextsHaveNoDoubledStops(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmDeny}})
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"operation": "delete", "ref": activeRef}, "This cannot be undone."},
		{map[string]any{"operation": "lst"}, "did you mean list or get? Operations: "},
		{map[string]any{"operation": "get", "reff": activeRef}, "did you mean ref? Usage: "},
	} {
		text := h.fails("projects", tc.args, tc.want)
		for _, bad := range []string{"..", "?.", ". ."} {
			if strings.Contains(text, bad) {
				t.Errorf("%v: %q in %q", tc.args, bad, text)
			}
		}
	}
}
