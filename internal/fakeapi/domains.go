package fakeapi

import "net/http"

// domainsRoutes serves the domains endpoint group.
func (s *Server) domainsRoutes(mux *http.ServeMux) {}

// domainsFixtures names this group's seeded objects for Fixtures.
func domainsFixtures() map[string]any { return nil }
