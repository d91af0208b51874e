package fakeapi

import "net/http"

// secretsRoutes serves the secrets endpoint group.
func (s *Server) secretsRoutes(mux *http.ServeMux) {}

// secretsFixtures names this group's seeded objects for Fixtures.
func secretsFixtures() map[string]any { return nil }
