package fakeapi

import "net/http"

// backupsRoutes serves the backups endpoint group.
func (s *Server) backupsRoutes(mux *http.ServeMux) {}

// backupsFixtures names this group's seeded objects for Fixtures.
func backupsFixtures() map[string]any { return nil }
