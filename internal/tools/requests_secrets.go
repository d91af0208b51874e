package tools

// SecretsRequests are the secrets tool's operations.
type SecretsRequests struct{}
