package sandbox

import (
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"sync"
	"time"
)

// jitAccessRoutes serves the jit_access endpoint group: per-user temporary
// database role grants and the project's JIT access switch. The caller (the
// fake has one token) is the Owner of the project's organization.
func (s *Server) jitAccessRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/database/jit", s.withProject(s.getJitAccess))
	mux.HandleFunc("POST /v1/projects/{ref}/database/jit", s.withProject(s.authorizeJitAccess))
	mux.HandleFunc("PUT /v1/projects/{ref}/database/jit", s.withProject(s.updateJitAccess))
	mux.HandleFunc("GET /v1/projects/{ref}/database/jit/list", s.withProject(s.listJitAccess))
	mux.HandleFunc("DELETE /v1/projects/{ref}/database/jit/{user_id}", s.withProject(s.deleteJitAccess))
	mux.HandleFunc("GET /v1/projects/{ref}/jit-access", s.withProject(s.getJitAccessConfig))
	mux.HandleFunc("PUT /v1/projects/{ref}/jit-access", s.withProject(s.updateJitAccessConfig))
}

// Seeded JIT grants: on every project the organization's Owner may use role
// postgres from SeedJitNetwork, and on acme-corp projects bob holds
// supabase_read_only_user for a week. JIT access is enabled on
// SeedProjectActive only.
const (
	SeedJitNetwork = "203.0.113.0/24"
	jitSeedBob     = "0c9e4b7a-6d2f-4a1e-8b3c-5f7d9e2a4c60" // bob of acme-corp (see seed)
)

// jitAccessFixtures names this group's seeded objects for Fixtures.
func jitAccessFixtures() map[string]any {
	return map[string]any{
		"jit_access.authorize.role":  "postgres",
		"jit_access.authorize.rhost": "203.0.113.10",
		"jit_access.update.user_id":  jitSeedBob,
		"jit_access.update.roles":    []any{map[string]any{"role": "supabase_read_only_user"}},
		"jit_access.delete.user_id":  jitSeedBob,
	}
}

type jitCIDR struct {
	CIDR string `json:"cidr"`
}

type jitNetworks struct {
	AllowedCIDRs   []jitCIDR `json:"allowed_cidrs,omitempty"`
	AllowedCIDRsV6 []jitCIDR `json:"allowed_cidrs_v6,omitempty"`
}

// jitRole is one grant (the spec's user role object).
type jitRole struct {
	Role            string       `json:"role"`
	ExpiresAt       *float64     `json:"expires_at,omitempty"`
	AllowedNetworks *jitNetworks `json:"allowed_networks,omitempty"`
	BranchesOnly    *bool        `json:"branches_only,omitempty"`
}

// jitMapping is JitAccessResponse: one user's grants.
type jitMapping struct {
	UserID    string    `json:"user_id"`
	UserRoles []jitRole `json:"user_roles"`
}

type jitState struct {
	state    string // enabled or disabled
	mappings []jitMapping
}

var projectJit = perProject[jitState]{init: func(s *Server, p *projectState) *jitState {
	st := &jitState{state: "disabled"}
	if p.Ref == SeedProjectActive {
		st.state = "enabled"
	}
	if owner := s.jitCaller(p); owner != "" {
		st.mappings = append(st.mappings, jitMapping{owner, []jitRole{{
			Role: "postgres", AllowedNetworks: &jitNetworks{AllowedCIDRs: []jitCIDR{{SeedJitNetwork}}},
		}}})
	}
	if o := s.orgOf(p); o != nil && slices.ContainsFunc(o.members, func(m Member) bool { return m.UserID == jitSeedBob }) {
		week := float64(time.Now().Add(7 * 24 * time.Hour).Unix())
		st.mappings = append(st.mappings, jitMapping{jitSeedBob, []jitRole{{Role: "supabase_read_only_user", ExpiresAt: &week}}})
	}
	return st
}}

// jitCaller is the user id the token stands for: the organization's Owner.
func (s *Server) jitCaller(p *projectState) string {
	if o := s.orgOf(p); o != nil {
		for _, m := range o.members {
			if m.RoleName == "Owner" {
				return m.UserID
			}
		}
	}
	return ""
}

func (st *jitState) mapping(userID string) int {
	return slices.IndexFunc(st.mappings, func(m jitMapping) bool { return m.UserID == userID })
}

// getJitAccess answers the caller's own grants.
func (s *Server) getJitAccess(w http.ResponseWriter, r *http.Request, p *projectState) {
	st, caller := projectJit.of(s, p), s.jitCaller(p)
	if i := st.mapping(caller); i >= 0 {
		writeJSON(w, http.StatusOK, st.mappings[i])
		return
	}
	writeJSON(w, http.StatusOK, jitMapping{caller, []jitRole{}})
}

