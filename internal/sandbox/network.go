package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
)

// SeedBannedIPs are the IPv4 addresses banned on SeedProjectActive; other
// projects start without bans. Every project starts allowing all addresses
// (0.0.0.0/0 and ::/0), applied.
var SeedBannedIPs = []string{"192.0.2.10", "198.51.100.7"}

func (s *Server) networkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/network-restrictions", s.withNetwork(s.getNetworkRestrictions))
	mux.HandleFunc("PATCH /v1/projects/{ref}/network-restrictions", s.withNetwork(s.patchNetworkRestrictions))
	mux.HandleFunc("POST /v1/projects/{ref}/network-restrictions/apply", s.withNetwork(s.applyNetworkRestrictions))
	mux.HandleFunc("POST /v1/projects/{ref}/network-bans/retrieve", s.withNetwork(s.listNetworkBans(false)))
	mux.HandleFunc("POST /v1/projects/{ref}/network-bans/retrieve/enriched", s.withNetwork(s.listNetworkBans(true)))
	mux.HandleFunc("DELETE /v1/projects/{ref}/network-bans", s.withNetwork(s.deleteNetworkBans))
}

// networkFixtures names this group's seeded objects for Fixtures.
func networkFixtures() map[string]any {
	return map[string]any{"network.delete_bans.ipv4_addresses": []any{SeedBannedIPs[0]}}
}

// cidrConfig is the {dbAllowedCidrs, dbAllowedCidrsV6} object.
type cidrConfig struct {
	V4 []string `json:"dbAllowedCidrs"`
	V6 []string `json:"dbAllowedCidrsV6"`
}

// networkState is one project's restrictions and bans. A new config is
// "stored" until the next read of the restrictions, which finds it applied.
type networkState struct {
	ref       string
	config    cidrConfig
	old       *cidrConfig // the config before the pending one
	pending   bool
	updatedAt string
	appliedAt string
	bans      []string
}

func (s *Server) withNetwork(h func(http.ResponseWriter, *http.Request, *networkState)) http.HandlerFunc {
	return s.withProject(func(w http.ResponseWriter, r *http.Request, p *projectState) {
		h(w, r, groupState(s, p.Ref, seedNetwork))
	})
}

func seedNetwork(ref string) *networkState {
	const at = "2025-01-15T09:30:00.000Z"
	st := &networkState{ref: ref, config: cidrConfig{V4: []string{"0.0.0.0/0"}, V6: []string{"::/0"}}, updatedAt: at, appliedAt: at}
	if ref == SeedProjectActive {
		st.bans = slices.Clone(SeedBannedIPs)
	}
	return st
}

// NetworkBans returns the IPv4 addresses banned on a project.
func (s *Server) NetworkBans(ref string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(groupState(s, ref, seedNetwork).bans)
}

// restrictions is NetworkRestrictionsResponse.
func (st *networkState) restrictions() map[string]any {
	out := map[string]any{"entitlement": "allowed", "config": st.config, "status": "applied", "updated_at": st.updatedAt, "applied_at": st.appliedAt}
	if st.pending {
		out["status"] = "stored"
		if st.old != nil {
			out["old_config"] = *st.old
		}
	}
	return out
}

// restrictionsV2 is NetworkRestrictionsV2Response: one list of typed CIDRs.
func (st *networkState) restrictionsV2() map[string]any {
	v2 := func(c cidrConfig) map[string]any {
		list := []map[string]string{}
		for _, a := range c.V4 {
			list = append(list, map[string]string{"address": a, "type": "v4"})
		}
		for _, a := range c.V6 {
			list = append(list, map[string]string{"address": a, "type": "v6"})
		}
		return map[string]any{"dbAllowedCidrs": list}
	}
	out := st.restrictions()
	out["config"] = v2(st.config)
	if st.pending && st.old != nil {
		out["old_config"] = v2(*st.old)
	}
	return out
}

// set stores a new config, pending until the next read.
func (st *networkState) set(c cidrConfig) {
	if !st.pending {
		old := st.config
		st.old = &old
	}
	st.config, st.pending, st.updatedAt = c, true, nowStamp()
}

func (s *Server) getNetworkRestrictions(w http.ResponseWriter, r *http.Request, st *networkState) {
	if st.pending {
		st.pending, st.old, st.appliedAt = false, nil, nowStamp()
	}
	writeJSON(w, http.StatusOK, st.restrictions())
}

// checkCIDRs validates a list of one family.
func checkCIDRs(field string, list []string, v4 bool) error {
	for _, c := range list {
		p, err := netip.ParsePrefix(c)
		if err != nil || p.Addr().Is4() != v4 {
			family := "IPv6"
			if v4 {
				family = "IPv4"
			}
			return fmt.Errorf("%s: %q is not an %s CIDR", field, c, family)
		}
	}
	return nil
}

