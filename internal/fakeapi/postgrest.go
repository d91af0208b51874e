package fakeapi

import "net/http"

// postgrestRoutes serves the postgrest endpoint group.
func (s *Server) postgrestRoutes(mux *http.ServeMux) {}

// postgrestFixtures names this group's seeded objects for Fixtures.
func postgrestFixtures() map[string]any { return nil }
