package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/invopop/jsonschema"
)

// JitAccessRequests are the jit_access tool's operations.
type JitAccessRequests struct {
	Get          GetJitAccess
	List         ListJitAccess
	Authorize    AuthorizeJitAccess
	Update       UpdateJitAccess
	Delete       DeleteJitAccess
	GetConfig    GetJitAccessConfig
	UpdateConfig UpdateJitAccessConfig
}

type GetJitAccess struct{ ProjectRef }

type ListJitAccess struct{ ProjectRef }

type AuthorizeJitAccess struct {
	ProjectRef
	Role  string `json:"role" jsonschema:"required" check:"minLength=1" jsonschema_description:"Database role."`
	Rhost string `json:"rhost" jsonschema:"required" check:"minLength=1" jsonschema_description:"Client IP."`
}

// JitCIDR is one allowed network.
type JitCIDR struct {
	CIDR string `json:"cidr" jsonschema:"required" jsonschema_description:"CIDR."`
}

// JitNetworks restricts where a grant may be used from.
type JitNetworks struct {
	AllowedCIDRs   []JitCIDR `json:"allowed_cidrs,omitempty" jsonschema_description:"IPv4 networks."`
	AllowedCIDRsV6 []JitCIDR `json:"allowed_cidrs_v6,omitempty" jsonschema_description:"IPv6 networks."`
}

// JSONSchema lists allowed_networks as a bare object whose shape the field
// description gives: the nested lists would cost more context than the rest
// of the tool. Decoding stays strict (unknown keys are refused) and
// UpdateJitAccess.Validate checks every CIDR.
func (JitNetworks) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "object"} }

// UnmarshalJSON decodes strictly (the caller's DisallowUnknownFields does
// not reach into a custom unmarshaler) and says what the object takes.
func (n *JitNetworks) UnmarshalJSON(b []byte) error {
	type plain JitNetworks
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf(`allowed_networks takes allowed_cidrs and allowed_cidrs_v6, each a list of {"cidr": "..."} (%v)`, strings.TrimPrefix(err.Error(), "json: "))
	}
	*n = JitNetworks(p)
	return nil
}

// JitRole is one role grant of a user.
type JitRole struct {
	Role            string       `json:"role" jsonschema:"required,minLength=1" jsonschema_description:"Database role."`
	ExpiresAt       *int64       `json:"expires_at,omitempty" jsonschema:"minimum=0" jsonschema_description:"Expiry, Unix seconds."`
	AllowedNetworks *JitNetworks `json:"allowed_networks,omitempty" jsonschema_description:"{allowed_cidrs, allowed_cidrs_v6: [{cidr}]}; default any."`
	BranchesOnly    *bool        `json:"branches_only,omitempty" jsonschema_description:"Only on branches."`
}

type UpdateJitAccess struct {
	ProjectRef
	UserID string    `json:"user_id" jsonschema:"required" check:"format=uuid" jsonschema_description:"Id."`
	Roles  []JitRole `json:"roles" list:"object" jsonschema:"required" jsonschema_description:"[{role, expires_at? (Unix s), allowed_networks? {allowed_cidrs, allowed_cidrs_v6: [{cidr}]}, branches_only?}]."`
}

// Validate checks the networks of every grant.
func (r UpdateJitAccess) Validate() error {
	for i, role := range r.Roles {
		if role.AllowedNetworks == nil {
			continue
		}
		for _, list := range []struct {
			name string
			v6   bool
			nets []JitCIDR
		}{{"allowed_cidrs", false, role.AllowedNetworks.AllowedCIDRs}, {"allowed_cidrs_v6", true, role.AllowedNetworks.AllowedCIDRsV6}} {
			for j, n := range list.nets {
				p, err := netip.ParsePrefix(n.CIDR)
				if err != nil || p.Addr().Is6() != list.v6 {
					family := "IPv4"
					if list.v6 {
						family = "IPv6"
					}
					return fmt.Errorf("roles[%d].allowed_networks.%s[%d].cidr is not an %s CIDR such as %s", i, list.name, j, family, map[bool]string{false: "203.0.113.0/24", true: "2001:db8::/32"}[list.v6])
				}
			}
		}
	}
	return nil
}

type DeleteJitAccess struct {
	ProjectRef
	UserID string `json:"user_id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Id."`
}

type GetJitAccessConfig struct{ ProjectRef }

type UpdateJitAccessConfig struct {
	ProjectRef
	State string `json:"state" jsonschema:"required,enum=enabled,enum=disabled" jsonschema_description:"State."`
}
