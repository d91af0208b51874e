package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"
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

// dbPool is a small bounded pool of pgconn connections. pgconn (rather than
// pgx or pgxpool) gives direct access to the simple protocol's per-statement
// results, which is how the real API answers multi-statement queries.
//
// Like a pooled backend, a session keeps its state from one call to the
// next: settings, session-level locks, prepared statements. Read-only and
// read-write sessions are pooled apart (the real API connects as different
// users), so a read-only session is only ever reused for read-only queries.
type dbPool struct {
	cfg    *pgconn.Config
	cfgErr error
	sem    chan struct{} // one token per open connection
	types  *pgtype.Map   // read-only use: array element types

	mu     sync.Mutex
	idle   [2][]*pgconn.PgConn // by mode: [0] read-write, [1] read-only
	closed bool

	roleMu    sync.Mutex
	roleReady bool
}

func newDBPool(url string, size int) *dbPool {
	cfg, err := pgconn.ParseConfig(url)
	if err == nil {
		// Cancel the running statement on the server when the HTTP client goes
		// away, instead of only breaking the socket.
		cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
			return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
		}
	}
	return &dbPool{cfg: cfg, cfgErr: err, sem: make(chan struct{}, size), types: pgtype.NewMap()}
}

func modeIndex(readOnly bool) int {
	if readOnly {
		return 1
	}
	return 0
}

func (p *dbPool) acquire(ctx context.Context, readOnly bool) (*pgconn.PgConn, error) {
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
		if err := c.Ping(ctx); err == nil {
			return c, nil
		}
		c.Close(ctx)
		if ctx.Err() != nil {
			<-p.sem
			return nil, ctx.Err()
		}
	}
	c, err := pgconn.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.sem
		return nil, err
	}
	return c, nil
}

// release returns c to the pool of its mode, or closes it when it is in a
// transaction or broken.
func (p *dbPool) release(c *pgconn.PgConn, readOnly, reuse bool) {
	p.mu.Lock()
	reuse = reuse && !p.closed && !c.IsClosed() && c.TxStatus() == 'I'
	if reuse {
		mode := modeIndex(readOnly)
		p.idle[mode] = append(p.idle[mode], c)
	}
	p.mu.Unlock()
	if !reuse {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.Close(ctx)
		cancel()
	}
	<-p.sem
}

func (p *dbPool) close() {
	p.mu.Lock()
	idle := append(p.idle[0], p.idle[1]...)
	p.idle, p.closed = [2][]*pgconn.PgConn{}, true
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, c := range idle {
		c.Close(ctx)
	}
}

// exec runs sql with the simple protocol and returns the last statement's
// result (nil when there was none).
func exec(ctx context.Context, c *pgconn.PgConn, sql string) (*pgconn.Result, error) {
	mrr := c.Exec(ctx, sql)
	var last *pgconn.Result
	for mrr.NextResult() {
		last = mrr.ResultReader().Read()
	}
	return last, mrr.Close()
}

func (p *dbPool) ensureReadOnlyRole(ctx context.Context, c *pgconn.PgConn) error {
	p.roleMu.Lock()
	defer p.roleMu.Unlock()
	var err error
	for range 3 { // retry catalog races such as "tuple concurrently updated"
		if p.roleReady {
			return nil
		}
		if _, err = exec(ctx, c, setupReadOnlyRole); err == nil {
			p.roleReady = true
		} else if ctx.Err() != nil || c.IsClosed() {
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
			if _, err := exec(ctx, c, s); err != nil {
				return nil, fmt.Errorf("sandbox: cannot start read-only transaction: %v", err)
			}
		}
	}

	var res *pgconn.Result
	var qerr error
	if len(params) == 0 { // like node-postgres: [] still means the simple protocol
		res, qerr = exec(ctx, c, sql)
	} else {
		values := make([][]byte, len(params))
		for i, v := range params {
			values[i] = encodeParam(v)
		}
		res = c.ExecParams(ctx, sql, values, nil, nil, nil).Read()
		qerr = res.Err
	}

	// End any transaction (read-only ones always roll back); a connection
	// that cannot be cleaned is closed by release.
	reuse = true
	if readOnly || c.TxStatus() != 'I' {
		_, err := exec(ctx, c, "ROLLBACK")
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

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

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
			b.WriteString(arrayEscaper.Replace(s))
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
func (p *dbPool) rows(res *pgconn.Result) []row {
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
	case pgtype.BoolOID:
		return string(text) == "t"
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID, pgtype.Float4OID, pgtype.Float8OID, pgtype.NumericOID:
		if json.Valid(text) { // not NaN or Infinity
			return json.Number(text)
		}
	case pgtype.JSONOID, pgtype.JSONBOID:
		return json.RawMessage(text)
	default:
		if t, ok := p.types.TypeForOID(oid); ok {
			// box arrays use ';' between elements: leave them as text
			if ac, ok := t.Codec.(*pgtype.ArrayCodec); ok && ac.ElementType.OID != pgtype.BoxOID {
				elem := ac.ElementType.OID
				ap := arrayParser{s: string(text), conv: func(s []byte) any { return p.value(elem, s) }}
				if v, ok := ap.array(); ok && ap.i == len(ap.s) {
					return v
				}
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
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}

// sqlErrorMessage formats a query error like the real API:
// "Failed to run sql query: ERROR:  42P01: relation \"x\" does not exist",
// followed by psql-style LINE/DETAIL/HINT lines when PostgreSQL gives them.
func sqlErrorMessage(err error, query string) string {
	var pe *pgconn.PgError
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
