package tools

import (
	"net/http"
	"strings"
	"testing"
)

func TestResultBodyShowsResultHeaders(t *testing.T) {
	op := &Operation{Name: "count", Tool: &Tool{Name: "things"}}
	if got := string(ResultBody(op, http.Header{"X-Total-Count": {"3"}}, []byte(`{"a":1}`))); got != `{"a":1}` {
		t.Errorf("without result_headers: %s", got)
	}
	op.ResultHeaders = []string{"X-Total-Count", "X-Page", "X-Missing"}
	h := http.Header{}
	h.Set("X-Total-Count", "3")
	h.Set("X-Page", "next")
	if got := string(ResultBody(op, h, nil)); got != `{"X-Page":"next","X-Total-Count":3}` {
		t.Errorf("with result_headers: %s", got)
	}
	if got := (&Call{Op: op}).FormatResult(200, ResultBody(op, http.Header{}, nil), 0); !strings.Contains(got, "\n{}\n</untrusted-data-") {
		t.Errorf("no headers present: %s", got)
	}
}
