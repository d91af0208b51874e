package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// backupsRoutes serves the backups endpoint group: daily backups, PITR,
// restore points and the backup schedule.
func (s *Server) backupsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/database/backups", s.withProject(s.listBackups))
	mux.HandleFunc("POST /v1/projects/{ref}/database/backups/restore", s.withProject(s.restoreBackup))
	mux.HandleFunc("POST /v1/projects/{ref}/database/backups/restore-pitr", s.withProject(s.restorePITR))
	mux.HandleFunc("GET /v1/projects/{ref}/database/backups/restore-point", s.withProject(s.getRestorePoint))
	mux.HandleFunc("POST /v1/projects/{ref}/database/backups/restore-point", s.withProject(s.createRestorePoint))
	mux.HandleFunc("GET /v1/projects/{ref}/database/backups/schedule", s.withProject(s.getBackupSchedule))
	mux.HandleFunc("PATCH /v1/projects/{ref}/database/backups/schedule", s.withProject(s.updateBackupSchedule))
	mux.HandleFunc("POST /v1/projects/{ref}/database/backups/undo", s.withProject(s.undoToRestorePoint))
}

// Seeded backups objects. Projects created more than a day before their
// backups are first looked at have daily backups (ids SeedBackupID, SeedBackupID+1, ...,
// newest first, at most three) and the restore point SeedRestorePoint.
const (
	SeedBackupID     = 4101
	SeedRestorePoint = "before-upgrade"
	defaultSchedule  = "04:00:00"
)

// backupsFixtures names this group's seeded objects for Fixtures; the PITR
// target is an hour ago, inside SeedProjectActive's window.
func backupsFixtures() map[string]any {
	return map[string]any{
		"backups.restore.id":                             SeedBackupID,
		"backups.restore_pitr.recovery_time_target_unix": time.Now().Add(-time.Hour).Unix(),
		"backups.create_restore_point.name":              "pre-migration",
		"backups.undo.name":                              SeedRestorePoint,
		"backups.update_schedule.schedule_for":           "03:30:00",
	}
}

type backupEntry struct {
	ID         int    `json:"id"`
	IsPhysical bool   `json:"is_physical_backup"`
	Status     string `json:"status"`
	InsertedAt string `json:"inserted_at"`
}

// restorePoint is V1RestorePointResponse.
type restorePoint struct {
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	CompletedOn *string `json:"completed_on"`
}

type backupsState struct {
	created         time.Time
	backups         []backupEntry
	points          []restorePoint
	schedule        string
	scheduleUpdated string
}

var projectBackups = perProject[backupsState]{init: func(_ *Server, p *projectState) *backupsState {
	created, _ := time.Parse(createdAtLayout, p.CreatedAt)
	st := &backupsState{created: created, schedule: defaultSchedule, scheduleUpdated: created.Format(time.RFC3339)}
	today := time.Now().UTC().Truncate(24 * time.Hour).Add(4 * time.Hour)
	for i := range 3 {
		at := today.AddDate(0, 0, -1-i)
		if at.Before(created) {
			break
		}
		st.backups = append(st.backups, backupEntry{SeedBackupID + i, true, "COMPLETED", at.Format(createdAtLayout)})
	}
	if len(st.backups) > 0 {
		done := created.Add(24 * time.Hour).Format(time.RFC3339)
		st.points = append(st.points, restorePoint{SeedRestorePoint, "AVAILABLE", &done})
	}
	return st
}}

// pitrWindow is the PITR window in Unix seconds; ok is false without PITR.
func (s *Server) pitrWindow(p *projectState) (earliest, latest int64, ok bool) {
	days := projectAddons.of(s, p).pitrDays()
	if days == 0 {
		return 0, 0, false
	}
	now := time.Now()
	from := now.AddDate(0, 0, -days)
	if created := projectBackups.of(s, p).created; created.After(from) {
		from = created
	}
	return from.Unix(), now.Unix(), true
}

// listBackups is V1BackupsResponse; physical_backup_data is the PITR window
// when the pitr add-on is selected.
func (s *Server) listBackups(w http.ResponseWriter, r *http.Request, p *projectState) {
	st := projectBackups.of(s, p)
	physical := map[string]any{}
	earliest, latest, pitr := s.pitrWindow(p)
	if pitr {
		physical = map[string]any{"earliest_physical_backup_date_unix": earliest, "latest_physical_backup_date_unix": latest}
	}
	backups := st.backups
	if backups == nil {
		backups = []backupEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"region": p.Region, "walg_enabled": true, "pitr_enabled": pitr,
		"backups": backups, "physical_backup_data": physical,
	})
}

// startRestore puts the project through RESTORING back to ACTIVE_HEALTHY.
func (s *Server) startRestore(w http.ResponseWriter, p *projectState) {
	p.transition(StatusRestoring, StatusActiveHealthy, s.opts.TransitionReads)
	writeEmpty(w, http.StatusCreated)
}

