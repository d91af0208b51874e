//go:build cgo

package guard

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	upstream "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// pgast decodes the parser's output itself (no protobuf runtime). These
// tests hold it to upstream's protobuf types: on the guard's whole SQL
// corpus, and on mutated encodings of it, both decoders accept or refuse the
// same bytes (upstream refusing, as the guard used to, what proto.Unmarshal
// refuses or keeps as unknown fields), build the same tree field by field,
// and a walk through RangeMessages meets the same nodes in the same order as
// one through protoreflect.

// diffCorpus is every SQL text the guard's tests use, plus statements that
// reach node kinds those do not.
func diffCorpus(t *testing.T) []string {
	t.Helper()
	var out []string
	out = append(out, reads...)
	out = append(out, writes...)
	for q := range confirms {
		out = append(out, q)
	}
	for q := range readRefusals {
		out = append(out, q)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "sql", "analyst_queries.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range strings.Split(string(b), "-- next") {
		out = append(out, strings.ReplaceAll(q, "{{s}}", "public"))
	}
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzClassifySQL", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if arg, ok := strings.CutPrefix(line, "string("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(arg, ")")); err == nil {
					out = append(out, s)
				}
			}
		}
	}
	return append(out, diffExtra...)
}

var diffExtra = []string{
	`create table t (id bigint generated always as identity primary key, a text not null default 'x' check (a <> ''), b numeric(10,2) references u(id) on delete cascade, unique (a, b)) partition by range (id)`,
	`create index concurrently if not exists i on t using gin (to_tsvector('english', a)) include (b) where b > 0`,
	`alter table t add column c int, alter column a set data type varchar(20) using a::varchar, drop constraint k, enable row level security`,
	`create policy p on t for select to authenticated using (auth.uid() = owner) with check (true)`,
	`create function f(a int, out b int) returns setof record language plpgsql security definer set search_path = '' as $$ begin return; end $$`,
	`create trigger tr after insert or update of a on t for each row when (new.a is distinct from old.a) execute function f()`,
	`create view v with (security_invoker = true) as select * from t where a like 'x%' escape '!' with local check option`,
	`create materialized view mv as select a, count(*) from t group by rollup (a), cube (b), grouping sets ((a), ()) with no data`,
	`merge into t using s on t.id = s.id when matched and s.x then update set a = s.a when not matched then insert (a) values (s.a) when matched then delete`,
	`insert into t (a, b) select a, b from s on conflict (a) where b > 0 do update set b = excluded.b returning *`,
	`with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) search depth first by n set ord cycle n set c using p select * from r`,
	`select json_object('a': 1, 'b': 2 returning jsonb), json_arrayagg(a order by a absent on null), a is json object with unique keys from t`,
	`select * from json_table(jsonb '[1,2]', '$[*]' columns (id for ordinality, v int path '$' default 0 on empty, nested path '$.x[*]' columns (y text path '$')))`,
	`select xmlelement(name a, xmlattributes(1 as b), 'c'), xmlserialize(content xmlparse(document '<a/>') as text), xmlexists('//a' passing by value '<a/>')`,
	`select a, rank() over w, sum(b) filter (where b > 0) over (partition by a order by b rows between 1 preceding and current row exclude ties) from t window w as (order by a)`,
	`select * from t tablesample bernoulli (10) repeatable (1), lateral unnest(array[1,2]) with ordinality as u(x, n) natural full join s using (id) as j`,
	`select a[1:2], (b).c, row(1, 2)::r, array(select 1), coalesce(a, b), nullif(a, b), greatest(1, 2), current_user, localtime(2), 1.5e10, b'101', x'ff', $1`,
	`select case when a then 1 else 2 end, a between symmetric 1 and 2, a is not unknown, a similar to 'x', a @> '{1}', a ilike any (array['x']), exists (select 1)`,
	`grant select, update (a) on all tables in schema public to anon with grant option; revoke all on function f(int) from public cascade`,
	`comment on column t.a is 'x'; security label on table t is 'y'; reindex table t; cluster t using i; vacuum (analyze, verbose) t (a); analyze t`,
	`create type e as enum ('a', 'b'); create type r as range (subtype = int4); create domain d as int check (value > 0); create type c as (a int, b text)`,
	`create extension if not exists pg_trgm with schema extensions version '1.6' cascade; alter extension pg_trgm update; drop extension pg_trgm`,
	`create sequence s start 10 increment by 2 cache 5 owned by t.id; alter sequence s restart; select nextval('s'), setval('s', 1, false)`,
	`create publication p for table t (a, b) where (a > 0), tables in schema s; create subscription sub connection 'x' publication p with (enabled = false)`,
	`create rule r as on insert to t do instead nothing; create event trigger et on ddl_command_end when tag in ('CREATE TABLE') execute function f()`,
	`create statistics st (dependencies, ndistinct) on a, b from t; alter table t attach partition p for values from (1) to (10); alter table t detach partition p concurrently`,
	`prepare q(int) as select $1; execute q(1); deallocate q; declare c cursor with hold for select 1; fetch forward 5 from c; close c; listen ch; notify ch, 'x'; unlisten *`,
	`begin isolation level serializable read only deferrable; savepoint s; rollback to savepoint s; release s; commit and chain; lock table t in access exclusive mode nowait`,
	`copy t (a, b) from stdin with (format csv, header true, force_not_null (a)); copy (select 1) to program 'x'; truncate t restart identity cascade`,
	`do language plpgsql $$ begin perform 1; end $$; call p(1, b => 2); set local work_mem = '1MB'; reset all; discard all; checkpoint; load 'x'`,
	`alter role r with login password 'x' valid until 'infinity' in database d set search_path to a, b; alter default privileges in schema s grant select on tables to r`,
	`create foreign table ft (a int options (column_name 'b')) server s options (schema_name 'x'); import foreign schema x limit to (t) from server s into y`,
	`create aggregate ag (int) (sfunc = f, stype = int, initcond = '0'); create operator === (leftarg = int, rightarg = int, function = f); create cast (int as text) with function f(int)`,
	`select 'a' collate "C", a at time zone 'utc', interval '1 day' hour to second, cast(a as timestamp(3) with time zone), a::int[][], extract(epoch from now()), overlay(a placing 'x' from 1 for 2), trim(both 'x' from a), substring(a from 1 for 2), position('a' in b)`,
	`select distinct on (a) a from t order by a using <, b desc nulls first limit all offset 2 rows fetch first 3 rows with ties for no key update of t skip locked`,
	`explain (analyze false, costs, format json) select 1; show all; show search_path`,
	`select 1 -- comment
	/* block */ + 2`,
	`select U&'\0041', E'\n', $tag$x$tag$, 'a' 'b', 9223372036854775808, .5, 1_000`,
}

