package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// billingRoutes serves the billing endpoint group: project add-ons.
func (s *Server) billingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/billing/addons", s.withProject(s.listProjectAddons))
	mux.HandleFunc("PATCH /v1/projects/{ref}/billing/addons", s.withProject(s.applyProjectAddon))
	mux.HandleFunc("DELETE /v1/projects/{ref}/billing/addons/{addon_variant}", s.withProject(s.removeProjectAddon))
}

// billingFixtures names this group's seeded objects for Fixtures:
// SeedProjectActive runs on Small compute with 7-day PITR.
func billingFixtures() map[string]any {
	return map[string]any{
		"billing.apply_addon.addon_type":     "pitr",
		"billing.apply_addon.addon_variant":  "pitr_14",
		"billing.remove_addon.addon_variant": "pitr_7",
	}
}

// addonVariant is one entry of the add-on catalogue.
type addonVariant struct {
	id, typ, name string
	hourly        bool
	amount        float64
}

// addonTypes are the types the fake sells, in listing order, with names.
var addonTypes = []struct{ typ, name string }{
	{"compute_instance", "Compute size"}, {"pitr", "Point in time recovery"},
	{"custom_domain", "Custom domain"}, {"ipv4", "Dedicated IPv4 address"},
}

// addonCatalogue is every variant of the spec's addon_variant enum, with
// made-up but plausible prices.
var addonCatalogue = []addonVariant{
	{"ci_micro", "compute_instance", "Micro", true, 0.01344},
	{"ci_small", "compute_instance", "Small", true, 0.0206},
	{"ci_medium", "compute_instance", "Medium", true, 0.0822},
	{"ci_large", "compute_instance", "Large", true, 0.1517},
	{"ci_xlarge", "compute_instance", "XL", true, 0.2877},
	{"ci_2xlarge", "compute_instance", "2XL", true, 0.562},
	{"ci_4xlarge", "compute_instance", "4XL", true, 1.32},
	{"ci_8xlarge", "compute_instance", "8XL", true, 2.562},
	{"ci_12xlarge", "compute_instance", "12XL", true, 3.836},
	{"ci_16xlarge", "compute_instance", "16XL", true, 5.12},
	{"ci_24xlarge", "compute_instance", "24XL", true, 7.68},
	{"ci_24xlarge_optimized_cpu", "compute_instance", "24XL - Optimized CPU", true, 6.64},
	{"ci_24xlarge_optimized_memory", "compute_instance", "24XL - Optimized Memory", true, 8.88},
	{"ci_24xlarge_high_memory", "compute_instance", "24XL - High Memory", true, 10.24},
	{"ci_48xlarge", "compute_instance", "48XL", true, 15.36},
	{"ci_48xlarge_optimized_cpu", "compute_instance", "48XL - Optimized CPU", true, 13.28},
	{"ci_48xlarge_optimized_memory", "compute_instance", "48XL - Optimized Memory", true, 17.76},
	{"ci_48xlarge_high_memory", "compute_instance", "48XL - High Memory", true, 20.48},
	{"cd_default", "custom_domain", "Custom domain", false, 10},
	{"pitr_7", "pitr", "7 days", false, 100},
	{"pitr_14", "pitr", "14 days", false, 200},
	{"pitr_28", "pitr", "28 days", false, 400},
	{"ipv4_default", "ipv4", "Dedicated IPv4 address", false, 4},
}

// allAddonTypes is the spec's addon_type enum; the last three have no
// variant the apply body accepts.
var allAddonTypes = []string{"custom_domain", "compute_instance", "pitr", "ipv4", "auth_mfa_phone", "auth_mfa_web_authn", "log_drain"}

func findAddon(id string) (addonVariant, bool) {
	i := slices.IndexFunc(addonCatalogue, func(v addonVariant) bool { return v.id == id })
	if i < 0 {
		return addonVariant{}, false
	}
	return addonCatalogue[i], true
}

// response is the variant object of ListProjectAddonsResponse.
func (v addonVariant) response() map[string]any {
	price := map[string]any{"type": "fixed", "interval": "monthly", "amount": v.amount,
		"description": fmt.Sprintf("$%g/month", v.amount)}
	if v.hourly {
		price = map[string]any{"type": "usage", "interval": "hourly", "amount": v.amount,
			"description": fmt.Sprintf("$%g/hour", v.amount)}
	}
	return map[string]any{"id": v.id, "name": v.name, "price": price}
}

// addonState is a project's selection: always a compute size, and at most
// one variant of each other type.
type addonState struct {
	compute string
	others  []string // variant ids
}

