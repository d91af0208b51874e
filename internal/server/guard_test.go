package server

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

var tokenRE = regexp.MustCompile(`confirm: "(confirm-[0-9a-f]+)"`)

func TestConfirmationByElicitation(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			h := newHarness(t, setup{legacy: legacy})
			h.ok("projects_write", map[string]any{"operation": "delete", "ref": pausedRef})
			asked := h.user.questions()
			if len(asked) != 1 || !strings.Contains(asked[0].Message, pausedRef) || !strings.Contains(asked[0].Message, "cannot be undone") {
				t.Fatalf("the user was asked %+v", asked)
			}
			if _, ok := h.api.Project(pausedRef); ok {
				t.Fatal("confirmed delete did not happen")
			}
		})
	}
	// A user who declines, or types the wrong name: nothing is sent.
	for name, u := range map[string]*user{"declined": {decline: true}, "mistyped": {typed: "abcdefghijklmnopqrsx"}} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, setup{user: u})
			h.fails("projects_write", map[string]any{"operation": "delete", "ref": activeRef}, "nothing was sent")
			if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef); n != 0 {
				t.Fatalf("%d DELETE requests after the user %s", n, name)
			}
		})
	}
}

func TestConfirmationTokenFlow(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	args := map[string]any{"operation": "pause", "ref": activeRef}
	text := h.fails("projects_write", args, "Confirmation required: ", "Pause a project")
	m := tokenRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no token in %s", text)
	}
	token := m[1]
	if len(token)-len("confirm-") < 32 {
		t.Fatalf("token %s has fewer than 128 bits", token)
	}
	path := "/v1/projects/" + activeRef + "/pause"
	if n := h.requestsTo("POST", path); n != 0 {
		t.Fatal("the preview sent the request")
	}
	// Another project's call cannot use this token; it is consumed by the attempt.
	h.fails("projects_write", map[string]any{"operation": "pause", "ref": pausedRef, "confirm": token}, "different call")
	h.fails("projects_write", map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}, "unknown or was already used")

	text = h.fails("projects_write", args, "Confirmation required")
	token = tokenRE.FindStringSubmatch(text)[1]
	h.ok("projects_write", map[string]any{"operation": "pause", "ref": activeRef, "confirm": token})
	if n := h.requestsTo("POST", path); n != 1 {
		t.Fatalf("confirmed pause sent %d requests", n)
	}
	h.fails("projects_write", map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}, "already used")
	h.fails("projects_write", map[string]any{"operation": "pause", "ref": activeRef, "confirm": "confirm-" + strings.Repeat("ab", 24)}, "unknown")
	if n := h.requestsTo("POST", path); n != 1 {
		t.Fatalf("replayed or forged tokens sent requests: %d", n)
	}
}

func TestConfirmPolicies(t *testing.T) {
	deny := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmDeny}})
	deny.fails("projects_write", map[string]any{"operation": "delete", "ref": activeRef}, "--confirm deny")
	for _, tl := range deny.listTools() {
		if tl.Name == "projects_write" && !strings.Contains(tl.Description, "delete(ref): Delete a project and all its data. [refused on this server]") {
			t.Errorf("deny mode does not note refused operations: %s", tl.Description)
		}
	}
	elicitOnly := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmElicit}, noElicitation: true})
	elicitOnly.fails("projects_write", map[string]any{"operation": "delete", "ref": activeRef}, "elicitation")
	none := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}, noElicitation: true})
	none.ok("projects_write", map[string]any{"operation": "delete", "ref": activeRef})
	for _, h := range []*harness{deny, elicitOnly} {
		if n := h.requestsTo("DELETE", "/v1/projects/"+activeRef); n != 0 {
			t.Fatal("a refused delete reached the API")
		}
	}
	token := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmToken}})
	token.fails("projects_write", map[string]any{"operation": "delete", "ref": activeRef}, "Confirmation required")
	if len(token.user.questions()) != 0 {
		t.Fatal("--confirm token asked by elicitation")
	}
}

// For every operation that needs consent (destructive, billable, sensitive;
// sensitive arguments given), an unconfirmed call, and each bad token
// variant, sends nothing to the API. The one exception is a rollback's
// prompt, which reads (GET) the migrations it would undo.
func TestUnconfirmedCallsSendNothing(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	covered := 0
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			args := tools.MinimalArgs(op, sandbox.Fixtures())
			for _, name := range op.SensitiveArgs {
				args[name] = "select 1"
			}
			if !op.NeedsConfirmation() && len(op.SensitiveArgs) == 0 {
				continue
			}
			covered++
			t.Run(op.QualifiedName(), func(t *testing.T) {
				h := newHarness(t, setup{noElicitation: true})
				text := h.fails(tl.Name, args, "Confirmation required")
				real := tokenRE.FindStringSubmatch(text)[1]
				for _, bad := range []string{"", "confirm-", real + "0", strings.ToUpper(real), "confirm-" + strings.Repeat("0", 48)} {
					with := map[string]any{"confirm": bad}
					for k, v := range args {
						with[k] = v
					}
					h.call(tl.Name, with)
				}
				for _, r := range h.api.Requests() {
					if r.Method != "GET" || !(op.Name == "rollback_migrations" && strings.HasSuffix(strings.Split(r.Path, "/migrations")[0], "/database")) {
						t.Fatalf("%s %s reached the API unconfirmed", r.Method, r.Path)
					}
				}
			})
		}
	}
	// The rubric's count: 35 destructive, 5 billable writes, 32 sensitive
	// writes (one of them only with rollback SQL).
	if covered != 72 {
		t.Errorf("%d operations need confirmation, want 72: update this count with the rubric", covered)
	}
}

