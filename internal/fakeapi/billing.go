package fakeapi

import "net/http"

// billingRoutes serves the billing endpoint group.
func (s *Server) billingRoutes(mux *http.ServeMux) {}

// billingFixtures names this group's seeded objects for Fixtures.
func billingFixtures() map[string]any { return nil }
