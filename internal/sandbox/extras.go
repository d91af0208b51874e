package sandbox

import (
	"crypto/rand"
	"encoding/hex"
)

// extraState is the state of the smaller endpoint groups: per-project
// settings and objects, created with defaults when a project is first
// touched, and the user's SQL snippets. It is created and seeded on first
// use. Callers hold s.mu.
type extraState struct {
	projects map[string]*projectExtras // by project ref
	snippets []*snippet
}

// projectExtras is what one project keeps beyond Project and its migrations.
type projectExtras struct {
	claim     *claimToken
	upgrade   *upgradeState
	webhooks  bool
	storage   storageConfig
	postgrest postgrestConfig
	realtime  realtimeConfig
	rootKey   string
	runs      []*actionRun // oldest first
}

// Seeded objects of the smaller groups.
const (
	SeedClaimToken   = "0123456789abcdef0123456789abcdef01234567" // claims SeedProjectComing (globex-labs)
	SeedSnippetID    = "5b0c8f5e-2f4d-4b8a-9c1e-3a7d6e2f1b40"     // "Top profiles", acme-prod
	SeedSnippetTwoID = "8e1f3a2b-6c5d-4e7f-8a9b-0c1d2e3f4a5b"     // "Daily signups", acme-prod
	SeedActionRunID  = "run_01hq3q9m7y5q7e4a7x2c8m1p4n"           // finished run of SeedProjectActive
	SeedActionRunTwo = "run_01hq3r2k8d6w5t3b9v1x7c4m2q"           // running run of SeedProjectActive
)

// extras returns the extra state, seeding it on first use.
func (s *Server) extras() *extraState {
	if s.extra == nil {
		s.extra = &extraState{projects: map[string]*projectExtras{}}
		s.seedExtras()
	}
	return s.extra
}

// extrasOf returns a project's extra state, with defaults on first use.
func (s *Server) extrasOf(ref string) *projectExtras {
	x := s.extras()
	pe := x.projects[ref]
	if pe == nil {
		pe = &projectExtras{
			storage:   defaultStorageConfig(),
			postgrest: defaultPostgrestConfig(),
			realtime:  defaultRealtimeConfig(),
			rootKey:   randomHex(32),
		}
		x.projects[ref] = pe
	}
	return pe
}

func (s *Server) seedExtras() {
	s.extrasOf(SeedProjectComing).claim = &claimToken{
		Token: SeedClaimToken, CreatedAt: "2025-01-17T09:30:00.000Z", ExpiresAt: "2099-01-01T00:00:00.000Z", CreatedBy: userCarol,
	}
	s.extrasOf(SeedProjectActive).runs = seedActionRuns()
	s.extra.snippets = s.seedSnippets()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Seeded users (see the members in state.go); alice owns the access token.
const (
	userAlice = "7d5a2f9e-3c1b-4e8a-9f6d-2b4c8e1a0f31"
	userCarol = "3e8f1a6c-9b4d-4f2e-a7c5-1d3b6e9f2a84"
)
