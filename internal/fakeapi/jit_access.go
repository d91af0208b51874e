package fakeapi

import "net/http"

// jitAccessRoutes serves the jit_access endpoint group.
func (s *Server) jitAccessRoutes(mux *http.ServeMux) {}

// jitAccessFixtures names this group's seeded objects for Fixtures.
func jitAccessFixtures() map[string]any { return nil }
