package tools

// SnippetsRequests are the snippets tool's operations.
type SnippetsRequests struct{}
