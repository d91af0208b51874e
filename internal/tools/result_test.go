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

func TestFormatResultRedactsUnlessRevealed(t *testing.T) {
	op := &Operation{Name: "get_config", Method: "GET", Path: "/v1/branches/{branch_id_or_ref}", Tool: &Tool{Name: "branches"}}
	body := []byte(`{"db_pass":"hunter2-hunter2","ref":"a<b>&c","db_port":12345678901234567890,"nested":[{"jwt_secret":"s3cr3t-value"}],"smtp_pass":null}`)
	got := payloadOf((&Call{Op: op, Args: map[string]any{}}).FormatResult(200, body, 0))
	want := `{"db_pass":"<redacted: 15 chars; ask again with reveal: true>","db_port":12345678901234567890,"nested":[{"jwt_secret":"<redacted: 12 chars; ask again with reveal: true>"}],"ref":"a<b>&c","smtp_pass":null}`
	if got != want {
		t.Errorf("redacted:\n got %s\nwant %s", got, want)
	}
	revealed := payloadOf((&Call{Op: op, Args: map[string]any{"reveal": true}}).FormatResult(200, body, 0))
	if !strings.Contains(revealed, "hunter2-hunter2") || !strings.Contains(revealed, "s3cr3t-value") {
		t.Errorf("reveal: %s", revealed)
	}
	// Rows of the user's own SQL are shown as they are.
	sql := &Operation{Name: "execute_sql", Method: "POST", Path: "/v1/projects/{ref}/database/query", Tool: &Tool{Name: "database"}}
	if got := payloadOf((&Call{Op: sql}).FormatResult(201, []byte(`[{"password":"x"}]`), 0)); got != `[{"password":"x"}]` {
		t.Errorf("sql rows: %s", got)
	}
}

func payloadOf(text string) string {
	_, rest, _ := strings.Cut(text, ">\n")
	inner, _, _ := strings.Cut(rest, "\n</untrusted-data-")
	return inner
}

func TestRedactionFilterIgnoresCase(t *testing.T) {
	op := &Operation{Name: "get", Method: "GET", Path: "/v1/projects/{ref}", Tool: &Tool{Name: "projects"}}
	got := string(RedactSecrets(op, []byte(`{"SMTP_PASS":"abcdefgh","Name":"x"}`)))
	if strings.Contains(got, "abcdefgh") {
		t.Errorf("upper-case secret key not redacted: %s", got)
	}
	if got := string(RedactSecrets(op, []byte(`{"n\u0061me":"x","smtp_p\u0061ss":"abcdefgh"}`))); strings.Contains(got, "abcdefgh") {
		t.Errorf("escaped secret key not redacted: %s", got)
	}
}

func TestRevealArgumentDecoding(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	e := &ExposedTool{Tool: cat.Tool("branches_read"), Operations: cat.Tool("branches_read").Operations}
	id := "0b9c3f1e-2d4a-4e6b-8c7d-9e0f1a2b3c4d"
	for _, c := range []struct {
		reveal any
		want   bool
	}{{true, true}, {"true", true}, {false, false}, {nil, false}} {
		call, err := e.Decode(map[string]any{"operation": "get_config", "branch_id_or_ref": id, "reveal": c.reveal}, nil)
		if err != nil || call.Reveal() != c.want {
			t.Errorf("reveal %v: %v, err %v", c.reveal, call != nil && call.Reveal(), err)
		}
	}
	if _, err := e.Decode(map[string]any{"operation": "get_config", "branch_id_or_ref": id, "reveal": "sometimes"}, nil); err == nil || !strings.Contains(err.Error(), "reveal must be true or false") {
		t.Errorf("bad reveal: %v", err)
	}
	if _, err := e.Decode(map[string]any{"operation": "list", "ref": "abcdefghijklmnopqrst", "reveal": true}, nil); err == nil || !strings.Contains(err.Error(), "reveal") {
		t.Errorf("reveal on an operation without secrets: %v", err)
	}
}
