package tools

import (
	"fmt"
	"strings"
)

// OrganizationsRequests are the organizations tool's operations.
type OrganizationsRequests struct {
	List        ListOrganizations
	Get         GetOrganization
	Create      CreateOrganization
	ListMembers ListOrganizationMembers

	ListProjects    ListOrganizationProjects
	GetEntitlements GetOrganizationEntitlements
	GetClaim        GetProjectClaim
	Claim           ClaimProject
	GetProfile      GetProfile
	ListSnippets    ListSnippets
	GetSnippet      GetSnippet
}

type ListOrganizations struct{ NoArguments }

type GetOrganization struct{ OrganizationSlug }

type CreateOrganization struct {
	Name string `json:"name" jsonschema:"required" check:"minLength=1,maxLength=256" jsonschema_description:"Organization name."`
}

type ListOrganizationMembers struct{ OrganizationSlug }

type ListOrganizationProjects struct {
	OrganizationSlug
	Offset   *int   `json:"offset,omitempty" in:"query" check:"minimum=0" jsonschema_description:"Skip count."`
	Limit    *int   `json:"limit,omitempty" in:"query" jsonschema:"maximum=100" check:"minimum=1" jsonschema_description:"Page size."`
	Search   string `json:"search,omitempty" in:"query" jsonschema_description:"Name filter."`
	Sort     string `json:"sort,omitempty" in:"query" jsonschema:"enum=name_asc,enum=name_desc,enum=created_asc,enum=created_desc" jsonschema_description:"Order."`
	Statuses string `json:"statuses,omitempty" in:"query" jsonschema_description:"E.g. ACTIVE_HEALTHY,INACTIVE."`
}

// Validate checks statuses against the values the API documents for this
// filter (ACTIVE_HEALTHY and INACTIVE), so that a guess is refused before
// anything is sent.
func (r ListOrganizationProjects) Validate() error {
	if r.Statuses == "" {
		return nil
	}
	for _, st := range strings.Split(r.Statuses, ",") {
		if st != "ACTIVE_HEALTHY" && st != "INACTIVE" {
			return fmt.Errorf("statuses: %q is not a status this filter takes; use ACTIVE_HEALTHY, INACTIVE or both, comma-separated", st)
		}
	}
	return nil
}

type GetOrganizationEntitlements struct{ OrganizationSlug }

// ProjectClaim addresses a project claim: the target organization and the
// token the project's owner created (projects.create_claim_token).
type ProjectClaim struct {
	OrganizationSlug
	Token string `json:"token" in:"path" secret:"true" jsonschema:"required" jsonschema_description:"Claim token."`
}

type GetProjectClaim struct{ ProjectClaim }
type ClaimProject struct{ ProjectClaim }

type GetProfile struct{ NoArguments }
