package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// These tests run the SQL guard through the real MCP path against real
// PostgreSQL, and check the database from a connection of their own.

func requireDB(t *testing.T) string {
	t.Helper()
	url := os.Getenv(sandbox.EnvDatabaseURL)
	if url == "" {
		t.Skip("needs " + sandbox.EnvDatabaseURL)
	}
	return url
}

// directConn is a session of the test's own, outside the API.
func directConn(t *testing.T, url string) *pgconn.PgConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// directValue runs sql on c and returns the first column of the first row.
func directValue(t *testing.T, c *pgconn.PgConn, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := c.ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatalf("%s: %v", sql, res.Err)
	}
	if len(res.Rows) == 0 {
		return ""
	}
	return string(res.Rows[0][0])
}

func sqlArgs(op, q string) map[string]any {
	return map[string]any{"operation": op, "ref": activeRef, "query": q}
}

// sqlFixture is a schema of the test's own with a victim table, a sequence,
// a log table and user code that would leave traces if it ever ran.
type sqlFixture struct {
	schema, url string
	lockKey     int64 // advisory lock key no one else uses
	loOID       int64 // large object id no one else uses
	admin       *harness
	direct      *pgconn.PgConn
}

func newSQLFixture(t *testing.T) *sqlFixture {
	url := requireDB(t)
	f := &sqlFixture{
		schema:  "sqlguard_" + randomSuffix(),
		url:     url,
		lockKey: 770000000 + rand.Int64N(100000000),
		loOID:   3000000000 + rand.Int64N(100000000),
		admin:   newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}}),
		direct:  directConn(t, url),
	}
	S := f.schema
	f.admin.ok("database_write", sqlArgs("execute_sql", fmt.Sprintf(`create schema %[1]s;
create table %[1]s.victim (id int primary key, v text);
insert into %[1]s.victim select g, md5(g::text) from generate_series(1, 50) g;
create sequence %[1]s.seq;
create table %[1]s.log (what text);
grant select on all tables in schema %[1]s to public;
grant usage on schema %[1]s to public;
create function %[1]s.side_effect() returns int language plpgsql as $$ begin insert into %[1]s.log values ('ran'); perform pg_advisory_lock(%[2]d); return 1; end $$;
create domain %[1]s.evil_domain as int check (%[1]s.side_effect() = 1);
create table %[1]s.customers (id int primary key, name text, email text, country text, plan text, created_at timestamptz default now());
create table %[1]s.orders (id int primary key, customer_id int references %[1]s.customers, status text, total numeric, created_at timestamptz default now(), meta jsonb default '{}');
create table %[1]s.products (id int primary key, name text, category text, price numeric, tags text[]);
create table %[1]s.order_items (order_id int references %[1]s.orders, product_id int references %[1]s.products, qty int, price numeric);
create table %[1]s.events (id bigserial primary key, customer_id int, kind text, payload jsonb, at timestamptz default now());
insert into %[1]s.customers select g, 'name ' || g, 'u' || g || '@example.com', (array['DE','FR','US'])[1 + g %% 3], (array['free','pro','team'])[1 + g %% 3], now() - g * interval '1 day' from generate_series(1, 30) g;
insert into %[1]s.orders select g, 1 + g %% 30, (array['paid','refunded','open'])[1 + g %% 3], g * 3.5, now() - g * interval '7 hours', jsonb_build_object('channel', 'web', 'utm', jsonb_build_object('source', 'x'), 'items', jsonb_build_array(jsonb_build_object('sku', 'a'))) from generate_series(1, 100) g;
insert into %[1]s.products select g, 'book ' || g, (array['books','toys'])[1 + g %% 2], g * 2, array['sale','new'] from generate_series(1, 10) g;
insert into %[1]s.order_items select g, 1 + g %% 10, 1 + g %% 4, 9.99 from generate_series(1, 100) g;
insert into %[1]s.events (customer_id, kind, payload) select 1 + g %% 30, 'view', jsonb_build_object('page', '/docs/' || g) from generate_series(1, 100) g;
grant select on all tables in schema %[1]s to public`, S, f.lockKey)))
	t.Cleanup(func() {
		f.admin.call("database_write", sqlArgs("execute_sql", "drop schema if exists "+S+" cascade"))
		f.admin.call("database_write", sqlArgs("execute_sql", fmt.Sprintf("select lo_unlink(oid) from pg_largeobject_metadata where oid = %d", f.loOID)))
	})
	return f
}

