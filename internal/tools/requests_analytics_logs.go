package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
)

// logServices maps the services a model asks about to the log sources of
// the Logs Explorer.
var logServices = map[string]string{
	"api":              "edge_logs",
	"postgres":         "postgres_logs",
	"auth":             "auth_logs",
	"storage":          "storage_logs",
	"realtime":         "realtime_logs",
	"edge_functions":   "function_edge_logs",
	"function_console": "function_logs",
	"pooler":           "supavisor_logs",
	"postgrest":        "postgrest_logs",
}

// Caps that keep a logs answer readable in a model's context.
const (
	maxLogMinutes  = 24 * 60 // the API's longest window
	maxLogMessage  = 500
	defaultLogRows = 50
)

// GetLogs is a helper over logs.all: it builds the logs query for a service,
// a bounded time window and an optional text filter, so the model needs
// neither the log schema nor its SQL dialect.
type GetLogs struct {
	ProjectRef
	Service string `json:"service" in:"none" jsonschema:"required,enum=api,enum=postgres,enum=auth,enum=storage,enum=realtime,enum=edge_functions,enum=function_console,enum=pooler,enum=postgrest" jsonschema_description:"Log source."`
	Minutes *int   `json:"minutes,omitempty" in:"none" jsonschema:"maximum=1440" check:"minimum=1" jsonschema_description:"Window ending now; default 15."`
	Filter  string `json:"filter,omitempty" in:"none" check:"maxLength=200" jsonschema_description:"Substring, any case."`
	Limit   *int   `json:"limit,omitempty" in:"none" jsonschema:"maximum=500" check:"minimum=1" jsonschema_description:"Entries; default 50."`

	now func() time.Time // tests pin the clock
}

func (r *GetLogs) Finish(req *client.Request) error {
	minutes, limit := 15, defaultLogRows
	if r.Minutes != nil {
		minutes = min(*r.Minutes, maxLogMinutes)
	}
	if r.Limit != nil {
		limit = *r.Limit
	}
	now := time.Now
	if r.now != nil {
		now = r.now
	}
	end := now().UTC()
	start := end.Add(-time.Duration(minutes) * time.Minute)
	sql := fmt.Sprintf("select id, timestamp, event_message from %s", logServices[r.Service])
	if r.Filter != "" {
		sql += " where regexp_contains(event_message, " + logsString("(?i)"+regexp.QuoteMeta(r.Filter)) + ")"
	}
	sql += fmt.Sprintf(" order by timestamp desc limit %d", limit)
	req.Query.Set("sql", sql)
	req.Query.Set("iso_timestamp_start", start.Format(time.RFC3339))
	req.Query.Set("iso_timestamp_end", end.Format(time.RFC3339))
	return nil
}

// logsString quotes text as a string literal of the logs SQL dialect
// (BigQuery): backslashes and quotes escaped, control characters dropped.
func logsString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// FormatResult prints one entry per line, newest first, messages cut.
func (r *GetLogs) FormatResult(body []byte) ([]byte, error) {
	var resp struct {
		Result []struct {
			Timestamp    int64  `json:"timestamp"`
			EventMessage string `json:"event_message"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if len(resp.Error) > 0 && string(resp.Error) != "null" {
		return marshalPlain(map[string]any{"error": json.RawMessage(resp.Error)})
	}
	var out bytes.Buffer
	for _, e := range resp.Result {
		msg := e.EventMessage
		if len(msg) > maxLogMessage {
			msg = strings.ToValidUTF8(msg[:maxLogMessage], "") + "…"
		}
		line, err := marshalPlain(orderedRow(map[string]any{
			"time": time.UnixMicro(e.Timestamp).UTC().Format(time.RFC3339Nano), "message": msg,
		}, "time", "message"))
		if err != nil {
			return nil, err
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	if len(resp.Result) == 0 {
		out.WriteString("(no log entries in this window; widen minutes or change the filter)")
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}
