package tools

// BillingRequests are the billing tool's operations.
type BillingRequests struct{}
