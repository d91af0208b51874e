package tools

// CliLoginRoleRequests are the cli_login_role tool's operations.
type CliLoginRoleRequests struct{}
