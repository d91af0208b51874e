package fakeapi

import "net/http"

// readReplicasRoutes serves the read_replicas endpoint group.
func (s *Server) readReplicasRoutes(mux *http.ServeMux) {}

// readReplicasFixtures names this group's seeded objects for Fixtures.
func readReplicasFixtures() map[string]any { return nil }
