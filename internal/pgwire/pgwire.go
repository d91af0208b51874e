// Package pgwire is a small PostgreSQL client (protocol 3.0) for the
// sandbox's SQL endpoints.
// It replaces pgconn, whose dependencies (pgtype, golang.org/x/text's
// precis and case tables, database/sql, encoding/xml) were initialised at
// every start of supabase-mcp, sandbox or not. It speaks just what pg.go
// needs: the simple protocol with per-statement results, one extended
// query with text parameters, TLS per sslmode, trust/password/md5/SCRAM
// authentication and cancellation through a context.
package pgwire

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is a parsed connection string.
type Config struct {
	host, port               string // host is a directory for a Unix socket
	user, password, database string
	sslMode                  string
	tls                      *tls.Config // nil: no TLS (sslmode=disable, or a Unix socket)
	connectTimeout           time.Duration
	params                   [][2]string // startup parameters: application_name, options, any other key
}

func (c *Config) network() (string, string) {
	if strings.HasPrefix(c.host, "/") {
		return "unix", filepath.Join(c.host, ".s.PGSQL."+c.port)
	}
	return "tcp", net.JoinHostPort(c.host, c.port)
}

// ParseConfig reads a postgres:// URL or a keyword/value string, with
// libpq's environment variables as defaults.
func ParseConfig(dsn string) (*Config, error) {
	settings := map[string]string{}
	for _, kv := range [][2]string{
		{"PGHOST", "host"}, {"PGPORT", "port"}, {"PGUSER", "user"}, {"PGPASSWORD", "password"},
		{"PGDATABASE", "dbname"}, {"PGSSLMODE", "sslmode"}, {"PGSSLROOTCERT", "sslrootcert"},
		{"PGAPPNAME", "application_name"}, {"PGCONNECT_TIMEOUT", "connect_timeout"},
	} {
		if v := os.Getenv(kv[0]); v != "" {
			settings[kv[1]] = v
		}
	}
	var given map[string]string
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		given, err = parsePGURL(dsn)
	} else {
		given, err = parsePGKeywords(dsn)
	}
	if err != nil {
		return nil, err
	}
	for k, v := range given {
		settings[k] = v
	}

	c := &Config{host: defaultPGHost(), port: "5432", sslMode: "prefer"}
	if u := os.Getenv("USER"); u != "" {
		c.user = u
	}
	for k, v := range settings {
		switch k {
		case "host":
			if strings.Contains(v, ",") {
				return nil, errors.New("several hosts are not supported: give one")
			}
			c.host = v
		case "port":
			if _, err := strconv.ParseUint(v, 10, 16); err != nil {
				return nil, fmt.Errorf("invalid port %q", v)
			}
			c.port = v
		case "user":
			c.user = v
		case "password":
			c.password = v
		case "dbname", "database":
			c.database = v
		case "sslmode":
			c.sslMode = v
		case "connect_timeout":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("invalid connect_timeout %q", v)
			}
			c.connectTimeout = time.Duration(n) * time.Second
		case "sslrootcert", "sslcert", "sslkey", "sslsni":
		case "target_session_attrs", "gssencmode", "sslnegotiation":
			if v != "any" && v != "disable" && v != "prefer" && v != "postgres" {
				return nil, fmt.Errorf("%s=%s is not supported", k, v)
			}
		case "passfile", "service", "servicefile", "sslpassword", "krbsrvname", "krbspn", "hostaddr":
			return nil, fmt.Errorf("%s is not supported: give the connection details in the URL", k)
		default: // like libpq's options, and pgconn: a run-time parameter
			c.params = append(c.params, [2]string{k, v})
		}
	}
	if c.database == "" {
		c.database = c.user
	}
	if c.user == "" {
		return nil, errors.New("no user: give one in the URL")
	}
	if c.tls, err = tlsConfig(c, settings); err != nil {
		return nil, err
	}
	return c, nil
}

// defaultPGHost is the Unix socket directory of a local server, as pgconn
// chose it, else localhost.
func defaultPGHost() string {
	for _, dir := range []string{"/var/run/postgresql", "/private/tmp", "/tmp"} {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	return "localhost"
}

func parsePGURL(dsn string) (map[string]string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, errors.New("cannot parse the URL") // url's error repeats the password
	}
	s := map[string]string{}
	if u.User != nil {
		s["user"] = u.User.Username()
		if p, ok := u.User.Password(); ok {
			s["password"] = p
		}
	}
	if h := u.Hostname(); h != "" {
		s["host"] = h
	}
	if strings.Contains(u.Host, ",") {
		s["host"] = u.Host // rejected with a clear message
	}
	if p := u.Port(); p != "" {
		s["port"] = p
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		s["dbname"] = db
	}
	for k, vs := range u.Query() {
		s[k] = vs[len(vs)-1]
	}
	return s, nil
}

