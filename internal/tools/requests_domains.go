package tools

import (
	"errors"
	"strings"
)

// DomainsRequests are the domains tool's operations.
type DomainsRequests struct {
	GetHostname        GetCustomHostname
	InitializeHostname InitializeCustomHostname
	ReverifyHostname   ReverifyCustomHostname
	ActivateHostname   ActivateCustomHostname
	DeleteHostname     DeleteCustomHostname
	GetVanity          GetVanitySubdomain
	CheckVanity        CheckVanitySubdomain
	ActivateVanity     ActivateVanitySubdomain
	DeleteVanity       DeleteVanitySubdomain
}

type GetCustomHostname struct{ ProjectRef }

type InitializeCustomHostname struct {
	ProjectRef
	CustomHostname string `json:"custom_hostname" jsonschema:"required" check:"minLength=1,maxLength=253" jsonschema_description:"E.g. api.example.com."`
}

// dnsLabel is one label of a hostname (letters, digits, inner hyphens).
var dnsLabel = lazyRegexp(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// Validate checks that custom_hostname is a fully qualified hostname.
func (r InitializeCustomHostname) Validate() error {
	labels := strings.Split(r.CustomHostname, ".")
	for _, l := range labels {
		if !dnsLabel().MatchString(l) {
			return errors.New("custom_hostname is not a hostname: give a name such as api.example.com, without scheme, port or path")
		}
	}
	if len(labels) < 2 {
		return errors.New("custom_hostname needs a domain: give a name such as api.example.com")
	}
	return nil
}

type ReverifyCustomHostname struct{ ProjectRef }

type ActivateCustomHostname struct{ ProjectRef }

type DeleteCustomHostname struct {
	ProjectRef
	RemoveAddon *bool `json:"remove_addon,omitempty" in:"query" jsonschema_description:"Drop the add-on too."`
}

// Validate fills in remove_addon=false, the API's default, so that it is
// always sent: the spec gives that default as the string "false", which
// OpenAPI validators then reject as not a boolean when the parameter is
// left out.
func (r *DeleteCustomHostname) Validate() error {
	if r.RemoveAddon == nil {
		r.RemoveAddon = new(bool)
	}
	return nil
}

type GetVanitySubdomain struct{ ProjectRef }

// VanitySubdomain is VanitySubdomainBody.
type VanitySubdomain struct {
	VanitySubdomain string `json:"vanity_subdomain" jsonschema:"required" check:"maxLength=63" jsonschema_description:"E.g. acme (.supabase.co)."`
}

// vanityLabel is what a vanity subdomain may be: one DNS label in lowercase.
var vanityLabel = lazyRegexp(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func (v VanitySubdomain) validate() error {
	if !vanityLabel().MatchString(v.VanitySubdomain) {
		return errors.New("vanity_subdomain must be lowercase letters, digits and inner hyphens, such as acme-prod (without .supabase.co)")
	}
	return nil
}

type CheckVanitySubdomain struct {
	ProjectRef
	VanitySubdomain
}

func (r CheckVanitySubdomain) Validate() error { return r.VanitySubdomain.validate() }

type ActivateVanitySubdomain struct {
	ProjectRef
	VanitySubdomain
}

func (r ActivateVanitySubdomain) Validate() error { return r.VanitySubdomain.validate() }

type DeleteVanitySubdomain struct{ ProjectRef }
