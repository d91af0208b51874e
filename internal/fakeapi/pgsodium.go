package fakeapi

import "net/http"

// pgsodiumRoutes serves the pgsodium endpoint group.
func (s *Server) pgsodiumRoutes(mux *http.ServeMux) {}

// pgsodiumFixtures names this group's seeded objects for Fixtures.
func pgsodiumFixtures() map[string]any { return nil }
