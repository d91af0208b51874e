package tools

type ListBuckets struct{ ProjectRef }
type GetStorageConfig struct{ ProjectRef }

// UpdateStorageConfig takes UpdateStorageConfigBody. With only three
// top-level fields a typed body would be listed in full, every nested feature
// field with it; list:"object" lists it bare, and it is still validated in
// full (unknown fields with their closest names, required nested fields,
// ranges, enums) before it is sent.
type UpdateStorageConfig struct {
	ProjectRef
	Config StorageConfig `json:"config" list:"object" jsonschema:"required" jsonschema_description:"As get_storage shows, e.g. {\"fileSizeLimit\":52428800}."`
}

// StorageConfig is UpdateStorageConfigBody.
type StorageConfig struct {
	FileSizeLimit *int64           `json:"fileSizeLimit,omitempty" jsonschema:"minimum=0,maximum=536870912000" jsonschema_description:"Max upload size in bytes."`
	Features      *StorageFeatures `json:"features,omitempty" jsonschema_description:"Feature switches."`
	External      *StorageExternal `json:"external,omitempty" jsonschema_description:"Storage service rollout track."`
}

type StorageFeatures struct {
	ImageTransformation *Toggle        `json:"imageTransformation,omitempty" jsonschema_description:"Image resizing."`
	S3Protocol          *Toggle        `json:"s3Protocol,omitempty" jsonschema_description:"S3-compatible endpoint."`
	IcebergCatalog      *IcebergLimits `json:"icebergCatalog,omitempty" jsonschema_description:"Iceberg catalog and its limits."`
	VectorBuckets       *VectorLimits  `json:"vectorBuckets,omitempty" jsonschema_description:"Vector buckets and their limits."`
}

type Toggle struct {
	Enabled bool `json:"enabled" jsonschema:"required" jsonschema_description:"On or off."`
}

type IcebergLimits struct {
	Enabled       bool `json:"enabled" jsonschema:"required" jsonschema_description:"On or off."`
	MaxNamespaces int  `json:"maxNamespaces" jsonschema:"required,minimum=0" jsonschema_description:"Max namespaces."`
	MaxTables     int  `json:"maxTables" jsonschema:"required,minimum=0" jsonschema_description:"Max tables."`
	MaxCatalogs   int  `json:"maxCatalogs" jsonschema:"required,minimum=0" jsonschema_description:"Max catalogs."`
}

type VectorLimits struct {
	Enabled    bool `json:"enabled" jsonschema:"required" jsonschema_description:"On or off."`
	MaxBuckets int  `json:"maxBuckets" jsonschema:"required,minimum=0" jsonschema_description:"Max buckets."`
	MaxIndexes int  `json:"maxIndexes" jsonschema:"required,minimum=0" jsonschema_description:"Max indexes."`
}

type StorageExternal struct {
	UpstreamTarget string `json:"upstreamTarget" jsonschema:"required,enum=main,enum=canary" jsonschema_description:"main or canary."`
}
