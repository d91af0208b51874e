package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// dbServer starts a fake API backed by the test database, or skips.
func dbServer(t *testing.T) *Server {
	t.Helper()
	if os.Getenv(EnvDatabaseURL) == "" {
		t.Skip(EnvDatabaseURL + " is not set: skipping tests that need PostgreSQL")
	}
	t.Parallel()
	s := NewFromEnv(t, testToken)
	if !s.HasDatabase() {
		t.Fatal("HasDatabase() = false")
	}
	return s
}

// uniqueTable names a table no other test (or package) uses, dropped at the end.
func uniqueTable(t *testing.T, s *Server, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("sandbox_%s_%d", prefix, time.Now().UnixNano())
	t.Cleanup(func() {
		resp, err := send(http.DefaultClient, s, "POST", "/v1/projects/"+SeedProjectActive+"/database/query",
			map[string]string{"query": "drop table if exists " + name})
		if err == nil {
			resp.Body.Close()
		}
	})
	return name
}

// runSQL posts a query to path ("" = /database/query) and returns status and body.
func runSQL(t *testing.T, s *Server, path string, body any) (int, []byte) {
	t.Helper()
	code, _, b := call(t, s, "POST", "/v1/projects/"+SeedProjectActive+"/database/query"+path, body)
	return code, b
}

// mustSQL runs a read-write query that must succeed and returns its rows.
func mustSQL(t *testing.T, s *Server, query string) []map[string]any {
	t.Helper()
	code, b := runSQL(t, s, "", map[string]string{"query": query})
	wantStatus(t, code, http.StatusCreated, b)
	return decode[[]map[string]any](t, b)
}

