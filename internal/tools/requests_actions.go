package tools

// ActionsRequests are the actions tool's operations.
type ActionsRequests struct{}
