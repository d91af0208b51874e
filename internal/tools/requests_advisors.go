package tools

// AdvisorsRequests are the advisors tool's operations.
type AdvisorsRequests struct {
	GetSecurity    GetSecurityAdvisors
	GetPerformance GetPerformanceAdvisors
}

type GetSecurityAdvisors struct {
	ProjectRef
	LintType string `json:"lint_type,omitempty" in:"query" jsonschema:"enum=sql" jsonschema_description:"Only database lints."`
}

type GetPerformanceAdvisors struct{ ProjectRef }
