package tools

// OrganizationsRequests are the organizations tool's operations.
type OrganizationsRequests struct {
	List        ListOrganizations
	Get         GetOrganization
	Create      CreateOrganization
	ListMembers ListOrganizationMembers
}

type ListOrganizations struct{ NoArguments }

type GetOrganization struct{ OrganizationSlug }

type CreateOrganization struct {
	Name string `json:"name" jsonschema:"required,maxLength=256" jsonschema_description:"Name of the new organization."`
}

type ListOrganizationMembers struct{ OrganizationSlug }
