package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
)

// cliLoginRoleRoutes serves the cli_login_role endpoint group: temporary
// login roles the Supabase CLI connects with.
func (s *Server) cliLoginRoleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/projects/{ref}/cli/login-role", s.withProject(s.createCliLoginRole))
	mux.HandleFunc("DELETE /v1/projects/{ref}/cli/login-role", s.withProject(s.deleteCliLoginRoles))
}

// cliLoginRoleFixtures names this group's seeded objects for Fixtures.
func cliLoginRoleFixtures() map[string]any { return nil }

// cliRoleTTL is how long a CLI login role's password lasts, in seconds.
const cliRoleTTL = 3600

// cliRoles are the login roles a project currently has.
type cliRoles struct{ roles []string }

var projectCliRoles = perProject[cliRoles]{init: func(*Server, *projectState) *cliRoles { return &cliRoles{} }}

// CliLoginRoles lists the CLI login roles a project has (for tests).
func (s *Server) CliLoginRoles(ref string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(ref)
	if p == nil {
		return nil
	}
	return slices.Clone(projectCliRoles.of(s, p).roles)
}

// createCliLoginRole answers CreateRoleResponse with a fresh password.
func (s *Server) createCliLoginRole(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		ReadOnly *bool `json:"read_only"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ReadOnly == nil {
		badRequest(w, "read_only is required")
		return
	}
	if !requireActive(w, p) {
		return
	}
	role := "cli_login_postgres"
	if *body.ReadOnly {
		role = "cli_login_read_only"
	}
	st := projectCliRoles.of(s, p)
	if !slices.Contains(st.roles, role) {
		st.roles = append(st.roles, role)
	}
	var secret [16]byte
	_, _ = rand.Read(secret[:])
	writeJSON(w, http.StatusCreated, map[string]any{"role": role, "password": hex.EncodeToString(secret[:]), "ttl_seconds": cliRoleTTL})
}

func (s *Server) deleteCliLoginRoles(w http.ResponseWriter, r *http.Request, p *projectState) {
	projectCliRoles.of(s, p).roles = nil
	writeJSON(w, http.StatusOK, map[string]any{"message": "ok"})
}
