package sandbox

import "net/http"

// advisorsRoutes serves the advisors endpoint group.
func (s *Server) advisorsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/advisors/security", s.withProject(s.securityAdvisors))
	mux.HandleFunc("GET /v1/projects/{ref}/advisors/performance", s.withProject(s.performanceAdvisors))
}

// advisorsFixtures names this group's seeded objects for Fixtures.
func advisorsFixtures() map[string]any { return nil }

// lint is an item of V1ProjectAdvisorsResponse.
type lint struct {
	Name        string         `json:"name"`
	Title       string         `json:"title"`
	Level       string         `json:"level"`
	Facing      string         `json:"facing"`
	Categories  []string       `json:"categories"`
	Description string         `json:"description"`
	Detail      string         `json:"detail"`
	Remediation string         `json:"remediation"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	CacheKey    string         `json:"cache_key"`
}

const lintDocs = "https://supabase.com/docs/guides/database/database-linter?lint="

// securityAdvisors: the seeded profiles table has RLS off, and leaked
// password protection is off; lint_type=sql keeps the database lints only.
func (s *Server) securityAdvisors(w http.ResponseWriter, r *http.Request, p *projectState) {
	lintType := r.URL.Query().Get("lint_type")
	if lintType != "" && lintType != "sql" {
		badRequest(w, "lint_type must be sql")
		return
	}
	lints := []lint{{
		Name: "rls_disabled_in_public", Title: "RLS Disabled in Public", Level: "ERROR", Facing: "EXTERNAL",
		Categories:  []string{"SECURITY"},
		Description: "Detects cases where row level security (RLS) has not been enabled on tables in schemas exposed to PostgREST",
		Detail:      "Table `public.profiles` is public, but RLS has not been enabled.",
		Remediation: lintDocs + "0013_rls_disabled_in_public",
		Metadata:    map[string]any{"schema": "public", "name": "profiles", "type": "table"},
		CacheKey:    "rls_disabled_in_public_public_profiles",
	}}
	if lintType == "" {
		lints = append(lints, lint{
			Name: "auth_leaked_password_protection", Title: "Leaked Password Protection Disabled", Level: "WARN", Facing: "EXTERNAL",
			Categories:  []string{"SECURITY"},
			Description: "Leaked password protection is currently disabled.",
			Detail:      "Supabase Auth prevents the use of compromised passwords by checking against HaveIBeenPwned.org. Enable this feature to enhance security.",
			Remediation: "https://supabase.com/docs/guides/auth/password-security",
			Metadata:    map[string]any{"entity": "Auth", "type": "auth"},
			CacheKey:    "auth_leaked_password_protection",
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"lints": lints})
}

// performanceAdvisors: the seeded profiles table has an unused index.
func (s *Server) performanceAdvisors(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, map[string]any{"lints": []lint{{
		Name: "unused_index", Title: "Unused Index", Level: "INFO", Facing: "EXTERNAL",
		Categories:  []string{"PERFORMANCE"},
		Description: "Detects if an index has never been used and may be a candidate for removal.",
		Detail:      "Index `profiles_email_idx` on table `public.profiles` has not been used",
		Remediation: lintDocs + "0005_unused_index",
		Metadata:    map[string]any{"schema": "public", "name": "profiles", "type": "table"},
		CacheKey:    "unused_index_public_profiles_profiles_email_idx",
	}}})
}
