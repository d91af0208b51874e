package tools

// ApiKeysRequests are the api_keys tool's operations.
type ApiKeysRequests struct{}
