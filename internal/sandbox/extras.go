package sandbox

import (
	"crypto/rand"
	"encoding/hex"
)

// extraState is what projects and organizations keep per project beyond
// Project and its migrations (claim tokens, upgrades, webhooks). It is
// created and seeded on first use. Callers hold s.mu.
type extraState struct {
	projects map[string]*projectExtras // by project ref
}

// projectExtras is what one project keeps beyond Project and its migrations.
type projectExtras struct {
	claim    *claimToken
	upgrade  *upgradeState
	webhooks bool
}

// SeedClaimToken claims SeedProjectComing (globex-labs).
const SeedClaimToken = "0123456789abcdef0123456789abcdef01234567"

// extras returns the extra state, seeding it on first use.
func (s *Server) extras() *extraState {
	if s.extra == nil {
		s.extra = &extraState{projects: map[string]*projectExtras{}}
		s.extrasOf(SeedProjectComing).claim = &claimToken{
			Token: SeedClaimToken, CreatedAt: "2025-01-17T09:30:00.000Z", ExpiresAt: "2099-01-01T00:00:00.000Z", CreatedBy: userCarol,
		}
	}
	return s.extra
}

// extrasOf returns a project's extra state, created on first use.
func (s *Server) extrasOf(ref string) *projectExtras {
	x := s.extras()
	pe := x.projects[ref]
	if pe == nil {
		pe = &projectExtras{}
		x.projects[ref] = pe
	}
	return pe
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
