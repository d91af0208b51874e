package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// SeedSecretName is a user secret seeded in SeedProjectActive. Every project
// also lists the reserved SUPABASE_* secrets, which cannot be set or deleted.
const SeedSecretName = "OPENAI_API_KEY"

var reservedSecrets = []string{"SUPABASE_ANON_KEY", "SUPABASE_DB_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_URL"}

type secretState struct{ value, updatedAt string }

// projectSecrets returns a project's secrets by name, seeding on first use.
// Callers hold s.mu.
func (s *Server) projectSecrets(ref string) map[string]secretState {
	if s.secrets == nil {
		s.secrets = map[string]map[string]secretState{}
	}
	m := s.secrets[ref]
	if m == nil {
		m = map[string]secretState{}
		stamp := "2025-01-15T09:30:00.000Z"
		for _, name := range reservedSecrets {
			m[name] = secretState{"fake-" + strings.ToLower(name) + "-" + ref, stamp}
		}
		if ref == SeedProjectActive {
			m[SeedSecretName] = secretState{"sk-fake-seeded-value", stamp}
		}
		s.secrets[ref] = m
	}
	return m
}

// SecretValue returns a secret's value (test accessor: the API never does).
func (s *Server) SecretValue(ref, name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.projectSecrets(ref)[name]
	return v.value, ok
}

func (s *Server) secretsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/secrets", s.withProject(s.listSecrets))
	mux.HandleFunc("POST /v1/projects/{ref}/secrets", s.withProject(s.createSecrets))
	mux.HandleFunc("DELETE /v1/projects/{ref}/secrets", s.withProject(s.deleteSecrets))
}

// secretsFixtures names this group's seeded objects for Fixtures.
func secretsFixtures() map[string]any {
	return map[string]any{"secrets.delete.names": []any{SeedSecretName}}
}

// listSecrets is SecretResponse[]: like the API, value is the SHA-256 digest
// of the secret, never the secret itself.
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, p *projectState) {
	m := s.projectSecrets(p.Ref)
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]map[string]string, 0, len(names))
	for _, name := range names {
		sum := sha256.Sum256([]byte(m[name].value))
		out = append(out, map[string]string{"name": name, "value": hex.EncodeToString(sum[:]), "updated_at": m[name].updatedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

// createSecrets is CreateSecretBody: a JSON array of {name, value}; existing
// secrets with the same name are overwritten. 201 without a body.
func (s *Server) createSecrets(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	for i, it := range body {
		switch {
		case it.Name == nil || it.Value == nil:
			badRequest(w, "[%d]: name and value are required", i)
			return
		case *it.Name == "" || utf8.RuneCountInString(*it.Name) > 256:
			badRequest(w, "[%d].name must have 1 to 256 characters", i)
			return
		case strings.HasPrefix(*it.Name, "SUPABASE_"):
			badRequest(w, "[%d].name: Secret name must not start with the SUPABASE_ prefix", i)
			return
		case utf8.RuneCountInString(*it.Value) > 24576:
			badRequest(w, "[%d].value must have at most 24576 characters", i)
			return
		}
	}
	m := s.projectSecrets(p.Ref)
	for _, it := range body {
		m[*it.Name] = secretState{*it.Value, nowStamp()}
	}
	writeEmpty(w, http.StatusCreated)
}

// deleteSecrets is DeleteSecretsBody: a JSON array of names. Unknown names
// are ignored; reserved ones are refused.
func (s *Server) deleteSecrets(w http.ResponseWriter, r *http.Request, p *projectState) {
	var names []string
	if !decodeBody(w, r, &names) {
		return
	}
	for _, name := range names {
		if slices.Contains(reservedSecrets, name) {
			badRequest(w, "Secret %s is reserved and cannot be deleted", name)
			return
		}
	}
	m := s.projectSecrets(p.Ref)
	for _, name := range names {
		delete(m, name)
	}
	writeEmpty(w, http.StatusOK)
}
