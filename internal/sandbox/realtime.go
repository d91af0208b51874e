package sandbox

import "net/http"

// realtimeRoutes serves the realtime endpoint group.
func (s *Server) realtimeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/config/realtime", s.withProject(s.getRealtimeConfig))
	mux.HandleFunc("PATCH /v1/projects/{ref}/config/realtime", s.withProject(s.updateRealtimeConfig))
	mux.HandleFunc("POST /v1/projects/{ref}/config/realtime/shutdown", s.withProject(s.shutdownRealtime))
}

// realtimeFixtures names this group's seeded objects for Fixtures.
func realtimeFixtures() map[string]any { return nil }

// realtimeConfig is RealtimeConfigResponse and, every field optional,
// UpdateRealtimeConfigBody.
type realtimeConfig struct {
	PrivateOnly                *bool `json:"private_only"`
	ConnectionPool             *int  `json:"connection_pool"`
	MaxConcurrentUsers         *int  `json:"max_concurrent_users"`
	MaxEventsPerSecond         *int  `json:"max_events_per_second"`
	MaxBytesPerSecond          *int  `json:"max_bytes_per_second"`
	MaxChannelsPerClient       *int  `json:"max_channels_per_client"`
	MaxJoinsPerSecond          *int  `json:"max_joins_per_second"`
	MaxPresenceEventsPerSecond *int  `json:"max_presence_events_per_second"`
	MaxPayloadSizeInKB         *int  `json:"max_payload_size_in_kb"`
	Suspend                    *bool `json:"suspend"`
	PresenceEnabled            *bool `json:"presence_enabled"`
}

func defaultRealtimeConfig() realtimeConfig {
	return realtimeConfig{
		PrivateOnly: ptr(false), ConnectionPool: ptr(2), MaxConcurrentUsers: ptr(200), MaxEventsPerSecond: ptr(100),
		MaxBytesPerSecond: ptr(100000), MaxChannelsPerClient: ptr(100), MaxJoinsPerSecond: ptr(100),
		MaxPresenceEventsPerSecond: ptr(100), MaxPayloadSizeInKB: ptr(100), Suspend: ptr(false), PresenceEnabled: ptr(true),
	}
}

func (s *Server) getRealtimeConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, s.extrasOf(p.Ref).realtime)
}

// updateRealtimeConfig checks the spec's ranges, merges the given fields and
// answers 204.
func (s *Server) updateRealtimeConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body realtimeConfig
	if !decodeBody(w, r, &body) {
		return
	}
	for _, f := range []struct {
		name string
		v    *int
		max  int
	}{
		{"connection_pool", body.ConnectionPool, 100},
		{"max_concurrent_users", body.MaxConcurrentUsers, 50000},
		{"max_events_per_second", body.MaxEventsPerSecond, 50000},
		{"max_bytes_per_second", body.MaxBytesPerSecond, 10000000},
		{"max_channels_per_client", body.MaxChannelsPerClient, 10000},
		{"max_joins_per_second", body.MaxJoinsPerSecond, 5000},
		{"max_presence_events_per_second", body.MaxPresenceEventsPerSecond, 5000},
		{"max_payload_size_in_kb", body.MaxPayloadSizeInKB, 10000},
	} {
		if f.v != nil && (*f.v < 1 || *f.v > f.max) {
			badRequest(w, "%s must be between 1 and %d", f.name, f.max)
			return
		}
	}
	c := &s.extrasOf(p.Ref).realtime
	for _, m := range []struct{ dst, src **int }{
		{&c.ConnectionPool, &body.ConnectionPool}, {&c.MaxConcurrentUsers, &body.MaxConcurrentUsers},
		{&c.MaxEventsPerSecond, &body.MaxEventsPerSecond}, {&c.MaxBytesPerSecond, &body.MaxBytesPerSecond},
		{&c.MaxChannelsPerClient, &body.MaxChannelsPerClient}, {&c.MaxJoinsPerSecond, &body.MaxJoinsPerSecond},
		{&c.MaxPresenceEventsPerSecond, &body.MaxPresenceEventsPerSecond}, {&c.MaxPayloadSizeInKB, &body.MaxPayloadSizeInKB},
	} {
		if *m.src != nil {
			*m.dst = *m.src
		}
	}
	for _, m := range []struct{ dst, src **bool }{
		{&c.PrivateOnly, &body.PrivateOnly}, {&c.Suspend, &body.Suspend}, {&c.PresenceEnabled, &body.PresenceEnabled},
	} {
		if *m.src != nil {
			*m.dst = *m.src
		}
	}
	writeEmpty(w, http.StatusNoContent)
}

// shutdownRealtime drops connections (the fake has none) and answers 204.
func (s *Server) shutdownRealtime(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeEmpty(w, http.StatusNoContent)
}