// parsePGKeywords reads "host=x port=5432 password='a b'" (values may be
// single-quoted, with \ escaping ' and \).
func parsePGKeywords(dsn string) (map[string]string, error) {
	s := map[string]string{}
	for i := 0; ; {
		for i < len(dsn) && (dsn[i] == ' ' || dsn[i] == '\t' || dsn[i] == '\n') {
			i++
		}
		if i == len(dsn) {
			return s, nil
		}
		eq := strings.IndexByte(dsn[i:], '=')
		if eq < 0 {
			return nil, errors.New("cannot parse the connection string: expected key=value")
		}
		key := strings.TrimSpace(dsn[i : i+eq])
		i += eq + 1
		for i < len(dsn) && dsn[i] == ' ' {
			i++
		}
		var val strings.Builder
		if i < len(dsn) && dsn[i] == '\'' {
			for i++; ; i++ {
				if i >= len(dsn) {
					return nil, errors.New("cannot parse the connection string: unterminated quote")
				}
				if dsn[i] == '\\' && i+1 < len(dsn) {
					i++
				} else if dsn[i] == '\'' {
					i++
					break
				}
				val.WriteByte(dsn[i])
			}
		} else {
			for ; i < len(dsn) && dsn[i] != ' ' && dsn[i] != '\t' && dsn[i] != '\n'; i++ {
				if dsn[i] == '\\' && i+1 < len(dsn) {
					i++
				}
				val.WriteByte(dsn[i])
			}
		}
		s[key] = val.String()
	}
}

