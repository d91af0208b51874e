package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Every project has, on first use of the API key endpoints, the two legacy
// JWT keys (ids "anon" and "service_role"), a publishable and a secret key
// (both named "default"). Their ids derive from the project ref: see
// SeedAPIKeyID.
const (
	apiKeyPublishable = "publishable"
	apiKeySecret      = "secret"
	apiKeyLegacy      = "legacy"
)

// SeedAPIKeyID is the id of a project's seeded publishable (n = 1) or secret
// (n = 2) key.
func SeedAPIKeyID(ref string, n int) string {
	return uuidFrom("api-key-" + ref + "-" + strconv.Itoa(n))
}

// APIKey is ApiKeyResponse with the key in full.
type APIKey struct {
	APIKey            string         `json:"api_key"`
	ID                string         `json:"id"`
	Type              string         `json:"type"`
	Prefix            string         `json:"prefix,omitempty"`
	Name              string         `json:"name"`
	Description       *string        `json:"description"`
	Hash              string         `json:"hash,omitempty"`
	SecretJWTTemplate map[string]any `json:"secret_jwt_template"`
	InsertedAt        string         `json:"inserted_at"`
	UpdatedAt         string         `json:"updated_at"`
}

type apiKeysState struct {
	keys          []*APIKey
	legacyEnabled bool
}

