//go:build cgo

package guard

import pgquery "github.com/pganalyze/pg_query_go/v6"

// parseSQL uses libpg_query through cgo: the PostgreSQL server's own parser.
func parseSQL(sql string) (*pgquery.ParseResult, error) { return pgquery.Parse(sql) }
