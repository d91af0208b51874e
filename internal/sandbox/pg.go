package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/supabase-mcp/supabase-mcp/internal/pgwire"
	"strings"
	"sync"
)

// readOnlyRole is the role read-only queries run as, standing in for the real
// API's supabase_read_only_user.
const readOnlyRole = "sandbox_read_only"

// setupReadOnlyRole creates readOnlyRole idempotently. The advisory lock
// serialises concurrent creators on one database; the exception handler
// covers racers on other databases of the same cluster (roles are global).
const setupReadOnlyRole = `SELECT pg_advisory_xact_lock(hashtext('sandbox_read_only'));
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sandbox_read_only') THEN
    BEGIN
      CREATE ROLE sandbox_read_only NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role('sandbox_read_only', 'pg_read_all_data', 'MEMBER') THEN
    GRANT pg_read_all_data TO sandbox_read_only;
  END IF;
  -- A non-superuser connecting user must be a member to SET ROLE.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'sandbox_read_only', 'MEMBER') THEN
    EXECUTE format('GRANT sandbox_read_only TO %I', current_user);
  END IF;
END $$`

// dbPool is a small bounded pool of pgwire.Conn sessions (internal/pgwire), which give
// the simple protocol's per-statement results: that is how the real API
// answers multi-statement queries.
//
// Like a pooled backend, a session keeps its state from one call to the
// next: settings, session-level locks, prepared statements. Read-only and
// read-write sessions are pooled apart (the real API connects as different
// users), so a read-only session is only ever reused for read-only queries.
type dbPool struct {
	cfg    *pgwire.Config
	cfgErr error
	sem    chan struct{} // one token per open connection

	mu     sync.Mutex
	idle   [2][]*pgwire.Conn // by mode: [0] read-write, [1] read-only
	closed bool

	roleMu    sync.Mutex
	roleReady bool
}

func newDBPool(url string, size int) *dbPool {
	cfg, err := pgwire.ParseConfig(url)
	return &dbPool{cfg: cfg, cfgErr: err, sem: make(chan struct{}, size)}
}

func modeIndex(readOnly bool) int {
	if readOnly {
		return 1
	}
	return 0
}

