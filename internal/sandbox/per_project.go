package sandbox

import (
	"fmt"
	"net/http"
)

// perProject describes the state an endpoint group keeps for each project
// without a field in projectState: it is stored on the project itself
// (projectState.groups), so a deleted project's state goes with it, a new
// project with the same ref starts afresh, and servers never share state.
// Handlers reach it under s.mu (withProject).
type perProject[T any] struct {
	init func(s *Server, p *projectState) *T
}

// of returns p's state, creating it on first use.
func (pp perProject[T]) of(s *Server, p *projectState) *T {
	if p.groups == nil {
		p.groups = map[string]any{}
	}
	key := fmt.Sprintf("%T", (*T)(nil))
	v, ok := p.groups[key].(*T)
	if !ok {
		v = pp.init(s, p)
		p.groups[key] = v
	}
	return v
}

// requireActive answers 400 unless the project is running: operations that
// need its database refuse a paused, starting or restoring project. Like the
// lifecycle endpoints, they see the status the API last reported.
func requireActive(w http.ResponseWriter, p *projectState) bool {
	if p.Status != StatusActiveHealthy {
		badRequest(w, "Project %s is not ready: its status is %s, expected %s", p.Ref, p.Status, StatusActiveHealthy)
		return false
	}
	return true
}

// orgOf is the organization that owns p (nil if it is gone).
func (s *Server) orgOf(p *projectState) *orgState { return s.findOrg(p.OrganizationSlug) }
