package fakeapi

import "net/http"

// functionsRoutes serves the functions endpoint group.
func (s *Server) functionsRoutes(mux *http.ServeMux) {}

// functionsFixtures names this group's seeded objects for Fixtures.
func functionsFixtures() map[string]any { return nil }
