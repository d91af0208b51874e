package tools

import "errors"

// DatabaseConfigRequests are the database_config tool's operations.
type DatabaseConfigRequests struct {
	GetPostgres      GetPostgresConfig
	UpdatePostgres   UpdatePostgresConfig
	GetPooler        GetPoolerConfig
	UpdatePooler     UpdatePoolerConfig
	GetPgbouncer     GetPgbouncerConfig
	GetSSL           GetSSLEnforcement
	UpdateSSL        UpdateSSLEnforcement
	GetDisk          GetDatabaseDisk
	ModifyDisk       ModifyDatabaseDisk
	GetAutoscale     GetDiskAutoscaleConfig
	GetDiskUsage     GetDiskUtilization
	GetReadonly      GetReadonlyMode
	DisableReadonly  DisableReadonlyMode
	UpdatePassword   UpdateDatabasePassword
	CreateLoginRole  CreateCliLoginRole
	DeleteLoginRoles DeleteCliLoginRoles
	SetupReplica     SetupReadReplica
	RemoveReplica    RemoveReadReplica
	GetPgsodium      GetPgsodiumConfig
	UpdatePgsodium   UpdatePgsodiumConfig
}

type GetPostgresConfig struct{ ProjectRef }

// PostgresConfig is UpdatePostgresConfigBody: every setting optional; only
// the ones given change.
type PostgresConfig struct {
	EffectiveCacheSize            string `json:"effective_cache_size,omitempty" jsonschema_description:"Size, e.g. 4GB."`
	LogicalDecodingWorkMem        string `json:"logical_decoding_work_mem,omitempty" jsonschema_description:"Size, e.g. 64MB."`
	MaintenanceWorkMem            string `json:"maintenance_work_mem,omitempty" jsonschema_description:"Size, e.g. 64MB."`
	TrackActivityQuerySize        string `json:"track_activity_query_size,omitempty" jsonschema_description:"Bytes of query text tracked, e.g. 2048."`
	MaxConnections                *int   `json:"max_connections,omitempty" jsonschema:"minimum=1,maximum=262143" jsonschema_description:"Maximum client connections."`
	MaxLocksPerTransaction        *int   `json:"max_locks_per_transaction,omitempty" jsonschema:"minimum=10,maximum=2147483640" jsonschema_description:"Locks per transaction."`
	MaxParallelMaintenanceWorkers *int   `json:"max_parallel_maintenance_workers,omitempty" jsonschema:"minimum=0,maximum=1024" jsonschema_description:"Parallel workers per maintenance command."`
	MaxParallelWorkers            *int   `json:"max_parallel_workers,omitempty" jsonschema:"minimum=0,maximum=1024" jsonschema_description:"Parallel workers in all."`
	MaxParallelWorkersPerGather   *int   `json:"max_parallel_workers_per_gather,omitempty" jsonschema:"minimum=0,maximum=1024" jsonschema_description:"Parallel workers per query node."`
	MaxReplicationSlots           *int   `json:"max_replication_slots,omitempty" jsonschema_description:"Replication slots."`
	MaxSlotWalKeepSize            string `json:"max_slot_wal_keep_size,omitempty" jsonschema_description:"Size, e.g. 4GB or -1."`
	MaxStandbyArchiveDelay        string `json:"max_standby_archive_delay,omitempty" jsonschema_description:"Duration, e.g. 30s."`
	MaxStandbyStreamingDelay      string `json:"max_standby_streaming_delay,omitempty" jsonschema_description:"Duration, e.g. 30s."`
	MaxWalSize                    string `json:"max_wal_size,omitempty" jsonschema_description:"Size, e.g. 1GB."`
	MaxWalSenders                 *int   `json:"max_wal_senders,omitempty" jsonschema_description:"WAL sender processes."`
	MaxWorkerProcesses            *int   `json:"max_worker_processes,omitempty" jsonschema:"minimum=0,maximum=262143" jsonschema_description:"Background worker processes."`
	SessionReplicationRole        string `json:"session_replication_role,omitempty" jsonschema:"enum=origin,enum=replica,enum=local" jsonschema_description:"Replication role of sessions."`
	SharedBuffers                 string `json:"shared_buffers,omitempty" jsonschema_description:"Size, e.g. 256MB."`
	StatementTimeout              string `json:"statement_timeout,omitempty" jsonschema:"pattern=^(-?[0-9]+(?:\\.[0-9]+)?)(us|ms|s|min|h|d)?$" jsonschema_description:"Duration, default unit ms, e.g. 60s."`
	TrackCommitTimestamp          *bool  `json:"track_commit_timestamp,omitempty" jsonschema_description:"Record commit times."`
	WalKeepSize                   string `json:"wal_keep_size,omitempty" jsonschema_description:"Size, e.g. 1GB."`
	WalSenderTimeout              string `json:"wal_sender_timeout,omitempty" jsonschema:"pattern=^(-?[0-9]+(?:\\.[0-9]+)?)(us|ms|s|min|h|d)?$" jsonschema_description:"Duration, default unit ms."`
	WorkMem                       string `json:"work_mem,omitempty" jsonschema_description:"Size, e.g. 4MB."`
	CheckpointTimeout             string `json:"checkpoint_timeout,omitempty" jsonschema:"pattern=^(-?[0-9]+(?:\\.[0-9]+)?)(us|ms|s|min|h|d)?$" jsonschema_description:"Duration, default unit s."`
	HotStandbyFeedback            *bool  `json:"hot_standby_feedback,omitempty" jsonschema_description:"Replicas report queries to the primary."`
	RestartDatabase               *bool  `json:"restart_database,omitempty" jsonschema_description:"Restart Postgres to apply now."`
}

