package fakeapi

import "net/http"

// cliLoginRoleRoutes serves the cli_login_role endpoint group.
func (s *Server) cliLoginRoleRoutes(mux *http.ServeMux) {}

// cliLoginRoleFixtures names this group's seeded objects for Fixtures.
func cliLoginRoleFixtures() map[string]any { return nil }
