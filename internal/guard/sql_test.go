package guard

import (
	"os"
	"strings"
	"testing"
)

// analystQueries reads the corpus of ordinary analyst queries shared with
// the server's tests; {{s}} stands for the schema holding their tables.
func analystQueries(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/sql/analyst_queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, q := range strings.Split(string(data), "\n-- next\n") {
		if q = strings.TrimSpace(strings.ReplaceAll(q, "{{s}}", "analytics")); q != "" && !strings.HasPrefix(q, "--") {
			out = append(out, q)
		}
	}
	return out
}

func TestAnalystQueriesPass(t *testing.T) {
	qs := analystQueries(t)
	if len(qs) < 100 {
		t.Fatalf("the analyst corpus has %d queries, want at least 100", len(qs))
	}
	refused := 0
	for _, q := range qs {
		if err := CheckReadOnlySQL(q); err != nil {
			refused++
			t.Errorf("read-only refused an analyst query: %v\n%s", err, q)
		}
		if f := ReviewWriteSQL(q); len(f) != 0 {
			t.Errorf("write mode asks about an analyst query: %+v", f)
		}
	}
	t.Logf("%d analyst queries, %d wrongly refused", len(qs), refused)
}

// readRefusals must be refused in read-only mode; the reason names what.
var readRefusals = map[string]string{
	// quoted names are case-sensitive to PostgreSQL: "LOWER" is not lower (red team)
	"select * from pg_file_settings":                      "reads server files",
	"select * from pg_catalog.pg_hba_file_rules":          "reads server files",
	"select 1 from t join pg_ident_file_mappings on true": "reads server files",
	`select "LOWER"('a')`:                                 "function LOWER()",
	`select "PG_CATALOG".lower('a')`:                      "PG_CATALOG.lower()",
	`select 'a'::"TEXT"`:                                  "type TEXT",
	`select 1 OPERATOR("PG_CATALOG".+) 1`:                 "operator PG_CATALOG.+",
	`select * from t tablesample "SYSTEM" (10)`:           "TABLESAMPLE SYSTEM",
	// functions that run SQL given as text
	"select query_to_xml('select pg_advisory_lock(1)', true, true, '')":            "query_to_xml() runs SQL",
	"select * from query_to_xml_and_xmlschema('select 1', true, true, '')":         "query_to_xml_and_xmlschema() runs SQL",
	"select cursor_to_xml('c', 1, true, true, '')":                                 "cursor_to_xml()",
	"select table_to_xml('pg_class', true, true, '')":                              "table_to_xml()",
	"select schema_to_xml('public', true, true, '')":                               "schema_to_xml()",
	"select database_to_xml(true, true, '')":                                       "database_to_xml()",
	"select * from ts_stat('select to_tsvector(set_config(''a.b'',''c'',false))')": "ts_stat() runs SQL",
	"select ts_rewrite('a'::tsquery, 'select ''a''::tsquery, ''b''::tsquery')":     "ts_rewrite()",
	"select pg_catalog.query_to_xml('select 1', true, true, '')":                   "query_to_xml()",
	"select xmlelement(name a, query_to_xml('select 1', true, true, ''))":          "query_to_xml()",
	// nested set_config, settings
	"select set_config('default_transaction_read_only', 'off', false)":       "set_config() changes a setting",
	"select length(set_config('standard_conforming_strings', 'off', false))": "set_config()",
	"select * from (select set_config('search_path', 'evil', false)) s":      "set_config()",
	"select 1 where exists (select set_config('role', 'postgres', false))":   "set_config()",
	"set standard_conforming_strings = off":                                  "SET and RESET",
	"set local search_path = evil":                                           "SET and RESET",
	"reset all":                                                              "SET and RESET",
	"set session characteristics as transaction read write":                  "SET and RESET",
	"select pg_advisory_lock(42)":                                            "advisory lock",
	"select pg_try_advisory_lock_shared(42)":                                 "advisory lock",
	"select lo_create(0)":                                                    "large objects",
	"select lo_from_bytea(0, 'x')":                                           "large objects",
	"select loread(lo_open(1, 262144), 10)":                                  "large objects",
	"select pg_terminate_backend(1)":                                         "another session",
	"select nextval('s')":                                                    "sequence",
	"select currval('s')":                                                    "sequence",
	"select txid_current()":                                                  "transaction id",
	"select pg_notify('c', 'x')":                                             "notification",
	"select pg_sleep(1)":                                                     "holds the connection",
	"select pg_sleep_for('1 second')":                                        "holds the connection",
	"select pg_read_file('/etc/passwd')":                                     "server files",
	"select pg_stat_file('postgresql.conf')":                                 "server files",
	"select * from pg_ls_waldir()":                                           "server files",
	"select dblink('dbname=x', 'select 1')":                                  "another database",
	"select setseed(0.5)":                                                    "session state",
	"select pg_stat_reset()":                                                 "changes server",
	"select public.my_function()":                                            "not PostgreSQL's own",
	"select my_function()":                                                   "not on the read-only allowlist",
	"select extensions.uuid_generate_v4()":                                   "not PostgreSQL's own",
	"select other_db.pg_catalog.now()":                                       "not PostgreSQL's own",
	"select * from my_srf()":                                                 "my_srf()",
	"select 1 order by my_key(1)":                                            "my_key()",
	"select count(*) filter (where evil()) from t":                           "evil()",
	"select 1 operator(public.+) 1":                                          "operator public.+",
	"select 1 === 2":                                                         "operator ===",
	"select * from t order by a using operator(evil.<)":                      "operator evil.<",
	"select 1 = any (select 1) and 1 operator(x.=) any (select 1)":           "operator x.=",
	"select 'x'::my_domain":                                                  "type my_domain",
	"select cast(1 as public.evil_type)":                                     "type public.evil_type",
	"select * from t tablesample tsm_system_rows(10)":                        "TABLESAMPLE",
	// data changes, directly or nested
	"with d as (delete from t returning *) select * from d":        "DELETE",
	"with i as (insert into t values (1) returning *) select 1":    "INSERT",
	"explain analyze delete from t":                                "DELETE",
	"explain select query_to_xml('select 1', true, true, '')":      "query_to_xml()",
	"explain select pg_sleep(4)":                                   "holds the connection",
	"select * into t2 from t":                                      "SELECT INTO",
	"select * from t for update":                                   "row locks",
	"select 1; commit; drop table t":                               "transaction control",
	"do $$ begin perform 1; end $$":                                "DO is not a plain read",
	"call p()":                                                     "CALL is not a plain read",
	"prepare p as select 1":                                        "PREPARE is not a plain read",
	"execute p":                                                    "EXECUTE is not a plain read",
	"merge into t using s on t.id = s.id when matched then delete": "MERGE",
	"declare c cursor for select 1":                                "DECLARECURSOR",
	"listen x":                                                     "LISTEN",
	"discard all":                                                  "DISCARD",
	// parse errors and limits
	"selec 1":                            "does not parse",
	"select 1; select * from":            "does not parse",
	"select $$unterminated":              "does not parse",
	"select 'a' /* unterminated":         "does not parse",
	"select 1 \x00; drop table t":        "NUL byte",
	"select '\x00'":                      "NUL byte",
	"select 'it\\'s'; drop table t; --'": "backslash",
	"select 'ends in \\'":                "backslash",
	"select n'x\\'; drop table t; --'":   "backslash",
	"select 'a' || 'b\\' || 'c'":         "backslash",
}