// state is what no refused or confirmation-pending query may change.
func (f *sqlFixture) state(t *testing.T) string {
	t.Helper()
	return directValue(t, f.direct, fmt.Sprintf(`select concat_ws(' | ',
  (select md5(string_agg(id || ':' || v, ',' order by id)) from %[1]s.victim),
  (select count(*) from %[1]s.log),
  (select last_value || '/' || is_called from %[1]s.seq),
  (select count(*) from pg_locks where locktype = 'advisory' and objid = %[2]d),
  (select count(*) from pg_largeobject_metadata where oid = %[3]d),
  (select count(*) from pg_class where relnamespace = '%[1]s'::regnamespace))`, f.schema, f.lockKey, f.loOID))
}

// apiSession is what the API's pooled read-only session reports about
// itself: settings, role, its backend pid and what it holds.
func apiSession(t *testing.T, h *harness) map[string]any {
	t.Helper()
	rows := decodeJSON[[]map[string]any](t, h.ok("database_read", sqlArgs("execute_readonly_sql", `select pg_backend_pid() as pid,
  current_setting('default_transaction_read_only') as default_ro,
  current_setting('standard_conforming_strings') as scs,
  current_setting('backslash_quote') as bq,
  current_setting('search_path') as search_path,
  current_user as role,
  (select count(*) from pg_prepared_statements) as prepared,
  (select count(*) from pg_locks where pid = pg_backend_pid() and locktype = 'advisory') as advisory`)))
	return rows[0]
}

