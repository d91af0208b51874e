package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// preview makes an unconfirmed call through the token flow and returns the
// confirmation text, checking that nothing but GETs reached the API.
func preview(t *testing.T, h *harness, tool string, args map[string]any, want ...string) string {
	t.Helper()
	before := len(h.api.Requests())
	text := h.fails(tool, args, append([]string{"Confirmation required: "}, want...)...)
	for _, r := range h.api.Requests()[before:] {
		if r.Method != "GET" {
			t.Fatalf("the preview of %s sent %s %s", tool, r.Method, r.Path)
		}
	}
	return text
}

// confirmed makes a call through the token flow, confirming it.
func confirmed(t *testing.T, h *harness, tool string, args map[string]any) string {
	t.Helper()
	text := preview(t, h, tool, args)
	with := map[string]any{"confirm": tokenRE.FindStringSubmatch(text)[1]}
	for k, v := range args {
		with[k] = v
	}
	return h.ok(tool, with)
}

func names(prefix string, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s_%02d", prefix, i)
	}
	return out
}

// Every issue example: consequential writes are confirmed, and an
// unconfirmed call sends nothing.
func TestConsequentialWritesNeedConfirmation(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	ref := activeRef
	cases := []struct {
		tool string
		args map[string]any
		want []string // what the prompt must show
	}{
		{"projects_write", map[string]any{"operation": "create_claim_token", "ref": ref}, []string{"It exposes data."}},
		{"network_write", map[string]any{"operation": "update_restrictions", "ref": ref, "add": []any{"0.0.0.0/0"}}, []string{`add: 1 item: "0.0.0.0/0"`}},
		{"network_write", map[string]any{"operation": "apply_restrictions", "ref": ref, "dbAllowedCidrs": []any{"0.0.0.0/0"}}, []string{`dbAllowedCidrs: 1 item: "0.0.0.0/0"`}},
		{"database_config_write", map[string]any{"operation": "update_ssl", "ref": ref, "requestedConfig": map[string]any{"database": false}}, []string{"requestedConfig.database: false"}},
		{"database_config_write", map[string]any{"operation": "update_postgres", "ref": ref, "config": map[string]any{"restart_database": true, "max_connections": 90}}, []string{"config.restart_database: true", "config.max_connections: 90", "It can interrupt service."}},
		{"auth_config_write", map[string]any{"operation": "update_config", "ref": ref, "config": map[string]any{"smtp_host": "smtp.attacker.example", "site_url": "https://attacker.example", "external_email_enabled": false}}, []string{`config.smtp_host: "smtp.attacker.example"`, `config.site_url: "https://attacker.example"`, "config.external_email_enabled: false"}},
		{"auth_config_write", map[string]any{"operation": "create_tpa", "ref": ref, "oidc_issuer_url": "https://issuer.attacker.example"}, []string{`oidc_issuer_url: "https://issuer.attacker.example"`}},
		{"auth_config_write", map[string]any{"operation": "create_provider", "ref": ref, "metadata_url": "https://idp.attacker.example/metadata", "domains": []any{"example.com"}}, []string{`metadata_url: "https://idp.attacker.example/metadata"`, `domains: 1 item: "example.com"`}},
		{"functions_write", map[string]any{"operation": "deploy", "ref": ref, "slug": "hello-world", "entrypoint_path": "index.ts", "verify_jwt": false, "files": []any{map[string]any{"name": "index.ts", "content": "Deno.serve(() => new Response('pwned'))"}}}, []string{"verify_jwt: false", "files: 1 item", `files[0]: {content="Deno.serve(() => new Response('pwned'))", name="index.ts"}`, "It runs or replaces code."}},
		{"functions_write", map[string]any{"operation": "update", "ref": ref, "function_slug": "hello-world", "verify_jwt": false}, []string{"function_slug=hello-world", "verify_jwt: false"}},
		{"secrets_write", map[string]any{"operation": "create", "ref": ref, "secrets": []any{map[string]any{"name": "STRIPE_KEY", "value": "sk_live_0123456789"}}}, []string{`secrets[0]: {name="STRIPE_KEY", value=<secret value, 18 chars>}`, "It overwrites existing data."}},
		{"services_write", map[string]any{"operation": "update_postgrest", "ref": ref, "db_schema": "public,private"}, []string{`db_schema: "public,private"`}},
		{"services_write", map[string]any{"operation": "update_realtime", "ref": ref, "config": map[string]any{"suspend": true}}, []string{"config.suspend: true"}},
		{"database_config_write", map[string]any{"operation": "create_login_role", "ref": ref, "read_only": false}, []string{"read_only: false"}},
		{"secrets_write", map[string]any{"operation": "create_api_key", "ref": ref, "type": "secret", "name": "backdoor"}, []string{`type: "secret"`, `name: "backdoor"`}},
		{"database_config_write", map[string]any{"operation": "disable_readonly", "ref": ref}, []string{"It exposes data."}},
		{"database_write", map[string]any{"operation": "upsert_migration", "ref": ref, "query": "drop table public.profiles", "name": "innocent"}, []string{"drop table public.profiles", `name: "innocent"`}},
		{"database_write", map[string]any{"operation": "apply_migration", "ref": ref, "query": "create table t_x (id int)", "rollback": "drop schema public cascade"}, []string{"rollback (SQL), 26 chars:\n    drop schema public cascade"}},
		{"database_write", map[string]any{"operation": "update_migration", "ref": ref, "version": "20250116120000", "rollback": "drop table public.profiles"}, []string{"version=20250116120000", "rollback (SQL), 26 chars:\n    drop table public.profiles"}},
	}
	for _, c := range cases {
		preview(t, h, c.tool, c.args, c.want...)
	}
	if n := len(h.api.Requests()); n != 0 {
		t.Fatalf("%d requests reached the API unconfirmed: %+v", n, h.api.Requests())
	}
	// A migration without rollback SQL and harmless DDL is not asked about.
	h.ok("database_write", map[string]any{"operation": "apply_migration", "ref": ref, "query": "select 1"})
}