// reads must pass read-only mode (and run unasked in write mode).
var reads = []string{
	"select 1", "SELECT * FROM t WHERE a = $1", "values (1)", "table t", "show search_path",
	"explain select * from t", "explain analyze select 1", "with x as (select 1) select * from x",
	"select count(*) filter (where a > 1) over (partition by b) from t", "select '; drop table t' as s",
	"select jsonb_build_object('a', 1) -> 'a'", "select * from t1 join t2 on t1.id = t2.id union all select * from t3",
	"select 'a\\b'", "select 'C:\\path\\file'", "select e'it\\'s'", "select E'\\\\'", "select $$it's \\ fine$$",
	"select $tag$ a $$ b $tag$", "select U&'d\\0061t\\+000061'", "select u&'\\0041' uescape '!'",
	"select 1 /* nested /* comment */ still */", "select 'a' -- comment with ' quote\n",
	"select x'1f', b'101', n'national'", "select name like 'pg\\_%' from t", "select 'a''b'",
	"select 'a'\n'b'", "select pg_catalog.now()", "select 1 operator(pg_catalog.+) 2",
	"select 'pg_class'::regclass::oid", "select 1::int::text::varchar(10)", "select cast('1' as numeric(10, 2))",
	"select array[1,2]::int[]", "select '{}'::jsonb ? 'a'", "select * from t tablesample system (10)",
	"select * from json_to_record('{\"a\":1}') as x(a int, b text)", "select xmlelement(name a, 'b')",
	"select current_setting('standard_conforming_strings')", "select * from pg_settings where name = 'search_path'",
	"select random(), gen_random_uuid()", "select row_number() over w from t window w as (order by a)",
	"select * from generate_series(1, 10) g", "select * from unnest(array[1,2]) with ordinality",
	"select a from t where a = any($1::int[])", "select 1 where 1 between 0 and 2",
	"select coalesce(null, 1), nullif(1, 2), greatest(1, 2), least(1, 2)",
	"select current_user, session_user, current_date, localtimestamp",
	"select 1 " + strings.Repeat("+ 1 ", 400), "select " + strings.Repeat("(", 90) + "1" + strings.Repeat(")", 90),
	"select 1 where " + strings.Repeat("a = 1 or ", 2000) + "a = 2", "select 1 where a in (" + strings.Repeat("-1, ", 5000) + "1)",
}

