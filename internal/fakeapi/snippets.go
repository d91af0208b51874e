package fakeapi

import "net/http"

// snippetsRoutes serves the snippets endpoint group.
func (s *Server) snippetsRoutes(mux *http.ServeMux) {}

// snippetsFixtures names this group's seeded objects for Fixtures.
func snippetsFixtures() map[string]any { return nil }