// Multi-item bodies show every item, or say how many there are.
func TestPromptsShowEveryItem(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	few := names("SECRET", 12)
	text := preview(t, h, "secrets_write", map[string]any{"operation": "delete", "ref": activeRef, "names": few}, "names: 12 items: ")
	for _, n := range few {
		if !strings.Contains(text, fmt.Sprintf("%q", n)) {
			t.Errorf("the prompt does not name %s: %s", n, text)
		}
	}
	many := names("KEY", 70)
	text = preview(t, h, "secrets_write", map[string]any{"operation": "delete", "ref": activeRef, "names": many}, "names: 70 items: ", "… and 20 more")
	for i, n := range many {
		if shown := strings.Contains(text, fmt.Sprintf("%q", n)); shown != (i < 50) {
			t.Errorf("%s shown=%v in %s", n, shown, text)
		}
	}

	var cidrs []any
	for i := range 30 {
		cidrs = append(cidrs, fmt.Sprintf("10.%d.0.0/16", i))
	}
	for _, op := range []struct{ name, arg string }{{"update_restrictions", "add"}, {"apply_restrictions", "dbAllowedCidrs"}} {
		text := preview(t, h, "network_write", map[string]any{"operation": op.name, "ref": activeRef, op.arg: cidrs}, op.arg+": 30 items: ")
		for _, c := range cidrs {
			if !strings.Contains(text, fmt.Sprintf("%q", c)) {
				t.Errorf("%s: the prompt does not show %s: %s", op.name, c, text)
			}
		}
	}

	// A list of objects: each item on its own line, up to a bound, then the count.
	var secrets []any
	for i := range 25 {
		secrets = append(secrets, map[string]any{"name": fmt.Sprintf("S_%02d", i), "value": "v"})
	}
	text = preview(t, h, "secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": secrets}, "secrets: 25 items", "secrets[19]: {name=\"S_19\"", "secrets: … and 5 more items not shown")
	if strings.Contains(text, "secrets[20]") {
		t.Errorf("more items than the bound: %s", text)
	}
	// A long value is shortened with its length, never cut silently.
	long := strings.Repeat("x", 500)
	preview(t, h, "services_write", map[string]any{"operation": "update_postgrest", "ref": activeRef, "db_extra_search_path": long}, "(shortened: 200 of 500 chars shown)")
}

