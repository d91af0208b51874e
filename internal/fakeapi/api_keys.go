package fakeapi

import "net/http"

// apiKeysRoutes serves the api_keys endpoint group.
func (s *Server) apiKeysRoutes(mux *http.ServeMux) {}

// apiKeysFixtures names this group's seeded objects for Fixtures.
func apiKeysFixtures() map[string]any { return nil }
