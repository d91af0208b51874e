package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// databaseConfigRoutes serves the database_config endpoint group: Postgres
// settings, pooler, SSL enforcement, disk, read-only mode and the database
// password.
func (s *Server) databaseConfigRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/config/database/postgres", s.withProject(s.getPostgresConfig))
	mux.HandleFunc("PUT /v1/projects/{ref}/config/database/postgres", s.withProject(s.updatePostgresConfig))
	mux.HandleFunc("GET /v1/projects/{ref}/config/database/pooler", s.withProject(s.getPoolerConfig))
	mux.HandleFunc("PATCH /v1/projects/{ref}/config/database/pooler", s.withProject(s.updatePoolerConfig))
	mux.HandleFunc("GET /v1/projects/{ref}/config/database/pgbouncer", s.withProject(s.getPgbouncerConfig))
	mux.HandleFunc("GET /v1/projects/{ref}/ssl-enforcement", s.withProject(s.getSSLEnforcement))
	mux.HandleFunc("PUT /v1/projects/{ref}/ssl-enforcement", s.withProject(s.updateSSLEnforcement))
	mux.HandleFunc("GET /v1/projects/{ref}/config/disk", s.withProject(s.getDisk))
	mux.HandleFunc("POST /v1/projects/{ref}/config/disk", s.withProject(s.modifyDisk))
	mux.HandleFunc("GET /v1/projects/{ref}/config/disk/autoscale", s.withProject(s.getDiskAutoscale))
	mux.HandleFunc("GET /v1/projects/{ref}/config/disk/util", s.withProject(s.getDiskUtil))
	mux.HandleFunc("GET /v1/projects/{ref}/readonly", s.withProject(s.getReadonly))
	mux.HandleFunc("POST /v1/projects/{ref}/readonly/temporary-disable", s.withProject(s.disableReadonly))
	mux.HandleFunc("PATCH /v1/projects/{ref}/database/password", s.withProject(s.updateDatabasePassword))
}

// databaseConfigFixtures names this group's seeded objects for Fixtures.
func databaseConfigFixtures() map[string]any {
	return map[string]any{
		"database_config.update_postgres.config":   map[string]any{"max_connections": 100},
		"database_config.update_pooler.config":     map[string]any{"default_pool_size": 20},
		"database_config.modify_disk.attributes":   map[string]any{"type": "gp3", "size_gb": 16, "iops": 3000},
		"database_config.update_password.password": "n3w-Str0ng-pass",
	}
}

// Defaults of a new project's database settings.
const (
	defaultPoolSize  = 15
	defaultDiskGB    = 8
	defaultDiskIOPS  = 3000
	defaultDiskMiBps = 125
	diskUsedBytes    = 1_610_612_736 // 1.5 GiB, whatever the disk size
)

// diskAttributes is one branch of the spec's gp3/io2 oneOf.
type diskAttributes struct {
	Type            string `json:"type"`
	SizeGB          int    `json:"size_gb"`
	IOPS            int    `json:"iops"`
	ThroughputMiBps *int   `json:"throughput_mibps,omitempty"`
}

// dbConfigState is a project's database settings.
type dbConfigState struct {
	postgres       map[string]any // PostgresConfigResponse
	poolSize       int
	poolMode       string
	sslEnforced    bool
	disk           diskAttributes
	diskModifiedAt string
	overrideUntil  time.Time
}

var dbConfigs = perProject[dbConfigState]{init: func(*Server, *projectState) *dbConfigState {
	mibps := defaultDiskMiBps
	return &dbConfigState{
		postgres: map[string]any{
			"effective_cache_size": "384MB", "maintenance_work_mem": "32MB", "max_connections": 60,
			"max_locks_per_transaction": 64, "max_parallel_workers": 2, "max_parallel_workers_per_gather": 1,
			"max_replication_slots": 5, "max_wal_senders": 5, "max_worker_processes": 6,
			"session_replication_role": "origin", "shared_buffers": "128MB", "statement_timeout": "2min",
			"work_mem": "2184kB",
		},
		poolSize: defaultPoolSize,
		poolMode: "transaction",
		disk:     diskAttributes{Type: "gp3", SizeGB: defaultDiskGB, IOPS: defaultDiskIOPS, ThroughputMiBps: &mibps},
	}
}}

func (s *Server) getPostgresConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, dbConfigs.of(s, p).postgres)
}

