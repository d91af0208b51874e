package sandbox

import (
	"errors"
	"net/http"
)

// storageRoutes serves the storage endpoint group.
func (s *Server) storageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/storage/buckets", s.withProject(s.listBuckets))
	mux.HandleFunc("GET /v1/projects/{ref}/config/storage", s.withProject(s.getStorageConfig))
	mux.HandleFunc("PATCH /v1/projects/{ref}/config/storage", s.withProject(s.updateStorageConfig))
}

// storageFixtures names this group's seeded objects for Fixtures.
func storageFixtures() map[string]any { return nil }

// listBuckets is V1StorageBucketResponse[]: every project has the same two
// buckets.
func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request, p *projectState) {
	bucket := func(name string, public bool) map[string]any {
		return map[string]any{"id": name, "name": name, "owner": "", "public": public,
			"created_at": p.CreatedAt, "updated_at": p.CreatedAt}
	}
	writeJSON(w, http.StatusOK, []any{bucket("avatars", true), bucket("documents", false)})
}

type toggle struct {
	Enabled *bool `json:"enabled"`
}

type icebergCatalog struct {
	Enabled       *bool `json:"enabled"`
	MaxNamespaces *int  `json:"maxNamespaces"`
	MaxTables     *int  `json:"maxTables"`
	MaxCatalogs   *int  `json:"maxCatalogs"`
}

type vectorBuckets struct {
	Enabled    *bool `json:"enabled"`
	MaxBuckets *int  `json:"maxBuckets"`
	MaxIndexes *int  `json:"maxIndexes"`
}

type storageFeatures struct {
	ImageTransformation *toggle         `json:"imageTransformation,omitempty"`
	S3Protocol          *toggle         `json:"s3Protocol,omitempty"`
	IcebergCatalog      *icebergCatalog `json:"icebergCatalog,omitempty"`
	VectorBuckets       *vectorBuckets  `json:"vectorBuckets,omitempty"`
}

type storageExternal struct {
	UpstreamTarget string `json:"upstreamTarget"`
}

// storageConfig is StorageConfigResponse; updateStorageBody is
// UpdateStorageConfigBody (every field optional, nested objects complete).
type storageConfig struct {
	FileSizeLimit    int64           `json:"fileSizeLimit"`
	Features         storageFeatures `json:"features"`
	Capabilities     map[string]bool `json:"capabilities"`
	External         storageExternal `json:"external"`
	MigrationVersion string          `json:"migrationVersion"`
	DatabasePoolMode string          `json:"databasePoolMode"`
}

type updateStorageBody struct {
	FileSizeLimit *int64           `json:"fileSizeLimit"`
	Features      *storageFeatures `json:"features"`
	External      *storageExternal `json:"external"`
}

func ptr[T any](v T) *T { return &v }

func defaultStorageConfig() storageConfig {
	return storageConfig{
		FileSizeLimit: 50 << 20,
		Features: storageFeatures{
			ImageTransformation: &toggle{ptr(true)},
			S3Protocol:          &toggle{ptr(true)},
			IcebergCatalog:      &icebergCatalog{ptr(false), ptr(0), ptr(0), ptr(0)},
			VectorBuckets:       &vectorBuckets{ptr(false), ptr(0), ptr(0)},
		},
		Capabilities:     map[string]bool{"list_v2": true, "iceberg_catalog": false},
		External:         storageExternal{UpstreamTarget: "main"},
		MigrationVersion: "fix-object-level",
		DatabasePoolMode: "recycle",
	}
}

func (s *Server) getStorageConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, s.extrasOf(p.Ref).storage)
}

// validate checks required nested fields and ranges, as the spec says.
func (b *updateStorageBody) validate() error {
	nonNeg := func(ns ...*int) bool {
		for _, n := range ns {
			if n == nil || *n < 0 {
				return false
			}
		}
		return true
	}
	f := b.Features
	switch {
	case b.FileSizeLimit != nil && (*b.FileSizeLimit < 0 || *b.FileSizeLimit > 536870912000):
		return errors.New("fileSizeLimit must be between 0 and 536870912000")
	case f != nil && f.ImageTransformation != nil && f.ImageTransformation.Enabled == nil,
		f != nil && f.S3Protocol != nil && f.S3Protocol.Enabled == nil:
		return errors.New("features: enabled is required")
	case f != nil && f.IcebergCatalog != nil && (f.IcebergCatalog.Enabled == nil ||
		!nonNeg(f.IcebergCatalog.MaxNamespaces, f.IcebergCatalog.MaxTables, f.IcebergCatalog.MaxCatalogs)):
		return errors.New("features.icebergCatalog needs enabled, maxNamespaces, maxTables and maxCatalogs (>= 0)")
	case f != nil && f.VectorBuckets != nil && (f.VectorBuckets.Enabled == nil ||
		!nonNeg(f.VectorBuckets.MaxBuckets, f.VectorBuckets.MaxIndexes)):
		return errors.New("features.vectorBuckets needs enabled, maxBuckets and maxIndexes (>= 0)")
	case b.External != nil && b.External.UpstreamTarget != "main" && b.External.UpstreamTarget != "canary":
		return errors.New("external.upstreamTarget must be main or canary")
	}
	return nil
}

// updateStorageConfig merges the given fields and answers 200 with no body.
func (s *Server) updateStorageConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body updateStorageBody
	if !decodeBody(w, r, &body) {
		return
	}
	if err := body.validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c := &s.extrasOf(p.Ref).storage
	if body.FileSizeLimit != nil {
		c.FileSizeLimit = *body.FileSizeLimit
	}
	if f := body.Features; f != nil {
		if f.ImageTransformation != nil {
			c.Features.ImageTransformation = f.ImageTransformation
		}
		if f.S3Protocol != nil {
			c.Features.S3Protocol = f.S3Protocol
		}
		if f.IcebergCatalog != nil {
			c.Features.IcebergCatalog = f.IcebergCatalog
			c.Capabilities["iceberg_catalog"] = *f.IcebergCatalog.Enabled
		}
		if f.VectorBuckets != nil {
			c.Features.VectorBuckets = f.VectorBuckets
		}
	}
	if body.External != nil {
		c.External = *body.External
	}
	writeEmpty(w, http.StatusOK)
}
