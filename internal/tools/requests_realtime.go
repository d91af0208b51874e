package tools

// RealtimeRequests are the realtime tool's operations.
type RealtimeRequests struct{}