// The prompt of a PITR restore shows the target time, raw and readable.
func TestPITRPromptShowsTargetTime(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	preview(t, h, "backups_write", map[string]any{"operation": "restore_pitr", "ref": activeRef, "recovery_time_target_unix": 1735689600},
		"recovery_time_target_unix: 1735689600 (2025-01-01T00:00:00Z)", "This cannot be undone.")
}

// Secret values in bodies never appear in a prompt; their names and lengths do.
func TestPromptsHideSecretValues(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	for _, c := range []struct {
		tool   string
		args   map[string]any
		secret string
		want   string
	}{
		{"secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "DB_URL", "value": "postgres://u:hunter2@h/db"}}}, "hunter2", "value=<secret value, 25 chars>"},
		{"auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "config": map[string]any{"smtp_host": "smtp.example.com", "smtp_pass": "correct-horse-battery", "external_github_secret": "gh-secret-value-1", "hook_custom_access_token_uri": "https://hook.example.com"}}, "correct-horse-battery", "config.smtp_pass: <secret value, 21 chars>"},
		{"auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "config": map[string]any{"external_github_secret": "gh-secret-value-1"}}, "gh-secret-value-1", "config.external_github_secret: <secret value, 17 chars>"},
		{"database_config_write", map[string]any{"operation": "update_password", "ref": activeRef, "password": "s3cret-Passw0rd"}, "s3cret-Passw0rd", "password: <secret value, 15 chars>"},
		// A claim token in the path is a secret too: never echoed.
		{"organizations_write", map[string]any{"operation": "claim", "slug": acme, "token": "claimtoken0123456789abcdef"}, "claimtoken0123456789abcdef", "token=<secret value, 26 chars>"},
	} {
		text := preview(t, h, c.tool, c.args, c.want)
		if strings.Contains(text, c.secret) {
			t.Errorf("the prompt shows the secret %q: %s", c.secret, text)
		}
	}
	// A URL named after a token is not a secret: it decides where tokens go.
	preview(t, h, "auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "config": map[string]any{"hook_custom_access_token_uri": "https://hook.attacker.example"}},
		`config.hook_custom_access_token_uri: "https://hook.attacker.example"`)
}

// A rollback shows the version it goes back to and the SQL it will run,
// read from the migrations it would undo; writing that SQL was confirmed
// and shown too.
func TestRollbackPromptShowsVersionAndSQL(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	rollbackSQL := "drop table public.profiles_" + randomSuffix()
	// Plant rollback SQL on the newest seeded migration: confirmed, shown.
	preview(t, h, "database_write", map[string]any{"operation": "update_migration", "ref": activeRef, "version": "20250116120000", "rollback": rollbackSQL}, rollbackSQL)
	confirmed(t, h, "database_write", map[string]any{"operation": "update_migration", "ref": activeRef, "version": "20250116120000", "rollback": rollbackSQL})

	preview(t, h, "database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": "20250115093000"},
		"gte: \"20250115093000\"",
		"rolls back 2 migration(s), newest first: 20250116120000, 20250115093000",
		"migration 20250116120000 \"add_profiles_email\" runs rollback SQL, "+fmt.Sprint(len(rollbackSQL))+" chars:\n    "+rollbackSQL,
		"migration 20250115093000 \"create_profiles\": no rollback SQL; only removed from the history")
	if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef+"/database/migrations"); n != 0 {
		t.Fatal("the preview rolled back")
	}
	// The elicitation form says the same.
	e := newHarness(t, setup{user: &user{decline: true}})
	e.fails("database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": "20250116120000"}, "did not confirm")
	if q := e.user.questions(); len(q) != 1 || !strings.Contains(q[0].Message, "rolls back 1 migration(s), newest first: 20250116120000") || !strings.Contains(q[0].Message, "gte: \"20250116120000\"") {
		t.Fatalf("the user was asked %+v", q)
	}

	// When the migrations cannot be read, the prompt says the SQL is unseen.
	h.api.InjectFault(sandbox.Fault{Method: "GET", Path: "/v1/projects/" + activeRef + "/database/migrations", Status: 500})
	preview(t, h, "database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": "1"}, "the rollback SQL that will run is not shown because the migrations could not be fetched")
	h.api.ClearFaults()

	// Long rollback SQL is shortened with its length and a note.
	long := "select 1;\n" + strings.Repeat("-- padding\n", 500) + "drop table hidden_at_the_end"
	preview(t, h, "database_write", map[string]any{"operation": "update_migration", "ref": activeRef, "version": "20250115093000", "rollback": long},
		fmt.Sprintf("rollback (SQL), %d chars:", len(long)), fmt.Sprintf("… shortened: 4000 of %d chars shown; the statements after this point are not shown", len(long)))
}