func (s *Server) restoreBackup(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		ID *int `json:"id"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ID == nil {
		badRequest(w, "id is required")
		return
	}
	if !requireActive(w, p) {
		return
	}
	st := projectBackups.of(s, p)
	i := slices.IndexFunc(st.backups, func(b backupEntry) bool { return b.ID == *body.ID })
	if i < 0 {
		writeError(w, http.StatusNotFound, "Backup not found")
		return
	}
	if st.backups[i].Status != "COMPLETED" {
		badRequest(w, "Backup %d is %s; only COMPLETED backups can be restored", *body.ID, st.backups[i].Status)
		return
	}
	s.startRestore(w, p)
}

func (s *Server) restorePITR(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Target *int64 `json:"recovery_time_target_unix"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Target == nil || *body.Target < 0 {
		badRequest(w, "recovery_time_target_unix is required and must be a non-negative integer")
		return
	}
	if !requireActive(w, p) {
		return
	}
	earliest, latest, ok := s.pitrWindow(p)
	switch {
	case !ok:
		badRequest(w, "Point in time recovery is not enabled for this project (it needs the pitr add-on)")
	case *body.Target < earliest || *body.Target > latest:
		badRequest(w, "recovery_time_target_unix %d is outside the recovery window %d to %d", *body.Target, earliest, latest)
	default:
		s.startRestore(w, p)
	}
}

// restorePointName decodes {"name": ...} (V1RestorePointPostBody, V1UndoBody).
func restorePointName(w http.ResponseWriter, r *http.Request) (string, bool) {
	var body struct {
		Name *string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return "", false
	}
	if body.Name == nil || *body.Name == "" || utf8.RuneCountInString(*body.Name) > 20 {
		badRequest(w, "name is required and must have at most 20 characters")
		return "", false
	}
	return *body.Name, true
}

func (st *backupsState) point(name string) int {
	return slices.IndexFunc(st.points, func(rp restorePoint) bool { return rp.Name == name })
}

// getRestorePoint answers the named restore point, or the latest one.
func (s *Server) getRestorePoint(w http.ResponseWriter, r *http.Request, p *projectState) {
	name := r.URL.Query().Get("name")
	if utf8.RuneCountInString(name) > 20 {
		badRequest(w, "name must have at most 20 characters")
		return
	}
	st := projectBackups.of(s, p)
	i := len(st.points) - 1
	if name != "" {
		i = st.point(name)
	}
	if i < 0 {
		writeError(w, http.StatusNotFound, "Restore point not found")
		return
	}
	writeJSON(w, http.StatusOK, st.points[i])
}

// createRestorePoint answers PENDING; the point is AVAILABLE from then on.
func (s *Server) createRestorePoint(w http.ResponseWriter, r *http.Request, p *projectState) {
	name, ok := restorePointName(w, r)
	if !ok || !requireActive(w, p) {
		return
	}
	st := projectBackups.of(s, p)
	if st.point(name) >= 0 {
		badRequest(w, "A restore point named %s already exists", name)
		return
	}
	done := time.Now().UTC().Format(time.RFC3339)
	st.points = append(st.points, restorePoint{name, "AVAILABLE", &done})
	writeJSON(w, http.StatusCreated, restorePoint{name, "PENDING", nil})
}

func (s *Server) undoToRestorePoint(w http.ResponseWriter, r *http.Request, p *projectState) {
	name, ok := restorePointName(w, r)
	if !ok {
		return
	}
	st := projectBackups.of(s, p)
	i := st.point(name)
	if i < 0 {
		writeError(w, http.StatusNotFound, "Restore point "+name+" not found")
		return
	}
	if st.points[i].Status != "AVAILABLE" {
		badRequest(w, "Restore point %s is %s, not AVAILABLE", name, st.points[i].Status)
		return
	}
	if !requireActive(w, p) {
		return
	}
	s.startRestore(w, p)
}

// paidPlan answers 402 for projects of free-plan organizations, which
// cannot schedule backups.
func (s *Server) paidPlan(w http.ResponseWriter, p *projectState) bool {
	if o := s.orgOf(p); o != nil && o.Plan == "free" {
		writeError(w, http.StatusPaymentRequired, "The backup schedule can only be changed on a paid plan")
		return false
	}
	return true
}

func (s *Server) getBackupSchedule(w http.ResponseWriter, r *http.Request, p *projectState) {
	if !s.paidPlan(w, p) {
		return
	}
	st := projectBackups.of(s, p)
	writeJSON(w, http.StatusOK, map[string]any{"schedule_for": st.schedule, "updated_at": st.scheduleUpdated})
}

var scheduleTimeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$`) })

func (s *Server) updateBackupSchedule(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		ScheduleFor *string `json:"schedule_for"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ScheduleFor == nil || !scheduleTimeRE().MatchString(*body.ScheduleFor) {
		badRequest(w, "schedule_for is required, as a UTC time HH:MM:SS")
		return
	}
	if !s.paidPlan(w, p) {
		return
	}
	st := projectBackups.of(s, p)
	st.schedule, st.scheduleUpdated = *body.ScheduleFor, time.Now().UTC().Format(time.RFC3339)
	writeJSON(w, http.StatusOK, map[string]any{"schedule_for": st.schedule, "updated_at": st.scheduleUpdated})
}
