package tools

// BranchesRequests are the branches tool's operations.
type BranchesRequests struct{}
