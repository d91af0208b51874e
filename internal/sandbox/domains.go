package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Seeded domains of SeedProjectActive: a custom hostname whose DNS records
// are verified but which is not active yet, and a vanity subdomain in use.
// Other projects start with neither.
const (
	SeedCustomHostname  = "api.acme.test"
	SeedVanitySubdomain = "acme-prod"
)

// Custom hostname statuses (UpdateCustomHostnameResponse.status).
const (
	hostnameInitiated = "2_initiated"
	hostnameVerified  = "3_challenge_verified"
	hostnameActive    = "5_services_reconfigured"
)

func (s *Server) domainsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/custom-hostname", s.withDomains(s.getCustomHostname))
	mux.HandleFunc("DELETE /v1/projects/{ref}/custom-hostname", s.withDomains(s.deleteCustomHostname))
	mux.HandleFunc("POST /v1/projects/{ref}/custom-hostname/initialize", s.withDomains(s.initializeCustomHostname))
	mux.HandleFunc("POST /v1/projects/{ref}/custom-hostname/reverify", s.withDomains(s.reverifyCustomHostname))
	mux.HandleFunc("POST /v1/projects/{ref}/custom-hostname/activate", s.withDomains(s.activateCustomHostname))
	mux.HandleFunc("GET /v1/projects/{ref}/vanity-subdomain", s.withDomains(s.getVanitySubdomain))
	mux.HandleFunc("DELETE /v1/projects/{ref}/vanity-subdomain", s.withDomains(s.deleteVanitySubdomain))
	mux.HandleFunc("POST /v1/projects/{ref}/vanity-subdomain/check-availability", s.withDomains(s.checkVanitySubdomain))
	mux.HandleFunc("POST /v1/projects/{ref}/vanity-subdomain/activate", s.withDomains(s.activateVanitySubdomain))
}

// domainsFixtures names this group's seeded objects for Fixtures.
func domainsFixtures() map[string]any {
	return map[string]any{
		"domains.initialize_hostname.custom_hostname": "www.acme.test",
		"domains.check_vanity.vanity_subdomain":       "acme-app",
		"domains.activate_vanity.vanity_subdomain":    "acme-app",
	}
}

// domainsState is one project's custom hostname and vanity subdomain.
type domainsState struct {
	ref      string
	hostname string // "" when none is configured
	status   string
	cfID     string // the Cloudflare custom hostname id
	txtValue string // ownership verification TXT value
	vanity   string // "" when none is active
}

func (s *Server) withDomains(h func(http.ResponseWriter, *http.Request, *domainsState)) http.HandlerFunc {
	return s.withProject(func(w http.ResponseWriter, r *http.Request, p *projectState) {
		h(w, r, groupState(s, p.Ref, seedDomains))
	})
}

func seedDomains(ref string) *domainsState {
	st := &domainsState{ref: ref}
	if ref == SeedProjectActive {
		st.hostname, st.status, st.cfID, st.txtValue = SeedCustomHostname, hostnameVerified, "0b9c3f1e-2d4a-4e6b-8c7d-9e0f1a2b3c4d", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
		st.vanity = SeedVanitySubdomain
	}
	return st
}

// hostnameResponse is UpdateCustomHostnameResponse; data mirrors the
// Cloudflare custom hostname the API sets up.
func (st *domainsState) hostnameResponse() map[string]any {
	sslStatus, cfStatus := "pending_validation", "pending"
	switch st.status {
	case hostnameVerified:
		sslStatus = "pending_deployment"
	case hostnameActive:
		sslStatus, cfStatus = "active", "active"
	}
	records := []map[string]string{}
	if st.status == hostnameInitiated {
		records = append(records, map[string]string{"txt_name": "_acme-challenge." + st.hostname, "txt_value": strings.ReplaceAll(st.txtValue, "-", "")[:22]})
	}
	return map[string]any{
		"status":          st.status,
		"custom_hostname": st.hostname,
		"data": map[string]any{
			"success": true, "errors": []any{}, "messages": []any{},
			"result": map[string]any{
				"id":       st.cfID,
				"hostname": st.hostname,
				"ssl":      map[string]any{"status": sslStatus, "validation_records": records},
				"ownership_verification": map[string]string{
					"type": "txt", "name": "_cf-custom-hostname." + st.hostname, "value": st.txtValue,
				},
				"custom_origin_server": st.ref + ".supabase.co",
				"status":               cfStatus,
			},
		},
	}
}

func (st *domainsState) needHostname(w http.ResponseWriter) bool {
	if st.hostname == "" {
		writeError(w, http.StatusNotFound, "No custom hostname is configured for this project: initialize one first")
		return false
	}
	return true
}

func (s *Server) getCustomHostname(w http.ResponseWriter, r *http.Request, st *domainsState) {
	if st.needHostname(w) {
		writeJSON(w, http.StatusOK, st.hostnameResponse())
	}
}

