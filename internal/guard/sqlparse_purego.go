//go:build !cgo

package guard

import (
	pgquery "github.com/pganalyze/pg_query_go/v6"
	wasmquery "github.com/wasilibs/go-pgquery"
)

// parseSQL uses the same parser compiled to WebAssembly, for CGO_ENABLED=0
// builds (the container image). Its first call compiles the module (about
// 2 s), so WarmSQLParser runs it in the background at start-up.
func parseSQL(sql string) (*pgquery.ParseResult, error) { return wasmquery.Parse(sql) }