// attacks are written from how PostgreSQL works; {S}, {K}, {LO} and {PID}
// stand for the fixture's schema, lock key, large object id and a
// neighbour's backend pid.
var attacks = []string{
	// SQL-running functions
	"select query_to_xml('select pg_advisory_lock({K})', true, true, '')",
	"select query_to_xml_and_xmlschema('select set_config(''default_transaction_read_only'', ''off'', false)', true, true, '')",
	"select query_to_xmlschema('select lo_create({LO})', true, true, '')",
	"select cursor_to_xml('c', 1, true, true, '')",
	"select table_to_xml('{S}.victim', true, true, '')",
	"select schema_to_xml('{S}', true, true, '')",
	"select database_to_xml(true, true, '')",
	"select * from ts_stat('select to_tsvector(set_config(''standard_conforming_strings'', ''off'', false))')",
	"select ts_rewrite('a'::tsquery, 'select ''a''::tsquery, pg_advisory_lock({K})::text::tsquery')",
	"select xpath('/a', query_to_xml('select pg_advisory_lock({K})', true, true, ''))",
	// settings, nested or direct
	"select set_config('default_transaction_read_only', 'off', false)",
	"select length(set_config('standard_conforming_strings', 'off', false))",
	"select * from (select set_config('search_path', '{S}', false)) s",
	"select 1 where exists (select set_config('role', 'postgres', false))",
	"select coalesce(null, set_config('backslash_quote', 'on', false))",
	"set standard_conforming_strings = off",
	"set search_path = {S}, public",
	"reset all",
	"discard all",
	"select set_config(chr(115) || 'tandard_conforming_strings', 'off', false)",
	// locks, large objects, neighbours, sequences, notifications, sleeps
	"select pg_advisory_lock({K})",
	"select pg_try_advisory_lock({K})",
	"select pg_advisory_xact_lock({K})",
	"select lo_create({LO})",
	"select lo_from_bytea({LO}, 'x')",
	"select lo_import('/etc/hostname', {LO})",
	"select pg_terminate_backend({PID})",
	"select pg_cancel_backend({PID})",
	"select pg_terminate_backend(pid) from pg_stat_activity where pid = {PID}",
	"select nextval('{S}.seq')",
	"select setval('{S}.seq', 99)",
	"select pg_notify('x', 'y')",
	"select pg_sleep(2)",
	"select pg_read_file('/etc/hostname')",
	"select txid_current()",
	// user code: functions, domains, operators
	"select {S}.side_effect()",
	"select * from {S}.side_effect()",
	"select 1::{S}.evil_domain",
	"select cast(1 as {S}.evil_domain)",
	"select 1 operator({S}.+) 1",
	"select id from {S}.victim order by {S}.side_effect()",
	// backslashes and standard_conforming_strings
	"select 'a\\'; select pg_advisory_lock({K}); --'",
	"select 'x\\' , pg_advisory_lock({K}) --'",
	"select n'a\\'; select lo_create({LO}); --'",
	"select 'a'\n'b\\'; select pg_advisory_lock({K}); --'",
	// quoting and comments: the second statement is seen and refused
	"select $a$ $$ ' $a$; select pg_advisory_lock({K})",
	"select 1 /* /* nested */ still comment */; select pg_advisory_lock({K})",
	"select U&'\\0027' ; select lo_create({LO})",
	"select e'\\'' ; select pg_advisory_lock({K}) --'",
	// NUL, limits, parse errors
	"select 1\x00; select pg_advisory_lock({K})",
	"select 1" + strings.Repeat("+1", 30000),
	"select 'a'" + strings.Repeat("||'a'", 12000),
	"select " + strings.Repeat("(", 500) + "1" + strings.Repeat(")", 500),
	"selec pg_advisory_lock({K})",
	"select pg_advisory_lock({K}) from",
	// statements that are not reads
	"do $$ begin perform pg_advisory_lock({K}); end $$",
	"call {S}.p()",
	"prepare p as select pg_advisory_lock({K}); execute p",
	"merge into {S}.victim v using (select 1 as id) s on v.id = s.id when matched then delete",
	"with d as (delete from {S}.victim returning *) select * from d",
	"explain analyze delete from {S}.victim",
	"explain select pg_sleep(4)",
	"explain select {S}.side_effect()",
	"select 1; commit; delete from {S}.victim",
	"delete from {S}.victim where true",
	"delete from {S}.victim where 1 = 1 or id = 1",
	"update {S}.victim set v = 'x' where $1",
	"drop table {S}.victim",
	"truncate {S}.victim",
	"alter table {S}.victim rename to gone",
	"alter table {S}.victim disable row level security",
	"create or replace function {S}.side_effect() returns int language sql as 'select 2'",
	"create rule r as on insert to {S}.victim do instead nothing",
	"alter database postgres set standard_conforming_strings = off",
	"alter role sandbox_read_only set default_transaction_read_only = off",
	"grant all on {S}.victim to public",
	"insert into {S}.victim values (1000, 'x') on conflict (id) do update set v = 'y'",
	"with x as (delete from {S}.victim returning *) insert into {S}.log select v from x",
	// found by the red team: always-true WHERE whose two sides differ
	"delete from {S}.victim where {S}.victim.id = id",
	"delete from {S}.victim where victim.id = id",
	"delete from {S}.victim where id in (id)",
	"delete from {S}.victim where id = any(array[id])",
	"delete from {S}.victim where id between id and id",
	"delete from {S}.victim where id = (select id)",
	"delete from {S}.victim v using {S}.victim w where v.id = w.id",
	"update {S}.victim set v = 'x' where (id = id) is true",
	"update {S}.victim set v = 'x' where id is not null is true",
	"delete from {S}.victim where id in (select id from {S}.victim)",
	"delete from {S}.victim where exists (select id from {S}.victim)",
	"delete from {S}.victim using {S}.victim w where w.id = 1",
	"update {S}.victim set v = 'x' from {S}.victim w where w.id = 1",
	"delete from {S}.victim where exists (select 1 from {S}.victim w where w.id = 1)",
	// found by the red team: new objects that change access or hide existing ones
	"create view {S}.leak as select * from {S}.victim",
	"create materialized view {S}.copy as select * from {S}.victim",
	"create table {S}.copy as select * from {S}.victim",
	"create table {S}.child () inherits ({S}.victim)",
	"create temp table victim (id int)",
	"create temp view log as select 1 as what",
	"create domain pg_temp.int4 as pg_catalog.int4 check (value > 100)",
	"create temp view pg_class as select 1 as oid",
	"create schema {S}_shadow create table victim (id int)",
	"create schema {S}_other authorization anon",
	// found by the red team: plain DML on the system catalogs
	"update pg_catalog.pg_class set relhasindex = relhasindex where oid = '{S}.log'::regclass",
	"update pg_authid set rolconnlimit = rolconnlimit where rolname = '{S}_no_such_role'",
	// found by the red team: constraints that do more than check
	"alter table {S}.victim add constraint no_writes check (false) not valid",
	"alter table {S}.log add column victim_id int references {S}.victim on delete cascade",
	"comment on schema {S} is '@graphql({\"inflect_names\": true})'",
	// found by the red team: rows copied out of the table that protects them
	"insert into {S}.log select v from {S}.victim",
	"insert into {S}.log values ((select v from {S}.victim limit 1))",
	"update {S}.victim set v = (select what from {S}.log limit 1) where id = 1",
	// found by the red team: pg_catalog moved down the search path, so user functions replace its own
	"set search_path = {S}, pg_catalog",
	"select set_config('search_path', '{S}, pg_catalog', false)",
	// found by the red team: quoted names are other objects to PostgreSQL
	`select "LOWER"('a')`,
	`select "PG_CATALOG".lower('a')`,
	`select 1::"INT4"`,
}