// tlsConfig follows libpq's sslmode: disable; allow and prefer (TLS when the
// server offers it, unverified); require (unverified, unless sslrootcert is
// given: then as verify-ca); verify-ca (the chain); verify-full (the chain
// and the host name).
func tlsConfig(c *Config, s map[string]string) (*tls.Config, error) {
	if c.sslMode == "disable" || strings.HasPrefix(c.host, "/") {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: c.host, MinVersion: tls.VersionTLS12}
	var roots *x509.CertPool
	if path := s["sslrootcert"]; path != "" && path != "system" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("sslrootcert: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, errors.New("sslrootcert: no certificate in the file")
		}
		cfg.RootCAs = roots
	}
	if s["sslcert"] != "" || s["sslkey"] != "" {
		cert, err := tls.LoadX509KeyPair(s["sslcert"], s["sslkey"])
		if err != nil {
			return nil, fmt.Errorf("sslcert/sslkey: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	mode := c.sslMode
	if mode == "require" && s["sslrootcert"] != "" {
		mode = "verify-ca"
	}
	switch mode {
	case "allow", "prefer", "require":
		cfg.InsecureSkipVerify = true
	case "verify-ca":
		// The chain is checked, the name is not.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, ic := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	case "verify-full":
	default:
		return nil, fmt.Errorf("unknown sslmode %q: use disable, allow, prefer, require, verify-ca or verify-full", c.sslMode)
	}
	return cfg, nil
}

// Error is an ErrorResponse from the server.
type Error struct {
	Severity, Code, Message, Detail, Hint string
	Position                              int // 1-based character index into the query, or 0
}

func (e *Error) Error() string { return e.Severity + ": " + e.Message + " (SQLSTATE " + e.Code + ")" }

// Field is one column of a row description.
type Field struct {
	Name        string
	DataTypeOID uint32
}

// Result is one statement's result: its columns and rows, in text format
// (nil for NULL).
type Result struct {
	FieldDescriptions []Field
	Rows              [][][]byte
}

// Conn is one session. It is not safe for concurrent use.
type Conn struct {
	cfg       *Config
	nc        net.Conn
	r         *bufio.Reader
	pid       uint32
	secretKey []byte
	txStatus  byte // from the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one
	broken    bool // a network or protocol error, or a cancellation: close it
}

func Connect(ctx context.Context, cfg *Config) (*Conn, error) {
	if cfg.connectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.connectTimeout)
		defer cancel()
	}
	network, addr := cfg.network()
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &Conn{cfg: cfg, nc: nc}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	err = c.startup(ctx)
	if !stop() || err != nil {
		nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

func (c *Conn) startup(ctx context.Context) error {
	if c.cfg.tls != nil {
		if _, err := c.nc.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}); err != nil { // SSLRequest
			return err
		}
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil {
			return err
		}
		switch {
		case b[0] == 'S':
			tc := tls.Client(c.nc, c.cfg.tls)
			if err := tc.HandshakeContext(ctx); err != nil {
				return fmt.Errorf("TLS: %w", err)
			}
			c.nc = tc
		case b[0] == 'N' && (c.cfg.sslMode == "allow" || c.cfg.sslMode == "prefer"):
		case b[0] == 'N':
			return fmt.Errorf("the server does not accept TLS (sslmode=%s)", c.cfg.sslMode)
		default:
			return errors.New("unexpected answer to the TLS request")
		}
	}
	c.r = bufio.NewReader(c.nc)

	m := []byte{0, 0, 0, 0, 0, 3, 0, 0} // length, protocol 3.0
	m = appendCStrings(m, "user", c.cfg.user, "database", c.cfg.database, "client_encoding", "UTF8")
	for _, p := range c.cfg.params {
		m = appendCStrings(m, p[0], p[1])
	}
	m = append(m, 0)
	binary.BigEndian.PutUint32(m, uint32(len(m)))
	if _, err := c.nc.Write(m); err != nil {
		return err
	}

	var scram *scramClient
	for {
		typ, body, err := c.receive()
		if err != nil {
			return err
		}
		switch typ {
		case 'R':
			if len(body) < 4 {
				return errProtocol
			}
			kind, data := binary.BigEndian.Uint32(body), body[4:]
			switch kind {
			case 0: // ok
			case 3: // cleartext
				err = c.sendPassword(c.cfg.password)
			case 5: // md5
				if len(data) < 4 {
					return errProtocol
				}
				inner := md5.Sum([]byte(c.cfg.password + c.cfg.user))
				outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), data[:4]...))
				err = c.sendPassword("md5" + hex.EncodeToString(outer[:]))
			case 10: // SASL
				if !contains(splitCStrings(data), "SCRAM-SHA-256") {
					return errors.New("the server asks for a SASL mechanism other than SCRAM-SHA-256")
				}
				if scram, err = newSCRAM(c.cfg.password); err != nil {
					return err
				}
				first := scram.clientFirst()
				msg := appendCStrings([]byte{'p', 0, 0, 0, 0}, "SCRAM-SHA-256")
				msg = binary.BigEndian.AppendUint32(msg, uint32(len(first)))
				err = c.send(append(msg, first...))
			case 11: // SASLContinue
				if scram == nil {
					return errProtocol
				}
				var final []byte
				if final, err = scram.clientFinal(data); err == nil {
					err = c.send(append([]byte{'p', 0, 0, 0, 0}, final...))
				}
			case 12: // SASLFinal
				if scram == nil {
					return errProtocol
				}
				err = scram.verifyServer(data)
			default:
				return fmt.Errorf("unsupported authentication method %d", kind)
			}
			if err != nil {
				return err
			}
		case 'K':
			if len(body) < 8 {
				return errProtocol
			}
			c.pid, c.secretKey = binary.BigEndian.Uint32(body), append([]byte(nil), body[4:]...)
		case 'E':
			return parseError(body)
		case 'Z':
			c.txStatus = body[0]
			return nil
		case 'S', 'N', 'v': // parameter status, notice, protocol negotiation (3.0 is the floor)
		default:
			return errProtocol
		}
	}
}

var errProtocol = errors.New("unexpected message from the server")

func (c *Conn) sendPassword(p string) error {
	if p == "" {
		return errors.New("the server asks for a password: give one in the URL")
	}
	return c.send(appendCStrings([]byte{'p', 0, 0, 0, 0}, p))
}

// send writes one message whose first five bytes are its type and room for
// its length.
func (c *Conn) send(msg []byte) error {
	binary.BigEndian.PutUint32(msg[1:], uint32(len(msg)-1))
	_, err := c.nc.Write(msg)
	return err
}

// receive reads one message.
func (c *Conn) receive() (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(h[1:])) - 4
	if n < 0 || n > 1<<30 {
		return 0, nil, errProtocol
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return 0, nil, err
	}
	return h[0], body, nil
}

// watch ties one round trip to ctx: when ctx ends, the server is asked to
// cancel the statement, and a second later the socket gives up. The session
// is then marked broken (its protocol state is unknown to the caller).
func (c *Conn) watch(ctx context.Context) (stop func()) {
	cancelled := make(chan struct{})
	after := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		c.nc.SetDeadline(time.Now().Add(time.Second))
		go c.cancelRequest()
	})
	return func() {
		if !after() {
			<-cancelled
			c.broken = true
			c.nc.SetDeadline(time.Time{})
		}
	}
}

