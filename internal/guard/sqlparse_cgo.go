//go:build cgo

package guard

import (
	"github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
)

// parseSQL uses libpg_query through cgo: the PostgreSQL server's own parser.
// A crash in C cannot be recovered, so callers pass only text that
// precheckSQL accepted: its limits keep the parser's recursion far from the
// stack's end.
func parseSQL(sql string) (*pgast.ParseResult, error) {
	b, err := parser.ParseToProtobuf(sql)
	if err != nil {
		return nil, err
	}
	return pgast.ParseResultFrom(b)
}

// scanSQL runs PostgreSQL's lexer alone; it does not recurse.
func scanSQL(sql string) (*pgast.ScanResult, error) {
	b, err := parser.ScanToProtobuf(sql)
	if err != nil {
		return nil, err
	}
	return pgast.ScanResultFrom(b)
}

// warmParser does nothing: libpg_query is ready at once. Its first parse
// builds the parse tree's protobuf descriptors (about 4 ms and 2 MB, see
// pgast), which the first SQL check pays, rather than every start of a
// server that may never see SQL.
func warmParser() {}

// isParserCrash is always false here: a crash in C ends the process.
func isParserCrash(error) bool { return false }