// upstreamDecode is the old decoding: upstream's types, refusing unknown
// fields anywhere in the tree.
func upstreamDecode(b []byte, m proto.Message) bool {
	if proto.Unmarshal(b, m) != nil {
		return false
	}
	return !hasUnknown(m.ProtoReflect())
}

func hasUnknown(m protoreflect.Message) bool {
	if len(m.GetUnknown()) > 0 {
		return true
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			for i := 0; i < v.List().Len() && !found; i++ {
				found = hasUnknown(v.List().Get(i).Message())
			}
		} else {
			found = hasUnknown(v.Message())
		}
		return !found
	})
	return found
}

// sameTree compares an upstream value with ours, field by field (by Go
// name; upstream's private protobuf state aside). It returns where they
// differ, or "".
func sameTree(up, ours reflect.Value, path string) string {
	switch up.Kind() {
	case reflect.Pointer:
		if up.IsNil() != ours.IsNil() {
			return path + ": one is nil"
		}
		if up.IsNil() {
			return ""
		}
		return sameTree(up.Elem(), ours.Elem(), path)
	case reflect.Struct:
		if up.Type().Name() != ours.Type().Name() {
			return path + ": " + up.Type().Name() + " vs " + ours.Type().Name()
		}
		exported := 0
		for i := range up.NumField() {
			sf := up.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			exported++
			of := ours.FieldByName(sf.Name)
			if !of.IsValid() {
				return path + "." + sf.Name + ": not in pgast"
			}
			if d := sameTree(up.Field(i), of, path+"."+sf.Name); d != "" {
				return d
			}
		}
		if exported != ours.NumField() {
			return path + ": pgast has other fields"
		}
		return ""
	case reflect.Slice:
		if up.Len() != ours.Len() {
			return path + ": lengths differ"
		}
		for i := range up.Len() {
			if d := sameTree(up.Index(i), ours.Index(i), path+"["+strconv.Itoa(i)+"]"); d != "" {
				return d
			}
		}
		return ""
	case reflect.Interface:
		if up.IsNil() || ours.IsNil() {
			if up.IsNil() != ours.IsNil() {
				return path + ": one oneof is unset"
			}
			return ""
		}
		return sameTree(up.Elem(), ours.Elem(), path)
	case reflect.Int32, reflect.Int64:
		if up.Int() != ours.Int() {
			return path + ": values differ"
		}
	case reflect.Uint32, reflect.Uint64:
		if up.Uint() != ours.Uint() {
			return path + ": values differ"
		}
	case reflect.Bool:
		if up.Bool() != ours.Bool() {
			return path + ": values differ"
		}
	case reflect.String:
		if up.String() != ours.String() {
			return path + ": values differ"
		}
	case reflect.Float64:
		if math.Float64bits(up.Float()) != math.Float64bits(ours.Float()) {
			return path + ": values differ"
		}
	default:
		return path + ": unexpected kind " + up.Kind().String()
	}
	return ""
}