// cancelRequest asks the server, on a new connection, to cancel what this
// session runs (like pgconn, without TLS: the request carries no secret but
// the key).
func (c *Conn) cancelRequest() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	network, addr := c.cfg.network()
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	m := []byte{0, 0, 0, 0, 4, 210, 22, 46}
	m = binary.BigEndian.AppendUint32(m, c.pid)
	m = append(m, c.secretKey...)
	binary.BigEndian.PutUint32(m, uint32(len(m)))
	if _, err := nc.Write(m); err == nil {
		io.Copy(io.Discard, nc) // the server closes when it has the request
	}
}

// simpleQuery runs sql with the simple protocol (several statements allowed)
// and returns the last statement's result (nil when there was none).
func (c *Conn) SimpleQuery(ctx context.Context, sql string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer c.watch(ctx)()
	if err := c.send(appendCStrings([]byte{'Q', 0, 0, 0, 0}, sql)); err != nil {
		c.broken = true
		return nil, c.ioError(ctx, err)
	}
	return c.results(ctx)
}

// execParams runs one statement with the extended protocol and text
// parameters ($1..; nil is NULL).
func (c *Conn) ExecParams(ctx context.Context, sql string, params [][]byte) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(params) > 65535 {
		return nil, errors.New("too many parameters")
	}
	defer c.watch(ctx)()
	msg := appendCStrings([]byte{'P', 0, 0, 0, 0}, "", sql)
	msg = append(msg, 0, 0) // no parameter types given
	bind := appendCStrings([]byte{'B', 0, 0, 0, 0}, "", "")
	bind = binary.BigEndian.AppendUint16(append(bind, 0, 0), uint16(len(params))) // all parameters text
	for _, p := range params {
		if p == nil {
			bind = binary.BigEndian.AppendUint32(bind, 0xFFFFFFFF)
			continue
		}
		bind = append(binary.BigEndian.AppendUint32(bind, uint32(len(p))), p...)
	}
	bind = append(bind, 0, 0) // all results text
	var out []byte
	for _, m := range [][]byte{msg, bind, {'D', 0, 0, 0, 0, 'P', 0}, {'E', 0, 0, 0, 0, 0, 0, 0, 0, 0}, {'S', 0, 0, 0, 0}} {
		binary.BigEndian.PutUint32(m[1:], uint32(len(m)-1))
		out = append(out, m...)
	}
	if _, err := c.nc.Write(out); err != nil {
		c.broken = true
		return nil, c.ioError(ctx, err)
	}
	return c.results(ctx)
}

// results reads until ReadyForQuery and returns the last statement's result
// and the first error.
func (c *Conn) results(ctx context.Context) (*Result, error) {
	var cur, last *Result
	var qerr error
	for {
		typ, body, err := c.receive()
		if err != nil {
			c.broken = true
			return nil, c.ioError(ctx, err)
		}
		switch typ {
		case 'T':
			cur = &Result{FieldDescriptions: parseRowDescription(body)}
			if cur.FieldDescriptions == nil {
				c.broken = true
				return nil, errProtocol
			}
		case 'D':
			row, ok := parseDataRow(body)
			if cur == nil || !ok || len(row) != len(cur.FieldDescriptions) {
				c.broken = true
				return nil, errProtocol
			}
			cur.Rows = append(cur.Rows, row)
		case 'C', 'I': // command complete, empty query
			if cur == nil {
				cur = &Result{}
			}
			last, cur = cur, nil
		case 'E':
			if qerr == nil {
				qerr = parseError(body)
			}
			cur = nil
		case 'G': // COPY ... FROM STDIN: nothing to send
			c.send(appendCStrings([]byte{'f', 0, 0, 0, 0}, "COPY FROM STDIN is not supported here"))
		case 'Z':
			if len(body) > 0 {
				c.txStatus = body[0]
			}
			if qerr != nil {
				return nil, c.ioError(ctx, qerr) // a cancelled statement ends with the context's error
			}
			return last, nil
		case 'W': // COPY BOTH (replication): cannot continue
			c.broken = true
			return nil, errors.New("replication connections are not supported")
		case '1', '2', 'n', 'N', 'S', 'A', 'H', 'd', 'c', 's', 't':
			// parse/bind complete, no data, notice, parameter status,
			// notification, COPY TO STDOUT and its data, portal suspended,
			// parameter description
		default:
			c.broken = true
			return nil, errProtocol
		}
	}
}

// ioError reports a cancellation as the context's error.
func (c *Conn) ioError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *Conn) Broken() bool { return c.broken }

