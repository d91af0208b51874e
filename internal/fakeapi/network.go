package fakeapi

import "net/http"

// networkRoutes serves the network endpoint group.
func (s *Server) networkRoutes(mux *http.ServeMux) {}

// networkFixtures names this group's seeded objects for Fixtures.
func networkFixtures() map[string]any { return nil }
