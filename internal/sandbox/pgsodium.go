package sandbox

import (
	"net/http"
	"strings"
)

// pgsodiumRoutes serves the pgsodium endpoint group.
func (s *Server) pgsodiumRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/pgsodium", s.withProject(s.getPgsodium))
	mux.HandleFunc("PUT /v1/projects/{ref}/pgsodium", s.withProject(s.updatePgsodium))
}

// pgsodiumFixtures names this group's seeded objects for Fixtures.
func pgsodiumFixtures() map[string]any {
	return map[string]any{"root_key": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
}

// getPgsodium is PgsodiumConfigResponse; each project has a random key.
func (s *Server) getPgsodium(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]string{"root_key": s.extrasOf(p.Ref).rootKey})
}

// updatePgsodium is UpdatePgsodiumConfigBody -> PgsodiumConfigResponse.
func (s *Server) updatePgsodium(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		RootKey string `json:"root_key"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.RootKey) == "" {
		badRequest(w, "root_key is required")
		return
	}
	s.extrasOf(p.Ref).rootKey = body.RootKey
	writeJSON(w, http.StatusOK, map[string]string{"root_key": body.RootKey})
}
