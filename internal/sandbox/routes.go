package sandbox

import (
	"net/http"
	"strconv"
)

// routes registers every endpoint group. Adding a group is one new file with a
// `func (s *Server) fooRoutes(mux *http.ServeMux)` registering its handlers
// (Go 1.22 patterns like "GET /v1/projects/{ref}/foo"), listed here.
func (s *Server) routes() {
	for _, group := range []func(*http.ServeMux){
		s.organizationRoutes,
		s.projectRoutes,
		s.databaseRoutes,
		s.branchesRoutes,
		s.functionsRoutes,
		s.oauthRoutes,
	} {
		group(s.mux)
	}
	s.catalogueRoutes(s.mux)
	// Everything else, including a known path with another method, is a 404
	// in the API's JSON error shape rather than ServeMux's plain-text answer.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path)
	})
}

// withProject runs h with s.mu held and the project named by {ref}, or
// answers 404 when there is none.
func (s *Server) withProject(h func(http.ResponseWriter, *http.Request, *projectState)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p := s.findProject(r.PathValue("ref"))
		if p == nil {
			writeError(w, http.StatusNotFound, "Project not found")
			return
		}
		h(w, r, p)
	}
}

// queryInt parses an optional integer query parameter within [lo, hi].
func queryInt(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		badRequest(w, "%s must be an integer between %d and %d", name, lo, hi)
		return 0, false
	}
	return n, true
}