func (p *dbPool) acquire(ctx context.Context, readOnly bool) (*pgwire.Conn, error) {
	if p.cfgErr != nil {
		return nil, fmt.Errorf("sandbox: invalid DatabaseURL: %w", p.cfgErr)
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	mode := modeIndex(readOnly)
	for {
		p.mu.Lock()
		idle := p.idle[mode]
		if len(idle) == 0 {
			p.mu.Unlock()
			break
		}
		c := idle[len(idle)-1]
		p.idle[mode] = idle[:len(idle)-1]
		p.mu.Unlock()
		// The session is reused as it is (a pooled backend does not reset
		// it); the ping only proves it is alive.
		if _, err := c.SimpleQuery(ctx, ""); err == nil {
			return c, nil
		}
		c.Close()
		if ctx.Err() != nil {
			<-p.sem
			return nil, ctx.Err()
		}
	}
	c, err := pgwire.Connect(ctx, p.cfg)
	if err != nil {
		<-p.sem
		return nil, err
	}
	return c, nil
}

// release returns c to the pool of its mode, or closes it when it is in a
// transaction or broken.
func (p *dbPool) release(c *pgwire.Conn, readOnly, reuse bool) {
	p.mu.Lock()
	reuse = reuse && !p.closed && !c.Broken() && c.Idle()
	if reuse {
		mode := modeIndex(readOnly)
		p.idle[mode] = append(p.idle[mode], c)
	}
	p.mu.Unlock()
	if !reuse {
		c.Close()
	}
	<-p.sem
}

func (p *dbPool) close() {
	p.mu.Lock()
	idle := append(p.idle[0], p.idle[1]...)
	p.idle, p.closed = [2][]*pgwire.Conn{}, true
	p.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
}

func (p *dbPool) ensureReadOnlyRole(ctx context.Context, c *pgwire.Conn) error {
	p.roleMu.Lock()
	defer p.roleMu.Unlock()
	var err error
	for range 3 { // retry catalog races such as "tuple concurrently updated"
		if p.roleReady {
			return nil
		}
		if _, err = c.SimpleQuery(ctx, setupReadOnlyRole); err == nil {
			p.roleReady = true
		} else if ctx.Err() != nil || c.Broken() {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("sandbox: cannot set up role %s: %v", readOnlyRole, err) // %v: a 500, not a query error
	}
	return nil
}

// query runs sql like the API's query endpoint and returns the rows of the
// last statement. Without params it uses the simple protocol (several
// statements allowed); with params the extended protocol ($1.. placeholders,
// one statement).
//
// Read-only queries run as readOnlyRole in a READ ONLY transaction that is
// always rolled back. The role and read-only default are also set at session
// level first, so a COMMIT smuggled into the query text does not escape them
// for the statements after it (the real API connects as a read-only user).
// A query that explicitly RESETs the role can still escape for the rest of
// that call; the next read-only call sets the role again.
func (p *dbPool) query(ctx context.Context, sql string, params []any, readOnly bool) ([]row, error) {
	c, err := p.acquire(ctx, readOnly)
	if err != nil {
		return nil, err
	}
	reuse := false
	defer func() { p.release(c, readOnly, reuse && ctx.Err() == nil) }()

	if readOnly {
		if err := p.ensureReadOnlyRole(ctx, c); err != nil {
			return nil, err
		}
		for _, s := range []string{
			"SET SESSION ROLE " + readOnlyRole + "; SET SESSION default_transaction_read_only = on",
			"BEGIN; SET TRANSACTION READ ONLY; SET LOCAL ROLE " + readOnlyRole,
		} {
			if _, err := c.SimpleQuery(ctx, s); err != nil {
				return nil, fmt.Errorf("sandbox: cannot start read-only transaction: %v", err)
			}
		}
	}

	var res *pgwire.Result
	var qerr error
	if len(params) == 0 { // like node-postgres: [] still means the simple protocol
		res, qerr = c.SimpleQuery(ctx, sql)
	} else {
		values := make([][]byte, len(params))
		for i, v := range params {
			values[i] = encodeParam(v)
		}
		res, qerr = c.ExecParams(ctx, sql, values)
	}

	// End any transaction (read-only ones always roll back); a connection
	// that cannot be cleaned is closed by release.
	reuse = true
	if readOnly || !c.Idle() {
		_, err := c.SimpleQuery(ctx, "ROLLBACK")
		reuse = err == nil
	}
	if qerr != nil {
		return nil, qerr
	}
	return p.rows(res), nil
}

// encodeParam renders a JSON parameter as text, like node-postgres (which the
// real API uses): arrays become PostgreSQL array literals, objects JSON.
func encodeParam(v any) []byte {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	case []any:
		return []byte(arrayLiteral(v))
	case map[string]any:
		b, _ := json.Marshal(v)
		return b
	}
	return fmt.Append(nil, v) // json.Number, bool
}

// escapeArrayElement backslash-escapes \ and " inside a quoted element.
func escapeArrayElement(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

func arrayLiteral(items []any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		switch it := it.(type) {
		case nil:
			b.WriteString("NULL")
		case []any:
			b.WriteString(arrayLiteral(it))
		default:
			s := string(encodeParam(it))
			b.WriteByte('"')
			escapeArrayElement(&b, s)
			b.WriteByte('"')
		}
	}
	b.WriteByte('}')
	return b.String()
}

// row is one result row; it marshals as a JSON object in column order.
type row struct {
	names  []string
	values []any
}

func (r row) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range r.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := plainJSON(name)
		v, err := plainJSON(r.values[i])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// rows converts a text-format result to JSON-friendly rows. A repeated column
// name keeps its first position and its last value, as a JS object would.
func (p *dbPool) rows(res *pgwire.Result) []row {
	out := []row{}
	if res == nil {
		return out
	}
	var names []string
	pos := make([]int, len(res.FieldDescriptions))
	seen := map[string]int{}
	for i, f := range res.FieldDescriptions {
		j, ok := seen[f.Name]
		if !ok {
			j = len(names)
			seen[f.Name] = j
			names = append(names, f.Name)
		}
		pos[i] = j
	}
	for _, r := range res.Rows {
		values := make([]any, len(names))
		for i, f := range res.FieldDescriptions {
			values[pos[i]] = p.value(f.DataTypeOID, r[i])
		}
		out = append(out, row{names, values})
	}
	return out
}

// value converts one text-format value: numbers stay numbers, booleans and
// json/jsonb become JSON, arrays JSON arrays; anything else (timestamps,
// bytea as \x hex, uuid, ...) keeps PostgreSQL's text form.
func (p *dbPool) value(oid uint32, text []byte) any {
	if text == nil {
		return nil
	}
	switch oid {
	case oidBool:
		return string(text) == "t"
	case oidInt2, oidInt4, oidInt8, oidOID, oidFloat4, oidFloat8, oidNumeric:
		if json.Valid(text) { // not NaN or Infinity
			return json.Number(text)
		}
	case oidJSON, oidJSONB:
		return json.RawMessage(text)
	default:
		if elem, ok := arrayElementOID(oid); ok {
			ap := arrayParser{s: string(text), conv: func(s []byte) any { return p.value(elem, s) }}
			if v, ok := ap.array(); ok && ap.i == len(ap.s) {
				return v
			}
		}
	}
	return string(text)
}

// arrayParser reads PostgreSQL's text form of an array, e.g.
// {1,NULL,"a \"b\""} or {{1,2},{3,4}}.
type arrayParser struct {
	s    string
	i    int
	conv func([]byte) any
}

func (p *arrayParser) array() ([]any, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, false // also non-default bounds such as [0:1]={...}
	}
	p.i++
	out := []any{}
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return out, true
	}
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '{':
			sub, ok := p.array()
			if !ok {
				return nil, false
			}
			out = append(out, sub)
		case '"':
			var b []byte
			for p.i++; p.i < len(p.s) && p.s[p.i] != '"'; p.i++ {
				if p.s[p.i] == '\\' {
					p.i++
				}
				if p.i < len(p.s) {
					b = append(b, p.s[p.i])
				}
			}
			p.i++
			out = append(out, p.conv(append([]byte{}, b...)))
		default:
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '}' {
				p.i++
			}
			if tok := p.s[start:p.i]; tok == "NULL" {
				out = append(out, nil)
			} else {
				out = append(out, p.conv([]byte(tok)))
			}
		}
		if p.i >= len(p.s) {
			return nil, false
		}
		p.i++
		if p.s[p.i-1] == '}' {
			return out, true
		}
		if p.s[p.i-1] != ',' {
			return nil, false
		}
	}
	return nil, false
}

