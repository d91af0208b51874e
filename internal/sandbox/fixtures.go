package sandbox

// Fixtures names seeded objects by the argument names the tools use, so tests
// can build valid calls for any operation without knowing the seed. A key
// "tool.operation.arg" overrides "arg" for one operation.
func Fixtures() map[string]any {
	seed, _ := loadSeed()
	out := seed.Fixtures
	for _, group := range []map[string]any{
		coreFixtures(),
		branchesFixtures(),
		functionsFixtures(),
	} {
		for k, v := range group {
			out[k] = v
		}
	}
	return out
}

// coreFixtures covers organizations, projects and database.
func coreFixtures() map[string]any {
	return map[string]any{
		"ref":               SeedProjectActive,
		"slug":              SeedOrgAcme,
		"organization_slug": SeedOrgAcme,
		"query":             "select 1",
		"region_selection":  map[string]any{"type": "specific", "code": "us-east-1"},

		"projects.restore.ref":        SeedProjectPaused,
		"database.sample_rows.schema": "pg_catalog",
		"database.sample_rows.table":  "pg_namespace",
		"projects.cancel_restore.ref": SeedProjectRestoring,

		"projects.get_claim_token.ref":      SeedProjectComing,
		"projects.delete_claim_token.ref":   SeedProjectComing,
		"projects.update.name":              "acme-production",
		"projects.upgrade.target_version":   "17",
		"organizations.get_claim.token":     SeedClaimToken,
		"organizations.claim.token":         SeedClaimToken,
		"database.get_migration.version":    "20250115093000",
		"database.update_migration.version": "20250115093000",
		"database.rollback_migrations.gte":  "20250116120000",
	}
}
