package tools

// DatabaseConfigRequests are the database_config tool's operations.
type DatabaseConfigRequests struct{}
