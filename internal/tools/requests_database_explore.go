package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
)

// Helper operations of the database tool: fixed catalog queries sent to the
// read-only SQL endpoint. Names from the model are bound as parameters, or
// quoted as identifiers where SQL needs one (sample_rows); they never reach
// SQL unquoted.

// systemSchemas are PostgreSQL's and Supabase's own schemas, left out of
// listings unless asked for.
const systemSchemas = `array['pg_catalog','information_schema','pg_toast','auth','storage','realtime','_realtime','extensions','graphql','graphql_public','net','pgsodium','pgsodium_masks','supabase_functions','supabase_migrations','vault','pgbouncer','cron','_analytics','pgtle','topology','tiger','tiger_data','_supavisor','supabase_realtime']`

// catalogQuery is the body of a helper operation's request.
func catalogQuery(req *client.Request, query string, params ...any) error {
	payload := map[string]any{"query": query}
	if len(params) > 0 {
		payload["parameters"] = params
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req.Body, req.ContentType = body, "application/json"
	return nil
}

// firstRowValue extracts the single JSON value of a one-row, one-column answer.
func firstRowValue(body []byte) (json.RawMessage, error) {
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	for _, v := range rows[0] {
		return v, nil
	}
	return nil, nil
}

// ndjson renders rows one JSON object per line: compact, and easy for a model
// to scan.
func ndjson(body []byte) ([]byte, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, r := range rows {
		if err := json.Compact(&out, r); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
	}
	if len(rows) == 0 {
		out.WriteString("(none)")
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// Schemas selects schemas by name.
type Schemas struct {
	Schemas []string `json:"schemas,omitempty" in:"none" check:"maxItems=50" jsonschema_description:"Schema names; default public."`
}

func (s Schemas) orPublic() []string {
	if len(s.Schemas) == 0 {
		return []string{"public"}
	}
	return s.Schemas
}

// TableName names one table.
type TableName struct {
	Schema string `json:"schema,omitempty" in:"none" check:"maxLength=63" jsonschema_description:"Schema; default public."`
	Table  string `json:"table" in:"none" jsonschema:"required" check:"minLength=1,maxLength=63" jsonschema_description:"Table name as stored (case-sensitive, unquoted)."`
}

func (t TableName) schema() string {
	if t.Schema == "" {
		return "public"
	}
	return t.Schema
}

type ListSchemas struct {
	ProjectRef
	IncludeSystem *bool `json:"include_system,omitempty" in:"none" jsonschema_description:"Also system schemas."`
}

func (r *ListSchemas) Finish(req *client.Request) error {
	return catalogQuery(req, `select n.nspname as name,
  count(c.oid) filter (where c.relkind in ('r','p')) as tables,
  count(c.oid) filter (where c.relkind in ('v','m')) as views
from pg_namespace n left join pg_class c on c.relnamespace = n.oid
where $1::boolean or (n.nspname <> all(`+systemSchemas+`) and n.nspname not like 'pg\_%')
group by n.nspname order by n.nspname`, r.IncludeSystem != nil && *r.IncludeSystem)
}

func (r *ListSchemas) FormatResult(body []byte) ([]byte, error) { return ndjson(body) }

type ListTables struct {
	ProjectRef
	Schemas
}

func (r *ListTables) Finish(req *client.Request) error {
	return catalogQuery(req, `select n.nspname as schema, c.relname as name,
  case when c.reltuples < 0 then null else c.reltuples::bigint end as rows,
  c.relrowsecurity as rls,
  (select array_agg(a.attname order by k.ord) from pg_index i
     cross join unnest(i.indkey) with ordinality k(attnum, ord)
     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = c.oid and i.indisprimary) as pk,
  (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r','p') and n.nspname = any($1::text[])
order by n.nspname, c.relname`, pgArray(r.orPublic()))
}

// FormatResult prints one line per table; with a single schema the schema
// is said once, on the first line, to keep large listings small.
func (r *ListTables) FormatResult(body []byte) ([]byte, error) {
	var rows []map[string]any
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	schemas := r.orPublic()
	var out bytes.Buffer
	if len(schemas) == 1 {
		fmt.Fprintf(&out, "{\"schema\":%q,\"tables\":%d}\n", schemas[0], len(rows))
	}
	for _, row := range rows {
		if len(schemas) == 1 {
			delete(row, "schema")
		}
		if row["rows"] == nil {
			delete(row, "rows") // never analyzed: unknown
		}
		if row["pk"] == nil {
			row["pk"] = []any{}
		}
		line, err := marshalPlain(orderedRow(row, "schema", "name", "rows", "rls", "pk", "columns"))
		if err != nil {
			return nil, err
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// orderedRow marshals keys in a fixed order (maps marshal sorted).
type orderedJSON []struct {
	key string
	val any
}

func orderedRow(row map[string]any, keys ...string) orderedJSON {
	var o orderedJSON
	for _, k := range keys {
		if v, ok := row[k]; ok {
			o = append(o, struct {
				key string
				val any
			}{k, v})
		}
	}
	return o
}

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshalPlain(kv.key)
		v, err := marshalPlain(kv.val)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// DescribeTable describes one table, or every table and view of the schema
// when table is left out (the schema resource reads it that way).
type DescribeTable struct {
	ProjectRef
	Schema string `json:"schema,omitempty" in:"none" check:"maxLength=63" jsonschema_description:"Schema; default public."`
	Table  string `json:"table,omitempty" in:"none" check:"maxLength=63" jsonschema_description:"Table name as stored (case-sensitive, unquoted); omit for all."`
}

func (r *DescribeTable) schema() string { return TableName{Schema: r.Schema}.schema() }

func (r *DescribeTable) Finish(req *client.Request) error {
	return catalogQuery(req, `with t as (
  select c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = $1 and ($2::text = '' or c.relname = $2::text) and c.relkind in ('r','p','v','m','f'))
select json_strip_nulls(json_build_object(
  'table', quote_ident($1) || '.' || quote_ident(t.relname),
  'kind', case t.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' when 'p' then 'partitioned table' else 'table' end,
  'comment', obj_description(t.oid, 'pg_class'),
  'rls', t.relrowsecurity, 'rls_forced', nullif(t.relforcerowsecurity, false),
  'columns', (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'nullable', not a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid),
      'identity', nullif(a.attidentity::text, ''), 'generated', nullif(a.attgenerated::text, ''),
      'comment', col_description(t.oid, a.attnum)) order by a.attnum)
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped),
  'constraints', (select json_agg(json_build_object('name', conname,
      'type', case contype when 'p' then 'primary key' when 'f' then 'foreign key' when 'u' then 'unique' when 'c' then 'check' when 'x' then 'exclusion' else contype::text end,
      'definition', pg_get_constraintdef(oid)) order by contype, conname)
    from pg_constraint where conrelid = t.oid),
  'referenced_by', (select json_agg(json_build_object('table', conrelid::regclass::text, 'name', conname,
      'definition', pg_get_constraintdef(oid)) order by conrelid::regclass::text, conname)
    from pg_constraint where confrelid = t.oid and contype = 'f'),
  'indexes', (select json_agg(pg_get_indexdef(indexrelid) order by indexrelid) from pg_index where indrelid = t.oid),
  'policies', (select json_agg(json_build_object('name', polname,
      'command', case polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end,
      'permissive', polpermissive,
      'roles', (select coalesce(json_agg(rolname order by rolname), '["public"]') from pg_roles where oid = any(polroles)),
      'using', pg_get_expr(polqual, polrelid), 'check', pg_get_expr(polwithcheck, polrelid)) order by polname)
    from pg_policy where polrelid = t.oid),
  'triggers', (select json_agg(pg_get_triggerdef(oid) order by tgname) from pg_trigger where tgrelid = t.oid and not tgisinternal)
)) as description from t order by t.relname`, r.schema(), r.Table)
}

func (r *DescribeTable) FormatResult(body []byte) ([]byte, error) {
	if r.Table == "" { // one table per line
		var rows []struct {
			Description json.RawMessage `json:"description"`
		}
		if err := json.Unmarshal(body, &rows); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		for _, row := range rows {
			if err := json.Compact(&out, row.Description); err != nil {
				return nil, err
			}
			out.WriteByte('\n')
		}
		if len(rows) == 0 {
			fmt.Fprintf(&out, "(no tables in schema %s; list_schemas shows the schemas)", r.schema())
		}
		return bytes.TrimRight(out.Bytes(), "\n"), nil
	}
	v, err := firstRowValue(body)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return json.Marshal(map[string]string{"error": fmt.Sprintf("no table %s.%s; list_tables shows the tables (names are case-sensitive)", r.schema(), r.Table)})
	}
	return v, nil
}

type ListExtensions struct {
	ProjectRef
	Available *bool `json:"available,omitempty" in:"none" jsonschema_description:"Also installable ones."`
}

func (r *ListExtensions) Finish(req *client.Request) error {
	return catalogQuery(req, `select a.name, a.installed_version as installed, a.default_version as latest, n.nspname as schema
from pg_available_extensions a
left join pg_extension e on e.extname = a.name
left join pg_namespace n on n.oid = e.extnamespace
where $1::boolean or a.installed_version is not null
order by a.installed_version is null, a.name`, r.Available != nil && *r.Available)
}

func (r *ListExtensions) FormatResult(body []byte) ([]byte, error) { return ndjson(body) }

type ListDatabaseFunctions struct {
	ProjectRef
	Schemas []string `json:"schemas,omitempty" in:"none" check:"maxItems=50" jsonschema_description:"Schema names; default every user schema."`
}

func (r *ListDatabaseFunctions) Finish(req *client.Request) error {
	schemas := "" // every user schema
	if len(r.Schemas) > 0 {
		schemas = pgArray(r.Schemas)
	}
	return catalogQuery(req, `select n.nspname as schema,
  p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as signature,
  pg_get_function_result(p.oid) as returns,
  case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' when 'w' then 'window' else 'function' end as kind,
  l.lanname as language, p.prosecdef as security_definer
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
where (case when $1 = '' then n.nspname <> all(`+systemSchemas+`) and n.nspname not like 'pg\_%'
            else n.nspname = any($1::text[]) end)
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1, 2`, schemas)
}

func (r *ListDatabaseFunctions) FormatResult(body []byte) ([]byte, error) { return ndjson(body) }

type ListPolicies struct {
	ProjectRef
	Schemas
}

func (r *ListPolicies) Finish(req *client.Request) error {
	return catalogQuery(req, `select schemaname as schema, tablename as table, policyname as name, permissive, roles, cmd as command, qual as using, with_check as check
from pg_policies where schemaname = any($1::text[]) order by 1, 2, 3`, pgArray(r.orPublic()))
}

func (r *ListPolicies) FormatResult(body []byte) ([]byte, error) { return ndjson(body) }

// Explain never runs EXPLAIN ANALYZE: the plan is estimated, the query is not
// executed.
type Explain struct {
	ProjectRef
	Query string `json:"query" in:"none" jsonschema:"required" check:"minLength=1" jsonschema_description:"One read query (SELECT...) to plan; it is not run."`
	Full  *bool  `json:"full,omitempty" in:"none" jsonschema_description:"Whole JSON plan, not a summary."`
}

func (r *Explain) Finish(req *client.Request) error {
	q := strings.TrimRight(strings.TrimSpace(r.Query), ";")
	return catalogQuery(req, "explain (format json, verbose false) "+q)
}

func (r *Explain) FormatResult(body []byte) ([]byte, error) {
	v, err := firstRowValue(body)
	if err != nil || v == nil {
		return body, err
	}
	if r.Full != nil && *r.Full {
		return v, nil
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(v, &plans); err != nil || len(plans) == 0 {
		return v, nil
	}
	var lines []string
	var walk func(n planNode, depth int)
	walk = func(n planNode, depth int) {
		if len(lines) >= maxPlanLines {
			return
		}
		line := strings.Repeat("  ", depth) + n.NodeType
		if n.Relation != "" {
			line += " on " + n.Relation
		}
		if n.Index != "" {
			line += " using " + n.Index
		}
		line += fmt.Sprintf(" (cost=%.2f rows=%.0f)", n.TotalCost, n.PlanRows)
		lines = append(lines, line)
		for _, c := range n.Plans {
			walk(c, depth+1)
		}
	}
	walk(plans[0].Plan, 0)
	return json.Marshal(map[string]any{
		"total_cost": plans[0].Plan.TotalCost, "estimated_rows": plans[0].Plan.PlanRows,
		"plan": lines, "note": "Estimated plan (not executed). Pass full: true for every node's details.",
	})
}

const maxPlanLines = 30

type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	TotalCost float64    `json:"Total Cost"`
	PlanRows  float64    `json:"Plan Rows"`
	Plans     []planNode `json:"Plans"`
}

type SampleRows struct {
	ProjectRef
	TableName
	Limit      *int `json:"limit,omitempty" in:"none" jsonschema:"maximum=100" check:"minimum=1" jsonschema_description:"Rows; default 5."`
	MaxColumns *int `json:"max_columns,omitempty" in:"none" jsonschema:"maximum=100" check:"minimum=1" jsonschema_description:"Columns per row; default 20."`
}

// maxSampleValue truncates long values so a few rows stay small.
const maxSampleValue = 200

func (r *SampleRows) Finish(req *client.Request) error {
	if strings.ContainsRune(r.Table+r.schema(), 0) {
		return errors.New("table and schema names cannot contain NUL")
	}
	limit, cols := 5, 20
	if r.Limit != nil {
		limit = *r.Limit
	}
	if r.MaxColumns != nil {
		cols = *r.MaxColumns
	}
	return catalogQuery(req, fmt.Sprintf(`select (select json_object_agg(e.key, case
    when json_typeof(e.value) = 'string' and length(e.value #>> '{}') > %[1]d then to_json(left(e.value #>> '{}', %[1]d) || '…')
    when json_typeof(e.value) in ('object', 'array') and length(e.value::text) > %[1]d then to_json(left(e.value::text, %[1]d) || '…')
    else e.value end)
  from (select * from json_each(row_to_json(t)) limit $2::int) e) as row
from %[2]s.%[3]s t limit $1::int`, maxSampleValue, quoteIdent(r.schema()), quoteIdent(r.Table)), limit, cols)
}

func (r *SampleRows) FormatResult(body []byte) ([]byte, error) {
	var rows []struct {
		Row json.RawMessage `json:"row"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, row := range rows {
		out.Write(row.Row)
		out.WriteByte('\n')
	}
	if len(rows) == 0 {
		out.WriteString("(no rows)")
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// marshalPlain is json.Marshal without HTML escaping: names and SQL keep
// their <, > and & as the model should read them.
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// quoteIdent quotes a name as a PostgreSQL identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// pgArray renders a text array parameter the way PostgreSQL reads it.
func pgArray(items []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// OneStatementSQL marks a request that wraps its SQL argument in a statement
// of its own, so that the guard lets through exactly one query: a second
// statement would run rather than be planned.
type OneStatementSQL interface{ oneStatementSQL() }

func (*Explain) oneStatementSQL() {}