func TestReadOnlySQL(t *testing.T) {
	for _, q := range reads {
		if err := CheckReadOnlySQL(q); err != nil {
			t.Errorf("read %q refused: %v", clip(q, 100), err)
		}
		if f := ReviewWriteSQL(q); len(f) != 0 {
			t.Errorf("read %q needs confirmation: %+v", clip(q, 100), f)
		}
	}
	for q, want := range readRefusals {
		err := CheckReadOnlySQL(q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want a refusal with %q", q, err, want)
		}
	}
}

// writes run without asking in write mode.
var writes = []string{
	"insert into t values (1, 'a')", "insert into t (a) select x from generate_series(1, 3) x",
	"insert into t values (1) on conflict do nothing", "insert into t values (now(), gen_random_uuid()) returning *",
	"update t set a = 1 where id = 2", "update t set a = a + 1 where id in (1, 2)", "delete from t where id = $1",
	"delete from t where created_at < now() - interval '30 days'", "update t set a = 1 from s where t.id = s.id and s.gone", "update t set a = t.b + 1 from s where t.id = s.id",
	"delete from t using s where t.id = s.id and s.gone", "update t set a = 1 where id = 1 or id = 2",
	"delete from t where id is null", "delete from t where exists (select 1 from s where s.id = t.id)",
	"delete from t where id in (select t_id from s where s.gone)", "update t set a = 1 where t.b = t.c",
	"delete from t where flag is true", "delete from t where id = 1 and (id = id)",
	"delete from t x where x.id = 1", "delete from t using s where t.s_id = s.id and s.gone",
	"delete from t where exists (select 1 from s where s.t_id = t.id)", "delete from public.t where public.t.id = 1",
	"create table t (id bigint generated always as identity primary key, name text not null default '', at timestamptz default now())",
	"create table if not exists t (id int)", "create index on t (lower(name))", "create unique index concurrently i on t (a)",
	"create view v with (security_invoker = true) as select * from t", "create view v with (security_invoker) as select 1",
	"create view v with (security_barrier, security_invoker = on) as select 1",
	"create materialized view mv as select count(*) from t with no data", "create type mood as enum ('a', 'b')",
	"create type pair as (a int, b text)", "create domain posint as int check (value > 0)",
	"comment on table t is 'hello'", "alter table t add column b int", "alter table t add constraint c check (a > 0)",
	"alter table t add column c text, add column d int default 0", "create table t2 as select * from t with no data",
	"create table t3 (like t including all)", "alter table t add constraint f foreign key (a) references u (b)",
	"alter table t add constraint f foreign key (a) references u (b) on delete restrict", "create table x (a int references t on delete cascade)",
	"alter table t add constraint c exclude using gist (a with &&)", "comment on table t is 'orders of the shop'", "create table t4 (a int check (a between 1 and 9 and a <> 5))",
	"select 1; insert into t values (1)",
}

