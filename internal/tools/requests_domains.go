package tools

// DomainsRequests are the domains tool's operations.
type DomainsRequests struct{}
