package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

func (s *Server) projectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects", s.listProjects)
	mux.HandleFunc("POST /v1/projects", s.createProject)
	mux.HandleFunc("GET /v1/projects/{ref}", s.withProject(s.getProject))
	mux.HandleFunc("DELETE /v1/projects/{ref}", s.withProject(s.deleteProject))
	mux.HandleFunc("POST /v1/projects/{ref}/pause", s.withProject(s.pauseProject))
	mux.HandleFunc("GET /v1/projects/{ref}/restore", s.withProject(s.restoreVersions))
	mux.HandleFunc("POST /v1/projects/{ref}/restore", s.withProject(s.restoreProject))
	mux.HandleFunc("POST /v1/projects/{ref}/restore/cancel", s.withProject(s.cancelRestore))
	mux.HandleFunc("GET /v1/projects/{ref}/health", s.withProject(s.projectHealth))
	mux.HandleFunc("GET /v1/projects/{ref}/upgrade/eligibility", s.withProject(s.upgradeEligibility))
	mux.HandleFunc("GET /v1/projects/{ref}/upgrade/status", s.withProject(s.upgradeStatus))
	mux.HandleFunc("PATCH /v1/projects/{ref}", s.withProject(s.updateProject))
	mux.HandleFunc("POST /v1/projects/{ref}/upgrade", s.withProject(s.upgradeProject))
	mux.HandleFunc("GET /v1/projects/{ref}/claim-token", s.withProject(s.getClaimToken))
	mux.HandleFunc("POST /v1/projects/{ref}/claim-token", s.withProject(s.createClaimToken))
	mux.HandleFunc("DELETE /v1/projects/{ref}/claim-token", s.withProject(s.deleteClaimToken))
}

// smartGroups maps a smart region group to its name and the region it picks.
var smartGroups = []struct{ code, name, region string }{
	{"americas", "Americas", "us-east-1"}, {"emea", "Europe", "eu-central-1"}, {"apac", "Asia-Pacific", "ap-southeast-1"},
}

// smartGroupRegion is the region a smart group picks, "" for an unknown group.
func smartGroupRegion(group string) string {
	for _, g := range smartGroups {
		if g.code == group {
			return g.region
		}
	}
	return ""
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Project, 0, len(s.projs))
	for _, p := range s.projs {
		out = append(out, p.observe())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, p.observe())
}

// v1ProjectResponse is V1ProjectResponse: a project without its database.
type v1ProjectResponse struct {
	ID               string `json:"id"`
	Ref              string `json:"ref"`
	OrganizationID   string `json:"organization_id"`
	OrganizationSlug string `json:"organization_slug"`
	Name             string `json:"name"`
	Region           string `json:"region"`
	CreatedAt        string `json:"created_at"`
	Status           string `json:"status"`
}

// createProjectBody is what createProject uses of V1CreateProjectBody
// (decodeValid checks the rest).
type createProjectBody struct {
	Name             string  `json:"name"`
	OrganizationSlug string  `json:"organization_slug"`
	Region           *string `json:"region"`
	RegionSelection  *struct {
		Type string `json:"type"`
		Code string `json:"code"`
	} `json:"region_selection"`
}

// region resolves the body's region (a smart group picks one of its own).
func (b *createProjectBody) region() (string, error) {
	rs := b.RegionSelection
	switch {
	case b.Region != nil && rs != nil:
		return "", errors.New("Only one of region or region_selection can be specified")
	case b.Region != nil:
		return *b.Region, nil
	case rs == nil:
		return "", errors.New("region or region_selection is required")
	case rs.Type == "smartGroup":
		if region := smartGroupRegion(rs.Code); region != "" {
			return region, nil
		}
		return "", fmt.Errorf("region_selection.code must be americas, emea or apac, got %q", rs.Code)
	}
	return rs.Code, nil
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	var body createProjectBody
	if !decodeJSON(w, r, &body) {
		return
	}
	region, err := body.region()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findOrg(body.OrganizationSlug) == nil {
		writeError(w, http.StatusNotFound, "Organization not found")
		return
	}
	p := s.addProject(Project{
		Name: body.Name, OrganizationSlug: body.OrganizationSlug, Region: region, Status: StatusComingUp,
	}, StatusActiveHealthy).Project
	writeJSON(w, http.StatusCreated, v1ProjectResponse{
		ID: p.ID, Ref: p.Ref, OrganizationID: p.OrganizationID, OrganizationSlug: p.OrganizationSlug,
		Name: p.Name, Region: p.Region, CreatedAt: p.CreatedAt, Status: p.Status,
	})
}