func isPgError(err error) bool {
	var pe *pgwire.Error
	return errors.As(err, &pe)
}

// sqlErrorMessage formats a query error like the real API:
// "Failed to run sql query: ERROR:  42P01: relation \"x\" does not exist",
// followed by psql-style LINE/DETAIL/HINT lines when PostgreSQL gives them.
func sqlErrorMessage(err error, query string) string {
	var pe *pgwire.Error
	if !errors.As(err, &pe) {
		return "Failed to run sql query: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Failed to run sql query: %s:  %s: %s", pe.Severity, pe.Code, pe.Message)
	if runes := []rune(query); pe.Position > 0 && int(pe.Position) <= len(runes)+1 {
		at := int(pe.Position) - 1
		start, line := 0, 1
		for i, r := range runes[:at] {
			if r == '\n' {
				start, line = i+1, line+1
			}
		}
		end := at
		for end < len(runes) && runes[end] != '\n' {
			end++
		}
		prefix := fmt.Sprintf("LINE %d: ", line)
		fmt.Fprintf(&b, "\n%s%s\n%s^", prefix, string(runes[start:end]), strings.Repeat(" ", len(prefix)+at-start))
	}
	if pe.Detail != "" {
		b.WriteString("\nDETAIL:  " + pe.Detail)
	}
	if pe.Hint != "" {
		b.WriteString("\nHINT:  " + pe.Hint)
	}
	return b.String()
}

// plainJSON marshals without HTML escaping, as the real API (Node) does.
func plainJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Type OIDs of the built-in types that value converts.
const (
	oidBool    = 16
	oidInt8    = 20
	oidInt2    = 21
	oidInt4    = 23
	oidOID     = 26
	oidJSON    = 114
	oidFloat4  = 700
	oidFloat8  = 701
	oidNumeric = 1700
	oidJSONB   = 3802
)

// arrayElements maps a built-in array type to its element type (the ones
// pgx knew), as {array OID, element OID}. box[] is left out: its elements
// are separated by ';', so it stays text. A slice of arrays is static data,
// unlike a map, which would be built at every start.
var arrayElements = [...][2]uint32{
	{143, 142}, {199, 114}, {271, 5069}, {629, 628}, {651, 650}, {719, 718}, {1000, 16}, {1001, 17},
	{1002, 18}, {1003, 19}, {1005, 21}, {1007, 23}, {1009, 25}, {1010, 27}, {1011, 28}, {1012, 29},
	{1014, 1042}, {1015, 1043}, {1016, 20}, {1017, 600}, {1018, 601}, {1019, 602}, {1021, 700}, {1022, 701},
	{1027, 604}, {1028, 26}, {1034, 1033}, {1040, 829}, {1041, 869}, {1115, 1114}, {1182, 1082}, {1183, 1083},
	{1185, 1184}, {1187, 1186}, {1231, 1700}, {1561, 1560}, {1563, 1562}, {2287, 2249}, {2951, 2950}, {3643, 3614},
	{3807, 3802}, {3905, 3904}, {3907, 3906}, {3909, 3908}, {3911, 3910}, {3913, 3912}, {3927, 3926}, {4073, 4072},
	{6442, 6437},
}

// arrayElementOID gives the element type of a built-in array type.
func arrayElementOID(oid uint32) (uint32, bool) {
	for _, e := range arrayElements {
		if e[0] == oid {
			return e[1], true
		}
	}
	return 0, false
}