func (s *Server) listJitAccess(w http.ResponseWriter, r *http.Request, p *projectState) {
	items := projectJit.of(s, p).mappings
	if items == nil {
		items = []jitMapping{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// authorizeJitAccess checks that the caller holds an unexpired grant of role
// usable from rhost, and answers it (JitAuthorizeAccessResponse).
func (s *Server) authorizeJitAccess(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		Role  *string `json:"role"`
		Rhost *string `json:"rhost"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Role == nil || *body.Role == "" || body.Rhost == nil || *body.Rhost == "" {
		badRequest(w, "role and rhost are required")
		return
	}
	addr, err := netip.ParseAddr(*body.Rhost)
	if err != nil {
		badRequest(w, "rhost %q is not an IP address", *body.Rhost)
		return
	}
	st, caller := projectJit.of(s, p), s.jitCaller(p)
	if st.state != "enabled" {
		badRequest(w, "Temporary access is not enabled for this project")
		return
	}
	var grant *jitRole
	if i := st.mapping(caller); i >= 0 {
		for j := range st.mappings[i].UserRoles {
			if st.mappings[i].UserRoles[j].Role == *body.Role {
				grant = &st.mappings[i].UserRoles[j]
			}
		}
	}
	switch {
	case grant == nil:
		writeError(w, http.StatusForbidden, "No temporary access to role "+*body.Role)
	case grant.ExpiresAt != nil && *grant.ExpiresAt < float64(time.Now().Unix()):
		writeError(w, http.StatusForbidden, "Temporary access to role "+*body.Role+" has expired")
	case !grant.allows(addr):
		writeError(w, http.StatusForbidden, "Temporary access to role "+*body.Role+" is not allowed from "+addr.String())
	default:
		writeJSON(w, http.StatusOK, map[string]any{"user_id": caller, "user_role": grant})
	}
}

// allows reports whether addr is inside the grant's networks (any address
// when none are listed).
func (g *jitRole) allows(addr netip.Addr) bool {
	n := g.AllowedNetworks
	if n == nil || len(n.AllowedCIDRs)+len(n.AllowedCIDRsV6) == 0 {
		return true
	}
	for _, c := range slices.Concat(n.AllowedCIDRs, n.AllowedCIDRsV6) {
		if p, err := netip.ParsePrefix(c.CIDR); err == nil && p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

// updateJitAccess replaces a member's grants; an empty list removes them.
func (s *Server) updateJitAccess(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		UserID *string   `json:"user_id"`
		Roles  []jitRole `json:"roles"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.UserID == nil || !uuidRE().MatchString(*body.UserID) || body.Roles == nil {
		badRequest(w, "user_id (a UUID) and roles are required")
		return
	}
	for i, g := range body.Roles {
		if g.Role == "" {
			badRequest(w, "roles[%d].role is required", i)
			return
		}
		if g.ExpiresAt != nil && *g.ExpiresAt < 0 {
			badRequest(w, "roles[%d].expires_at must be Unix seconds", i)
			return
		}
		if n := g.AllowedNetworks; n != nil {
			for _, c := range n.AllowedCIDRs {
				if pf, err := netip.ParsePrefix(c.CIDR); err != nil || !pf.Addr().Is4() {
					badRequest(w, "roles[%d].allowed_networks.allowed_cidrs: %q is not an IPv4 CIDR", i, c.CIDR)
					return
				}
			}
			for _, c := range n.AllowedCIDRsV6 {
				if pf, err := netip.ParsePrefix(c.CIDR); err != nil || !pf.Addr().Is6() {
					badRequest(w, "roles[%d].allowed_networks.allowed_cidrs_v6: %q is not an IPv6 CIDR", i, c.CIDR)
					return
				}
			}
		}
	}
	if o := s.orgOf(p); o == nil || !slices.ContainsFunc(o.members, func(m Member) bool { return m.UserID == *body.UserID }) {
		writeError(w, http.StatusNotFound, "User "+*body.UserID+" is not a member of the project's organization")
		return
	}
	st := projectJit.of(s, p)
	i := st.mapping(*body.UserID)
	m := jitMapping{*body.UserID, body.Roles}
	switch {
	case len(body.Roles) == 0 && i >= 0:
		st.mappings = slices.Delete(st.mappings, i, i+1)
	case len(body.Roles) == 0:
	case i >= 0:
		st.mappings[i] = m
	default:
		st.mappings = append(st.mappings, m)
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteJitAccess(w http.ResponseWriter, r *http.Request, p *projectState) {
	userID := r.PathValue("user_id")
	if !uuidRE().MatchString(userID) {
		badRequest(w, "user_id must be a UUID")
		return
	}
	st := projectJit.of(s, p)
	i := st.mapping(userID)
	if i < 0 {
		writeError(w, http.StatusNotFound, "No temporary access for user "+userID)
		return
	}
	st.mappings = slices.Delete(st.mappings, i, i+1)
	writeEmpty(w, http.StatusOK)
}

func jitStateResponse(state string) map[string]any {
	return map[string]any{"state": state, "appliedSuccessfully": true}
}

func (s *Server) getJitAccessConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	writeJSON(w, http.StatusOK, jitStateResponse(projectJit.of(s, p).state))
}

func (s *Server) updateJitAccessConfig(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		State *string `json:"state"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.State == nil || (*body.State != "enabled" && *body.State != "disabled") {
		badRequest(w, "state must be enabled or disabled")
		return
	}
	st := projectJit.of(s, p)
	st.state = *body.State
	writeJSON(w, http.StatusOK, jitStateResponse(st.state))
}
