//go:build !cgo

package guard

import (
	"errors"
	"strings"
	"testing"
)

// A parse that overflows the WebAssembly parser's stack is recovered, the
// broken instance is replaced, and the guard keeps refusing and confirming
// correctly (the old guard's parser stayed broken: every later read was
// refused and DROP ran unconfirmed).
func TestWasmParserPanicIsRecovered(t *testing.T) {
	_, err := parseSQL("select 1" + strings.Repeat("+1", 30000)) // bypasses precheckSQL
	var p *parserPanic
	if !errors.As(err, &p) {
		t.Fatalf("deep input: %v, want a recovered parser panic", err)
	}
	if err := CheckReadOnlySQL("select 1"); err != nil {
		t.Fatalf("after the panic a plain read is refused: %v", err)
	}
	if f := ReviewWriteSQL("drop table t"); len(f) != 1 || !strings.Contains(f[0].Reason, "DROP TABLE") {
		t.Fatalf("after the panic DROP is not confirmed: %+v", f)
	}
	if err := CheckReadOnlySQL("select pg_advisory_lock(1)"); err == nil {
		t.Fatal("after the panic an advisory lock passes")
	}
}