func (f *sqlFixture) expand(q string, pid string) string {
	return strings.NewReplacer("{S}", f.schema, "{K}", fmt.Sprint(f.lockKey), "{LO}", fmt.Sprint(f.loOID), "{PID}", pid).Replace(q)
}

// In read-only mode no attack runs, and neither the database nor the API's
// pooled session changes; in write mode none runs without confirmation.
func TestSQLGuardAttacksChangeNothing(t *testing.T) {
	f := newSQLFixture(t)
	neighbour := directConn(t, f.url)
	pid := directValue(t, neighbour, "select pg_backend_pid()")
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	before, sessionBefore := f.state(t), apiSession(t, ro)
	if sessionBefore["default_ro"] != "on" || sessionBefore["scs"] != "on" {
		t.Fatalf("the API session starts as %v", sessionBefore)
	}
	ro.api.ResetRequests()

	for _, a := range attacks {
		q := f.expand(a, pid)
		for _, op := range []string{"execute_readonly_sql", "explain"} {
			text, isErr := ro.call("database_read", sqlArgs(op, q))
			// Argument checks may refuse first (explain's query may hold no
			// control characters); either way nothing is sent.
			if !isErr || !strings.Contains(text, "Refused") && !strings.Contains(text, "Nothing was sent") {
				t.Errorf("read-only %s ran %q: %s", op, clip(q), clip(text))
			}
		}
	}
	if n := len(ro.api.Requests()); n != 0 {
		t.Errorf("%d attack queries reached the API in read-only mode", n)
	}

	w := newHarness(t, setup{noElicitation: true})
	for _, a := range attacks {
		q := f.expand(a, pid)
		for _, op := range []string{"execute_sql", "apply_migration", "upsert_migration"} {
			text, isErr := w.call("database_write", sqlArgs(op, q))
			if !isErr || !(strings.Contains(text, "Confirmation required") || strings.Contains(text, "refused")) {
				t.Errorf("write %s ran %q unconfirmed: %s", op, clip(q), clip(text))
			}
		}
	}
	if n := len(w.api.Requests()); n != 0 {
		t.Errorf("%d attack queries reached the API unconfirmed in write mode", n)
	}

	if after := f.state(t); after != before {
		t.Errorf("the database changed:\nbefore %s\nafter  %s", before, after)
	}
	if got := directValue(t, neighbour, "select 'alive'"); got != "alive" {
		t.Errorf("the neighbour session: %q", got)
	}
	sessionAfter := apiSession(t, ro)
	for _, k := range []string{"default_ro", "scs", "bq", "search_path", "role", "prepared", "advisory"} {
		if fmt.Sprint(sessionAfter[k]) != fmt.Sprint(sessionBefore[k]) {
			t.Errorf("the API session's %s changed: %v -> %v", k, sessionBefore[k], sessionAfter[k])
		}
	}
	// The same pooled session answered both probes, and other sessions see
	// nothing held by it.
	if sessionAfter["pid"] != sessionBefore["pid"] {
		t.Logf("the probes ran on different pooled sessions (%v, %v)", sessionBefore["pid"], sessionAfter["pid"])
	}
	if n := directValue(t, f.direct, fmt.Sprintf("select count(*) from pg_locks where pid = %v and locktype = 'advisory'", sessionAfter["pid"])); n != "0" {
		t.Errorf("the API session holds %s advisory locks", n)
	}
}