// walkNames lists the nodes a pre-order walk meets, both ways. Upstream's
// goes through the fields in declaration order, as RangeMessages does, not
// through protoreflect's Range: protobuf-go swaps two of its fields in some
// binaries and not others (internal/detrand, a hash of the binary), so that
// nothing comes to depend on its order.
func upstreamWalk(m protoreflect.Message, out *[]string) {
	*out = append(*out, string(m.Descriptor().Name()))
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		if fd.IsList() {
			for j := 0; j < v.List().Len(); j++ {
				upstreamWalk(v.List().Get(j).Message(), out)
			}
		} else {
			upstreamWalk(v.Message(), out)
		}
	}
}

func oursWalk(m pgast.Message, out *[]string) {
	*out = append(*out, m.MessageName())
	m.RangeMessages(func(c pgast.Message) bool {
		oursWalk(c, out)
		return true
	})
}

// compare decodes b both ways; it fails the test on any difference and
// reports whether both accepted it.
func compare(t *testing.T, what string, b []byte, scan bool) bool {
	t.Helper()
	var up proto.Message = &upstream.ParseResult{}
	var ours pgast.Message
	var err error
	if scan {
		up = &upstream.ScanResult{}
		ours, err = pgast.ScanResultFrom(b)
	} else {
		ours, err = pgast.ParseResultFrom(b)
	}
	upOK := upstreamDecode(b, up)
	if upOK != (err == nil) {
		t.Fatalf("%s: upstream accepts: %v, pgast: %v", what, upOK, err)
	}
	if !upOK {
		return false
	}
	if d := sameTree(reflect.ValueOf(up), reflect.ValueOf(ours), "root"); d != "" {
		t.Fatalf("%s: trees differ at %s", what, d)
	}
	var a, c []string
	upstreamWalk(up.ProtoReflect(), &a)
	oursWalk(ours, &c)
	if strings.Join(a, " ") != strings.Join(c, " ") {
		t.Fatalf("%s: walks differ:\n%v\n%v", what, a, c)
	}
	return true
}

func TestPgastMatchesUpstream(t *testing.T) {
	corpus := diffCorpus(t)
	parsed := 0
	for _, q := range corpus {
		if b, err := parser.ParseToProtobuf(q); err == nil {
			if !compare(t, q, b, false) {
				t.Fatalf("%q: the parser's own output was refused", q)
			}
			parsed++
		}
		if b, err := parser.ScanToProtobuf(q); err == nil && !compare(t, "scan of "+q, b, true) {
			t.Fatalf("%q: the lexer's own output was refused", q)
		}
	}
	if parsed < 300 {
		t.Fatalf("only %d of %d corpus texts parsed", parsed, len(corpus))
	}
}

// Mutated encodings: flipped, inserted, deleted and duplicated bytes, cut
// ends. Most are refused by both; the rest must decode to the same tree.
func TestPgastMutationsMatchUpstream(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	accepted, refused := 0, 0
	for _, q := range diffCorpus(t) {
		b, err := parser.ParseToProtobuf(q)
		if err != nil || len(b) == 0 {
			continue
		}
		for range 20 {
			m := mutate(rng, b)
			if compare(t, "mutant of "+strconv.Quote(q)+": "+strconv.Quote(string(m)), m, false) {
				accepted++
			} else {
				refused++
			}
		}
	}
	// Both outcomes must be common, or the test proves little.
	if accepted < 500 || refused < 500 {
		t.Fatalf("accepted %d, refused %d mutants", accepted, refused)
	}
}

func mutate(rng *rand.Rand, b []byte) []byte {
	m := bytes.Clone(b)
	i := rng.IntN(len(m))
	switch rng.IntN(5) {
	case 0:
		m[i] ^= byte(1 << rng.IntN(8))
	case 1:
		m[i] = byte(rng.IntN(256))
	case 2:
		m = append(m[:i:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
	case 3:
		m = append(m[:i:i], b[i+1:]...)
	default:
		m = m[:i]
	}
	return m
}
