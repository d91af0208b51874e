package tools

// Reveal asks the API for secret keys in full; the server shows them only
// after the user agrees (like reveal on other operations that return secrets).
type Reveal struct {
	Reveal *bool `json:"reveal,omitempty" in:"query" jsonschema_description:"Show secrets."`
}

// APIKeyID addresses one API key.
type APIKeyID struct {
	ProjectRef
	ID string `json:"id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Key id."`
}

type ListAPIKeys struct {
	ProjectRef
	Reveal
}

type GetAPIKey struct {
	APIKeyID
	Reveal
}

// CreateAPIKey is CreateApiKeyBody without the optional description and
// secret_jwt_template, left out to keep the tool listing small.
type CreateAPIKey struct {
	ProjectRef
	Reveal
	Type string `json:"type" jsonschema:"required,enum=publishable,enum=secret" jsonschema_description:"Key type."`
	Name string `json:"name" jsonschema:"required,minLength=4,maxLength=64,pattern=^[a-z_][a-z0-9_]+$" jsonschema_description:"Key name."`
}

// UpdateAPIKey is UpdateApiKeyBody reduced to its name (see CreateAPIKey),
// which is therefore required here. The reveal query parameter of update and
// delete is left out too: list and get show a key in full.
type UpdateAPIKey struct {
	APIKeyID
	Name string `json:"name" jsonschema:"required,minLength=4,maxLength=64,pattern=^[a-z_][a-z0-9_]+$" jsonschema_description:"Key name."`
}

// DeleteAPIKey leaves out the optional was_compromised and reason query
// parameters.
type DeleteAPIKey struct{ APIKeyID }

type GetLegacyAPIKeys struct{ ProjectRef }

type SetLegacyAPIKeys struct {
	ProjectRef
	Enabled *bool `json:"enabled" in:"query" jsonschema:"required" jsonschema_description:"false turns anon/service_role off."`
}
