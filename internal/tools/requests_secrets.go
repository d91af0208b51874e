package tools

import (
	"fmt"
	"strings"
)

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
	Name  string `json:"name" jsonschema:"required" jsonschema_description:"Not SUPABASE_*."`
	Value string `json:"value" jsonschema:"required" jsonschema_description:"Value."`
}

type CreateSecrets struct {
	ProjectRef
	Secrets []Secret `json:"secrets" secret:"true" jsonschema:"required" jsonschema_description:"Secrets."`
}

// Validate refuses an empty list and enforces the spec's name pattern ^(?!SUPABASE_).*, which Go's
// regexp cannot express.
func (r CreateSecrets) Validate() error {
	if len(r.Secrets) == 0 {
		return fmt.Errorf("secrets needs at least one {name, value}")
	}
	for i, s := range r.Secrets {
		if strings.HasPrefix(s.Name, "SUPABASE_") {
			return fmt.Errorf("secrets[%d].name %q: names starting with SUPABASE_ are reserved for Supabase; choose another name", i, s.Name)
		}
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
