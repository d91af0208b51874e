package fakeapi

import "net/http"

// branchesRoutes serves the branches endpoint group.
func (s *Server) branchesRoutes(mux *http.ServeMux) {}

// branchesFixtures names this group's seeded objects for Fixtures.
func branchesFixtures() map[string]any { return nil }