// postgresConfigBody is UpdatePostgresConfigBody (additionalProperties: false).
type postgresConfigBody struct {
	EffectiveCacheSize            *string `json:"effective_cache_size"`
	LogicalDecodingWorkMem        *string `json:"logical_decoding_work_mem"`
	MaintenanceWorkMem            *string `json:"maintenance_work_mem"`
	TrackActivityQuerySize        *string `json:"track_activity_query_size"`
	MaxConnections                *int64  `json:"max_connections"`
	MaxLocksPerTransaction        *int64  `json:"max_locks_per_transaction"`
	MaxParallelMaintenanceWorkers *int64  `json:"max_parallel_maintenance_workers"`
	MaxParallelWorkers            *int64  `json:"max_parallel_workers"`
	MaxParallelWorkersPerGather   *int64  `json:"max_parallel_workers_per_gather"`
	MaxReplicationSlots           *int64  `json:"max_replication_slots"`
	MaxSlotWalKeepSize            *string `json:"max_slot_wal_keep_size"`
	MaxStandbyArchiveDelay        *string `json:"max_standby_archive_delay"`
	MaxStandbyStreamingDelay      *string `json:"max_standby_streaming_delay"`
	MaxWalSize                    *string `json:"max_wal_size"`
	MaxWalSenders                 *int64  `json:"max_wal_senders"`
	MaxWorkerProcesses            *int64  `json:"max_worker_processes"`
	SessionReplicationRole        *string `json:"session_replication_role"`
	SharedBuffers                 *string `json:"shared_buffers"`
	StatementTimeout              *string `json:"statement_timeout"`
	TrackCommitTimestamp          *bool   `json:"track_commit_timestamp"`
	WalKeepSize                   *string `json:"wal_keep_size"`
	WalSenderTimeout              *string `json:"wal_sender_timeout"`
	WorkMem                       *string `json:"work_mem"`
	CheckpointTimeout             *string `json:"checkpoint_timeout"`
	HotStandbyFeedback            *bool   `json:"hot_standby_feedback"`
	RestartDatabase               *bool   `json:"restart_database"`
}

var (
	pgDurationRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(-?[0-9]+(?:\.[0-9]+)?)(us|ms|s|min|h|d)?$`) })
	pgSizeRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?[0-9]+(B|kB|MB|GB|TB)?$`) })
)

// validate checks the spec's ranges, enum and duration patterns, and that
// sizes read like Postgres sizes (the real API hands them to Postgres).
func (b *postgresConfigBody) validate() error {
	for _, c := range []struct {
		name   string
		v      *int64
		lo, hi int64
	}{
		{"max_connections", b.MaxConnections, 1, 262143},
		{"max_locks_per_transaction", b.MaxLocksPerTransaction, 10, 2147483640},
		{"max_parallel_maintenance_workers", b.MaxParallelMaintenanceWorkers, 0, 1024},
		{"max_parallel_workers", b.MaxParallelWorkers, 0, 1024},
		{"max_parallel_workers_per_gather", b.MaxParallelWorkersPerGather, 0, 1024},
		{"max_worker_processes", b.MaxWorkerProcesses, 0, 262143},
	} {
		if c.v != nil && (*c.v < c.lo || *c.v > c.hi) {
			return fmt.Errorf("%s must be between %d and %d", c.name, c.lo, c.hi)
		}
	}
	if v := b.SessionReplicationRole; v != nil && *v != "origin" && *v != "replica" && *v != "local" {
		return fmt.Errorf("session_replication_role must be origin, replica or local")
	}
	for name, v := range map[string]*string{
		"statement_timeout": b.StatementTimeout, "wal_sender_timeout": b.WalSenderTimeout,
		"checkpoint_timeout": b.CheckpointTimeout, "max_standby_archive_delay": b.MaxStandbyArchiveDelay,
		"max_standby_streaming_delay": b.MaxStandbyStreamingDelay,
	} {
		if v != nil && !pgDurationRE().MatchString(*v) {
			return fmt.Errorf("%s %q is not a duration such as 60s or 500ms", name, *v)
		}
	}
	for name, v := range map[string]*string{
		"effective_cache_size": b.EffectiveCacheSize, "logical_decoding_work_mem": b.LogicalDecodingWorkMem,
		"maintenance_work_mem": b.MaintenanceWorkMem, "track_activity_query_size": b.TrackActivityQuerySize,
		"max_slot_wal_keep_size": b.MaxSlotWalKeepSize, "max_wal_size": b.MaxWalSize,
		"shared_buffers": b.SharedBuffers, "wal_keep_size": b.WalKeepSize, "work_mem": b.WorkMem,
	} {
		if v != nil && !pgSizeRE().MatchString(*v) {
			return fmt.Errorf("%s %q is not a size such as 64MB", name, *v)
		}
	}
	return nil
}

