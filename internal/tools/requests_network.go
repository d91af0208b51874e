package tools

// NetworkRequests are the network tool's operations.
type NetworkRequests struct{}