// initializeCustomHostname (re)starts the setup of a hostname: it needs its
// CNAME and TXT records checked before it can be activated.
func (s *Server) initializeCustomHostname(w http.ResponseWriter, r *http.Request, st *domainsState) {
	var body struct {
		CustomHostname string `json:"custom_hostname"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	h := strings.ToLower(body.CustomHostname)
	switch {
	case h == "" || len(h) > 253:
		badRequest(w, "custom_hostname must be between 1 and 253 characters")
		return
	case !hostnameRE().MatchString(h):
		badRequest(w, "custom_hostname %q is not a valid hostname", body.CustomHostname)
		return
	case strings.HasSuffix(h, ".supabase.co") || strings.HasSuffix(h, ".supabase.in"):
		badRequest(w, "custom_hostname cannot be a Supabase domain")
		return
	}
	st.hostname, st.status, st.cfID, st.txtValue = h, hostnameInitiated, sideUUID(), sideUUID()
	writeJSON(w, http.StatusCreated, st.hostnameResponse())
}

// reverifyCustomHostname: the fake's DNS always holds the records, so an
// initiated hostname becomes verified.
func (s *Server) reverifyCustomHostname(w http.ResponseWriter, r *http.Request, st *domainsState) {
	if !st.needHostname(w) {
		return
	}
	if st.status == hostnameInitiated {
		st.status = hostnameVerified
	}
	writeJSON(w, http.StatusCreated, st.hostnameResponse())
}

func (s *Server) activateCustomHostname(w http.ResponseWriter, r *http.Request, st *domainsState) {
	if !st.needHostname(w) {
		return
	}
	if st.status == hostnameInitiated {
		badRequest(w, "Custom hostname %s is not verified yet: add the DNS records, then reverify", st.hostname)
		return
	}
	st.status = hostnameActive
	writeJSON(w, http.StatusCreated, st.hostnameResponse())
}

func (s *Server) deleteCustomHostname(w http.ResponseWriter, r *http.Request, st *domainsState) {
	if v := r.URL.Query().Get("remove_addon"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			badRequest(w, "remove_addon must be a boolean value")
			return
		}
	}
	if !st.needHostname(w) {
		return
	}
	st.hostname, st.status, st.cfID, st.txtValue = "", "", "", ""
	writeEmpty(w, http.StatusOK)
}

// getVanitySubdomain is VanitySubdomainConfigResponse; an active custom
// hostname takes precedence.
func (s *Server) getVanitySubdomain(w http.ResponseWriter, r *http.Request, st *domainsState) {
	switch {
	case st.status == hostnameActive:
		writeJSON(w, http.StatusOK, map[string]string{"status": "custom-domain-used", "custom_domain": st.hostname})
	case st.vanity != "":
		writeJSON(w, http.StatusOK, map[string]string{"status": "active", "custom_domain": st.vanity + ".supabase.co"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "not-used"})
	}
}

var (
	vanityRE       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`) })
	reservedVanity = []string{"api", "app", "www", "admin", "auth", "dashboard", "db", "studio", "supabase"}
	hostnameRE     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	})
)

// vanityBody decodes VanitySubdomainBody and checks its format.
func vanityBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var body struct {
		VanitySubdomain *string `json:"vanity_subdomain"`
	}
	if !decodeBody(w, r, &body) {
		return "", false
	}
	switch v := body.VanitySubdomain; {
	case v == nil:
		badRequest(w, "vanity_subdomain is required")
	case len(*v) > 63:
		badRequest(w, "vanity_subdomain must be shorter than or equal to 63 characters")
	case !vanityRE().MatchString(*v):
		badRequest(w, "vanity_subdomain may only contain lowercase letters, digits and inner hyphens")
	default:
		return *v, true
	}
	return "", false
}

// vanityTaken reports whether another project of this fake, or the
// reserved list, has the subdomain.
func (s *Server) vanityTaken(st *domainsState, v string) bool {
	taken := slices.Contains(reservedVanity, v) || len(v) < 3
	for _, p := range s.projs {
		if o := groupState(s, p.Ref, seedDomains); o != st && o.vanity == v {
			taken = true
		}
	}
	return taken
}

func (s *Server) checkVanitySubdomain(w http.ResponseWriter, r *http.Request, st *domainsState) {
	v, ok := vanityBody(w, r)
	if ok {
		writeJSON(w, http.StatusCreated, map[string]bool{"available": !s.vanityTaken(st, v)})
	}
}

func (s *Server) activateVanitySubdomain(w http.ResponseWriter, r *http.Request, st *domainsState) {
	v, ok := vanityBody(w, r)
	switch {
	case !ok:
		return
	case s.vanityTaken(st, v):
		badRequest(w, "Vanity subdomain %s is not available", v)
		return
	case st.status == hostnameActive:
		badRequest(w, "This project uses the custom hostname %s: delete it before activating a vanity subdomain", st.hostname)
		return
	}
	st.vanity = v
	writeJSON(w, http.StatusCreated, map[string]string{"custom_domain": v + ".supabase.co"})
}

func (s *Server) deleteVanitySubdomain(w http.ResponseWriter, r *http.Request, st *domainsState) {
	if st.vanity == "" {
		writeError(w, http.StatusNotFound, "This project has no vanity subdomain")
		return
	}
	st.vanity = ""
	writeEmpty(w, http.StatusOK)
}
