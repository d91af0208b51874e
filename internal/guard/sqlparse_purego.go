//go:build !cgo

package guard

import (
	"runtime/debug"
	"sync"
	"time"

	pgquery "github.com/pganalyze/pg_query_go/v6"
	wasmquery "github.com/wasilibs/go-pgquery"
)

// parseMu serialises parses. go-pgquery compiles a fresh WebAssembly runtime
// (1-2 s, over 200 MB while compiling) whenever a parse finds no idle
// instance, so concurrent parses would each compile their own; one instance,
// reused, parses in a fraction of a millisecond.
var parseMu sync.Mutex

// parseSQL uses the same parser compiled to WebAssembly, for CGO_ENABLED=0
// builds (the container image). Its first call compiles the module (about
// 2 s), so WarmSQLParser runs it in the background at start-up.
func parseSQL(sql string) (*pgquery.ParseResult, error) {
	parseMu.Lock()
	defer parseMu.Unlock()
	return wasmquery.Parse(sql)
}

// warmDelay lets the MCP handshake and the first tools/list go first: the
// compilation keeps a CPU busy for a second or two. It also comes after the
// first garbage collection (cmd/supabase-mcp defers it by 500 ms), so that
// the compiler's garbage is collected as it goes.
const warmDelay = time.Second

// warmParser compiles the module in the background, then hands the
// compiler's scratch memory back to the operating system: without that an
// idle server keeps about 270 MB resident instead of about 40 MB.
func warmParser() {
	go func() {
		time.Sleep(warmDelay)
		_, _ = parseSQL("select 1")
		debug.FreeOSMemory()
	}()
}
