package tools

// ReadReplicasRequests are the read_replicas tool's operations.
type ReadReplicasRequests struct{}
