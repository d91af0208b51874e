package tools

// ActionsRequests are the actions tool's operations.
type ActionsRequests struct {
	List         ListActionRuns
	Count        CountActionRuns
	Get          GetActionRun
	GetLogs      GetActionRunLogs
	UpdateStatus UpdateActionRunStatus
}

type ListActionRuns struct {
	ProjectRef
	Offset *int `json:"offset,omitempty" in:"query" check:"minimum=0" jsonschema_description:"Skip count."`
	Limit  *int `json:"limit,omitempty" in:"query" jsonschema:"minimum=10" jsonschema_description:"Page size."`
}

type CountActionRuns struct{ ProjectRef }

// ActionRun addresses one action run.
type ActionRun struct {
	ProjectRef
	RunID string `json:"run_id" in:"path" jsonschema:"required" jsonschema_description:"Id."`
}

type GetActionRun struct{ ActionRun }
type GetActionRunLogs struct{ ActionRun }

// UpdateActionRunStatus takes UpdateRunStatusBody. Seven enum-typed
// properties would cost more context than the rest of the tool, so it is
// listed as a bare object and validated in full: unknown steps are named
// with their closest matches.
type UpdateActionRunStatus struct {
	ActionRun
	Steps RunSteps `json:"steps" list:"object" jsonschema:"required" jsonschema_description:"Step to status as in get's run_steps, e.g. {\"migrate\":\"RUNNING\"}."`
}

// RunSteps is UpdateRunStatusBody: each step's new status.
type RunSteps struct {
	Clone     string `json:"clone,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of clone."`
	Pull      string `json:"pull,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of pull."`
	Health    string `json:"health,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of health."`
	Configure string `json:"configure,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of configure."`
	Migrate   string `json:"migrate,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of migrate."`
	Seed      string `json:"seed,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of seed."`
	Deploy    string `json:"deploy,omitempty" jsonschema:"enum=CREATED,enum=DEAD,enum=EXITED,enum=PAUSED,enum=REMOVING,enum=RESTARTING,enum=RUNNING" jsonschema_description:"Status of deploy."`
}
