package fakeapi

import "net/http"

// analyticsRoutes serves the analytics endpoint group.
func (s *Server) analyticsRoutes(mux *http.ServeMux) {}

// analyticsFixtures names this group's seeded objects for Fixtures.
func analyticsFixtures() map[string]any { return nil }
