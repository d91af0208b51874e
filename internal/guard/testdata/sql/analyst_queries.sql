-- Ordinary analyst queries: every one must pass read-only mode and run
-- unasked in write mode. {{s}} is the schema of the test tables
-- (customers, orders, order_items, products, events).
-- next
select * from {{s}}.customers order by id limit 10
-- next
select count(*) from {{s}}.orders
-- next
select status, count(*) as n, sum(total) as revenue from {{s}}.orders group by status order by n desc
-- next
select c.name, count(o.id) as orders from {{s}}.customers c left join {{s}}.orders o on o.customer_id = c.id group by c.name order by orders desc limit 20
-- next
select date_trunc('month', created_at) as month, sum(total) from {{s}}.orders group by 1 order by 1
-- next
select country, avg(total)::numeric(10,2) as avg_order from {{s}}.orders o join {{s}}.customers c on c.id = o.customer_id group by country having count(*) > 1
-- next
select id, total, sum(total) over (order by created_at) as running_total from {{s}}.orders
-- next
select customer_id, total, rank() over (partition by customer_id order by total desc) from {{s}}.orders
-- next
select customer_id, created_at, lag(created_at) over (partition by customer_id order by created_at) as previous from {{s}}.orders
-- next
select *, row_number() over w as rn from {{s}}.orders window w as (partition by status order by created_at desc)
-- next
select percentile_cont(0.5) within group (order by total) as median from {{s}}.orders
-- next
select status, percentile_disc(array[0.25, 0.5, 0.75]) within group (order by total) from {{s}}.orders group by status
-- next
select ntile(4) over (order by total) as quartile, total from {{s}}.orders
-- next
select first_value(total) over (partition by customer_id order by created_at), last_value(total) over (partition by customer_id order by created_at rows between unbounded preceding and unbounded following) from {{s}}.orders
-- next
select meta->>'channel' as channel, count(*) from {{s}}.orders group by 1
-- next
select meta #>> '{utm,source}' from {{s}}.orders where meta ? 'utm'
-- next
select * from {{s}}.orders where meta @> '{"channel": "web"}'
-- next
select jsonb_pretty(meta) from {{s}}.orders limit 1
-- next
select key, count(*) from {{s}}.orders, jsonb_each(meta) group by key
-- next
select jsonb_agg(jsonb_build_object('id', id, 'total', total)) from {{s}}.orders
-- next
select json_agg(c) from {{s}}.customers c
-- next
select to_jsonb(c) - 'email' from {{s}}.customers c limit 5
-- next
select jsonb_path_query(meta, '$.items[*].sku') from {{s}}.orders
-- next
select e.payload->'page' as page, count(*) from {{s}}.events e where e.kind = 'view' group by 1 order by 2 desc
-- next
select * from jsonb_to_recordset('[{"a":1,"b":"x"}]') as x(a int, b text)
-- next
select jsonb_array_length(coalesce(meta->'items', '[]'::jsonb)) from {{s}}.orders
-- next
select distinct on (customer_id) customer_id, created_at, total from {{s}}.orders order by customer_id, created_at desc
-- next
select * from {{s}}.customers where email ilike '%@example.com'
-- next
select * from {{s}}.customers where name ~* '^a'
-- next
select * from {{s}}.products where 'sale' = any(tags)
-- next
select unnest(tags) as tag, count(*) from {{s}}.products group by 1
-- next
select array_agg(name order by name) from {{s}}.products where category = 'books'
-- next
select string_agg(name, ', ' order by name) from {{s}}.products
-- next
select category, min(price), max(price), round(avg(price), 2) from {{s}}.products group by category
-- next
select p.name, sum(oi.qty * oi.price) as revenue from {{s}}.order_items oi join {{s}}.products p on p.id = oi.product_id group by p.name order by revenue desc limit 10
-- next
with monthly as (select date_trunc('month', created_at) m, sum(total) s from {{s}}.orders group by 1) select m, s, s - lag(s) over (order by m) as change from monthly
-- next
with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select * from n
-- next
with first_orders as (select customer_id, min(created_at) as first_at from {{s}}.orders group by customer_id) select date_trunc('week', first_at), count(*) from first_orders group by 1
-- next
select c.* from {{s}}.customers c where exists (select 1 from {{s}}.orders o where o.customer_id = c.id and o.total > 100)
-- next
select c.* from {{s}}.customers c where not exists (select 1 from {{s}}.orders o where o.customer_id = c.id)
-- next
select * from {{s}}.customers where id in (select customer_id from {{s}}.orders where status = 'paid')
-- next
select * from {{s}}.orders where created_at >= now() - interval '30 days'
-- next
select * from {{s}}.orders where created_at between '2024-01-01' and '2024-12-31'
-- next
select extract(dow from created_at) as dow, count(*) from {{s}}.orders group by 1 order by 1
-- next
select to_char(created_at, 'YYYY-MM') as month, count(*) from {{s}}.orders group by 1
-- next
select age(now(), created_at) from {{s}}.customers limit 5
-- next
select date_part('hour', at at time zone 'UTC') from {{s}}.events
-- next
select at::date as day, count(*) from {{s}}.events group by day order by day
-- next
select generate_series(date '2024-01-01', date '2024-01-31', interval '1 day')::date as day
-- next
select d.day, count(o.id) from generate_series('2024-01-01'::date, '2024-01-07'::date, '1 day') as d(day) left join {{s}}.orders o on o.created_at::date = d.day group by d.day order by d.day
-- next
select case when total >= 100 then 'big' when total >= 10 then 'medium' else 'small' end as size, count(*) from {{s}}.orders group by 1
-- next
select count(*) filter (where status = 'paid') as paid, count(*) filter (where status = 'refunded') as refunded from {{s}}.orders
-- next
select coalesce(plan, 'free') as plan, count(*) from {{s}}.customers group by 1
-- next
select nullif(country, '') from {{s}}.customers
-- next
select greatest(total, 0), least(total, 1000) from {{s}}.orders
-- next
select id, upper(name), lower(email), length(name), left(name, 3), initcap(name) from {{s}}.customers
-- next
select split_part(email, '@', 2) as domain, count(*) from {{s}}.customers group by 1 order by 2 desc
-- next
select regexp_replace(name, '\s+', ' ', 'g') from {{s}}.customers
-- next
select md5(email) from {{s}}.customers
-- next
select format('%s <%s>', name, email) from {{s}}.customers
-- next
select concat_ws(' ', name, country) from {{s}}.customers
-- next
select trim(both ' ' from name), replace(name, 'a', 'b') from {{s}}.customers
-- next
select name from {{s}}.products where name like 'pg\_%'
-- next
select name from {{s}}.customers where name similar to '(a|b)%'
-- next
select * from {{s}}.customers order by created_at desc nulls last limit 5 offset 5
-- next
select * from {{s}}.customers fetch first 3 rows only
-- next
select country from {{s}}.customers union select 'none' order by 1
-- next
select customer_id from {{s}}.orders intersect select id from {{s}}.customers
-- next
select id from {{s}}.customers except select customer_id from {{s}}.orders
-- next
select grouping(status), status, count(*) from {{s}}.orders group by rollup (status)
-- next
select status, date_trunc('year', created_at), count(*) from {{s}}.orders group by grouping sets ((status), (date_trunc('year', created_at)), ())
-- next
select corr(qty, price), stddev(price), variance(price) from {{s}}.order_items
-- next
select bool_and(total > 0), bool_or(total > 1000), every(total is not null) from {{s}}.orders
-- next
select width_bucket(total, 0, 1000, 10) as bucket, count(*) from {{s}}.orders group by 1 order by 1
-- next
select o.*, c.name from {{s}}.orders o cross join lateral (select name from {{s}}.customers c where c.id = o.customer_id) c
-- next
select * from {{s}}.orders o join lateral (select count(*) as items from {{s}}.order_items i where i.order_id = o.id) x on true
-- next
select * from {{s}}.customers natural join {{s}}.customers c2 limit 1
-- next
select * from {{s}}.orders o full outer join {{s}}.customers c on c.id = o.customer_id limit 10
-- next
select * from {{s}}.products tablesample bernoulli (50)
-- next
select total::text, total::int, total::float8, id::bigint from {{s}}.orders
-- next
select cast(created_at as date), cast(total as numeric(12, 2)) from {{s}}.orders
-- next
select '2024-01-01'::timestamptz + interval '1 hour'
-- next
select now(), current_date, current_timestamp, localtime, clock_timestamp()
-- next
select gen_random_uuid(), random()
-- next
select pg_size_pretty(pg_total_relation_size('{{s}}.orders'))
-- next
select relname, n_live_tup, n_dead_tup, last_autovacuum from pg_stat_user_tables order by n_live_tup desc limit 10
-- next
select schemaname, relname, seq_scan, idx_scan from pg_stat_user_tables where schemaname = '{{s}}'
-- next
select indexrelname, idx_scan from pg_stat_user_indexes where schemaname = '{{s}}'
-- next
select pid, state, wait_event_type, now() - query_start as running_for, left(query, 60) from pg_stat_activity where datname = current_database()
-- next
select * from pg_locks where not granted
-- next
select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = '{{s}}' order by table_name, ordinal_position
-- next
select table_schema, table_name, table_type from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2
-- next
select tc.table_name, kcu.column_name, ccu.table_name as foreign_table from information_schema.table_constraints tc join information_schema.key_column_usage kcu on tc.constraint_name = kcu.constraint_name join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = '{{s}}'
-- next
select routine_schema, routine_name from information_schema.routines where routine_schema = '{{s}}'
-- next
select * from information_schema.schemata
-- next
select grantee, privilege_type from information_schema.role_table_grants where table_schema = '{{s}}'
-- next
select c.relname, c.reltuples::bigint, pg_size_pretty(pg_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{{s}}' and c.relkind = 'r'
-- next
select indexname, indexdef from pg_indexes where schemaname = '{{s}}'
-- next
select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = '{{s}}.orders'::regclass
-- next
select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = '{{s}}.orders'::regclass and attnum > 0 and not attisdropped
-- next
select * from pg_policies where schemaname = '{{s}}'
-- next
select tgname, pg_get_triggerdef(oid) from pg_trigger where tgrelid = '{{s}}.orders'::regclass and not tgisinternal
-- next
select proname, pg_get_function_identity_arguments(oid) from pg_proc where pronamespace = '{{s}}'::regnamespace
-- next
select extname, extversion from pg_extension
-- next
select name, setting, unit from pg_settings where name in ('work_mem', 'max_connections', 'statement_timeout')
-- next
select rolname, rolsuper, rolcanlogin from pg_roles order by rolname
-- next
select nspname from pg_namespace where nspname not like 'pg\_%' and nspname <> 'information_schema'
-- next
select obj_description('{{s}}.orders'::regclass, 'pg_class')
-- next
select col_description('{{s}}.orders'::regclass, 1)
-- next
select has_table_privilege('{{s}}.orders', 'select')
-- next
select pg_get_viewdef('pg_stat_activity'::regclass, true)
-- next
select version()
-- next
select current_setting('server_version_num')::int
-- next
show server_version
-- next
show timezone
-- next
explain select * from {{s}}.orders where customer_id = 1
-- next
explain (format json) select count(*) from {{s}}.orders
-- next
explain analyze select * from {{s}}.customers where id = 1
-- next
explain (costs off) select * from {{s}}.orders o join {{s}}.customers c on c.id = o.customer_id
-- next
values (1, 'one'), (2, 'two')
-- next
table {{s}}.products
-- next
select n.nspname as name, count(c.oid) filter (where c.relkind in ('r','p')) as tables, count(c.oid) filter (where c.relkind in ('v','m')) as views from pg_namespace n left join pg_class c on c.relnamespace = n.oid where false or (n.nspname <> all(array['pg_catalog','information_schema','pg_toast']) and n.nspname not like 'pg\_%') group by n.nspname order by n.nspname
-- next
select n.nspname as schema, c.relname as name, case when c.reltuples < 0 then null else c.reltuples::bigint end as rows, c.relrowsecurity as rls, (select array_agg(a.attname order by k.ord) from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum where i.indrelid = c.oid and i.indisprimary) as pk, (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname = any('{ {{s}} }'::text[]) order by n.nspname, c.relname
-- next
select a.name, a.installed_version as installed, a.default_version as latest, n.nspname as schema from pg_available_extensions a left join pg_extension e on e.extname = a.name left join pg_namespace n on n.oid = e.extnamespace where true or a.installed_version is not null order by a.installed_version is null, a.name
-- next
select n.nspname as schema, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as signature, pg_get_function_result(p.oid) as returns, case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' when 'w' then 'window' else 'function' end as kind, l.lanname as language, p.prosecdef as security_definer from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang where n.nspname = any('{ {{s}} }'::text[]) and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e') order by 1, 2
-- next
select schemaname as schema, tablename as table, policyname as name, permissive, roles, cmd as command, qual as using, with_check as check from pg_policies where schemaname = any('{ {{s}} }'::text[]) order by 1, 2, 3
-- next
select (select json_object_agg(e.key, case when json_typeof(e.value) = 'string' and length(e.value #>> '{}') > 200 then to_json(left(e.value #>> '{}', 200) || '…') else e.value end) from (select * from json_each(row_to_json(t)) limit 20) e) as row from "{{s}}"."customers" t limit 5
-- next
with t as (select c.oid, c.relkind, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{{s}}' and c.relname = 'orders') select json_strip_nulls(json_build_object('table', quote_ident('{{s}}') || '.' || quote_ident('orders'), 'columns', (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'default', pg_get_expr(d.adbin, d.adrelid)) order by a.attnum) from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped), 'indexes', (select json_agg(pg_get_indexdef(indexrelid)) from pg_index where indrelid = t.oid))) from t
-- next
select id, total from {{s}}.orders where total > (select avg(total) from {{s}}.orders)
-- next
select customer_id, count(*) from {{s}}.orders group by customer_id having count(*) >= 2 order by 2 desc
-- next
select 100.0 * count(*) filter (where status = 'refunded') / nullif(count(*), 0) as refund_rate from {{s}}.orders
-- next
select date_trunc('day', at) as day, count(distinct customer_id) as dau from {{s}}.events group by 1 order by 1
-- next
select o.id, array_length(array_agg(i.product_id), 1) from {{s}}.orders o join {{s}}.order_items i on i.order_id = o.id group by o.id
-- next
select round(sum(total)::numeric, 2), to_char(sum(total), 'FM999G999D00') from {{s}}.orders
-- next
select * from {{s}}.customers where created_at > date '2024-01-01' and country is not null and plan in ('pro', 'team')
-- next
select kind, min(at), max(at), max(at) - min(at) as span from {{s}}.events group by kind
-- next
select encode(sha256(email::bytea), 'hex') from {{s}}.customers limit 3
-- next
select id, payload from {{s}}.events where payload->>'page' like '/docs%' order by at desc limit 10
-- next
select jsonb_object_keys(payload) as k, count(*) from {{s}}.events group by 1
-- next
select tags[1] as first_tag, cardinality(tags) from {{s}}.products
-- next
select array_to_string(tags, '|') from {{s}}.products
-- next
select * from {{s}}.products where tags && array['new', 'sale']
-- next
select * from {{s}}.products where tags @> array['sale']
-- next
select c.country, p.category, sum(i.qty) from {{s}}.order_items i join {{s}}.orders o on o.id = i.order_id join {{s}}.customers c on c.id = o.customer_id join {{s}}.products p on p.id = i.product_id group by cube (c.country, p.category)
-- next
select xmlelement(name customer, xmlattributes(id as id), name) from {{s}}.customers limit 2
-- next
select pg_typeof(total), pg_column_size(meta) from {{s}}.orders limit 1
-- next
select to_tsvector('english', name) @@ plainto_tsquery('english', 'book') from {{s}}.products
-- next
select ts_rank(to_tsvector(name), to_tsquery('book')) from {{s}}.products
-- next
select justify_interval(sum(now() - created_at)) from {{s}}.orders
-- next
select make_date(2024, 1, 1), make_interval(days => 3)
-- next
select sum(total) filter (where created_at >= date_trunc('month', now())) as mtd from {{s}}.orders
-- next
select txid_current_if_assigned(), pg_backend_pid(), current_database(), current_schema()
