package fakeapi

import (
	"context"
	"net/http"
	"slices"
	"time"
)

func (s *Server) databaseRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/projects/{ref}/database/query", s.runQuery(false))
	mux.HandleFunc("POST /v1/projects/{ref}/database/query/read-only", s.runQuery(true))
	mux.HandleFunc("GET /v1/projects/{ref}/database/migrations", s.withProject(s.listMigrations))
	mux.HandleFunc("POST /v1/projects/{ref}/database/migrations", s.applyMigration)
	mux.HandleFunc("PUT /v1/projects/{ref}/database/migrations", s.upsertMigration)
}

// readOnlyQueryBody is V1ReadOnlyQueryBody; runQueryBody is V1RunQueryBody.
type readOnlyQueryBody struct {
	Query      string `json:"query"`
	Parameters []any  `json:"parameters"`
}

type runQueryBody struct {
	readOnlyQueryBody
	ReadOnly bool `json:"read_only"`
}

// migrationBody is V1CreateMigrationBody and V1UpsertMigrationBody.
type migrationBody struct {
	Query    string  `json:"query"`
	Name     string  `json:"name"`
	Rollback *string `json:"rollback"`
}

// checkRunnable answers 404 or 400 unless {ref} names a project whose
// database is up, the precondition of every SQL-running endpoint.
func (s *Server) checkRunnable(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(r.PathValue("ref"))
	if p == nil {
		writeError(w, http.StatusNotFound, "Project not found")
		return false
	}
	if p.Status != StatusActiveHealthy && p.Status != "ACTIVE_UNHEALTHY" {
		badRequest(w, "Project %s is not running: its status is %s", p.Ref, p.Status)
		return false
	}
	return true
}

// runQuery serves the query endpoints: 201 with the last statement's rows.
func (s *Server) runQuery(readOnlyEndpoint bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.Project(r.PathValue("ref")); !ok {
			writeError(w, http.StatusNotFound, "Project not found")
			return
		}
		var body runQueryBody
		var ok bool
		if readOnlyEndpoint {
			ok = decodeBody(w, r, &body.readOnlyQueryBody)
			body.ReadOnly = true
		} else {
			ok = decodeBody(w, r, &body)
		}
		if !ok {
			return
		}
		if body.Query == "" {
			badRequest(w, "query is required")
			return
		}
		if !s.checkRunnable(w, r) {
			return
		}
		if s.db == nil {
			writeError(w, http.StatusServiceUnavailable, "no database configured in the fake API")
			return
		}
		rows, err := s.db.query(r.Context(), body.Query, body.Parameters, body.ReadOnly)
		if err != nil {
			s.writeSQLError(w, r.Context(), err, body.Query)
			return
		}
		writeJSON(w, http.StatusCreated, rows)
	}
}

// writeSQLError answers 400 for errors PostgreSQL reports, 500 otherwise.
func (s *Server) writeSQLError(w http.ResponseWriter, ctx context.Context, err error, query string) {
	status := http.StatusBadRequest
	if !isPgError(err) {
		status = http.StatusInternalServerError
	}
	if ctx.Err() == nil {
		writeError(w, status, sqlErrorMessage(err, query))
	}
}

func (s *Server) listMigrations(w http.ResponseWriter, r *http.Request, p *projectState) {
	type item struct {
		Version string `json:"version"`
		Name    string `json:"name,omitempty"`
	}
	out := []item{}
	for _, m := range s.migs[p.Ref] {
		out = append(out, item{m.Version, m.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

// applyMigration runs the query (when a database is configured) and records
// it. A repeated Idempotency-Key is answered 200 without running it again.
func (s *Server) applyMigration(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if _, ok := s.Project(ref); !ok {
		writeError(w, http.StatusNotFound, "Project not found")
		return
	}
	var body migrationBody
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Query == "" {
		badRequest(w, "query is required")
		return
	}
	if !s.checkRunnable(w, r) {
		return
	}
	// Serialise migrations so an idempotency key is checked and recorded atomically.
	s.migMu.Lock()
	defer s.migMu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	seen := key != "" && s.findMigration(ref, key) >= 0
	s.mu.Unlock()
	if seen {
		writeEmpty(w, http.StatusOK)
		return
	}
	if s.db != nil {
		if _, err := s.db.query(r.Context(), body.Query, nil, false); err != nil {
			s.writeSQLError(w, r.Context(), err, body.Query)
			return
		}
	}
	s.mu.Lock()
	s.recordMigration(ref, key, body, -1)
	s.mu.Unlock()
	writeEmpty(w, http.StatusOK)
}

// upsertMigration records a migration without running it; with an
// Idempotency-Key already recorded it updates that entry instead.
func (s *Server) upsertMigration(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if _, ok := s.Project(ref); !ok {
		writeError(w, http.StatusNotFound, "Project not found")
		return
	}
	var body migrationBody
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Query == "" {
		badRequest(w, "query is required")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.migMu.Lock()
	defer s.migMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	i := -1
	if key != "" {
		i = s.findMigration(ref, key)
	}
	s.recordMigration(ref, key, body, i)
	writeEmpty(w, http.StatusOK)
}

// findMigration is the index of the migration recorded with key, or -1.
// Callers hold s.mu.
func (s *Server) findMigration(ref, key string) int {
	return slices.IndexFunc(s.migs[ref], func(m Migration) bool { return m.IdempotencyKey == key })
}

// recordMigration stores body as migration i, or as a new one when i < 0,
// with a version timestamp (YYYYMMDDHHMMSS, UTC) later than any before it.
// It does nothing if the project is gone. Callers hold s.mu.
func (s *Server) recordMigration(ref, key string, body migrationBody, i int) {
	if s.findProject(ref) == nil {
		return
	}
	m := Migration{Name: body.Name, Statements: []string{body.Query}, IdempotencyKey: key}
	if body.Rollback != nil {
		m.Rollback = []string{*body.Rollback}
	}
	migs := s.migs[ref]
	if i >= 0 {
		m.Version = migs[i].Version
		migs[i] = m
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	if n := len(migs); n > 0 {
		if last, err := time.Parse(versionLayout, migs[n-1].Version); err == nil && !now.After(last) {
			now = last.Add(time.Second) // versions must stay unique and ordered
		}
	}
	m.Version = now.Format(versionLayout)
	s.migs[ref] = append(migs, m)
}
