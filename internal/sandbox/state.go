package sandbox

import (
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Project statuses used by the fake (the spec's enum has more).
const (
	StatusActiveHealthy = "ACTIVE_HEALTHY"
	StatusComingUp      = "COMING_UP"
	StatusPausing       = "PAUSING"
	StatusInactive      = "INACTIVE"
	StatusRestoring     = "RESTORING"
)

// Organization is OrganizationResponseV1.
type Organization struct {
	ID   string `json:"id"` // deprecated in the API; equals Slug
	Slug string `json:"slug"`
	Name string `json:"name"`
	Plan string `json:"-"` // reported by GET /v1/organizations/{slug}
}

// ProjectDatabase is the database object of V1ProjectWithDatabaseResponse.
type ProjectDatabase struct {
	Host           string `json:"host"`
	Version        string `json:"version"`
	PostgresEngine string `json:"postgres_engine"`
	ReleaseChannel string `json:"release_channel"`
}

// Project is V1ProjectWithDatabaseResponse.
type Project struct {
	ID               string          `json:"id"` // deprecated in the API; equals Ref
	Ref              string          `json:"ref"`
	OrganizationID   string          `json:"organization_id"` // deprecated; equals OrganizationSlug
	OrganizationSlug string          `json:"organization_slug"`
	Name             string          `json:"name"`
	Region           string          `json:"region"`
	CreatedAt        string          `json:"created_at"` // RFC 3339, UTC, milliseconds
	Status           string          `json:"status"`
	Database         ProjectDatabase `json:"database"`
}

// Migration is an entry of the migration history (V1GetMigrationResponse; the
// list endpoint shows only version and name).
type Migration struct {
	Version        string   `json:"version"` // YYYYMMDDHHMMSS, UTC
	Name           string   `json:"name,omitempty"`
	Statements     []string `json:"statements,omitempty"`
	Rollback       []string `json:"rollback,omitempty"`
	CreatedBy      string   `json:"created_by,omitempty"`
	IdempotencyKey string   `json:"idempotency_key,omitempty"`
}

type orgState struct{ Organization }

type projectState struct {
	Project
	numID     int           // the integer id of V1ProjectRefResponse
	target    string        // status the current transitional status settles to, "" if none
	readsLeft int           // API reads that still see the transitional status
	claim     *claimToken   // lets another organization claim the project
	upgrade   *upgradeState // the latest Postgres upgrade
}

const (
	createdAtLayout = "2006-01-02T15:04:05.000Z"
	versionLayout   = "20060102150405"
)

// Seeded state; refs and slugs are fixed so tests can name them.
const (
	SeedOrgAcme          = "acme-corp"                                // plan pro, members alice (Owner) and bob
	SeedOrgGlobex        = "globex-labs"                              // plan free, member carol (Owner)
	SeedProjectActive    = "abcdefghijklmnopqrst"                     // acme-corp, ACTIVE_HEALTHY, us-east-1, two migrations
	SeedProjectPaused    = "bcdefghijklmnopqrstu"                     // acme-corp, INACTIVE, eu-central-1
	SeedProjectComing    = "cdefghijklmnopqrstuv"                     // globex-labs, COMING_UP (stays so), ap-southeast-1
	SeedProjectRestoring = "defghijklmnopqrstuvw"                     // globex-labs, RESTORING (stays so), eu-west-2
	SeedClaimToken       = "0123456789abcdef0123456789abcdef01234567" // claims SeedProjectComing
)

// Seeded users (the members of the seeded organizations); alice owns the
// access token.
const (
	userAlice = "7d5a2f9e-3c1b-4e8a-9f6d-2b4c8e1a0f31"
	userCarol = "3e8f1a6c-9b4d-4f2e-a7c5-1d3b6e9f2a84"
)

// seed fills the initial state.
func (s *Server) seed() {
	s.orgs = []*orgState{
		{Organization{ID: SeedOrgAcme, Slug: SeedOrgAcme, Name: "Acme Corp", Plan: "pro"}},        // members alice (Owner) and bob: seed/organizations.json
		{Organization{ID: SeedOrgGlobex, Slug: SeedOrgGlobex, Name: "Globex Labs", Plan: "free"}}, // member carol (Owner)
	}
	base := time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)
	for i, p := range []Project{
		{Ref: SeedProjectActive, OrganizationSlug: SeedOrgAcme, Name: "acme-prod", Region: "us-east-1", Status: StatusActiveHealthy},
		{Ref: SeedProjectPaused, OrganizationSlug: SeedOrgAcme, Name: "acme-staging", Region: "eu-central-1", Status: StatusInactive},
		{Ref: SeedProjectComing, OrganizationSlug: SeedOrgGlobex, Name: "globex-dev", Region: "ap-southeast-1", Status: StatusComingUp,
			Database: ProjectDatabase{Version: "17.4.1.054", PostgresEngine: "17", ReleaseChannel: "ga"}},
		{Ref: SeedProjectRestoring, OrganizationSlug: SeedOrgGlobex, Name: "globex-archive", Region: "eu-west-2", Status: StatusRestoring},
	} {
		p.CreatedAt = base.Add(time.Duration(i) * 24 * time.Hour).Format(createdAtLayout)
		s.addProject(p, "") // seeded statuses are stable: no pending transition
	}
	s.migs[SeedProjectActive] = []Migration{
		{Version: "20250115093000", Name: "create_profiles", Statements: []string{"create table public.profiles (id uuid primary key, name text)"}},
		{Version: "20250116120000", Name: "add_profiles_email", Statements: []string{"alter table public.profiles add column email text"}},
	}
	s.findProject(SeedProjectComing).claim = &claimToken{
		Token: SeedClaimToken, CreatedAt: "2025-01-17T09:30:00.000Z", ExpiresAt: "2099-01-01T00:00:00.000Z", CreatedBy: userCarol,
	}
	s.seedDocuments("")
}

// addProject fills defaults and stores p; target != "" makes p.Status
// transitional, settling to target after Options.TransitionReads reads.
// Callers hold s.mu (or run before the server starts).
func (s *Server) addProject(p Project, target string) *projectState {
	if p.Ref == "" {
		p.Ref = randomLetters(20)
	}
	if p.Status == "" {
		p.Status = StatusActiveHealthy
	}
	if p.CreatedAt == "" {
		p.CreatedAt = time.Now().UTC().Format(createdAtLayout)
	}
	if p.Region == "" {
		p.Region = "us-east-1"
	}
	if p.OrganizationSlug == "" {
		p.OrganizationSlug = p.OrganizationID
	}
	if p.OrganizationSlug == "" && len(s.orgs) > 0 {
		p.OrganizationSlug = s.orgs[0].Slug
	}
	p.ID, p.OrganizationID = p.Ref, p.OrganizationSlug
	if p.Database == (ProjectDatabase{}) {
		p.Database = ProjectDatabase{Version: "15.8.1.085", PostgresEngine: "15", ReleaseChannel: "ga"}
	}
	if p.Database.Host == "" {
		p.Database.Host = "db." + p.Ref + ".supabase.co"
	}
	s.nextID++
	ps := &projectState{Project: p, numID: s.nextID}
	ps.transition(p.Status, target, s.opts.TransitionReads)
	s.projs = slices.DeleteFunc(s.projs, func(q *projectState) bool { return q.Ref == p.Ref })
	s.projs = append(s.projs, ps)
	s.seedDocuments(p.Ref)
	return ps
}

// transition sets a status and, when target != "", the status it settles to.
func (p *projectState) transition(status, target string, reads int) {
	p.Status, p.target, p.readsLeft = status, target, reads
	if reads == 0 {
		p.readsLeft = 1
	}
	if target != "" && reads < 0 {
		p.Status, p.target = target, ""
	}
}

// observe is called for every API read of the project: it returns the status
// this read reports, advancing a pending transition.
func (p *projectState) observe() Project {
	if p.target != "" {
		if p.readsLeft <= 0 {
			p.Status, p.target = p.target, ""
		} else {
			p.readsLeft--
		}
	}
	return p.Project
}

func (s *Server) findProject(ref string) *projectState {
	for _, p := range s.projs {
		if p.Ref == ref {
			return p
		}
	}
	return nil
}

func (s *Server) findOrg(slug string) *orgState {
	for _, o := range s.orgs {
		if o.Slug == slug {
			return o
		}
	}
	return nil
}

// Projects returns all projects without advancing status transitions.
func (s *Server) Projects() []Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Project, len(s.projs))
	for i, p := range s.projs {
		out[i] = p.Project
	}
	return out
}

// Project returns one project without advancing its status transition.
func (s *Server) Project(ref string) (Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.findProject(ref); p != nil {
		return p.Project, true
	}
	return Project{}, false
}

// AddProject stores p (replacing a project with the same ref), filling
// defaults: a random 20-letter ref, created_at now, status ACTIVE_HEALTHY,
// region us-east-1, the first organization, a Postgres 15 database.
// A status set here is stable: it does not transition.
func (s *Server) AddProject(p Project) Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addProject(p, "").Project
}

// SetProjectStatus forces a project's status (cancelling any pending
// transition) and reports whether the project exists.
func (s *Server) SetProjectStatus(ref, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(ref)
	if p != nil {
		p.transition(status, "", 0)
	}
	return p != nil
}

// Organizations returns all organizations.
func (s *Server) Organizations() []Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Organization, len(s.orgs))
	for i, o := range s.orgs {
		out[i] = o.Organization
	}
	return out
}

// Migrations returns a project's migration history, oldest first.
func (s *Server) Migrations(ref string) []Migration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.migs[ref])
}

func randomLetters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// sideUUID is a random version 4 UUID.
func sideUUID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