// update_pooler shares the whole-body argument name config with
// update_postgres: the listing shows update_postgres's bare object, whose
// description covers both, and each operation validates config against its
// own struct.
type UpdatePostgresConfig struct {
	ProjectRef
	Config PostgresConfig `json:"config" jsonschema:"required" jsonschema_description:"As get_postgres shows, plus restart_database; pooler: default_pool_size, pool_mode."`
}

var errEmptyConfig = errors.New("config is empty: give at least one setting to change")

// Validate refuses an update that changes nothing.
func (r UpdatePostgresConfig) Validate() error {
	if r.Config == (PostgresConfig{}) {
		return errEmptyConfig
	}
	return nil
}

type GetPoolerConfig struct{ ProjectRef }

// PoolerConfig is UpdateSupavisorConfigBody.
type PoolerConfig struct {
	DefaultPoolSize *int   `json:"default_pool_size,omitempty" jsonschema:"minimum=0,maximum=3000" jsonschema_description:"Server connections per user and database."`
	PoolMode        string `json:"pool_mode,omitempty" jsonschema:"enum=transaction,enum=session" jsonschema_description:"Pooling mode."`
}

type UpdatePoolerConfig struct {
	ProjectRef
	Config PoolerConfig `json:"config" jsonschema:"required" jsonschema_description:"Pooler settings to change."`
}

// Validate refuses an update that changes nothing.
func (r UpdatePoolerConfig) Validate() error {
	if r.Config == (PoolerConfig{}) {
		return errEmptyConfig
	}
	return nil
}

type GetPgbouncerConfig struct{ ProjectRef }

type GetSSLEnforcement struct{ ProjectRef }

// SSLEnforcementConfig is the requestedConfig object.
type SSLEnforcementConfig struct {
	Database bool `json:"database" jsonschema:"required" jsonschema_description:"Require SSL."`
}

type UpdateSSLEnforcement struct {
	ProjectRef
	RequestedConfig SSLEnforcementConfig `json:"requestedConfig" list:"object" jsonschema:"required" jsonschema_description:"{database: true requires SSL}."`
}

type GetDatabaseDisk struct{ ProjectRef }

// DiskAttributes is the spec's oneOf of a gp3 and an io2 disk, flattened:
// throughput_mibps is for gp3 only (checked in Validate).
type DiskAttributes struct {
	Type            string `json:"type" jsonschema:"required,enum=gp3,enum=io2" jsonschema_description:"Type."`
	SizeGB          int    `json:"size_gb" jsonschema:"required,minimum=1" jsonschema_description:"GB."`
	IOPS            int    `json:"iops" jsonschema:"required,minimum=1" jsonschema_description:"IOPS."`
	ThroughputMiBps *int   `json:"throughput_mibps,omitempty" jsonschema:"minimum=1" jsonschema_description:"MiB/s (gp3)."`
}

type ModifyDatabaseDisk struct {
	ProjectRef
	Attributes DiskAttributes `json:"attributes" list:"object" jsonschema:"required" jsonschema_description:"{type: gp3|io2, size_gb, iops, throughput_mibps? (gp3 only)}."`
}

// Validate checks what the flattened oneOf cannot say.
func (r ModifyDatabaseDisk) Validate() error {
	if r.Attributes.Type == "io2" && r.Attributes.ThroughputMiBps != nil {
		return errors.New("attributes.throughput_mibps is for gp3 disks only; leave it out for io2")
	}
	return nil
}

type GetDiskAutoscaleConfig struct{ ProjectRef }

type GetDiskUtilization struct{ ProjectRef }

type GetReadonlyMode struct{ ProjectRef }

type DisableReadonlyMode struct{ ProjectRef }

type UpdateDatabasePassword struct {
	ProjectRef
	Password string `json:"password" secret:"true" jsonschema:"required,minLength=4" jsonschema_description:"Omit: user types it."`
}
