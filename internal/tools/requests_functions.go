package tools

// FunctionsRequests are the functions tool's operations.
type FunctionsRequests struct{}