// confirms ask first in write mode; the reason says why.
var confirms = map[string]string{
	"drop table t":                                  "DROP TABLE",
	"truncate t":                                    "TRUNCATE",
	"delete from t":                                 "DELETE without a WHERE",
	"update t set a = 1":                            "UPDATE without a WHERE",
	"delete from t where true":                      "DELETE without a WHERE",
	"delete from t where 1 = 1":                     "DELETE without a WHERE",
	"delete from t where $1":                        "DELETE without a WHERE",
	"delete from t where $1 = $1":                   "DELETE without a WHERE",
	"delete from t where id = 1 or true":            "DELETE without a WHERE",
	"delete from t where id = id":                   "DELETE without a WHERE",
	"delete from t where not (id = 1)":              "DELETE without a WHERE",
	"delete from t where id is not null":            "DELETE without a WHERE",
	"delete from t where 'a' = 'a'":                 "DELETE without a WHERE",
	"delete from t where exists (select 1)":         "DELETE without a WHERE",
	"update t set a = 1 where (select true)":        "UPDATE without a WHERE",
	"update t set a = 1 where now() > '2000-01-01'": "UPDATE without a WHERE",
	"delete from t where current of c":              "DELETE without a WHERE",
	// always-true conditions spelled so that the two sides differ (red team)
	"delete from t where t.id = id":                  "DELETE without a WHERE",
	"delete from t where id in (id)":                 "DELETE without a WHERE",
	"delete from t where id between id and id":       "DELETE without a WHERE",
	"delete from t where id = any(array[id])":        "DELETE without a WHERE",
	"delete from t where id = (select id)":           "DELETE without a WHERE",
	"delete from t where (id = id) is true":          "DELETE without a WHERE",
	"delete from t where id is not null is true":     "DELETE without a WHERE",
	"delete from t where id is not distinct from id": "DELETE without a WHERE",
	"delete from t where id in (select id from t)":   "DELETE without a WHERE",
	"delete from t where exists (select id from t)":  "DELETE without a WHERE",
	"delete from t using t t2 where t.id = t2.id":    "DELETE without a WHERE",
	"delete from t x where x.id = t.id":              "DELETE without a WHERE",
	"delete from public.t where public.t.id = id":    "DELETE without a WHERE",
	"update t set a = 1 where true and id = id":      "UPDATE without a WHERE",
	// a condition on another table only does not bound the target's rows (red team)
	"delete from t using s where s.id = 1":                                                       "DELETE without a WHERE",
	"delete from t using t t2 where t2.id = 1":                                                   "DELETE without a WHERE",
	"update t set a = 1 from s where s.flag":                                                     "UPDATE without a WHERE",
	"update t set a = 1 from s where id = 1":                                                     "UPDATE without a WHERE",
	"delete from t where exists (select 1 from s where s.x = 5)":                                 "DELETE without a WHERE",
	"delete from t where exists (select 1 from s where x = 5)":                                   "DELETE without a WHERE",
	"delete from t x where t.id = 1":                                                             "DELETE without a WHERE",
	"delete from t where 5 = (select id from s limit 1)":                                         "DELETE without a WHERE",
	"update t set a = 1 where coalesce(id, 0) = coalesce(id, 0)":                                 "UPDATE without a WHERE",
	"insert into t values (1) on conflict (id) do update set a = 2":                              "ON CONFLICT DO UPDATE",
	"with d as (delete from t returning *) insert into u select * from d":                        "DELETE",
	"with d as (delete from t returning *) select * from d":                                      "DELETE",
	"insert into t select * from (with x as (update t set a = 1 returning *) select * from x) s": "UPDATE",
	"insert into t values (my_func())":                                                           "my_func()",
	"insert into t values (nextval('s'))":                                                        "sequence",
	"select pg_terminate_backend(pid) from pg_stat_activity":                                     "another session",
	"select my_func()":                           "my_func()",
	"do $$ begin execute 'drop table t'; end $$": "DO runs",
	"call p()":                   "CALL runs",
	"prepare p as delete from t": "PREPARE",
	"execute p":                  "EXECUTE runs",
	"merge into t using s on t.id = s.id when matched then delete":          "MERGE",
	"alter table t alter column a type bigint using a::bigint":              "AlterColumnType",
	"alter table t rename to u":                                             "rename",
	"alter table t rename column a to b":                                    "rename",
	"create or replace function f() returns int language sql as 'select 1'": "CREATE OR REPLACE FUNCTION",
	"create function f() returns int language sql as 'select 1'":            "CREATE FUNCTION",
	"create or replace view v as select 1":                                  "CREATE OR REPLACE VIEW",
	"create rule r as on insert to t do instead nothing":                    "rule",
	"create trigger tr after insert on t for each row execute function f()": "trigger",
	"create policy p on t using (true)":                                     "policy",
	"alter table t disable row level security":                              "DisableRowSecurity",
	"alter table t drop column a":                                           "DropColumn",
	"grant select on t to anon":                                             "GRANT",
	"revoke select on t from anon":                                          "REVOKE",
	"create role r":                                                         "roles",
	"alter role authenticator set search_path = evil":                       "roles",
	"alter database postgres set search_path = evil":                        "database",
	"alter system set work_mem = '1GB'":                                     "database or the server",
	"set search_path = evil":                                                "SET changes",
	"set search_path = pg_catalog, public":                                  "SET changes",
	`set search_path = ''`:                                                  "SET changes",
	"set role postgres":                                                     "SET changes",
	"begin":                                                                 "transaction control",
	"copy t from stdin":                                                     "COPY",
	"vacuum t":                                                              "VACUUM",
	"create extension dblink":                                               "CREATEEXTENSION",
	"create table t (a int default my_func())":                              "my_func()",
	// plain DML on the system catalogs changes roles and privileges (red team)
	"update auth.users set encrypted_password = '$2a$10$x' where email = 'admin@example.com'": "Supabase's own services",
	"insert into auth.users (id, email) values (gen_random_uuid(), 'me@evil.example')":        "Supabase's own services",
	"update storage.buckets set public = true where id = 'private'":                           "Supabase's own services",
	"delete from vault.secrets where name = 'stripe'":                                         "Supabase's own services",
	"alter table auth.users add column is_admin bool default true":                            "Supabase's own services",
	"create index on storage.objects (name)":                                                  "Supabase's own services",
	"alter table pg_catalog.pg_class add column x int":                                        "system catalog",
	"update pg_authid set rolsuper = true where rolname = 'anon'":                             "system catalog",
	"update pg_catalog.pg_authid set rolbypassrls = true where rolname = 'x'":                 "system catalog",
	"insert into pg_catalog.pg_namespace select * from pg_namespace where oid = 1":            "system catalog",
	"delete from pg_class where relname = 'victim'":                                           "system catalog",
	"update pg_toast.pg_toast_1 set chunk_seq = 0 where chunk_id = 1":                         "system catalog",
	// constraints and comments that do more than they seem (red team)
	"alter table t add constraint c check (false) not valid":                                "NOT VALID",
	"alter table t add constraint f foreign key (a) references u (b) on delete cascade":     "CASCADE",
	"alter table t add column u_id int references u on delete set null":                     "SET NULL",
	"alter table t add constraint f foreign key (a) references u (b) on update set default": "CASCADE",
	"alter table t add constraint c exclude using gist (a with public.&&)":                  "public.&&",
	"create table x (a int, exclude using gist (a with ===))":                               "operator ===",
	"comment on schema public is '@graphql({\"inflect_names\": true})'":                     "@graphql",
	"comment on table t is e'@GraphQL({\"totalCount\": {\"enabled\": true}})'":              "@graphql",
	// copying rows out of tables they are protected in (red team)
	"update t set a = s.a from s where t.id = s.id":                                        "copies their values",
	"update t set a = b from s where t.id = s.id":                                          "copies their values",
	"update leak set v = (select encrypted_password from auth.users limit 1) where id = 1": "copies their values",
	"insert into t (a) select a from s where a > 1":                                        "copies rows",
	"insert into public.leak select email, encrypted_password from auth.users":             "copies rows",
	"insert into t values ((select secret from vault.secrets limit 1))":                    "copies rows",
	"create table z (a int check (a === 1))":                                               "operator ===",
	"alter table t add constraint c check (a OPERATOR(public.=) 1)":                        "public.=",
	"create index on t ((a <<>> 1))":                                                       "operator <<>>",
	"create index on t (evil(a))":                                                          "evil()",
	"create view v as select evil()":                                                       "evil()",
	"create type r as range (subtype = int4, canonical = f)":                               "canonical",
	"create schema s create view v as select evil()":                                       "evil()",
	// new objects that change access or hide existing ones (red team)
	"create view v as select * from t":                                          "security_invoker",
	"create view v with (security_invoker = false) as select * from t":          "security_invoker",
	"create view v with (security_invoker, security_invoker = off) as select 1": "security_invoker",
	"create recursive view v (n) as select 1":                                   "security_invoker",
	"create temp view orders as select 1":                                       "temporary",
	"create view pg_temp.orders with (security_invoker) as select 1":            "temporary",
	"create domain pg_temp.int4 as pg_catalog.int4 check (value > 0)":           "pg_temp",
	"create type pg_temp.text as (a int)":                                       "pg_temp",
	"create type pg_temp.mood as enum ('a')":                                    "pg_temp",
	"create type pg_temp.r as range (subtype = int4)":                           "pg_temp",
	"create temp view pg_class as select 1 as oid":                              "temporary",
	"create temp table orders (id int)":                                         "temporary",
	"create table pg_temp.orders (id int)":                                      "temporary",
	"create temp table orders as select 1 with no data":                         "temporary",
	"create table e () inherits (t)":                                            "INHERITS or PARTITION OF",
	"create table p partition of t default":                                     "INHERITS or PARTITION OF",
	"create table t2 as select * from auth.users":                               "copies rows",
	"create materialized view mv as select * from auth.users":                   "copies rows",
	"create schema s": "$user",
	"create schema postgres create table orders (id int)": "$user",
	"create schema authorization anon":                    "AUTHORIZATION",
	"explain analyze delete from t":                       "DELETE without a WHERE",
	"explain select evil()":                               "evil()",
	"create table t (a int); drop table u":                "DROP TABLE",
	"selec 1":                                             "the server could not parse this; PostgreSQL may read it differently",
	"create table t (a int) with oids":                    "the server could not parse this",
}