func TestSQLTypes(t *testing.T) {
	s := dbServer(t)
	code, b := runSQL(t, s, "", map[string]string{"query": `select
		1::int2 as i2, 2::int4 as i4, 9007199254740993::int8 as i8, 1.50::numeric as num, 2.5::float8 as f8,
		'NaN'::float8 as nan, true as yes, false as no, 'text'::text as txt, null::int as nothing,
		'2024-01-02 03:04:05+00'::timestamptz at time zone 'UTC' as ts, '2024-01-02'::date as d,
		'{"a":[1,2],"b":null}'::jsonb as jb, '[1,"x"]'::json as js, '\x01ff'::bytea as bin,
		array[1,2,null] as ints, array['a','b c','"q"',null]::text[] as texts, array[[1,2],[3,4]] as matrix,
		'{}'::int[] as empty, array['{"k":1}'::jsonb] as jbs, array[true,false] as bools,
		'8c1c7a5e-4b0e-4c52-9a52-3a4d2c1b0e9f'::uuid as id, 1 as dup, 2 as dup`})
	wantStatus(t, code, http.StatusCreated, b)
	// Column order is kept; a repeated name keeps its first place and last value.
	if !strings.HasPrefix(string(b), `[{"i2":1,"i4":2,"i8":9007199254740993,"num":1.50,"f8":2.5,"nan":"NaN","yes":true,`) ||
		!strings.HasSuffix(string(b), `"dup":2}]`) {
		t.Errorf("raw %s", b)
	}
	rows := decode[[]map[string]any](t, b)
	if len(rows) != 1 {
		t.Fatalf("rows %s", b)
	}
	r := rows[0]
	for k, want := range map[string]string{
		"no": "false", "txt": `"text"`, "nothing": "null", "ts": `"2024-01-02 03:04:05"`, "d": `"2024-01-02"`,
		"jb": `{"a":[1,2],"b":null}`, "js": `[1,"x"]`, "bin": `"\\x01ff"`, "ints": `[1,2,null]`,
		"texts": `["a","b c","\"q\"",null]`, "matrix": `[[1,2],[3,4]]`, "empty": `[]`, "jbs": `[{"k":1}]`,
		"bools": `[true,false]`, "id": `"8c1c7a5e-4b0e-4c52-9a52-3a4d2c1b0e9f"`,
	} {
		if got, _ := json.Marshal(r[k]); string(got) != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
}

func TestSQLMultiStatement(t *testing.T) {
	s := dbServer(t)
	tbl := uniqueTable(t, s, "multi")
	rows := mustSQL(t, s, fmt.Sprintf(`create table %[1]s (id int primary key, name text);
		insert into %[1]s values (1, 'one'), (2, 'two');
		select name from %[1]s order by id`, tbl))
	if len(rows) != 2 || rows[0]["name"] != "one" || rows[1]["name"] != "two" {
		t.Errorf("last result %v", rows)
	}
	// Statements without rows give [].
	code, b := runSQL(t, s, "", map[string]string{"query": fmt.Sprintf("select 1; update %s set name = 'x' where id = 1", tbl)})
	wantStatus(t, code, http.StatusCreated, b)
	if string(b) != "[]" {
		t.Errorf("body %s, want []", b)
	}
	// A failing statement rolls back the whole (implicit) transaction.
	code, b = runSQL(t, s, "", map[string]string{"query": fmt.Sprintf("insert into %s values (3, 'three'); select 1/0", tbl)})
	wantStatus(t, code, http.StatusBadRequest, b)
	if rows := mustSQL(t, s, "select count(*)::int as n from "+tbl); rows[0]["n"] != 2.0 {
		t.Errorf("rows after failed batch: %v", rows)
	}
}

func TestSQLError(t *testing.T) {
	s := dbServer(t)
	code, b := runSQL(t, s, "", map[string]string{"query": "select *\nfrom sandbox_no_such_table"})
	wantStatus(t, code, http.StatusBadRequest, b)
	want := "Failed to run sql query: ERROR:  42P01: relation \"sandbox_no_such_table\" does not exist\n" +
		"LINE 2: from sandbox_no_such_table\n" +
		"             ^"
	if m := message(t, b); m != want {
		t.Errorf("message\n%s\nwant\n%s", m, want)
	}
	code, b = runSQL(t, s, "", map[string]string{"query": "selec 1"})
	wantStatus(t, code, http.StatusBadRequest, b)
	if m := message(t, b); !strings.HasPrefix(m, "Failed to run sql query: ERROR:  42601: syntax error at or near \"selec\"") {
		t.Errorf("syntax error message %q", m)
	}
}

func TestSQLParameters(t *testing.T) {
	s := dbServer(t)
	code, b := runSQL(t, s, "", map[string]any{
		"query":      "select $1::int + $2::int as sum, $3::text[] as arr, $4::jsonb as obj, $5::text is null as isnull, $6::bool as flag",
		"parameters": []any{1, "2", []any{"a", `b"c`}, map[string]any{"k": []int{1}}, nil, true},
	})
	wantStatus(t, code, http.StatusCreated, b)
	if string(b) != `[{"sum":3,"arr":["a","b\"c"],"obj":{"k":[1]},"isnull":true,"flag":true}]` {
		t.Errorf("body %s", b)
	}
	// The extended protocol takes one statement only.
	code, b = runSQL(t, s, "", map[string]any{"query": "select $1::int; select 2", "parameters": []any{1}})
	wantStatus(t, code, http.StatusBadRequest, b)
	// Read-only with parameters.
	code, b = runSQL(t, s, "/read-only", map[string]any{"query": "select $1::text as v", "parameters": []any{"ro"}})
	wantStatus(t, code, http.StatusCreated, b)
	if string(b) != `[{"v":"ro"}]` {
		t.Errorf("read-only body %s", b)
	}
}

func TestSQLReadOnlyPreventsWrites(t *testing.T) {
	s := dbServer(t)
	tbl := uniqueTable(t, s, "ro")
	other := uniqueTable(t, s, "ro_other")
	mustSQL(t, s, fmt.Sprintf("create table %[1]s (id int); insert into %[1]s values (1)", tbl))

	for _, ro := range []struct {
		path string
		body func(q string) any
	}{
		{"", func(q string) any { return map[string]any{"query": q, "read_only": true} }},
		{"/read-only", func(q string) any { return map[string]any{"query": q} }},
	} {
		code, b := runSQL(t, s, ro.path, ro.body("select id, current_user as who from "+tbl))
		wantStatus(t, code, http.StatusCreated, b)
		if rows := decode[[]map[string]any](t, b); len(rows) != 1 || rows[0]["who"] != readOnlyRole {
			t.Errorf("%s: read %s", ro.path, b)
		}
		for _, q := range []string{
			"create table " + other + " (id int)",
			"insert into " + tbl + " values (2)",
			"drop table " + tbl,
			"select 1; commit; drop table " + tbl,
			"select 1; rollback; insert into " + tbl + " values (3)",
			"commit; set transaction read write; insert into " + tbl + " values (4)",
		} {
			code, b := runSQL(t, s, ro.path, ro.body(q))
			wantStatus(t, code, http.StatusBadRequest, b)
			if m := message(t, b); !strings.HasPrefix(m, "Failed to run sql query: ERROR:  ") {
				t.Errorf("%s %q: message %q", ro.path, q, m)
			}
		}
	}
	// Nothing changed, and the pooled connections are back to read-write.
	rows := mustSQL(t, s, fmt.Sprintf("select (select count(*)::int from %s) as n, to_regclass('%s') is null as no_other, current_user as who", tbl, other))
	if rows[0]["n"] != 1.0 || rows[0]["no_other"] != true || rows[0]["who"] == readOnlyRole {
		t.Errorf("after read-only attempts: %v", rows)
	}
}

func TestSQLConcurrentReadOnly(t *testing.T) {
	s := dbServer(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, err := send(http.DefaultClient, s, "POST", "/v1/projects/"+SeedProjectActive+"/database/query/read-only",
				map[string]string{"query": "select 1 as one"})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
}

func TestSQLCancelledWithClient(t *testing.T) {
	s := dbServer(t)
	marker := fmt.Sprintf("sandbox_cancel_%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL()+"/v1/projects/"+SeedProjectActive+"/database/query",
		strings.NewReader(fmt.Sprintf(`{"query":"select pg_sleep(30) -- %s"}`, marker)))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("status %d, want a client timeout", resp.StatusCode)
	}
	query := fmt.Sprintf("select count(*)::int as n from pg_stat_activity where query like '%%%s%%' and pid <> pg_backend_pid()", marker)
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if mustSQL(t, s, query)[0]["n"] == 0.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the query still runs after the client went away")
		}
	}
}

