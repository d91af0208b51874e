package tools

// StorageRequests are the storage tool's operations.
type StorageRequests struct{}
