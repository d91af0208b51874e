//go:build cgo

package guard

import pgquery "github.com/pganalyze/pg_query_go/v6"

// parseSQL uses libpg_query through cgo: the PostgreSQL server's own parser.
// A crash in C cannot be recovered, so callers pass only text that
// precheckSQL accepted: its limits keep the parser's recursion far from the
// stack's end.
func parseSQL(sql string) (*pgquery.ParseResult, error) { return pgquery.Parse(sql) }

// scanSQL runs PostgreSQL's lexer alone; it does not recurse.
func scanSQL(sql string) (*pgquery.ScanResult, error) { return pgquery.Scan(sql) }

// warmParser does nothing: libpg_query is ready at once. Its first parse
// costs about 2 ms and 3 MB (setting up the protobuf types of the parse
// tree), which the first SQL check pays, rather than every start of a server
// that may never see SQL.
func warmParser() {}

// isParserCrash is always false here: a crash in C ends the process.
func isParserCrash(error) bool { return false }