// The fake API keeps pooled sessions across calls, like a pooled backend:
// a session-level SET in one call is seen by the next. This is what makes
// the read-only session checks above able to fail.
func TestSQLPooledSessionsKeepState(t *testing.T) {
	requireDB(t)
	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmNone}})
	marker := "sqlguard_" + randomSuffix()
	h.ok("database_write", sqlArgs("execute_sql", "set application_name = '"+marker+"'"))
	rows := decodeJSON[[]map[string]any](t, h.ok("database_write", sqlArgs("execute_sql", "select current_setting('application_name') as app")))
	if rows[0]["app"] != marker {
		t.Fatalf("a session setting did not outlive its call (%v): the hygiene tests could not fail", rows)
	}
	h.ok("database_write", sqlArgs("execute_sql", "set application_name = ''"))
}

// Ordinary analyst queries run in read-only mode and unasked in write mode;
// none is wrongly refused.
func TestSQLAnalystQueriesRun(t *testing.T) {
	f := newSQLFixture(t)
	data, err := os.ReadFile("../guard/testdata/sql/analyst_queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	ro := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	w := newHarness(t, setup{noElicitation: true})
	n, refused := 0, 0
	for _, q := range strings.Split(string(data), "\n-- next\n") {
		q = strings.TrimSpace(strings.ReplaceAll(q, "{{s}}", f.schema))
		if q == "" || strings.HasPrefix(q, "--") {
			continue
		}
		n++
		if text, isErr := ro.call("database_read", sqlArgs("execute_readonly_sql", q)); isErr {
			if strings.Contains(text, "Refused") {
				refused++
			}
			t.Errorf("read-only: %q: %s", clip(q), text)
		}
		if text, isErr := w.call("database_write", sqlArgs("execute_sql", q)); isErr {
			t.Errorf("write: %q: %s", clip(q), text)
		}
	}
	t.Logf("%d analyst queries, %d wrongly refused", n, refused)
	if n < 100 {
		t.Fatalf("only %d analyst queries", n)
	}
}

// explain plans exactly one read; a second statement, or a function off the
// allowlist that planning would fold, is refused before anything is sent.
func TestSQLExplainOneRead(t *testing.T) {
	f := newSQLFixture(t)
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	h.ok("database_read", sqlArgs("explain", "select * from "+f.schema+".victim where id = 1;"))
	sent := len(h.api.Requests())
	h.fails("database_read", sqlArgs("explain", "select 1; select pg_advisory_lock(1)"), "Refused")
	h.fails("database_read", sqlArgs("explain", "select 1; select 2"), "2 statements")
	h.fails("database_read", sqlArgs("explain", "select pg_sleep(4)"), "pg_sleep")
	h.fails("database_read", sqlArgs("explain", "select "+f.schema+".side_effect()"), "not PostgreSQL's own")
	h.fails("database_read", sqlArgs("explain", "show search_path"), "only a SELECT")
	if n := len(h.api.Requests()); n != sent {
		t.Fatalf("%d refused explains reached the API", n-sent)
	}
}

// The confirmation names every statement that needs it, with a count.
func TestSQLConfirmationListsEveryStatement(t *testing.T) {
	h := newHarness(t, setup{noElicitation: true})
	long := "delete from profiles where " + strings.Repeat("true and ", 40) + "true"
	q := "create table sqlguard_x (id int); drop table a; insert into sqlguard_x values (1); " + long + "; truncate c"
	text := h.fails("database_write", sqlArgs("execute_sql", q), "Confirmation required", "3 statements need confirmation", "drop table a", "DROP TABLE", "delete from profiles where true and", "…", "truncate c", "TRUNCATE")
	if strings.Contains(text, "insert into sqlguard_x") {
		t.Errorf("a statement that needs no confirmation is listed: %s", text)
	}
	h.fails("database_write", sqlArgs("execute_sql", "selec 1"), "the server could not parse this; PostgreSQL may read it differently")
	h.fails("database_write", sqlArgs("upsert_migration", "drop table a"), "Confirmation required", "DROP TABLE")
	h.fails("database_write", sqlArgs("execute_sql", "set standard_conforming_strings = off"), "refused", "standard_conforming_strings")
	h.fails("database_write", sqlArgs("execute_sql", strings.Repeat("select 1;", 30000)), "refused", "256 KiB")
	h.fails("database_write", sqlArgs("apply_migration", "select 1"+strings.Repeat("+1", 30000)), "refused", "expression terms")
	if n := len(h.api.Requests()); n != 0 {
		t.Fatalf("%d requests sent unconfirmed", n)
	}
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
