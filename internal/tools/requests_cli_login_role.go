package tools

type CreateCliLoginRole struct {
	ProjectRef
	ReadOnly bool `json:"read_only" jsonschema:"required" jsonschema_description:"Read-only role."`
}

type DeleteCliLoginRoles struct{ ProjectRef }
