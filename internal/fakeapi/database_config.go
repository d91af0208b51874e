package fakeapi

import "net/http"

// databaseConfigRoutes serves the database_config endpoint group.
func (s *Server) databaseConfigRoutes(mux *http.ServeMux) {}

// databaseConfigFixtures names this group's seeded objects for Fixtures.
func databaseConfigFixtures() map[string]any { return nil }
