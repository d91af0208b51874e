package tools

// Requests binds tools.yaml to the typed request structs: one field per tool
// (field name in snake_case = tool name), each a struct with one field per
// operation (field name in snake_case = operation name). Adding an operation
// is an entry in tools.yaml plus a field here with its request struct; the
// catalogue tests then cover it.
type Requests struct {
	Organizations  OrganizationsRequests
	Projects       ProjectsRequests
	Database       DatabaseRequests
	Branches       BranchesRequests
	Functions      FunctionsRequests
	Secrets        SecretsRequests
	AuthConfig     AuthConfigRequests
	Domains        DomainsRequests
	Network        NetworkRequests
	Services       ServicesRequests
	DatabaseConfig DatabaseConfigRequests
	Backups        BackupsRequests
	Billing        BillingRequests
	JitAccess      JitAccessRequests
	Analytics      AnalyticsRequests
	Actions        ActionsRequests
	Docs           DocsRequests
}

// Shared argument types, embedded in request structs so that an argument
// used by many operations is described once.

// ProjectRef addresses one project.
type ProjectRef struct {
	Ref string `json:"ref" in:"path" jsonschema:"required" check:"pattern=^[a-z]{20}$" jsonschema_description:"Project ref."`
}

// OrganizationSlug addresses one organization.
type OrganizationSlug struct {
	Slug string `json:"slug" in:"path" jsonschema:"required" check:"pattern=^[\\w-]+$" jsonschema_description:"Organization slug."`
}

// NoArguments is the request of operations that take none.
type NoArguments struct{}
