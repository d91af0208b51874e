//go:build !cgo

package guard

import (
	"container/list"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
	_ "unsafe" // go:linkname

	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
	wasmquery "github.com/wasilibs/go-pgquery/parser"
)

// parseMu serialises parses. go-pgquery compiles a fresh WebAssembly runtime
// (1-2 s, over 200 MB while compiling) whenever a parse finds no idle
// instance, so concurrent parses would each compile their own; one instance,
// reused, parses in a fraction of a millisecond.
var parseMu sync.Mutex

// go-pgquery keeps its idle WebAssembly instances in this list and puts an
// instance back even when a call into it panicked, although such an instance
// is left broken (it then reads "select 1" as a syntax error). After a panic
// the guard empties the list under go-pgquery's own lock, so that the next
// parse instantiates a fresh module. A rename upstream fails the build
// rather than silently keeping a broken parser.
//
//go:linkname wasmPool github.com/wasilibs/go-pgquery/parser.abiPool
var wasmPool *list.List

//go:linkname wasmPoolMu github.com/wasilibs/go-pgquery/parser.abiPoolMu
var wasmPoolMu sync.Mutex

// parserPanic is a parse that panicked: it is treated as a parse error, so
// the SQL is refused (read-only) or confirmed (write).
type parserPanic struct{ value any }

func (p *parserPanic) Error() string { return fmt.Sprintf("the SQL parser failed (%v)", p.value) }

// withParser runs f on the WebAssembly parser, recovering a panic and
// discarding the instance it broke.
func withParser[T any](f func() (T, error)) (result T, err error) {
	parseMu.Lock()
	defer parseMu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			wasmPoolMu.Lock()
			wasmPool.Init()
			wasmPoolMu.Unlock()
			err = &parserPanic{p}
		}
	}()
	return f()
}

// parseSQL uses the same parser compiled to WebAssembly, for CGO_ENABLED=0
// builds (the container image). Its first call compiles the module (about
// 2 s), so WarmSQLParser runs it in the background at start-up.
func parseSQL(sql string) (*pgast.ParseResult, error) {
	b, err := withParser(func() ([]byte, error) { return wasmquery.ParseToProtobuf(sql) })
	if err != nil {
		return nil, err
	}
	return pgast.ParseResultFrom(b)
}

// scanSQL runs PostgreSQL's lexer alone; it does not recurse.
func scanSQL(sql string) (*pgast.ScanResult, error) {
	b, err := withParser(func() ([]byte, error) { return wasmquery.ScanToProtobuf(sql) })
	if err != nil {
		return nil, err
	}
	return pgast.ScanResultFrom(b)
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

// isParserCrash reports a recovered parser panic (tests use it to prove the
// limits keep the parser from getting there).
func isParserCrash(err error) bool {
	_, ok := err.(*parserPanic)
	return ok
}
