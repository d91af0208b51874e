// Package guard decides what may run: which tools and operations are exposed
// (feature groups, read-only mode, project scope) and whether a decoded call
// may be sent. Confirmation of destructive calls and SQL classification grow
// here.
package guard

import (
	"context"
	"slices"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Policy is what the command line asked for.
type Policy struct {
	ReadOnly   bool
	ProjectRef string
	Features   []string
	Confirm    string
}

// Expose returns the tools the server lists, each with only the operations
// this policy allows. Read-only mode keeps only read operations (derived from
// the catalogue classes); a project scope hides account-level operations and
// the ref argument, which the server injects.
func (p *Policy) Expose(c *tools.Catalogue) []*tools.ExposedTool {
	var out []*tools.ExposedTool
	for _, t := range c.Tools {
		if !slices.Contains(p.Features, t.Feature) {
			continue
		}
		e := &tools.ExposedTool{Tool: t}
		for _, op := range t.Operations {
			if p.allows(op) {
				e.Operations = append(e.Operations, op)
			}
		}
		if p.ProjectRef != "" {
			e.Hidden = map[string]bool{"ref": true}
		}
		if len(e.Operations) > 0 {
			out = append(out, e)
		}
	}
	return out
}

func (p *Policy) allows(op *tools.Operation) bool {
	if p.ReadOnly && op.Class != tools.ClassRead {
		return false
	}
	if p.ProjectRef != "" && !op.HasParam("ref") {
		return false // account-level: lists or creates things outside the project
	}
	return true
}

// Injected are the arguments the server fills in itself.
func (p *Policy) Injected() map[string]any {
	if p.ProjectRef == "" {
		return nil
	}
	return map[string]any{"ref": p.ProjectRef}
}

// Check decides whether a decoded call may be sent. It re-checks exposure so
// that no call reaches the API through a path the listing would not show.
func (p *Policy) Check(_ context.Context, call *tools.Call) error {
	if !p.allows(call.Op) {
		return &Refusal{Msg: "operation " + call.Op.QualifiedName() + " is not allowed on this server"}
	}
	return nil
}

// Refusal is a call the guard will not let through; the text says why.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }
