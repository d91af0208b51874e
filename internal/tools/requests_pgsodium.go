package tools

// PgsodiumRequests are the pgsodium tool's operations.
type PgsodiumRequests struct{}
