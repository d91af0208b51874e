package tools

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
	ListFunctions      ListFunctions
	ListPolicies       ListPolicies
	Explain            Explain
	SampleRows         SampleRows
}

// SQLQuery is the body shared by both SQL endpoints.
type SQLQuery struct {
	Query      string `json:"query" jsonschema:"required,minLength=1" jsonschema_description:"SQL to run; several statements allowed, the last one's rows are returned."`
	Parameters []any  `json:"parameters,omitempty" jsonschema_description:"Values for $1, $2... placeholders (single statement only)."`
}

type ExecuteSQL struct {
	ProjectRef
	SQLQuery
	ReadOnly *bool `json:"read_only,omitempty" jsonschema_description:"Run as the read-only database role."`
}

type ExecuteReadonlySQL struct {
	ProjectRef
	SQLQuery
}

// Migration is the body shared by apply and upsert.
type Migration struct {
	Query    string `json:"query" jsonschema:"required,minLength=1" jsonschema_description:"Migration SQL (DDL)."`
	Name     string `json:"name,omitempty" jsonschema_description:"Migration name in snake_case."`
	Rollback string `json:"rollback,omitempty" jsonschema_description:"SQL that undoes the migration."`
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
