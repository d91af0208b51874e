package tools

import (
	"fmt"
	"net/netip"
)

// NetworkRequests are the network tool's operations.
type NetworkRequests struct {
	GetRestrictions    GetNetworkRestrictions
	UpdateRestrictions UpdateNetworkRestrictions
	ApplyRestrictions  ApplyNetworkRestrictions
	ListBans           ListNetworkBans
	ListBansEnriched   ListNetworkBansEnriched
	DeleteBans         DeleteNetworkBans
}

type GetNetworkRestrictions struct{ ProjectRef }

// AllowedCIDRs is the allow-list shape of the restriction endpoints.
type AllowedCIDRs struct {
	DBAllowedCidrs   []string `json:"dbAllowedCidrs,omitempty" jsonschema_description:"IPv4 CIDRs."`
	DBAllowedCidrsV6 []string `json:"dbAllowedCidrsV6,omitempty" jsonschema_description:"IPv6 CIDRs."`
}

func (c *AllowedCIDRs) validate() error {
	for _, list := range []struct {
		name string
		v4   bool
		cidr []string
	}{{"dbAllowedCidrs", true, c.DBAllowedCidrs}, {"dbAllowedCidrsV6", false, c.DBAllowedCidrsV6}} {
		for i, s := range list.cidr {
			p, err := netip.ParsePrefix(s)
			if err != nil || p.Addr().Is4() != list.v4 {
				kind := "an IPv6 CIDR such as 2001:db8::/32"
				if list.v4 {
					kind = "an IPv4 CIDR such as 203.0.113.0/24"
				}
				return fmt.Errorf("%s[%d] is not %s", list.name, i, kind)
			}
		}
	}
	return nil
}

// UpdateNetworkRestrictions takes add and remove as plain CIDR lists, IPv4
// and IPv6 mixed; EncodeBody sorts them into the API's
// NetworkRestrictionsPatchRequest ({dbAllowedCidrs, dbAllowedCidrsV6}).
type UpdateNetworkRestrictions struct {
	ProjectRef
	Add    []string `json:"add,omitempty" jsonschema_description:"CIDRs to allow (v4/v6)."`
	Remove []string `json:"remove,omitempty" jsonschema_description:"CIDRs to drop."`
}

// splitCIDRs sorts CIDRs by family; it reports the first one that is not a CIDR.
func splitCIDRs(where string, cidrs []string) (*AllowedCIDRs, error) {
	if cidrs == nil {
		return nil, nil
	}
	out := &AllowedCIDRs{}
	for i, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s[%d] is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32", where, i)
		case p.Addr().Is4():
			out.DBAllowedCidrs = append(out.DBAllowedCidrs, s)
		default:
			out.DBAllowedCidrsV6 = append(out.DBAllowedCidrsV6, s)
		}
	}
	return out, nil
}

func (r UpdateNetworkRestrictions) Validate() error {
	if _, err := splitCIDRs("add", r.Add); err != nil {
		return err
	}
	_, err := splitCIDRs("remove", r.Remove)
	return err
}

// EncodeBody sends NetworkRestrictionsPatchRequest, always an object: the
// spec requires a body.
func (r UpdateNetworkRestrictions) EncodeBody() ([]byte, string, error) {
	add, err := splitCIDRs("add", r.Add)
	if err != nil {
		return nil, "", err
	}
	remove, err := splitCIDRs("remove", r.Remove)
	if err != nil {
		return nil, "", err
	}
	return requiredJSONBody(struct {
		Add    *AllowedCIDRs `json:"add,omitempty"`
		Remove *AllowedCIDRs `json:"remove,omitempty"`
	}{add, remove})
}

type ApplyNetworkRestrictions struct {
	ProjectRef
	AllowedCIDRs
}

func (r ApplyNetworkRestrictions) Validate() error { return r.AllowedCIDRs.validate() }

// EncodeBody always sends an object: the spec requires a body.
func (r ApplyNetworkRestrictions) EncodeBody() ([]byte, string, error) {
	return requiredJSONBody(r.AllowedCIDRs)
}

type ListNetworkBans struct{ ProjectRef }

type ListNetworkBansEnriched struct{ ProjectRef }

type DeleteNetworkBans struct {
	ProjectRef
	IPv4Addresses []string `json:"ipv4_addresses" jsonschema:"required" jsonschema_description:"IPs to unban."`
	RequesterIP   *bool    `json:"requester_ip,omitempty" jsonschema_description:"Also unban my IP."`
	Identifier    string   `json:"identifier,omitempty" jsonschema_description:"From list_bans_enriched."`
}

func (r DeleteNetworkBans) Validate() error {
	for i, s := range r.IPv4Addresses {
		if a, err := netip.ParseAddr(s); err != nil || !a.Is4() {
			return fmt.Errorf("ipv4_addresses[%d] is not an IPv4 address", i)
		}
	}
	return nil
}
