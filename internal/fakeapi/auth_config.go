package fakeapi

import "net/http"

// authConfigRoutes serves the auth_config endpoint group.
func (s *Server) authConfigRoutes(mux *http.ServeMux) {}

// authConfigFixtures names this group's seeded objects for Fixtures.
func authConfigFixtures() map[string]any { return nil }
