package tools

type GetRealtimeConfig struct{ ProjectRef }
type ShutdownRealtime struct{ ProjectRef }

type UpdateRealtimeConfig struct {
	ProjectRef
	Config RealtimeConfig `json:"config" jsonschema:"required" jsonschema_description:"As get_realtime or get_storage shows it."`
}

// RealtimeConfig is UpdateRealtimeConfigBody.
type RealtimeConfig struct {
	PrivateOnly                *bool `json:"private_only,omitempty" jsonschema_description:"Allow only private channels."`
	ConnectionPool             *int  `json:"connection_pool,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Connection pool size for Realtime Authorization."`
	MaxConcurrentUsers         *int  `json:"max_concurrent_users,omitempty" jsonschema:"minimum=1,maximum=50000" jsonschema_description:"Max concurrent users."`
	MaxEventsPerSecond         *int  `json:"max_events_per_second,omitempty" jsonschema:"minimum=1,maximum=50000" jsonschema_description:"Max events per second per channel."`
	MaxBytesPerSecond          *int  `json:"max_bytes_per_second,omitempty" jsonschema:"minimum=1,maximum=10000000" jsonschema_description:"Max bytes per second per channel."`
	MaxChannelsPerClient       *int  `json:"max_channels_per_client,omitempty" jsonschema:"minimum=1,maximum=10000" jsonschema_description:"Max channels per client."`
	MaxJoinsPerSecond          *int  `json:"max_joins_per_second,omitempty" jsonschema:"minimum=1,maximum=5000" jsonschema_description:"Max joins per second."`
	MaxPresenceEventsPerSecond *int  `json:"max_presence_events_per_second,omitempty" jsonschema:"minimum=1,maximum=5000" jsonschema_description:"Max presence events per second."`
	MaxPayloadSizeInKB         *int  `json:"max_payload_size_in_kb,omitempty" jsonschema:"minimum=1,maximum=10000" jsonschema_description:"Max payload size in KB."`
	Suspend                    *bool `json:"suspend,omitempty" jsonschema_description:"true turns Realtime off for the project, false back on."`
	PresenceEnabled            *bool `json:"presence_enabled,omitempty" jsonschema_description:"Enable presence."`
}
