package tools

// AdvisorsRequests are the advisors tool's operations.
type AdvisorsRequests struct{}
