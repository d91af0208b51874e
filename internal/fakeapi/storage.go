package fakeapi

import "net/http"

// storageRoutes serves the storage endpoint group.
func (s *Server) storageRoutes(mux *http.ServeMux) {}

// storageFixtures names this group's seeded objects for Fixtures.
func storageFixtures() map[string]any { return nil }
