package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// actionsRoutes serves the actions endpoint group.
func (s *Server) actionsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/actions", s.withProject(s.listActionRuns))
	mux.HandleFunc("HEAD /v1/projects/{ref}/actions", s.withProject(s.countActionRuns))
	mux.HandleFunc("GET /v1/projects/{ref}/actions/{run_id}", s.withProject(s.withRun(s.getActionRun)))
	mux.HandleFunc("GET /v1/projects/{ref}/actions/{run_id}/logs", s.withProject(s.withRun(s.actionRunLogs)))
	mux.HandleFunc("PATCH /v1/projects/{ref}/actions/{run_id}/status", s.withProject(s.withRun(s.updateActionRunStatus)))
}

// actionsFixtures names this group's seeded objects for Fixtures.
func actionsFixtures() map[string]any {
	return map[string]any{"run_id": SeedActionRunID}
}

// runStep is an item of run_steps.
type runStep struct {
	Name      string `json:"name"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// actionRun is ActionRunResponse.
type actionRun struct {
	ID         string    `json:"id"`
	BranchID   string    `json:"branch_id"`
	RunSteps   []runStep `json:"run_steps"`
	GitConfig  any       `json:"git_config"`
	Workdir    *string   `json:"workdir"`
	CheckRunID *int      `json:"check_run_id"`
	CreatedAt  string    `json:"created_at"`
	UpdatedAt  string    `json:"updated_at"`
	logs       string
}

var (
	runStepNames    = []string{"clone", "pull", "health", "configure", "migrate", "seed", "deploy"}
	runStepStatuses = []string{"CREATED", "DEAD", "EXITED", "PAUSED", "REMOVING", "RESTARTING", "RUNNING"}
)

// seedActionRuns: a finished run and one still migrating.
func seedActionRuns() []*actionRun {
	mk := func(id, at string, statuses []string, logs string) *actionRun {
		run := &actionRun{ID: id, BranchID: "4f3e2d1c-0b9a-4876-9543-210fedcba987", Workdir: ptr("supabase"),
			CheckRunID: ptr(24680), CreatedAt: at, UpdatedAt: at, logs: logs,
			GitConfig: map[string]any{"branch": "feature/profiles", "sha": "9fceb02d0ae598e95dc970b74767f19372d61af8"}}
		for i, st := range statuses {
			run.RunSteps = append(run.RunSteps, runStep{Name: runStepNames[i], Status: st, CreatedAt: at, UpdatedAt: at})
		}
		return run
	}
	done := slices.Repeat([]string{"EXITED"}, len(runStepNames))
	return []*actionRun{
		mk(SeedActionRunID, "2025-03-01T10:00:00.000Z", done,
			"Cloning repository...\nApplying migration 20250116120000_add_profiles_email.sql...\nSeeding data...\nDeploying functions...\nDone.\n"),
		mk(SeedActionRunTwo, "2025-03-02T10:00:00.000Z", []string{"EXITED", "EXITED", "EXITED", "EXITED", "RUNNING", "CREATED", "CREATED"},
			"Cloning repository...\nApplying migration 20250301090000_add_orders.sql...\n"),
	}
}

// withRun finds {run_id} among the project's runs or answers 404.
func (s *Server) withRun(h func(http.ResponseWriter, *http.Request, *actionRun)) func(http.ResponseWriter, *http.Request, *projectState) {
	return func(w http.ResponseWriter, r *http.Request, p *projectState) {
		for _, run := range s.extrasOf(p.Ref).runs {
			if run.ID == r.PathValue("run_id") {
				h(w, r, run)
				return
			}
		}
		writeError(w, http.StatusNotFound, "Action run not found")
	}
}

// listActionRuns is ListActionRunResponse, newest first, paged by offset
// and limit (at least 10).
func (s *Server) listActionRuns(w http.ResponseWriter, r *http.Request, p *projectState) {
	offset, ok := queryInt(w, r, "offset", 0, 0, 1<<31-1)
	if !ok {
		return
	}
	limit, ok := queryInt(w, r, "limit", 100, 10, 1<<31-1)
	if !ok {
		return
	}
	runs := slices.Clone(s.extrasOf(p.Ref).runs)
	slices.Reverse(runs)
	runs = runs[min(offset, len(runs)):min(offset+limit, len(runs))]
	out := make([]*actionRun, 0, len(runs))
	writeJSON(w, http.StatusOK, append(out, runs...))
}

// countActionRuns answers HEAD with the count in X-Total-Count.
func (s *Server) countActionRuns(w http.ResponseWriter, r *http.Request, p *projectState) {
	w.Header().Set("X-Total-Count", strconv.Itoa(len(s.extrasOf(p.Ref).runs)))
	w.WriteHeader(http.StatusOK)
}

func (s *Server) getActionRun(w http.ResponseWriter, r *http.Request, run *actionRun) {
	writeJSON(w, http.StatusOK, run)
}

// actionRunLogs answers text/plain.
func (s *Server) actionRunLogs(w http.ResponseWriter, r *http.Request, run *actionRun) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(run.logs))
}

// updateActionRunStatus is UpdateRunStatusBody (step name -> status) ->
// UpdateRunStatusResponse; a step not yet in the run is added.
func (s *Server) updateActionRunStatus(w http.ResponseWriter, r *http.Request, run *actionRun) {
	var body map[string]string
	if !decodeBody(w, r, &body) {
		return
	}
	if body == nil {
		badRequest(w, "request body must be an object")
		return
	}
	for step, st := range body {
		if !slices.Contains(runStepNames, step) {
			badRequest(w, "unknown step %q; steps are %s", step, strings.Join(runStepNames, ", "))
			return
		}
		if !slices.Contains(runStepStatuses, st) {
			badRequest(w, "%s: status must be one of %s", step, strings.Join(runStepStatuses, ", "))
			return
		}
	}
	now := nowStamp()
	for _, step := range runStepNames {
		st, ok := body[step]
		if !ok {
			continue
		}
		i := slices.IndexFunc(run.RunSteps, func(rs runStep) bool { return rs.Name == step })
		if i < 0 {
			run.RunSteps = append(run.RunSteps, runStep{Name: step, CreatedAt: now})
			i = len(run.RunSteps) - 1
		}
		run.RunSteps[i].Status, run.RunSteps[i].UpdatedAt = st, now
		run.UpdatedAt = now
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "ok"})
}
