package tools

import (
	"fmt"
	"slices"
	"strings"
)

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
	Offset *int `json:"offset,omitempty" in:"query" jsonschema:"minimum=0" jsonschema_description:"Skip count."`
	Limit  *int `json:"limit,omitempty" in:"query" jsonschema:"minimum=10" jsonschema_description:"Page size."`
}

type CountActionRuns struct{ ProjectRef }

// ActionRun addresses one action run.
type ActionRun struct {
	ProjectRef
	RunID string `json:"run_id" in:"path" jsonschema:"required" jsonschema_description:"Run id."`
}

type GetActionRun struct{ ActionRun }
type GetActionRunLogs struct{ ActionRun }

// UpdateActionRunStatus takes UpdateRunStatusBody as a map from step to
// status: seven enum-typed properties would cost more context than the rest
// of the tool, so the names are checked here instead of in the schema.
type UpdateActionRunStatus struct {
	ActionRun
	Steps map[string]string `json:"steps" jsonschema:"required" jsonschema_description:"Step to status as in get's run_steps, e.g. {\"migrate\":\"RUNNING\"}."`
}

var (
	actionSteps    = []string{"clone", "pull", "health", "configure", "migrate", "seed", "deploy"}
	actionStatuses = []string{"CREATED", "DEAD", "EXITED", "PAUSED", "REMOVING", "RESTARTING", "RUNNING"}
)

// Validate checks step names and statuses against the spec's enums.
func (r UpdateActionRunStatus) Validate() error {
	for _, step := range sortedKeys(r.Steps) {
		if !slices.Contains(actionSteps, step) {
			msg := fmt.Sprintf("steps: unknown step %s", step)
			if near := closest(step, actionSteps, 3); len(near) > 0 {
				msg += "; did you mean " + strings.Join(near, " or ") + "?"
			}
			return fmt.Errorf("%s Steps: %s", msg, strings.Join(actionSteps, ", "))
		}
		if st := r.Steps[step]; !slices.Contains(actionStatuses, st) {
			return fmt.Errorf("steps.%s %q is not one of %s", step, st, strings.Join(actionStatuses, ", "))
		}
	}
	return nil
}