func TestDestructiveSQLNeedsConfirmation(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	for _, q := range []string{"drop table profiles", "truncate profiles", "delete from profiles", "update profiles set name = 'x'", "alter table profiles drop column name", "select 1; drop schema public cascade", "revoke select on profiles from anon"} {
		h.fails("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": q}, "Confirmation required")
		h.fails("database_write", map[string]any{"operation": "apply_migration", "ref": activeRef, "query": q}, "Confirmation required")
	}
	if n := len(h.api.Requests()); n != 0 {
		t.Fatalf("destructive SQL reached the API %d times unconfirmed", n)
	}
}

// The attack corpus: in read-only mode none of these reach PostgreSQL as a
// write, and the database is unchanged afterwards.
func TestReadOnlySQLAttackCorpus(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	table := "victim_" + randomSuffix()
	hasDB := os.Getenv("SUPABASE_MCP_TEST_DATABASE_URL") != ""
	var admin *harness
	if hasDB {
		admin = newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
		admin.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": fmt.Sprintf("create table %s (id int primary key, v text); insert into %s values (1, 'a'), (2, 'b'); create sequence %s_seq", table, table, table)})
		t.Cleanup(func() {
			admin.call("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": fmt.Sprintf("drop table if exists %s, %s_copy; drop sequence if exists %s_seq", table, table, table)})
		})
	}
	T := table
	corpus := []string{
		"SELECT 1; COMMIT; DROP TABLE " + T,
		"SELECT 1; ROLLBACK; DELETE FROM " + T,
		"COMMIT; INSERT INTO " + T + " VALUES (3, 'c')",
		"WITH d AS (DELETE FROM " + T + " RETURNING *) SELECT * FROM d",
		"WITH u AS (UPDATE " + T + " SET v = 'x' RETURNING *) SELECT * FROM u",
		"WITH i AS (INSERT INTO " + T + " VALUES (9, 'z') RETURNING *) SELECT 1",
		"EXPLAIN ANALYZE DELETE FROM " + T,
		"EXPLAIN (ANALYZE) UPDATE " + T + " SET v = 'y'",
		"SELECT set_config('default_transaction_read_only','off',false)",
		"SELECT pg_catalog.set_config('transaction_read_only','off',true)",
		"SET default_transaction_read_only = off; DELETE FROM " + T,
		"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
		"RESET ROLE; DROP TABLE " + T,
		"SELECT * INTO " + T + "_copy FROM " + T,
		"CREATE TABLE " + T + "_copy AS SELECT * FROM " + T,
		"COPY (SELECT 1) TO PROGRAM 'true'",
		"COPY " + T + " FROM PROGRAM 'echo 5,e'",
		"SELECT * FROM " + T + " FOR UPDATE",
		"SELECT * FROM " + T + " FOR SHARE SKIP LOCKED",
		"DO $$ BEGIN DELETE FROM " + T + "; END $$",
		"CALL some_procedure()",
		"PREPARE p AS DELETE FROM " + T + "; EXECUTE p",
		"LISTEN chan",
		"NOTIFY chan, 'x'",
		"SELECT pg_notify('chan', 'x')",
		"SELECT nextval('" + T + "_seq')",
		"SELECT setval('" + T + "_seq', 100)",
		"SELECT pg_terminate_backend(pg_backend_pid())",
		"SELECT pg_cancel_backend(1)",
		"SELECT pg_advisory_lock(1)",
		"SELECT pg_try_advisory_xact_lock(1)",
		"SELECT lo_import('/etc/passwd')",
		"SELECT pg_read_file('/etc/passwd')",
		"SELECT * FROM pg_ls_dir('.')",
		"SELECT dblink_exec('dbname=postgres', 'drop table " + T + "')",
		"SELECT pg_reload_conf()",
		"SELECT pg_sleep(60)",
		"SELECT query_to_xml('delete from " + T + "', true, true, '')",
		"TRUNCATE " + T,
		"VACUUM " + T,
		"LOCK TABLE " + T,
		"GRANT ALL ON " + T + " TO public",
		"ALTER TABLE " + T + " DROP COLUMN v",
		"DELETE FROM " + T + " WHERE id = 1",
		"UPDATE " + T + " SET v = 'hacked' WHERE id = 1",
		"INSERT INTO " + T + " VALUES (4, 'd')",
		"MERGE INTO " + T + " USING (SELECT 1 AS id) s ON " + T + ".id = s.id WHEN MATCHED THEN DELETE",
		"SELECT 1 /* ; */ ; DROP TABLE " + T,
		"select 1;\n--\ndrop table " + T,
		"BEGIN READ WRITE; DELETE FROM " + T + "; COMMIT",
	}
	for _, q := range corpus {
		for _, op := range []string{"execute_readonly_sql"} {
			text := h.fails("database_read", map[string]any{"operation": op, "ref": activeRef, "query": q}, "Refused", "runs only plain reads")
			if !strings.Contains(text, "refused \"") {
				t.Errorf("refusal does not name the statement: %s", text)
			}
		}
	}
	if n := len(h.api.Requests()); n != 0 {
		t.Fatalf("%d attack queries reached the API", n)
	}
	// Plain reads still work.
	if hasDB {
		rows := decodeJSON[[]map[string]any](t, h.ok("database_read", map[string]any{"operation": "execute_readonly_sql", "ref": activeRef, "query": "select id, v from " + T + " order by id"}))
		if len(rows) != 2 || rows[0]["v"] != "a" || rows[1]["v"] != "b" {
			t.Fatalf("the table changed: %v", rows)
		}
		seq := decodeJSON[[]map[string]any](t, admin.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select last_value, is_called from " + T + "_seq"}))
		if seq[0]["is_called"] != false {
			t.Fatalf("the sequence moved: %v", seq)
		}
		copyExists := decodeJSON[[]map[string]any](t, admin.ok("database_write", map[string]any{"operation": "execute_sql", "ref": activeRef, "query": "select to_regclass('" + T + "_copy') is not null as x"}))
		if copyExists[0]["x"] != false {
			t.Fatal("a copy table was created")
		}
	}
	for _, q := range []string{"select 1", "show search_path", "values (1), (2)", "explain select 1", "with x as (select 1 as a) select * from x"} {
		if hasDB {
			h.ok("database_read", map[string]any{"operation": "execute_readonly_sql", "ref": activeRef, "query": q})
		} else if err := guard.CheckReadOnlySQL(q); err != nil {
			t.Errorf("plain read %q refused: %v", q, err)
		}
	}
}