// applyNetworkRestrictions is NetworkRestrictionsRequest: a family left out
// keeps its current list.
func (s *Server) applyNetworkRestrictions(w http.ResponseWriter, r *http.Request, st *networkState) {
	var body struct {
		V4 *[]string `json:"dbAllowedCidrs"`
		V6 *[]string `json:"dbAllowedCidrsV6"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	c := st.config
	if body.V4 != nil {
		if err := checkCIDRs("dbAllowedCidrs", *body.V4, true); err != nil {
			badRequest(w, "%v", err)
			return
		}
		c.V4 = slices.Clone(*body.V4)
	}
	if body.V6 != nil {
		if err := checkCIDRs("dbAllowedCidrsV6", *body.V6, false); err != nil {
			badRequest(w, "%v", err)
			return
		}
		c.V6 = slices.Clone(*body.V6)
	}
	st.set(c)
	writeJSON(w, http.StatusCreated, st.restrictions())
}

// patchNetworkRestrictions is NetworkRestrictionsPatchRequest: CIDRs to add
// (kept once) and to remove (each must be allowed now).
func (s *Server) patchNetworkRestrictions(w http.ResponseWriter, r *http.Request, st *networkState) {
	var body struct {
		Add    *cidrConfig `json:"add"`
		Remove *cidrConfig `json:"remove"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	c := cidrConfig{V4: slices.Clone(st.config.V4), V6: slices.Clone(st.config.V6)}
	for _, part := range []struct {
		name string
		cfg  *cidrConfig
	}{{"add", body.Add}, {"remove", body.Remove}} {
		if part.cfg == nil {
			continue
		}
		for _, fam := range []struct {
			field string
			v4    bool
			list  []string
			into  *[]string
		}{{"dbAllowedCidrs", true, part.cfg.V4, &c.V4}, {"dbAllowedCidrsV6", false, part.cfg.V6, &c.V6}} {
			if err := checkCIDRs(part.name+"."+fam.field, fam.list, fam.v4); err != nil {
				badRequest(w, "%v", err)
				return
			}
			for _, cidr := range fam.list {
				i := slices.Index(*fam.into, cidr)
				switch {
				case part.name == "add" && i < 0:
					*fam.into = append(*fam.into, cidr)
				case part.name == "remove" && i < 0:
					badRequest(w, "remove: %s is not in the allowed CIDRs", cidr)
					return
				case part.name == "remove":
					*fam.into = slices.Delete(*fam.into, i, i+1)
				}
			}
		}
	}
	if body.Add != nil || body.Remove != nil {
		st.set(c)
	}
	writeJSON(w, http.StatusOK, st.restrictionsV2())
}

// listNetworkBans is NetworkBanResponse, or NetworkBanResponseEnriched
// where every ban applies to the primary database.
func (s *Server) listNetworkBans(enriched bool) func(http.ResponseWriter, *http.Request, *networkState) {
	return func(w http.ResponseWriter, r *http.Request, st *networkState) {
		if !enriched {
			writeJSON(w, http.StatusCreated, map[string]any{"banned_ipv4_addresses": append([]string{}, st.bans...)})
			return
		}
		out := []map[string]string{}
		for _, ip := range st.bans {
			out = append(out, map[string]string{"banned_address": ip, "identifier": st.ref, "type": "PRIMARY"})
		}
		writeJSON(w, http.StatusCreated, map[string]any{"banned_ipv4_addresses": out})
	}
}

// deleteNetworkBans is RemoveNetworkBanRequest: addresses that are not
// banned are ignored; requester_ip adds the caller's address.
func (s *Server) deleteNetworkBans(w http.ResponseWriter, r *http.Request, st *networkState) {
	var body struct {
		IPv4Addresses *[]string `json:"ipv4_addresses"`
		RequesterIP   bool      `json:"requester_ip"`
		Identifier    *string   `json:"identifier"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.IPv4Addresses == nil {
		badRequest(w, "ipv4_addresses is required")
		return
	}
	if body.Identifier != nil && *body.Identifier != st.ref {
		badRequest(w, "identifier %q names no database of this project", *body.Identifier)
		return
	}
	addrs := *body.IPv4Addresses
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is4() {
			badRequest(w, "ipv4_addresses: %q is not an IPv4 address", a)
			return
		}
	}
	if body.RequesterIP {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			addrs = append(addrs, host)
		}
	}
	st.bans = slices.DeleteFunc(st.bans, func(b string) bool { return slices.Contains(addrs, b) })
	writeEmpty(w, http.StatusOK)
}