// refusedInBothModes may not run even with confirmation.
var refusedInBothModes = map[string]string{
	"set standard_conforming_strings = off":                         "standard_conforming_strings",
	"SET standard_conforming_strings TO 'off'":                      "standard_conforming_strings",
	"set local backslash_quote = on":                                "backslash_quote",
	"set escape_string_warning = off":                               "escape_string_warning",
	"reset standard_conforming_strings":                             "standard_conforming_strings",
	"reset all":                                                     "RESET ALL",
	"set search_path = public, pg_catalog":                          "search_path with pg_catalog after",
	"set search_path to 'public, PG_CATALOG'":                       "search_path with pg_catalog after",
	`set local search_path = "$user", "pg_catalog"`:                 "search_path with pg_catalog after",
	"alter role authenticator set search_path = public, pg_catalog": "search_path with pg_catalog after",
	"select set_config('search_path', 'public,pg_catalog', false)":  "search_path with pg_catalog after",
	"select set_config('search_path', current_setting('x'), false)": "not a constant",
	"discard all": "DISCARD ALL",
	"select set_config('standard_conforming_strings', 'off', false)":                                   "standard_conforming_strings",
	"select length(set_config('standard_conforming_strings', 'off', false))":                           "standard_conforming_strings",
	"select set_config(name, 'off', false) from t":                                                     "not a constant",
	"alter role r set standard_conforming_strings = off":                                               "standard_conforming_strings",
	"alter database d set standard_conforming_strings = off":                                           "standard_conforming_strings",
	"alter system set standard_conforming_strings = off":                                               "standard_conforming_strings",
	"create function f() returns int language sql set standard_conforming_strings = off as 'select 1'": "standard_conforming_strings",
	"select 'it\\'s'; drop table t; --'":                                                               "backslash",
	"select 1 \x00":                                                                                    "NUL",
	"select 1" + strings.Repeat("+1", 30000):                                                           "expression terms",
	"select " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200):                              "nests",
	strings.Repeat("x", MaxSQLBytes+1):                                                                 "256 KiB",
}

