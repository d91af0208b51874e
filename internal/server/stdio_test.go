package server

import (
	"bufio"
	"strings"
	"testing"
)

// An oversized line is consumed without being kept, and its top-level id
// and method are found wherever they sit, never a nested "id".
func TestOversizedLineEnvelope(t *testing.T) {
	pad := strings.Repeat("x", 200<<10)
	cases := []struct{ line, id, method string }{
		{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{"id":"inner","s":"` + pad + `"}}}`, "7", "tools/call"},
		{`{"method":"tools/call","params":{"arguments":{"id":99,"s":"` + pad + `\"}"}},"jsonrpc":"2.0","id":"abc\"d"}`, `"abc\"d"`, "tools/call"},
		{`{"params":{"s":"` + pad + `"},"method":"ping"}`, "", "ping"},
		{`[{"id":1,"s":"` + pad + `"}]`, "", ""},
	}
	for _, c := range cases {
		r := bufio.NewReaderSize(strings.NewReader(c.line+"\n"+`{"id":2}`+"\n"), 4096)
		line, big, err := readBoundedLine(r, 64<<10)
		if err != nil || line != nil || big == nil {
			t.Fatalf("%.40s: line %d bytes, big %v, err %v", c.line, len(line), big, err)
		}
		if string(big.id) != c.id || big.method != c.method || big.n != int64(len(c.line)+1) {
			t.Errorf("%.40s: id %s method %q n %d", c.line, big.id, big.method, big.n)
		}
		next, big, _ := readBoundedLine(r, 64<<10)
		if big != nil || string(next) != `{"id":2}`+"\n" {
			t.Errorf("the next line was not read whole: %q", next)
		}
	}
}
