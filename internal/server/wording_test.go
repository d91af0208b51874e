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
	m := tokenRE.FindStringSubmatch(before.fails("projects_write", args, "Confirmation required"))
	if m == nil {
		t.Fatal("no token")
	}
	after := newHarness(t, setup{noElicitation: true})
	args["confirm"] = m[1]
	after.fails("projects_write", args, "Not confirmed: ", "before the server restarted", "Call again without confirm")
	if n := after.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 0 {
		t.Fatalf("%d pause requests", n)
	}
}

// Error texts end their sentences once: no "undone..", no "?.".
func TestErrorTextsHaveNoDoubledStops(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmDeny}})
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"projects_write", map[string]any{"operation": "delete", "ref": activeRef}, "This cannot be undone."},
		{"projects_read", map[string]any{"operation": "lst"}, "did you mean list or get? Operations: "},
		{"projects_read", map[string]any{"operation": "get", "reff": activeRef}, "did you mean ref? Usage: "},
	} {
		text := h.fails(tc.tool, tc.args, tc.want)
		for _, bad := range []string{"..", "?.", ". ."} {
			if strings.Contains(text, bad) {
				t.Errorf("%v: %q in %q", tc.args, bad, text)
			}
		}
	}
}

// Once a projects list or get has shown the project's name, the
// confirmation form shows it with the ref and takes it typed; before, the
// ref alone. No API call is made for the name.
func TestElicitationNamesTheProject(t *testing.T) {
	h := newHarness(t, setup{})
	p, _ := h.api.Project(pausedRef)
	if p.Name == "" {
		t.Fatal("the fake project has no name")
	}
	h.ok("projects_read", map[string]any{"operation": "list"})
	before := len(h.api.Requests())
	h.ok("projects_write", map[string]any{"operation": "delete", "ref": pausedRef})
	asked := h.user.questions()
	if len(asked) != 1 || !strings.HasPrefix(asked[0].Message, "Project "+p.Name+" (ref "+pausedRef+").\n") || !strings.Contains(asked[0].Message, "type the project's name, "+p.Name+" (or its ref).") {
		t.Fatalf("the user was asked %+v", asked)
	}
	field := asked[0].RequestedSchema.(map[string]any)["properties"].(map[string]any)["confirm"].(map[string]any)
	if field["title"] != "Type "+p.Name+" to confirm" {
		t.Errorf("title %q", field["title"])
	}
	if n := len(h.api.Requests()) - before; n != 1 {
		t.Errorf("%d API requests for a confirmed delete, want the DELETE alone", n)
	}
	if _, ok := h.api.Project(pausedRef); ok {
		t.Fatal("typing the name did not confirm")
	}

	// The ref still confirms; without a list first, the form asks for it.
	for _, listFirst := range []bool{true, false} {
		u := &user{}
		if listFirst {
			u.typed = activeRef
		}
		h := newHarness(t, setup{user: u})
		if listFirst {
			h.ok("projects_read", map[string]any{"operation": "get", "ref": activeRef})
		}
		h.ok("projects_write", map[string]any{"operation": "delete", "ref": activeRef})
		if q := u.questions(); len(q) != 1 || strings.Contains(q[0].Message, "Project ") != listFirst || !strings.Contains(q[0].Message, activeRef) {
			t.Errorf("list first %v: asked %+v", listFirst, q)
		}
	}
}

func TestShowableProjectNames(t *testing.T) {
	for name, want := range map[string]bool{
		"my-app": true, "Café prod": true, "": false, " padded": false, "two\nlines": false,
		"bidi\u202eevil": false, "zero\u200bwidth": false, `quo"te`: false, strings.Repeat("x", 65): false,
	} {
		if showableName(name) != want {
			t.Errorf("showableName(%q) = %v", name, !want)
		}
	}
}