// deleteProject removes the project and its migrations; the answer is
// V1ProjectRefResponse.
func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	s.projs = slices.DeleteFunc(s.projs, func(q *projectState) bool { return q == p })
	s.forgetDocuments("/v1/projects/" + p.Ref + "/")
	delete(s.migs, p.Ref)
	writeJSON(w, http.StatusOK, map[string]any{"id": p.numID, "ref": p.Ref, "name": p.Name})
}

// pauseProject: ACTIVE_HEALTHY -> PAUSING -> INACTIVE.
func (s *Server) pauseProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	s.move(w, p, StatusActiveHealthy, StatusPausing, StatusInactive, "pause")
}

// restoreProject: INACTIVE -> RESTORING -> ACTIVE_HEALTHY.
func (s *Server) restoreProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	s.move(w, p, StatusInactive, StatusRestoring, StatusActiveHealthy, "restore")
}

// cancelRestore: RESTORING -> INACTIVE at once.
func (s *Server) cancelRestore(w http.ResponseWriter, r *http.Request, p *projectState) {
	s.move(w, p, StatusRestoring, StatusInactive, "", "cancel the restoration of")
}

// move checks that p is in status from, then puts it in status via (settling
// to target, if any) and answers 200 with no body, like the API.
func (s *Server) move(w http.ResponseWriter, p *projectState, from, via, target, verb string) {
	// Mutations see the status the API last reported: a transition ends
	// only when a read observes it.
	if p.Status != from {
		badRequest(w, "Cannot %s project %s: its status is %s, expected %s", verb, p.Ref, p.Status, from)
		return
	}
	p.transition(via, target, s.opts.TransitionReads)
	writeEmpty(w, http.StatusOK)
}

// restoreVersions is GetProjectAvailableRestoreVersionsResponse: a paused
// project can be restored to its own version.
func (s *Server) restoreVersions(w http.ResponseWriter, r *http.Request, p *projectState) {
	versions := []map[string]string{}
	if p.Status == StatusInactive {
		versions = append(versions, map[string]string{
			"version": "supabase-postgres-" + p.Database.Version, "release_channel": p.Database.ReleaseChannel,
			"postgres_engine": p.Database.PostgresEngine,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"available_versions": versions})
}

// projectHealth answers V1ServiceHealthResponse for each `services` value
// (repeated query parameter, required). Services are healthy when the project
// is ACTIVE_HEALTHY, coming up while it starts, unhealthy otherwise.
func (s *Server) projectHealth(w http.ResponseWriter, r *http.Request, ps *projectState) {
	services := r.URL.Query()["services"] // validRoute has checked them
	p := ps.observe()
	out := make([]map[string]any, 0, len(services))
	for _, svc := range services {
		h := map[string]any{"name": svc, "healthy": false}
		switch p.Status {
		case StatusActiveHealthy:
			h["healthy"], h["status"] = true, "ACTIVE_HEALTHY"
			switch svc {
			case "auth":
				h["info"] = map[string]any{"name": "GoTrue", "version": "v2.170.0",
					"description": "GoTrue is a user registration and authentication API"}
			case "realtime":
				h["info"] = map[string]any{"healthy": true, "db_connected": true, "replication_connected": true,
					"connected_cluster": 1}
			case "rest":
				h["info"] = map[string]any{"db_schema": "public,graphql_public"}
			}
		case StatusComingUp, StatusRestoring, "RESTARTING", "UPGRADING", "RESIZING":
			h["status"] = "COMING_UP"
		default:
			h["status"], h["error"] = "UNHEALTHY", fmt.Sprintf("project is not running (status %s)", p.Status)
		}
		out = append(out, h)
	}
	writeJSON(w, http.StatusOK, out)
}

// upgradeEligibility is ProjectUpgradeEligibilityResponse: Postgres 15 (and
// older) projects may upgrade to 17 unless paused; 17 is the latest.
func (s *Server) upgradeEligibility(w http.ResponseWriter, r *http.Request, p *projectState) {
	const latest = "17.4.1.054"
	targets := []map[string]string{}
	validation := []map[string]string{}
	if p.Database.PostgresEngine != "17" {
		targets = append(targets, map[string]string{"postgres_version": "17", "release_channel": "ga", "app_version": "supabase-postgres-" + latest})
	}
	if p.Status == StatusInactive {
		validation = append(validation, map[string]string{"type": "project_hibernating"})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"eligible":                                 len(targets) > 0 && len(validation) == 0,
		"current_app_version":                      "supabase-postgres-" + p.Database.Version,
		"current_app_version_release_channel":      p.Database.ReleaseChannel,
		"latest_app_version":                       "supabase-postgres-" + latest,
		"target_upgrade_versions":                  targets,
		"duration_estimate_hours":                  1,
		"legacy_auth_custom_roles":                 []string{},
		"objects_to_be_dropped":                    []string{},
		"unsupported_extensions":                   []string{},
		"user_defined_objects_in_internal_schemas": []string{},
		"validation_errors":                        validation,
		"warnings":                                 []any{},
	})
}