var projectAddons = perProject[addonState]{init: func(_ *Server, p *projectState) *addonState {
	if p.Ref == SeedProjectActive {
		return &addonState{compute: "ci_small", others: []string{"pitr_7"}}
	}
	return &addonState{compute: "ci_micro"}
}}

// pitrDays is the PITR retention in days, 0 without the add-on.
func (a *addonState) pitrDays() int {
	for _, id := range a.others {
		if days, ok := strings.CutPrefix(id, "pitr_"); ok {
			n, _ := strconv.Atoi(days)
			return n
		}
	}
	return 0
}

func (s *Server) listProjectAddons(w http.ResponseWriter, r *http.Request, p *projectState) {
	st := projectAddons.of(s, p)
	selected := []map[string]any{}
	for _, id := range append([]string{st.compute}, st.others...) {
		v, _ := findAddon(id)
		selected = append(selected, map[string]any{"type": v.typ, "variant": v.response()})
	}
	available := []map[string]any{}
	for _, t := range addonTypes {
		variants := []map[string]any{}
		for _, v := range addonCatalogue {
			if v.typ == t.typ {
				variants = append(variants, v.response())
			}
		}
		available = append(available, map[string]any{"type": t.typ, "name": t.name, "variants": variants})
	}
	writeJSON(w, http.StatusOK, map[string]any{"selected_addons": selected, "available_addons": available})
}

// applyProjectAddon selects a variant, replacing the type's current one. A
// compute change restarts the project; PITR needs Small compute or larger.
func (s *Server) applyProjectAddon(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body struct {
		AddonVariant *string `json:"addon_variant"`
		AddonType    *string `json:"addon_type"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.AddonVariant == nil || body.AddonType == nil {
		badRequest(w, "addon_variant and addon_type are required")
		return
	}
	if !slices.Contains(allAddonTypes, *body.AddonType) {
		badRequest(w, "addon_type %q is not one of %s", *body.AddonType, strings.Join(allAddonTypes, ", "))
		return
	}
	v, ok := findAddon(*body.AddonVariant)
	if !ok {
		badRequest(w, "addon_variant %q is not a known variant", *body.AddonVariant)
		return
	}
	if v.typ != *body.AddonType {
		badRequest(w, "addon_variant %s is a %s variant, not %s", v.id, v.typ, *body.AddonType)
		return
	}
	st := projectAddons.of(s, p)
	switch {
	case v.typ == "compute_instance":
		if v.id == st.compute {
			break
		}
		if v.id == "ci_micro" && !s.canRunOnMicro(w, p, st) {
			return
		}
		st.compute = v.id
		p.transition("RESTARTING", StatusActiveHealthy, s.opts.TransitionReads)
	case v.typ == "pitr" && st.compute == "ci_micro":
		badRequest(w, "Point in time recovery needs at least the Small compute add-on (the project runs on Micro)")
		return
	default:
		st.others = slices.DeleteFunc(st.others, func(id string) bool { a, _ := findAddon(id); return a.typ == v.typ })
		st.others = append(st.others, v.id)
	}
	writeEmpty(w, http.StatusOK)
}

// canRunOnMicro refuses a move to Micro compute while something needs more.
func (s *Server) canRunOnMicro(w http.ResponseWriter, p *projectState, st *addonState) bool {
	switch {
	case st.pitrDays() > 0:
		badRequest(w, "Cannot move to Micro compute while point in time recovery is enabled; remove the pitr add-on first")
	case len(readReplicas.of(s, p).replicas) > 0:
		badRequest(w, "Cannot move to Micro compute while the project has read replicas; remove them first")
	default:
		return true
	}
	return false
}

// removeProjectAddon drops a selected variant; removing the compute size
// reverts to Micro (restarting the project).
func (s *Server) removeProjectAddon(w http.ResponseWriter, r *http.Request, p *projectState) {
	v, ok := findAddon(r.PathValue("addon_variant"))
	if !ok {
		badRequest(w, "addon_variant %q is not a known variant", r.PathValue("addon_variant"))
		return
	}
	st := projectAddons.of(s, p)
	switch {
	case v.id == st.compute && v.id == "ci_micro":
		badRequest(w, "Micro is the smallest compute size and cannot be removed; apply another size instead")
		return
	case v.id == st.compute:
		if !s.canRunOnMicro(w, p, st) {
			return
		}
		st.compute = "ci_micro"
		p.transition("RESTARTING", StatusActiveHealthy, s.opts.TransitionReads)
	case slices.Contains(st.others, v.id):
		st.others = slices.DeleteFunc(st.others, func(id string) bool { return id == v.id })
	default:
		writeError(w, http.StatusNotFound, "Add-on "+v.id+" is not selected for this project")
		return
	}
	writeEmpty(w, http.StatusOK)
}
