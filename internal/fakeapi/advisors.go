package fakeapi

import "net/http"

// advisorsRoutes serves the advisors endpoint group.
func (s *Server) advisorsRoutes(mux *http.ServeMux) {}

// advisorsFixtures names this group's seeded objects for Fixtures.
func advisorsFixtures() map[string]any { return nil }
