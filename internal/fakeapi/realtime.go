package fakeapi

import "net/http"

// realtimeRoutes serves the realtime endpoint group.
func (s *Server) realtimeRoutes(mux *http.ServeMux) {}

// realtimeFixtures names this group's seeded objects for Fixtures.
func realtimeFixtures() map[string]any { return nil }