// upgradeStatus is DatabaseUpgradeStatusResponse: null until an upgrade
// starts; the fake's upgrades complete at once. A tracking_id other than the
// latest upgrade's is a 404.
func (s *Server) upgradeStatus(w http.ResponseWriter, r *http.Request, p *projectState) {
	u := p.upgrade
	if id := r.URL.Query().Get("tracking_id"); id != "" && (u == nil || u.TrackingID != id) {
		writeError(w, http.StatusNotFound, "Upgrade not found")
		return
	}
	if u == nil {
		writeJSON(w, http.StatusOK, map[string]any{"databaseUpgradeStatus": nil})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"databaseUpgradeStatus": map[string]any{
		"initiated_at": u.InitiatedAt, "latest_status_at": u.InitiatedAt, "target_version": u.Target,
		"progress": "10_completed_post_physical_backup", "status": 2,
	}})
}

// upgradeState is the latest Postgres upgrade of a project.
type upgradeState struct {
	TrackingID  string `json:"tracking_id"`
	InitiatedAt string `json:"initiated_at"`
	Target      int    `json:"target"`
}

// upgradeProject is UpgradeDatabaseBody -> 201 ProjectUpgradeInitiateResponse.
// Like eligibility says: Postgres 17 is the only target, a paused project
// cannot upgrade. The project goes UPGRADING, then ACTIVE_HEALTHY on 17.
func (s *Server) upgradeProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		TargetVersion string `json:"target_version"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	switch {
	case p.Status != StatusActiveHealthy:
		badRequest(w, "Project %s cannot be upgraded: its status is %s", p.Ref, p.Status)
	case p.Database.PostgresEngine == "17" || body.TargetVersion != "17":
		badRequest(w, "Project %s cannot be upgraded to Postgres %s: see upgrade/eligibility", p.Ref, body.TargetVersion)
	default:
		u := &upgradeState{TrackingID: randomHex(16), InitiatedAt: nowStamp(), Target: 17}
		p.upgrade = u
		p.Database.PostgresEngine, p.Database.Version = "17", "17.4.1.054"
		p.transition("UPGRADING", StatusActiveHealthy, s.opts.TransitionReads)
		writeJSON(w, http.StatusCreated, map[string]string{"tracking_id": u.TrackingID})
	}
}

// updateProject is V1UpdateProjectBody -> V1ProjectRefResponse.
func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	p.Name = body.Name
	writeJSON(w, http.StatusOK, map[string]any{"id": p.numID, "ref": p.Ref, "name": p.Name})
}

// claimToken lets another organization claim a project.
type claimToken struct {
	Token     string `json:"token,omitempty"` // shown only when created
	Alias     string `json:"token_alias"`
	ExpiresAt string `json:"expires_at"`
	CreatedAt string `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

// getClaimToken is ProjectClaimTokenResponse: the token itself is not shown.
func (s *Server) getClaimToken(w http.ResponseWriter, r *http.Request, p *projectState) {
	c := p.claim
	if c == nil {
		writeError(w, http.StatusNotFound, "Project has no claim token")
		return
	}
	out := *c
	out.Token, out.Alias = "", c.Token[:8]
	writeJSON(w, http.StatusOK, out)
}

// createClaimToken replaces any token with a new one valid for a day
// (CreateProjectClaimTokenResponse, the only answer holding the token).
func (s *Server) createClaimToken(w http.ResponseWriter, r *http.Request, p *projectState) {
	c := &claimToken{Token: randomHex(20), CreatedAt: nowStamp(), CreatedBy: userAlice,
		ExpiresAt: time.Now().UTC().Add(24 * time.Hour).Format(createdAtLayout)}
	c.Alias = c.Token[:8]
	p.claim = c
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) deleteClaimToken(w http.ResponseWriter, r *http.Request, p *projectState) {
	if p.claim == nil {
		writeError(w, http.StatusNotFound, "Project has no claim token")
		return
	}
	p.claim = nil
	writeEmpty(w, http.StatusNoContent)
}

func nowStamp() string { return time.Now().UTC().Format(createdAtLayout) }
