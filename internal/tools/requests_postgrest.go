package tools

// PostgrestRequests are the postgrest tool's operations.
type PostgrestRequests struct{}
