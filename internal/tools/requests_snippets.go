package tools

type ListSnippets struct {
	ProjectRef string `json:"project_ref,omitempty" in:"query" check:"pattern=^[a-z]{20}$" jsonschema_description:"Project filter."`
	Cursor     string `json:"cursor,omitempty" in:"query" jsonschema_description:"From the last page."`
	Limit      *int   `json:"limit,omitempty" in:"query" jsonschema:"maximum=100" check:"minimum=1" jsonschema_description:"Page size."`
}

type GetSnippet struct {
	ID string `json:"id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Snippet id."`
}