func TestWriteSQL(t *testing.T) {
	for _, q := range writes {
		if f := ReviewWriteSQL(q); len(f) != 0 {
			t.Errorf("write %q needs confirmation: %+v", q, f)
		}
	}
	for q, want := range confirms {
		f := ReviewWriteSQL(q)
		if len(f) == 0 || f[0].Refused || !strings.Contains(f[0].Reason, want) || f[0].Statement == "" {
			t.Errorf("%q: got %+v, want a confirmation with %q", q, f, want)
		}
	}
	for q, want := range refusedInBothModes {
		f := ReviewWriteSQL(q)
		if len(f) == 0 || !f[0].Refused || !strings.Contains(f[0].Reason, want) {
			t.Errorf("%q: got %+v, want a refusal with %q", clip(q, 80), f, want)
		}
		if err := CheckReadOnlySQL(q); err == nil {
			t.Errorf("%q passed read-only mode", clip(q, 80))
		}
	}
}

// Every statement that needs confirmation is listed, in order.
func TestReviewWriteSQLListsEveryStatement(t *testing.T) {
	f := ReviewWriteSQL("create table a (id int); drop table b; insert into a values (1); delete from a; truncate c")
	if len(f) != 3 || !strings.HasPrefix(f[0].Statement, "drop table b") || !strings.HasPrefix(f[1].Statement, "delete from a") || f[2].Statement != "truncate c" {
		t.Fatalf("findings = %+v", f)
	}
	for _, x := range f {
		if !x.Destroys {
			t.Errorf("%q not marked destructive", x.Statement)
		}
	}
}