var apiKeyName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_]+$`) })

func newAPIKey(typ, name, id, ref string) *APIKey {
	secret := hex.EncodeToString([]byte(uuidFrom(id + ref)))[:32]
	k := &APIKey{ID: id, Type: typ, Name: name, InsertedAt: nowStamp()}
	switch typ {
	case apiKeyPublishable:
		k.Prefix = "sb_publishable_"
	case apiKeySecret:
		k.Prefix = "sb_secret_"
	default:
		k.APIKey = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.fake-" + name + "-" + ref + ".signature"
	}
	if k.APIKey == "" {
		k.APIKey = k.Prefix + secret
	}
	sum := sha256.Sum256([]byte(k.APIKey))
	k.Hash = hex.EncodeToString(sum[:])
	k.UpdatedAt = k.InsertedAt
	return k
}

// projectAPIKeys returns a project's key state, seeding on first use.
// Callers hold s.mu.
func (s *Server) projectAPIKeys(ref string) *apiKeysState {
	if s.apiKeys == nil {
		s.apiKeys = map[string]*apiKeysState{}
	}
	st := s.apiKeys[ref]
	if st == nil {
		st = &apiKeysState{legacyEnabled: true, keys: []*APIKey{
			newAPIKey(apiKeyLegacy, "anon", "anon", ref),
			newAPIKey(apiKeyLegacy, "service_role", "service_role", ref),
			newAPIKey(apiKeyPublishable, "default", SeedAPIKeyID(ref, 1), ref),
			newAPIKey(apiKeySecret, "default", SeedAPIKeyID(ref, 2), ref),
		}}
		stamp := time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC).Format(createdAtLayout)
		for _, k := range st.keys {
			k.InsertedAt, k.UpdatedAt = stamp, stamp
		}
		s.apiKeys[ref] = st
	}
	return st
}

// APIKeys returns a project's keys in full (test accessor).
func (s *Server) APIKeys(ref string) []APIKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []APIKey
	for _, k := range s.projectAPIKeys(ref).keys {
		out = append(out, *k)
	}
	return out
}

func (s *Server) apiKeysRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/api-keys", s.withProject(s.listAPIKeys))
	mux.HandleFunc("POST /v1/projects/{ref}/api-keys", s.withProject(s.createAPIKey))
	mux.HandleFunc("GET /v1/projects/{ref}/api-keys/legacy", s.withProject(s.getLegacyAPIKeys))
	mux.HandleFunc("PUT /v1/projects/{ref}/api-keys/legacy", s.withProject(s.setLegacyAPIKeys))
	mux.HandleFunc("GET /v1/projects/{ref}/api-keys/{id}", s.withAPIKey(s.getAPIKey))
	mux.HandleFunc("PATCH /v1/projects/{ref}/api-keys/{id}", s.withAPIKey(s.updateAPIKey))
	mux.HandleFunc("DELETE /v1/projects/{ref}/api-keys/{id}", s.withAPIKey(s.deleteAPIKey))
}

// apiKeysFixtures names this group's seeded objects for Fixtures.
func apiKeysFixtures() map[string]any {
	secret := SeedAPIKeyID(SeedProjectActive, 2)
	return map[string]any{
		"secrets.get_api_key.id":    secret,
		"secrets.update_api_key.id": secret,
		"secrets.delete_api_key.id": secret,
	}
}

// view is the key as the API shows it: secret keys (and the legacy
// service_role key) are masked unless reveal=true.
func (k *APIKey) view(reveal bool) APIKey {
	v := *k
	if !reveal && (k.Type == apiKeySecret || k.ID == "service_role") {
		v.APIKey = k.APIKey[:min(len(k.APIKey), len(k.Prefix)+4)] + "••••••••"
	}
	return v
}

// withAPIKey runs h with s.mu held and the key named by {id} in the project
// named by {ref} (and the reveal query parameter), or answers 404.
func (s *Server) withAPIKey(h func(http.ResponseWriter, *http.Request, *apiKeysState, *APIKey, bool)) http.HandlerFunc {
	return s.withProject(func(w http.ResponseWriter, r *http.Request, p *projectState) {
		reveal, ok := boolParam(w, r, "reveal", false)
		if !ok {
			return
		}
		st := s.projectAPIKeys(p.Ref)
		for _, k := range st.keys {
			if k.ID == r.PathValue("id") {
				h(w, r, st, k, reveal)
				return
			}
		}
		writeError(w, http.StatusNotFound, "API key not found")
	})
}

// listAPIKeys leaves out the legacy keys while they are disabled.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, p *projectState) {
	reveal, ok := boolParam(w, r, "reveal", false)
	if !ok {
		return
	}
	st := s.projectAPIKeys(p.Ref)
	out := []APIKey{}
	for _, k := range st.keys {
		if k.Type != apiKeyLegacy || st.legacyEnabled {
			out = append(out, k.view(reveal))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAPIKey(w http.ResponseWriter, r *http.Request, st *apiKeysState, k *APIKey, reveal bool) {
	writeJSON(w, http.StatusOK, k.view(reveal))
}

// apiKeyBody is CreateApiKeyBody and UpdateApiKeyBody.
type apiKeyBody struct {
	Type              *string        `json:"type"`
	Name              *string        `json:"name"`
	Description       *string        `json:"description"`
	SecretJWTTemplate map[string]any `json:"secret_jwt_template"`
}

func validAPIKeyName(name string) bool {
	return len(name) >= 4 && len(name) <= 64 && apiKeyName().MatchString(name)
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, p *projectState) {
	reveal, ok := boolParam(w, r, "reveal", false)
	if !ok {
		return
	}
	var body apiKeyBody
	if !decodeBody(w, r, &body) {
		return
	}
	switch {
	case body.Type == nil || (*body.Type != apiKeyPublishable && *body.Type != apiKeySecret):
		badRequest(w, "type must be publishable or secret")
		return
	case body.Name == nil || !validAPIKeyName(*body.Name):
		badRequest(w, "name must have 4 to 64 characters matching %s", apiKeyName())
		return
	}
	st := s.projectAPIKeys(p.Ref)
	if slices.ContainsFunc(st.keys, func(k *APIKey) bool { return k.Name == *body.Name && k.Type == *body.Type }) {
		badRequest(w, "A %s key named %s already exists", *body.Type, *body.Name)
		return
	}
	k := newAPIKey(*body.Type, *body.Name, uuidFrom(""), p.Ref)
	k.Description, k.SecretJWTTemplate = body.Description, body.SecretJWTTemplate
	st.keys = append(st.keys, k)
	writeJSON(w, http.StatusCreated, k.view(reveal))
}

func (s *Server) updateAPIKey(w http.ResponseWriter, r *http.Request, st *apiKeysState, k *APIKey, reveal bool) {
	var body apiKeyBody
	if !decodeBody(w, r, &body) {
		return
	}
	switch {
	case body.Type != nil:
		badRequest(w, "type cannot be changed")
		return
	case body.Name != nil && !validAPIKeyName(*body.Name):
		badRequest(w, "name must have 4 to 64 characters matching %s", apiKeyName())
		return
	case k.Type == apiKeyLegacy:
		badRequest(w, "Legacy API keys cannot be changed")
		return
	}
	k.Name = ptrOr(body.Name, k.Name)
	if body.Description != nil {
		k.Description = body.Description
	}
	if body.SecretJWTTemplate != nil {
		k.SecretJWTTemplate = body.SecretJWTTemplate
	}
	k.UpdatedAt = nowStamp()
	writeJSON(w, http.StatusOK, k.view(reveal))
}

// deleteAPIKey answers the deleted key.
func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request, st *apiKeysState, k *APIKey, reveal bool) {
	if _, ok := boolParam(w, r, "was_compromised", false); !ok {
		return
	}
	if k.Type == apiKeyLegacy {
		badRequest(w, "Legacy API keys cannot be deleted; disable them instead")
		return
	}
	st.keys = slices.DeleteFunc(st.keys, func(o *APIKey) bool { return o == k })
	writeJSON(w, http.StatusOK, k.view(reveal))
}

func (s *Server) getLegacyAPIKeys(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": s.projectAPIKeys(p.Ref).legacyEnabled})
}

// setLegacyAPIKeys needs the enabled query parameter; disabling them needs a
// publishable and a secret key to replace them.
func (s *Server) setLegacyAPIKeys(w http.ResponseWriter, r *http.Request, p *projectState) {
	if r.URL.Query().Get("enabled") == "" {
		badRequest(w, "enabled is required")
		return
	}
	enabled, ok := boolParam(w, r, "enabled", true)
	if !ok {
		return
	}
	st := s.projectAPIKeys(p.Ref)
	if !enabled {
		for _, typ := range []string{apiKeyPublishable, apiKeySecret} {
			if !slices.ContainsFunc(st.keys, func(k *APIKey) bool { return k.Type == typ }) {
				badRequest(w, "Create a %s key before disabling the legacy API keys", typ)
				return
			}
		}
	}
	st.legacyEnabled = enabled
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": enabled})
}