// Read-only mode lists no operation that needs confirmation; in write mode
// every tool with such an operation is hinted destructive and takes a
// confirm token, and --confirm deny notes each of them as refused.
func TestConfirmationClassesAcrossModes(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	needs := map[string][]string{} // tool -> operations needing confirmation
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			if op.MayNeedConfirmation() {
				needs[tl.Name] = append(needs[tl.Name], op.Name)
			}
		}
	}
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	for _, tl := range ro.listTools() {
		for _, opName := range needs[tl.Name] {
			if strings.Contains("\n"+tl.Description, "\n"+opName+"(") {
				t.Errorf("read-only mode lists %s.%s", tl.Name, opName)
			}
		}
		if _, ok := tl.InputSchema.Properties["confirm"]; ok {
			t.Errorf("read-only %s takes a confirm token", tl.Name)
		}
	}
	ro.absent("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "A", "value": "b"}}})

	rw := newHarness(t, setup{})
	for _, tl := range rw.listTools() {
		_, hasConfirm := tl.InputSchema.Properties["confirm"]
		destructive := hint(tl.Annotations.DestructiveHint, true)
		for _, opName := range needs[tl.Name] {
			if !strings.Contains("\n"+tl.Description, "\n"+opName+"(") {
				t.Errorf("write mode does not list %s.%s as the read-only check expects", tl.Name, opName)
			}
		}
		if want := len(needs[tl.Name]) > 0; destructive != want {
			t.Errorf("%s: destructiveHint %v, want %v (%v)", tl.Name, destructive, want, needs[tl.Name])
		}
		// A read tool is never destructive, but one that can reveal secret
		// values takes a confirm token for reveal: true.
		_, reveals := tl.InputSchema.Properties["reveal"]
		if want := len(needs[tl.Name]) > 0 || (strings.HasSuffix(tl.Name, "_read") && reveals); hasConfirm != want {
			t.Errorf("%s: confirm property %v, want %v", tl.Name, hasConfirm, want)
		}
	}
	deny := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmDeny}})
	for _, tl := range deny.listTools() {
		if tl.Name == "projects_write" && !strings.Contains(tl.Description, "create_claim_token(ref): Let another org claim it. [refused on this server]") {
			t.Errorf("deny mode does not note a sensitive write as refused: %s", tl.Description)
		}
	}
	deny.fails("projects_write", map[string]any{"operation": "create_claim_token", "ref": activeRef}, "--confirm deny")
	if n := len(deny.api.Requests()); n != 0 {
		t.Fatalf("deny mode sent %d requests", n)
	}
}

// With --confirm none no prompt is shown, so a rollback looks nothing up.
func TestRollbackWithoutConfirmationLooksNothingUp(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
	h.ok("database_write", map[string]any{"operation": "rollback_migrations", "ref": activeRef, "gte": "20250116120000"})
	for _, r := range h.api.Requests() {
		if r.Method == "GET" {
			t.Fatalf("an unprompted rollback sent GET %s", r.Path)
		}
	}
	if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef+"/database/migrations"); n != 1 {
		t.Fatalf("%d rollbacks sent", n)
	}
}
