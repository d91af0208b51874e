package tools

import (
	"encoding/json"
	"fmt"
)

// DatabaseRequests are the database tool's operations.
type DatabaseRequests struct {
	ExecuteSQL         ExecuteSQL
	ExecuteReadonlySQL ExecuteReadonlySQL
	ListMigrations     ListMigrations
	ApplyMigration     ApplyMigration
	UpsertMigration    UpsertMigration
	ListSchemas        ListSchemas
	ListTables         ListTables
	DescribeTable      DescribeTable
	ListExtensions     ListExtensions
	ListFunctions      ListDatabaseFunctions
	ListPolicies       ListPolicies
	Explain            Explain
	SampleRows         SampleRows
	GetMigration       GetMigration
	UpdateMigration    UpdateMigration
	RollbackMigrations RollbackMigrations
	GenerateTypes      GenerateTypes
	GetOpenapi         GetDatabaseOpenAPI
	GetContext         GetDatabaseContext
	EnableWebhooks     EnableDatabaseWebhooks
}

// SQLQuery is the body shared by both SQL endpoints.
type SQLQuery struct {
	Query      string `json:"query" jsonschema:"required" check:"minLength=1" jsonschema_description:"SQL; with several statements the last one's rows return."`
	Parameters []any  `json:"parameters,omitempty" jsonschema_description:"Values for $1, $2... (one statement only)."`
}

type ExecuteSQL struct {
	ProjectRef
	SQLQuery
	ReadOnly *bool `json:"read_only,omitempty" jsonschema_description:"As the read-only role."`
}

type ExecuteReadonlySQL struct {
	ProjectRef
	SQLQuery
}

// Migration is the body shared by apply and upsert.
type Migration struct {
	Query    string `json:"query" jsonschema:"required" check:"minLength=1" jsonschema_description:"Migration SQL (DDL)."`
	Name     string `json:"name,omitempty" jsonschema_description:"snake_case name."`
	Rollback string `json:"rollback,omitempty" jsonschema_description:"SQL that undoes it."`
}

type ListMigrations struct{ ProjectRef }

type ApplyMigration struct {
	ProjectRef
	Migration
}

type UpsertMigration struct {
	ProjectRef
	Migration
}

// MigrationVersion addresses one entry of the migration history.
type MigrationVersion struct {
	Version string `json:"version" in:"path" jsonschema:"required" check:"pattern=^\\d+$" jsonschema_description:"Migration version."`
}

type GetMigration struct {
	ProjectRef
	MigrationVersion
}

type UpdateMigration struct {
	ProjectRef
	MigrationVersion
	Name     string `json:"name,omitempty" jsonschema_description:"New name in snake_case."`
	Rollback string `json:"rollback,omitempty" jsonschema_description:"SQL that undoes it."`
}

// EncodeBody always sends an object: the API requires a body even when
// neither field changes.
func (r UpdateMigration) EncodeBody() ([]byte, string, error) {
	b, err := json.Marshal(struct {
		Name     string `json:"name,omitempty"`
		Rollback string `json:"rollback,omitempty"`
	}{r.Name, r.Rollback})
	return b, "application/json", err
}

type RollbackMigrations struct {
	ProjectRef
	Gte string `json:"gte" in:"query" jsonschema:"required" check:"pattern=^\\d+$" jsonschema_description:"Version."`
}

type GenerateTypes struct {
	ProjectRef
	IncludedSchemas string `json:"included_schemas,omitempty" in:"query" jsonschema_description:"Comma list, default public."`
}

// TypesResourceURI is the MCP resource that holds the TypeScript types of a
// project's public schema in full.
func TypesResourceURI(ref string) string { return "supabase://projects/" + ref + "/types/typescript" }

// ResourceURI is the resource holding this call's answer in full, or ""
// when no resource does (other schemas than public).
func (r *GenerateTypes) ResourceURI() string {
	if r.IncludedSchemas != "" && r.IncludedSchemas != "public" {
		return ""
	}
	return TypesResourceURI(r.Ref)
}

// TypesText is the TypeScript text of a types answer ({"types": "..."}).
func TypesText(body []byte) (string, error) {
	var v struct {
		Types *string `json:"types"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Types == nil {
		return "", fmt.Errorf("the types answer is not {\"types\": \"...\"}")
	}
	return *v.Types, nil
}

type GetDatabaseOpenAPI struct {
	ProjectRef
	Schema string `json:"schema,omitempty" in:"query" jsonschema_description:"Default public."`
}

type GetDatabaseContext struct{ ProjectRef }
type EnableDatabaseWebhooks struct{ ProjectRef }
