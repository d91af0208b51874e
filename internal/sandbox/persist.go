package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// snapshot is the state Options.StateFile keeps across restarts: all of it
// (organizations, projects, branches, functions, migrations, secrets and
// every group's documents).
type snapshot struct {
	Organizations []savedOrg                 `json:"organizations"`
	Projects      []savedProject             `json:"projects"`
	Migrations    map[string][]Migration     `json:"migrations"`
	Branches      []savedBranch              `json:"branches"`
	Functions     map[string][]savedFunction `json:"functions"`
	Documents     map[string]any             `json:"documents"`
}

type savedProject struct {
	Project
	Claim   *claimToken   `json:"claim,omitempty"`
	Upgrade *upgradeState `json:"upgrade,omitempty"`
}

type savedOrg struct {
	Organization
	Plan string `json:"plan"`
}

type savedBranch struct {
	Branch
	PostgresEngine string `json:"postgres_engine"`
	ReleaseChannel string `json:"release_channel"`
}

type savedFunction struct {
	Function
	Files []FunctionFile `json:"files"`
}

// loadState replaces the seeded state by the file's, if it exists.
func (s *Server) loadState(path string) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var snap snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		return fmt.Errorf("sandbox state %s: %w (delete it, or reset, to start from the seed)", filepath.Base(path), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if snap.Organizations != nil {
		s.orgs = nil
		for _, o := range snap.Organizations {
			o.Organization.Plan = o.Plan
			s.orgs = append(s.orgs, &orgState{o.Organization})
		}
	}
	s.projs = nil
	for _, p := range snap.Projects {
		ps := s.addProject(p.Project, "")
		ps.claim, ps.upgrade = p.Claim, p.Upgrade
	}
	s.migs = snap.Migrations
	if s.migs == nil {
		s.migs = map[string][]Migration{}
	}
	s.branches = &branchStore{}
	for _, b := range snap.Branches {
		s.branches.list = append(s.branches.list, &branchState{Branch: b.Branch, postgresEngine: b.PostgresEngine, releaseChannel: b.ReleaseChannel})
	}
	s.functions = map[string][]*functionState{}
	for ref, fns := range snap.Functions {
		for _, f := range fns {
			s.functions[ref] = append(s.functions[ref], &functionState{Function: f.Function, files: f.Files})
		}
	}
	s.docs = snap.Documents
	if s.docs == nil {
		s.docs = map[string]any{}
	}
	return nil
}

// saveState writes the state to path (through a temporary file, so a crash
// never leaves half a file). Callers hold s.mu.
func (s *Server) saveState(path string) error {
	snap := snapshot{Migrations: s.migs, Functions: map[string][]savedFunction{}, Documents: s.docs}
	for _, o := range s.orgs {
		snap.Organizations = append(snap.Organizations, savedOrg{o.Organization, o.Plan})
	}
	for _, p := range s.projs {
		snap.Projects = append(snap.Projects, savedProject{p.Project, p.claim, p.upgrade})
	}
	for _, b := range s.branchStoreLocked().list {
		snap.Branches = append(snap.Branches, savedBranch{b.Branch, b.postgresEngine, b.releaseChannel})
	}
	s.projectFunctions("") // seeds the functions on first use
	for ref, fns := range s.functions {
		for _, f := range fns {
			snap.Functions[ref] = append(snap.Functions[ref], savedFunction{f.Function, f.files})
		}
	}
	raw, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