func TestSingleReadStatement(t *testing.T) {
	for q, want := range map[string]string{
		"select 1; select pg_sleep(1)": "2 statements",
		"select 1; select 2":           "2 statements",
		"show search_path":             "only a SELECT",
		"explain select 1":             "only a SELECT",
	} {
		if err := CheckSingleReadStatement(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", q, err, want)
		}
	}
	for _, q := range []string{"select 1", "select 1;", "values (1)", "table t", "with x as (select 1) select * from x"} {
		if err := CheckSingleReadStatement(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// Inputs near and over every limit, of each shape that nests the parser's
// tree, are classified without crashing either build, and the parser still
// works afterwards.
func TestParserLimitsHold(t *testing.T) {
	shapes := map[string]func(n int) string{
		"plus":   func(n int) string { return "select 1" + strings.Repeat("+1", n) },
		"concat": func(n int) string { return "select 'a'" + strings.Repeat("||'a'", n) },
		"cast":   func(n int) string { return "select 1" + strings.Repeat("::int", n) },
		"is":     func(n int) string { return "select true" + strings.Repeat(" is true", n) },
		"json":   func(n int) string { return "select '{}'::jsonb" + strings.Repeat("->'a'", n) },
		"join":   func(n int) string { return "select 1 from t" + strings.Repeat(" join t on true", n) },
		"union":  func(n int) string { return "select 1" + strings.Repeat(" union select 1", n) },
		"not":    func(n int) string { return "select " + strings.Repeat("not ", n) + "true" },
		"minus":  func(n int) string { return "select " + strings.Repeat("- ", n) + "a" },
		"case": func(n int) string {
			return "select " + strings.Repeat("case when true then ", n) + "1" + strings.Repeat(" end", n)
		},
		"paren":    func(n int) string { return "select " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) },
		"subquery": func(n int) string { return strings.Repeat("select (", n) + "select 1" + strings.Repeat(")", n) },
		"array":    func(n int) string { return "select " + strings.Repeat("array[", n) + "1" + strings.Repeat("]", n) },
		"collate":  func(n int) string { return "select 'a'" + strings.Repeat(` collate "C"`, n) },
		"at":       func(n int) string { return "select now()" + strings.Repeat(" at time zone 'utc'", n) },
		"parenplus": func(n int) string {
			return "select " + strings.Repeat("(1+", n/2) + "1" + strings.Repeat(")", n/2)
		},
		"plusmix": func(n int) string { return "select 1" + strings.Repeat("+(1)", n) },
		"between": func(n int) string { return "select 1" + strings.Repeat(" between 0 and 2", n) },
		"casecase": func(n int) string {
			return "select " + strings.Repeat("case when true then 1 else ", n) + "1" + strings.Repeat(" end", n)
		},
		"notand": func(n int) string { return "select " + strings.Repeat("not true and ", n) + "true" },
		"deepmix": func(n int) string {
			// nesting and chains together, as deep as the limits allow
			return strings.Repeat("select 1+(", 95) + "select 1" + strings.Repeat("+1", n) + strings.Repeat(")", 95)
		},
		"arraycast": func(n int) string {
			return "select " + strings.Repeat("array[", 90) + "1" + strings.Repeat("::int", n) + strings.Repeat("]", 90)
		},
	}
	for name, gen := range shapes {
		for _, n := range []int{maxSQLTerms / 2, maxSQLTerms - 10, maxSQLTerms + 10, 30000} {
			q := gen(n)
			if len(q) > MaxSQLBytes {
				q = q[:MaxSQLBytes]
			}
			_ = CheckReadOnlySQL(q)
			_ = ReviewWriteSQL(q)
			if precheckSQL(q) == nil {
				// within the limits the parser itself must cope, without
				// relying on recovery
				if _, err := parseSQL(q); isParserCrash(err) {
					t.Errorf("%s n=%d: the parser crashed within the limits: %v", name, n, err)
				}
			}
		}
		if err := CheckReadOnlySQL("select 1"); err != nil {
			t.Fatalf("after %s inputs the parser is broken: %v", name, err)
		}
		if f := ReviewWriteSQL("drop table t"); len(f) != 1 {
			t.Fatalf("after %s inputs DROP is not confirmed: %+v", name, f)
		}
	}
}

// The allowlist and the families refused by name never overlap, and every
// allowlisted name is a plain lowercase identifier.
func TestReadFunctionAllowlistExcludesRefusedFamilies(t *testing.T) {
	for name := range readFunctions() {
		if strings.ToLower(name) != name || strings.ContainsAny(name, ".() ") {
			t.Errorf("odd allowlist entry %q", name)
		}
		for _, f := range refusedFunctionFamilies {
			for _, p := range strings.Fields(f.names) {
				if pre, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, pre) || name == p {
					t.Errorf("%s is allowlisted but %s (%s)", name, f.why, p)
				}
			}
		}
	}
	if n := len(readFunctions()); n < 500 {
		t.Errorf("only %d allowlisted functions", n)
	}
}