func TestSQLMigrations(t *testing.T) {
	s := dbServer(t)
	tbl := uniqueTable(t, s, "mig")
	path := "/v1/projects/" + SeedProjectActive + "/database/migrations"
	code, _, b := call(t, s, "POST", path, map[string]string{"query": "create table " + tbl + " (id int)", "name": "create_" + tbl},
		"Idempotency-Key", tbl)
	wantStatus(t, code, http.StatusOK, b)
	mustSQL(t, s, "select * from "+tbl) // it ran
	// Same key: not run again (it would fail: the table exists).
	code, _, b = call(t, s, "POST", path, map[string]string{"query": "create table " + tbl + " (id int)"}, "Idempotency-Key", tbl)
	wantStatus(t, code, http.StatusOK, b)
	// A failing migration is reported and not recorded.
	code, _, b = call(t, s, "POST", path, map[string]string{"query": "create table " + tbl + " (id int)", "name": "dup"})
	wantStatus(t, code, http.StatusBadRequest, b)
	if m := message(t, b); !strings.Contains(m, "42P07") {
		t.Errorf("message %q", m)
	}
	// Upsert records without running.
	code, _, b = call(t, s, "PUT", path, map[string]string{"query": "drop table " + tbl, "name": "not_run"})
	wantStatus(t, code, http.StatusOK, b)
	mustSQL(t, s, "select * from "+tbl)
	var names []string
	for _, m := range s.Migrations(SeedProjectActive) {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "create_profiles,add_profiles_email,create_"+tbl+",not_run" {
		t.Errorf("migrations %s", got)
	}
}

func TestSQLReconnectsAfterTermination(t *testing.T) {
	s := dbServer(t)
	pid := mustSQL(t, s, "select pg_backend_pid() as pid")[0]["pid"] // now idle in the pool
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, os.Getenv(EnvDatabaseURL))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := exec(ctx, c, fmt.Sprintf("select pg_terminate_backend(%v, 5000)", pid)); err != nil {
		t.Fatal(err)
	}
	if rows := mustSQL(t, s, "select pg_backend_pid() as pid"); rows[0]["pid"] == pid {
		t.Errorf("same backend %v after termination", pid)
	}
}