func (c *Conn) Close() {
	if !c.broken {
		c.nc.SetDeadline(time.Now().Add(time.Second))
		c.nc.Write([]byte{'X', 0, 0, 0, 4}) // Terminate
	}
	c.broken = true
	c.nc.Close()
}

func parseRowDescription(b []byte) []Field {
	if len(b) < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	fields := make([]Field, 0, n)
	for range n {
		i := strings.IndexByte(string(b), 0)
		if i < 0 || len(b) < i+1+18 {
			return nil
		}
		fields = append(fields, Field{Name: string(b[:i]), DataTypeOID: binary.BigEndian.Uint32(b[i+1+6:])})
		b = b[i+1+18:]
	}
	return fields
}

func parseDataRow(b []byte) ([][]byte, bool) {
	if len(b) < 2 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	row := make([][]byte, n)
	for i := range row {
		if len(b) < 4 {
			return nil, false
		}
		l := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		if l < 0 {
			continue
		}
		if int(l) > len(b) {
			return nil, false
		}
		row[i], b = b[:l:l], b[l:]
	}
	return row, true
}

func parseError(b []byte) *Error {
	e := &Error{}
	for len(b) > 1 {
		code := b[0]
		i := strings.IndexByte(string(b[1:]), 0)
		if i < 0 {
			break
		}
		v := string(b[1 : 1+i])
		b = b[2+i:]
		switch code {
		case 'V':
			e.Severity = v // not localised
		case 'S':
			if e.Severity == "" {
				e.Severity = v
			}
		case 'C':
			e.Code = v
		case 'M':
			e.Message = v
		case 'D':
			e.Detail = v
		case 'H':
			e.Hint = v
		case 'P':
			e.Position, _ = strconv.Atoi(v)
		}
	}
	return e
}

func appendCStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = append(append(b, s...), 0)
	}
	return b
}

func splitCStrings(b []byte) []string {
	var out []string
	for _, s := range strings.Split(string(b), "\x00") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scramClient is the client side of SCRAM-SHA-256 (RFC 5802, 7677) without
// channel binding. The password is used as given (no SASLprep).
type scramClient struct {
	password                 string
	nonce                    string
	clientFirstBare, authMsg string
	saltedPassword           []byte
}

func newSCRAM(password string) (*scramClient, error) {
	if password == "" {
		return nil, errors.New("the server asks for a password: give one in the URL")
	}
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &scramClient{password: password, nonce: base64.RawStdEncoding.EncodeToString(b[:])}, nil
}

func (s *scramClient) clientFirst() string {
	s.clientFirstBare = "n=,r=" + s.nonce // the server takes the user from the startup message
	return "n,," + s.clientFirstBare
}

func (s *scramClient) clientFinal(serverFirst []byte) ([]byte, error) {
	var nonce, salt string
	iter := 0
	for _, attr := range strings.Split(string(serverFirst), ",") {
		k, v, _ := strings.Cut(attr, "=")
		switch k {
		case "r":
			nonce = v
		case "s":
			salt = v
		case "i":
			iter, _ = strconv.Atoi(v)
		}
	}
	saltBytes, err := base64.StdEncoding.DecodeString(salt)
	if err != nil || !strings.HasPrefix(nonce, s.nonce) || len(nonce) == len(s.nonce) || iter < 1 {
		return nil, errors.New("invalid SCRAM message from the server")
	}
	if s.saltedPassword, err = pbkdf2.Key(sha256.New, s.password, saltBytes, iter, sha256.Size); err != nil {
		return nil, err
	}
	withoutProof := "c=biws,r=" + nonce
	s.authMsg = s.clientFirstBare + "," + string(serverFirst) + "," + withoutProof
	clientKey := hmacSHA256(s.saltedPassword, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	proof := hmacSHA256(storedKey[:], s.authMsg)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// verifyServer checks the server's signature: a server that does not know
// the password cannot complete the exchange.
func (s *scramClient) verifyServer(serverFinal []byte) error {
	v, ok := strings.CutPrefix(string(serverFinal), "v=")
	sig, err := base64.StdEncoding.DecodeString(v)
	want := hmacSHA256(hmacSHA256(s.saltedPassword, "Server Key"), s.authMsg)
	if !ok || err != nil || !hmac.Equal(sig, want) {
		return errors.New("the server's SCRAM signature is wrong")
	}
	return nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// Idle reports whether the session is outside a transaction (as of the
// last ReadyForQuery), so that it can be reused.
func (c *Conn) Idle() bool { return c.txStatus == 'I' }
