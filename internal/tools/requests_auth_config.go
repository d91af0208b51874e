package tools

// AuthConfigRequests are the auth_config tool's operations.
type AuthConfigRequests struct{}
