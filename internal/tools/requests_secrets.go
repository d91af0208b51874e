package tools

import "fmt"

// SecretsRequests are the secrets tool's operations.
type SecretsRequests struct {
	List          ListSecrets
	Create        CreateSecrets
	Delete        DeleteSecrets
	ListAPIKeys   ListAPIKeys
	GetAPIKey     GetAPIKey
	CreateAPIKey  CreateAPIKey
	UpdateAPIKey  UpdateAPIKey
	DeleteAPIKey  DeleteAPIKey
	GetLegacyKeys GetLegacyAPIKeys
	SetLegacyKeys SetLegacyAPIKeys
}

type ListSecrets struct{ ProjectRef }

// Secret is an item of CreateSecretBody.
type Secret struct {
	Name  string `json:"name" jsonschema:"required" check:"maxLength=256,pattern=^(?!SUPABASE_).*" jsonschema_description:"Not SUPABASE_*."`
	Value string `json:"value" jsonschema:"required" check:"maxLength=24576" jsonschema_description:"Omit: user types it."`
}

type CreateSecrets struct {
	ProjectRef
	Secrets []Secret `json:"secrets" secret:"true" list:"object" jsonschema:"required" jsonschema_description:"[{name (not SUPABASE_*), value (omit: user types it)}]."`
}

// Validate refuses an empty list.
func (r CreateSecrets) Validate() error {
	if len(r.Secrets) == 0 {
		return fmt.Errorf("secrets needs at least one {name, value}")
	}
	return nil
}

type DeleteSecrets struct {
	ProjectRef
	Names []string `json:"names" jsonschema:"required" jsonschema_description:"Names."`
}

// Validate refuses an empty list.
func (r DeleteSecrets) Validate() error {
	if len(r.Names) == 0 {
		return fmt.Errorf("names needs at least one secret name")
	}
	return nil
}
