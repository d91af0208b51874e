package fakeapi

import "net/http"

// actionsRoutes serves the actions endpoint group.
func (s *Server) actionsRoutes(mux *http.ServeMux) {}

// actionsFixtures names this group's seeded objects for Fixtures.
func actionsFixtures() map[string]any { return nil }
