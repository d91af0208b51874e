package tools

// AnalyticsRequests are the analytics tool's operations.
type AnalyticsRequests struct{}
