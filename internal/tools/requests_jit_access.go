package tools

// JitAccessRequests are the jit_access tool's operations.
type JitAccessRequests struct{}
