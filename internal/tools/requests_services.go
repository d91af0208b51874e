package tools

// ServicesRequests are the services tool's operations: the settings of a
// project's Data API (PostgREST), Realtime and Storage. Their request types
// live in requests_postgrest.go, requests_realtime.go and requests_storage.go.
type ServicesRequests struct {
	GetPostgrest     GetPostgrestConfig
	UpdatePostgrest  UpdatePostgrestConfig
	GetRealtime      GetRealtimeConfig
	UpdateRealtime   UpdateRealtimeConfig
	ShutdownRealtime ShutdownRealtime
	ListBuckets      ListBuckets
	GetStorage       GetStorageConfig
	UpdateStorage    UpdateStorageConfig
}
