package tools

// BackupsRequests are the backups tool's operations.
type BackupsRequests struct{}
