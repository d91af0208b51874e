package fakeapi

import (
	"net/http"
	"runtime"
	"sync"
	"weak"
)

// perProject keeps an endpoint group's state for each project without a
// field in projectState. Entries are keyed weakly by the project, so a
// deleted project's state goes with it, a new project with the same ref
// starts afresh, and servers never share state. Handlers reach it under
// s.mu (withProject); init must not keep p, or the entry would never go.
type perProject[T any] struct {
	m    sync.Map // weak.Pointer[projectState] -> *T
	init func(s *Server, p *projectState) *T
}

// of returns p's state, creating it on first use.
func (pp *perProject[T]) of(s *Server, p *projectState) *T {
	k := weak.Make(p)
	if v, ok := pp.m.Load(k); ok {
		return v.(*T)
	}
	v := pp.init(s, p)
	pp.m.Store(k, v)
	runtime.AddCleanup(p, func(k weak.Pointer[projectState]) { pp.m.Delete(k) }, k)
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
