package sandbox

import "net/http"

// postgrestRoutes serves the postgrest endpoint group.
func (s *Server) postgrestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/postgrest", s.withProject(s.getPostgrestConfig))
	mux.HandleFunc("PATCH /v1/projects/{ref}/postgrest", s.withProject(s.updatePostgrestConfig))
}

// postgrestFixtures names this group's seeded objects for Fixtures.
func postgrestFixtures() map[string]any { return nil }

// postgrestConfig is PostgrestConfigWithJWTSecretResponse; without the
// secret it is V1PostgrestConfigResponse.
type postgrestConfig struct {
	DBSchema          string `json:"db_schema"`
	MaxRows           int    `json:"max_rows"`
	DBExtraSearchPath string `json:"db_extra_search_path"`
	DBPool            *int   `json:"db_pool"` // null: sized by compute
	JWTSecret         string `json:"jwt_secret,omitempty"`
}

func defaultPostgrestConfig() postgrestConfig {
	return postgrestConfig{DBSchema: "public,graphql_public", MaxRows: 1000, DBExtraSearchPath: "public,extensions",
		JWTSecret: "super-secret-jwt-token-with-at-least-32-characters-long"}
}

func (s *Server) getPostgrestConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, s.extrasOf(p.Ref).postgrest)
}

// updatePostgrestConfig is V1UpdatePostgrestConfigBody -> V1PostgrestConfigResponse.
func (s *Server) updatePostgrestConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		DBExtraSearchPath *string `json:"db_extra_search_path"`
		DBSchema          *string `json:"db_schema"`
		MaxRows           *int    `json:"max_rows"`
		DBPool            *int    `json:"db_pool"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	switch {
	case body.MaxRows != nil && (*body.MaxRows < 0 || *body.MaxRows > 1000000):
		badRequest(w, "max_rows must be between 0 and 1000000")
		return
	case body.DBPool != nil && (*body.DBPool < 0 || *body.DBPool > 1000):
		badRequest(w, "db_pool must be between 0 and 1000")
		return
	}
	c := &s.extrasOf(p.Ref).postgrest
	if body.DBExtraSearchPath != nil {
		c.DBExtraSearchPath = *body.DBExtraSearchPath
	}
	if body.DBSchema != nil {
		c.DBSchema = *body.DBSchema
	}
	if body.MaxRows != nil {
		c.MaxRows = *body.MaxRows
	}
	if body.DBPool != nil {
		c.DBPool = body.DBPool
	}
	out := *c
	out.JWTSecret = ""
	writeJSON(w, http.StatusOK, out)
}