// updatePostgresConfig merges the given settings and answers the whole
// configuration.
func (s *Server) updatePostgresConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body postgresConfigBody
	if !decodeBody(w, r, &body) {
		return
	}
	if err := body.validate(); err != nil {
		badRequest(w, "%v", err)
		return
	}
	if !requireActive(w, p) {
		return
	}
	body.RestartDatabase = nil
	raw, _ := json.Marshal(body)
	var changes map[string]any
	_ = json.Unmarshal(raw, &changes)
	st := dbConfigs.of(s, p)
	for k, v := range changes {
		if v != nil {
			st.postgres[k] = v
		}
	}
	writeJSON(w, http.StatusOK, st.postgres)
}

// poolerEntry is SupavisorConfigResponse.
func poolerEntry(ref, identifier, dbType, region string, size int, mode string) map[string]any {
	host := "aws-0-" + region + ".pooler.supabase.com"
	conn := fmt.Sprintf("postgresql://postgres.%s:[YOUR-PASSWORD]@%s:6543/postgres", ref, host)
	return map[string]any{
		"identifier": identifier, "database_type": dbType, "is_using_scram_auth": true,
		"db_user": "postgres." + ref, "db_host": host, "db_port": 6543, "db_name": "postgres",
		"connection_string": conn, "connectionString": conn,
		"default_pool_size": size, "max_client_conn": 200, "pool_mode": mode,
	}
}

// getPoolerConfig lists the primary and every read replica.
func (s *Server) getPoolerConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	st := dbConfigs.of(s, p)
	out := []map[string]any{poolerEntry(p.Ref, p.Ref, "PRIMARY", p.Region, st.poolSize, st.poolMode)}
	for _, rr := range readReplicas.of(s, p).replicas {
		out = append(out, poolerEntry(p.Ref, rr.identifier, "READ_REPLICA", rr.region, st.poolSize, st.poolMode))
	}
	writeJSON(w, http.StatusOK, out)
}

// updatePoolerConfig: default_pool_size null resets the size to the default.
func (s *Server) updatePoolerConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		DefaultPoolSize json.RawMessage `json:"default_pool_size"`
		PoolMode        *string         `json:"pool_mode"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	size := -1
	switch raw := string(body.DefaultPoolSize); raw {
	case "":
	case "null":
		size = defaultPoolSize
	default:
		if err := json.Unmarshal(body.DefaultPoolSize, &size); err != nil || size < 0 || size > 3000 {
			badRequest(w, "default_pool_size must be an integer between 0 and 3000")
			return
		}
	}
	if body.PoolMode != nil && *body.PoolMode != "transaction" && *body.PoolMode != "session" {
		badRequest(w, "pool_mode must be transaction or session")
		return
	}
	st := dbConfigs.of(s, p)
	if size >= 0 {
		st.poolSize = size
	}
	if body.PoolMode != nil {
		st.poolMode = *body.PoolMode
	}
	writeJSON(w, http.StatusOK, map[string]any{"default_pool_size": st.poolSize, "pool_mode": st.poolMode})
}

// getPgbouncerConfig is V1PgbouncerConfigResponse, canned.
func (s *Server) getPgbouncerConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]any{
		"default_pool_size": defaultPoolSize, "ignore_startup_parameters": "extra_float_digits",
		"max_client_conn": 200, "pool_mode": "transaction",
		"connection_string":   "postgresql://postgres:[YOUR-PASSWORD]@" + p.Database.Host + ":6543/postgres",
		"server_idle_timeout": 600, "server_lifetime": 3600, "query_wait_timeout": 120, "reserve_pool_size": 0,
	})
}

func sslResponse(enforced bool) map[string]any {
	return map[string]any{"currentConfig": map[string]any{"database": enforced}, "appliedSuccessfully": true}
}

func (s *Server) getSSLEnforcement(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, sslResponse(dbConfigs.of(s, p).sslEnforced))
}

func (s *Server) updateSSLEnforcement(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		RequestedConfig *struct {
			Database *bool `json:"database"`
		} `json:"requestedConfig"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.RequestedConfig == nil || body.RequestedConfig.Database == nil {
		badRequest(w, "requestedConfig.database is required")
		return
	}
	st := dbConfigs.of(s, p)
	st.sslEnforced = *body.RequestedConfig.Database
	writeJSON(w, http.StatusOK, sslResponse(st.sslEnforced))
}

