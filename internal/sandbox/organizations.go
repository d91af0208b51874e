package sandbox

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) organizationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/organizations", s.listOrganizations)
	mux.HandleFunc("POST /v1/organizations", s.createOrganization)
	mux.HandleFunc("GET /v1/organizations/{slug}", s.withOrg(s.getOrganization))
	mux.HandleFunc("GET /v1/organizations/{slug}/projects", s.withOrg(s.listOrgProjects))
	mux.HandleFunc("GET /v1/organizations/{slug}/project-claim/{token}", s.withOrg(s.previewProjectClaim))
	mux.HandleFunc("POST /v1/organizations/{slug}/project-claim/{token}", s.withOrg(s.claimProject))
	mux.HandleFunc("GET /v1/profile", s.profile)
}

// withOrg runs h with s.mu held and the organization named by {slug}.
func (s *Server) withOrg(h func(http.ResponseWriter, *http.Request, *orgState)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		o := s.findOrg(r.PathValue("slug"))
		if o == nil {
			writeError(w, http.StatusNotFound, "Organization not found")
			return
		}
		h(w, r, o)
	}
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Organizations())
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	slug := slugify(body.Name)
	for slug == "" || s.findOrg(slug) != nil {
		slug = strings.Trim(slug+"-"+randomLetters(6), "-")
	}
	o := &orgState{Organization: Organization{ID: slug, Slug: slug, Name: body.Name, Plan: "free"}}
	s.orgs = append(s.orgs, o)
	writeJSON(w, http.StatusCreated, o.Organization)
}

// slugify lowercases name and turns runs of other characters into dashes.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, o *orgState) {
	// V1OrganizationSlugResponse
	writeJSON(w, http.StatusOK, map[string]any{
		"id":                       o.ID,
		"name":                     o.Name,
		"plan":                     o.Plan,
		"opt_in_tags":              []string{},
		"allowed_release_channels": []string{"ga", "preview"},
	})
}

// orgProject is an item of OrganizationProjectsResponse.
type orgProject struct {
	Ref           string        `json:"ref"`
	Name          string        `json:"name"`
	CloudProvider string        `json:"cloud_provider"`
	Region        string        `json:"region"`
	IsBranch      bool          `json:"is_branch"`
	Status        string        `json:"status"`
	InsertedAt    string        `json:"inserted_at"`
	Databases     []orgDatabase `json:"databases"`
}

type orgDatabase struct {
	InfraComputeSize string `json:"infra_compute_size"`
	Region           string `json:"region"`
	Status           string `json:"status"`
	CloudProvider    string `json:"cloud_provider"`
	Identifier       string `json:"identifier"`
	Type             string `json:"type"`
}

var projectSorts = map[string]func(a, b *projectState) int{
	"name_asc":     func(a, b *projectState) int { return cmp.Compare(a.Name, b.Name) },
	"name_desc":    func(a, b *projectState) int { return cmp.Compare(b.Name, a.Name) },
	"created_asc":  func(a, b *projectState) int { return cmp.Compare(a.CreatedAt, b.CreatedAt) },
	"created_desc": func(a, b *projectState) int { return cmp.Compare(b.CreatedAt, a.CreatedAt) },
}

// listOrgProjects serves the paginated project list (offset, limit, search,
// sort, statuses as in the spec).
func (s *Server) listOrgProjects(w http.ResponseWriter, r *http.Request, o *orgState) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset")) // validRoute has checked the query
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		limit = 100
	}
	sortFn, ok := projectSorts[q.Get("sort")]
	if !ok {
		sortFn = projectSorts["name_asc"]
	}
	var statuses []string
	if v := q.Get("statuses"); v != "" {
		statuses = strings.Split(v, ",")
	}
	search := strings.ToLower(q.Get("search"))

	var matched []*projectState
	for _, p := range s.projs {
		if p.OrganizationSlug == o.Slug && strings.Contains(strings.ToLower(p.Name), search) &&
			(statuses == nil || slices.Contains(statuses, p.Status)) {
			matched = append(matched, p)
		}
	}
	slices.SortStableFunc(matched, sortFn)
	page := matched[min(offset, len(matched)):min(offset+limit, len(matched))]
	items := make([]orgProject, 0, len(page))
	for _, ps := range page {
		p := ps.observe()
		items = append(items, orgProject{
			Ref: p.Ref, Name: p.Name, CloudProvider: "AWS", Region: p.Region, Status: p.Status, InsertedAt: p.CreatedAt,
			Databases: []orgDatabase{{
				InfraComputeSize: "nano", Region: p.Region, Status: databaseStatus(p.Status),
				CloudProvider: "AWS", Identifier: p.Ref, Type: "PRIMARY",
			}},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"projects":   items,
		"pagination": map[string]int{"count": len(matched), "limit": limit, "offset": offset},
	})
}

// databaseStatus maps a project status onto the (different) database enum.
func databaseStatus(project string) string {
	switch project {
	case "ACTIVE_HEALTHY", "ACTIVE_UNHEALTHY", "COMING_UP", "GOING_DOWN", "INIT_FAILED", "REMOVED",
		"RESTORING", "UNKNOWN", "RESTARTING", "RESIZING":
		return project
	case StatusPausing:
		return "GOING_DOWN"
	}
	return "UNKNOWN"
}

// profile is V1ProfileResponse of the token's owner, alice.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"gotrue_id": s.users.profileID(), "primary_email": "alice@acme.test", "username": "alice"})
}

// findClaim returns the project whose claim token is token, or nil.
// Callers hold s.mu.
func (s *Server) findClaim(token string) *projectState {
	for _, p := range s.projs {
		if p.claim != nil && p.claim.Token == token {
			return p
		}
	}
	return nil
}

// previewProjectClaim is OrganizationProjectClaimResponse: claiming is valid
// unless the project already belongs to the organization.
func (s *Server) previewProjectClaim(w http.ResponseWriter, r *http.Request, o *orgState) {
	p := s.findClaim(r.PathValue("token"))
	if p == nil {
		writeError(w, http.StatusNotFound, "Claim token not found or expired")
		return
	}
	errs := []map[string]string{}
	if p.OrganizationSlug == o.Slug {
		errs = append(errs, map[string]string{"key": "same_organization", "message": "The project already belongs to this organization"})
	}
	source := "free"
	if src := s.findOrg(p.OrganizationSlug); src != nil {
		source = src.Plan
	}
	c := p.claim
	writeJSON(w, http.StatusOK, map[string]any{
		"project": map[string]string{"ref": p.Ref, "name": p.Name},
		"preview": map[string]any{
			"valid": len(errs) == 0, "warnings": []any{}, "errors": errs, "info": []any{},
			"members_exceeding_free_project_limit": []any{},
			"source_subscription_plan":             source, "target_subscription_plan": o.Plan,
		},
		"expires_at": c.ExpiresAt, "created_at": c.CreatedAt, "created_by": c.CreatedBy,
	})
}

// claimProject moves the project into the organization and spends the token.
func (s *Server) claimProject(w http.ResponseWriter, r *http.Request, o *orgState) {
	p := s.findClaim(r.PathValue("token"))
	switch {
	case p == nil:
		writeError(w, http.StatusNotFound, "Claim token not found or expired")
	case p.OrganizationSlug == o.Slug:
		badRequest(w, "The project already belongs to this organization")
	default:
		p.OrganizationSlug, p.OrganizationID = o.Slug, o.Slug
		p.claim = nil
		writeEmpty(w, http.StatusNoContent)
	}
}
