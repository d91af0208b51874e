package tools

// CliLoginRoleRequests are the cli_login_role tool's operations.
type CliLoginRoleRequests struct {
	Create CreateCliLoginRole
	Delete DeleteCliLoginRoles
}

type CreateCliLoginRole struct {
	ProjectRef
	ReadOnly bool `json:"read_only" jsonschema:"required" jsonschema_description:"Read-only role."`
}

type DeleteCliLoginRoles struct{ ProjectRef }
