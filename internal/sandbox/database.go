package sandbox

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func (s *Server) databaseRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/projects/{ref}/database/query", s.runQuery(false))
	mux.HandleFunc("POST /v1/projects/{ref}/database/query/read-only", s.runQuery(true))
	mux.HandleFunc("GET /v1/projects/{ref}/database/migrations", s.withProject(s.listMigrations))
	mux.HandleFunc("POST /v1/projects/{ref}/database/migrations", s.applyMigration)
	mux.HandleFunc("PUT /v1/projects/{ref}/database/migrations", s.upsertMigration)
	mux.HandleFunc("DELETE /v1/projects/{ref}/database/migrations", s.rollbackMigrations)
	mux.HandleFunc("GET /v1/projects/{ref}/database/migrations/{version}", s.withProject(s.getMigration))
	mux.HandleFunc("PATCH /v1/projects/{ref}/database/migrations/{version}", s.withProject(s.patchMigration))
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
			writeError(w, http.StatusServiceUnavailable, "the sandbox has no database: restart supabase-mcp with --sandbox-database-url postgres://... (any PostgreSQL, such as the local database of `supabase start`) to run SQL")
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
	ref, body, ok := s.migrationRequest(w, r)
	if !ok {
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
	ref, body, ok := s.migrationRequest(w, r)
	if !ok {
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

// migrationRequest checks the project and the body shared by apply and
// upsert, answering the error itself when they are not valid.
func (s *Server) migrationRequest(w http.ResponseWriter, r *http.Request) (string, migrationBody, bool) {
	var body migrationBody
	ref := r.PathValue("ref")
	if _, ok := s.Project(ref); !ok {
		writeError(w, http.StatusNotFound, "Project not found")
		return "", body, false
	}
	if !decodeBody(w, r, &body) {
		return "", body, false
	}
	if body.Query == "" {
		badRequest(w, "query is required")
		return "", body, false
	}
	return ref, body, true
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

var digits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+$`) })

// compareVersions orders migration versions numerically.
func compareVersions(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// getMigration is V1GetMigrationResponse.
func (s *Server) getMigration(w http.ResponseWriter, r *http.Request, p *projectState) {
	for _, m := range s.migs[p.Ref] {
		if m.Version == r.PathValue("version") {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Migration "+r.PathValue("version")+" not found")
}

// patchMigration is V1PatchMigrationBody: it sets the name and the rollback
// statement of a history entry.
func (s *Server) patchMigration(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Name     *string `json:"name"`
		Rollback *string `json:"rollback"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	migs := s.migs[p.Ref]
	i := slices.IndexFunc(migs, func(m Migration) bool { return m.Version == r.PathValue("version") })
	if i < 0 {
		writeError(w, http.StatusNotFound, "Migration "+r.PathValue("version")+" not found")
		return
	}
	if body.Name != nil {
		migs[i].Name = *body.Name
	}
	if body.Rollback != nil {
		migs[i].Rollback = []string{*body.Rollback}
	}
	writeEmpty(w, http.StatusOK)
}

// rollbackMigrations runs the rollback statements of every migration with a
// version >= gte, newest first and in one transaction (when a database is
// configured), then removes them from the history. Migrations without
// rollback statements are only removed.
func (s *Server) rollbackMigrations(w http.ResponseWriter, r *http.Request) {
	ref, gte := r.PathValue("ref"), r.URL.Query().Get("gte")
	if _, ok := s.Project(ref); !ok {
		writeError(w, http.StatusNotFound, "Project not found")
		return
	}
	if !digits().MatchString(gte) {
		badRequest(w, "gte must be a migration version (digits)")
		return
	}
	s.migMu.Lock()
	defer s.migMu.Unlock()
	s.mu.Lock()
	var undo []string
	migs := s.migs[ref]
	for i := len(migs) - 1; i >= 0; i-- {
		if compareVersions(migs[i].Version, gte) >= 0 {
			for j := len(migs[i].Rollback) - 1; j >= 0; j-- {
				undo = append(undo, strings.TrimRight(strings.TrimSpace(migs[i].Rollback[j]), ";"))
			}
		}
	}
	s.mu.Unlock()
	if len(undo) > 0 && s.db != nil {
		if !s.checkRunnable(w, r) {
			return
		}
		sql := strings.Join(undo, ";\n")
		if _, err := s.db.query(r.Context(), sql, nil, false); err != nil {
			s.writeSQLError(w, r.Context(), err, sql)
			return
		}
	}
	s.mu.Lock()
	s.migs[ref] = slices.DeleteFunc(s.migs[ref], func(m Migration) bool { return compareVersions(m.Version, gte) >= 0 })
	s.mu.Unlock()
	writeEmpty(w, http.StatusOK)
}

var schemaName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`) })