// Under --project-ref, a branch operation addressed by branch id runs only
// for branches of the scoped project, checked before any request about the
// branch leaves.
func TestBranchScope(t *testing.T) {
	// A branch of another project, made by an unscoped server.
	admin := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
	other := decodeJSON[map[string]any](t, admin.ok("branches_write", map[string]any{"operation": "create", "ref": sandbox.SeedProjectComing, "branch": map[string]any{"branch_name": "elsewhere"}}))
	otherID, _ := other["id"].(string)
	if otherID == "" {
		t.Fatalf("create = %v", other)
	}

	h := newHarness(t, setup{policy: &guard.Policy{ProjectRef: activeRef, Confirm: guard.ConfirmNone}})
	h.ok("branches_read", map[string]any{"operation": "get_config", "branch_id_or_ref": sandbox.SeedBranchPreviewID})
	h.ok("branches_read", map[string]any{"operation": "get_config", "branch_id_or_ref": sandbox.SeedBranchPreview}) // by its ref too
	for _, op := range []string{"get_config", "delete", "merge", "reset", "push", "diff"} {
		h.fails(toolOf(t, "branches", op), map[string]any{"operation": op, "branch_id_or_ref": otherID}, "does not belong to project "+activeRef)
	}
	h.fails("branches_write", map[string]any{"operation": "delete", "branch_id_or_ref": "zzzzzzzzzzzzzzzzzzzz"}, "Refused")  // well-formed, unknown
	h.fails("branches_write", map[string]any{"operation": "delete", "branch_id_or_ref": "not-a-branch"}, "Nothing was sent") // neither a ref nor a UUID
	for _, r := range h.api.Requests() {
		if strings.Contains(r.Path, otherID) || strings.Contains(r.Path, "not-a-branch") || strings.Contains(r.Path, "zzzzzzzzzzzzzzzzzzzz") {
			t.Fatalf("a request about a foreign branch left: %s %s", r.Method, r.Path)
		}
		if r.Method != "GET" {
			t.Fatalf("a mutating request left: %s %s", r.Method, r.Path)
		}
	}
	// The ownership list is cached: one lookup for all those calls.
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef+"/branches"); n != 1 {
		t.Errorf("branch list fetched %d times, want 1 (cached)", n)
	}
}

// A token issued in one MCP session is useless in another.
func TestConfirmationTokensAreBoundToTheSession(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			a := newHarness(t, setup{noElicitation: true, legacy: legacy})
			b := a.secondClient(t, legacy)
			args := map[string]any{"operation": "pause", "ref": activeRef}
			text := a.fails("projects_write", args, "Confirmation required")
			token := tokenRE.FindStringSubmatch(text)[1]
			b.fails("projects_write", map[string]any{"operation": "pause", "ref": activeRef, "confirm": token}, "different call")
			if n := a.requestsTo("POST", "/v1/projects/"+activeRef+"/pause"); n != 0 {
				t.Fatal("a token from another session was accepted")
			}
		})
	}
}