// getDisk is DiskResponse.
func (s *Server) getDisk(w http.ResponseWriter, r *http.Request, p *projectState) {
	st := dbConfigs.of(s, p)
	out := map[string]any{"attributes": st.disk}
	if st.diskModifiedAt != "" {
		out["last_modified_at"] = st.diskModifiedAt
	}
	writeJSON(w, http.StatusOK, out)
}

// modifyDisk checks DiskRequestBody's gp3/io2 oneOf and refuses to shrink.
func (s *Server) modifyDisk(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Attributes *struct {
			Type            string `json:"type"`
			SizeGB          *int   `json:"size_gb"`
			IOPS            *int   `json:"iops"`
			ThroughputMiBps *int   `json:"throughput_mibps"`
		} `json:"attributes"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	a := body.Attributes
	switch {
	case a == nil:
		badRequest(w, "attributes is required")
	case a.Type != "gp3" && a.Type != "io2":
		badRequest(w, "attributes.type must be gp3 or io2")
	case a.SizeGB == nil || *a.SizeGB <= 0 || a.IOPS == nil || *a.IOPS <= 0:
		badRequest(w, "attributes.size_gb and attributes.iops are required positive integers")
	case a.ThroughputMiBps != nil && (a.Type != "gp3" || *a.ThroughputMiBps <= 0):
		badRequest(w, "attributes.throughput_mibps is a positive integer, for gp3 disks only")
	default:
		if !requireActive(w, p) {
			return
		}
		st := dbConfigs.of(s, p)
		if *a.SizeGB < st.disk.SizeGB {
			badRequest(w, "Disk size cannot be decreased: it is %d GB, requested %d GB", st.disk.SizeGB, *a.SizeGB)
			return
		}
		st.disk = diskAttributes{Type: a.Type, SizeGB: *a.SizeGB, IOPS: *a.IOPS, ThroughputMiBps: a.ThroughputMiBps}
		if a.Type == "gp3" && a.ThroughputMiBps == nil {
			mibps := defaultDiskMiBps
			st.disk.ThroughputMiBps = &mibps
		}
		st.diskModifiedAt = time.Now().UTC().Format(time.RFC3339)
		writeEmpty(w, http.StatusCreated)
	}
}

// getDiskAutoscale is DiskAutoscaleConfig, canned.
func (s *Server) getDiskAutoscale(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]any{"growth_percent": 50, "min_increment_gb": 4, "max_size_gb": 200})
}

// getDiskUtil is DiskUtilMetricsResponse for the current disk size.
func (s *Server) getDiskUtil(w http.ResponseWriter, r *http.Request, p *projectState) {
	size := float64(dbConfigs.of(s, p).disk.SizeGB) * (1 << 30)
	writeJSON(w, http.StatusOK, map[string]any{
		"timestamp": time.Now().UTC().Format(time.RFC3339),
		"metrics":   map[string]any{"fs_size_bytes": size, "fs_avail_bytes": size - diskUsedBytes, "fs_used_bytes": diskUsedBytes},
	})
}

// getReadonly is ReadOnlyStatusResponse. The fake's disks never fill up, so
// read-only mode is never on; override_active_until is empty until an
// override is asked for.
func (s *Server) getReadonly(w http.ResponseWriter, r *http.Request, p *projectState) {
	st := dbConfigs.of(s, p)
	until := ""
	if !st.overrideUntil.IsZero() {
		until = st.overrideUntil.Format(time.RFC3339)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"enabled": false, "override_enabled": time.Now().Before(st.overrideUntil), "override_active_until": until,
	})
}

// disableReadonly allows writes for the next 15 minutes.
func (s *Server) disableReadonly(w http.ResponseWriter, r *http.Request, p *projectState) {
	dbConfigs.of(s, p).overrideUntil = time.Now().UTC().Add(15 * time.Minute).Truncate(time.Second)
	writeEmpty(w, http.StatusCreated)
}

// updateDatabasePassword is V1UpdatePasswordResponse; the fake keeps no
// password.
func (s *Server) updateDatabasePassword(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Password *string `json:"password"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Password == nil || len([]rune(*body.Password)) < 4 {
		badRequest(w, "password is required and must have at least 4 characters")
		return
	}
	if !requireActive(w, p) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Database password updated"})
}
