// Package tools holds the catalogue of Management API operations (tools.yaml),
// the typed request struct of every operation, the input schemas reflected from
// those structs, strict argument decoding and the translation of a call into an
// HTTP request. It does not import mcp-go's server: the MCP adapter lives in
// internal/server.
package tools

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	supabasemcp "github.com/supabase-mcp/supabase-mcp"
)

// Default is the embedded tools.yaml bound to Requests, built by the
// generated code (catalogue_gen.go). It fails when that code was generated
// from another tools.yaml: the binary parses no YAML (and links no YAML
// library) at start.
func Default() (*Catalogue, error) {
	return precomputed(Digest(supabasemcp.ToolsYAML), Requests{})
}

// Operation classes. Read operations change nothing; destructive ones delete,
// cannot be undone, can lock users out or take a service down.
const (
	ClassRead        = "read"
	ClassWrite       = "write"
	ClassDestructive = "destructive"
)

// APIDocs is the api: of operations that query Supabase's documentation
// (the GraphQL Content API at --docs-url) rather than the Management API.
const APIDocs = "docs"

// Sensitive kinds: why a write needs confirmation (the rubric in tools.yaml).
const (
	SensitiveData     = "data"     // overwrites what is there
	SensitiveAccess   = "access"   // changes who can get in or how
	SensitiveCode     = "code"     // runs or replaces code
	SensitiveExposure = "exposure" // exposes data
	SensitiveService  = "service"  // interrupts service
)

// SensitiveReason is the reason a confirmation gives for a sensitive kind,
// or "" for an unknown kind.
func SensitiveReason(kind string) string {
	switch kind {
	case SensitiveData:
		return "It overwrites existing data."
	case SensitiveAccess:
		return "It changes who can get in, or how."
	case SensitiveCode:
		return "It runs or replaces code."
	case SensitiveExposure:
		return "It exposes data."
	case SensitiveService:
		return "It can interrupt service."
	}
	return ""
}

// Catalogue is the loaded tools.yaml with every operation bound to its typed
// request struct and reflected schema.
type Catalogue struct {
	Tools []*Tool
	// Digest identifies where the catalogue comes from: the Digest of its
	// tools.yaml when bound to Requests, "" otherwise. Precomputed listings
	// are used only for their digest, so code that changes a catalogue
	// after loading it must clear it. (Changes to the request structs or to
	// how listings are made are not in it: tests hold the precomputed
	// listings to the live code.)
	Digest string
	// precomputed is set when it was read from the generated artefact.
	precomputed bool
}

// Tool is one MCP tool: the operations of one endpoint group (a tools.yaml
// entry) at one access level. The group's read operations make
// <group>_read; all others make <group>_write, so that clients, which
// decide what a model may run from the tool name and annotations, never see
// a read mixed with a write.
type Tool struct {
	// Name is <group>_read or <group>_write.
	Name string
	// Group is the tools.yaml name, the tool's name before the split.
	Group string
	// Access is AccessRead or AccessWrite.
	Access      string
	Feature     string
	Description string
	Operations  []*Operation
	// sibling is the group's other tool, nil when the group has one.
	sibling *Tool
}

// Sibling is the other tool of the same group (database_write for
// database_read), or nil.
func (t *Tool) Sibling() *Tool { return t.sibling }

// Access levels of a tool.
const (
	AccessRead  = "read"
	AccessWrite = "write"
)

// Title is the human name clients show in approval dialogs ("Database: read").
func (t *Tool) Title() string { return groupTitle(t.Group) + ": " + t.Access }

// groupTitle turns a group name into words ("jit_access" -> "JIT access").
func groupTitle(group string) string {
	words := strings.Split(group, "_")
	for i, w := range words {
		switch w {
		case "api", "jit", "sql", "sso":
			words[i] = strings.ToUpper(w)
		default:
			if i == 0 {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(words, " ")
}

// group is one tools.yaml entry, split into tools by Load.
type group struct {
	Name        string       `yaml:"name"`
	Feature     string       `yaml:"feature"`
	Description string       `yaml:"description"`
	Operations  []*Operation `yaml:"operations"`
}

// Operation is one Management API endpoint (or a helper built on one).
type Operation struct {
	Name    string `yaml:"name"`
	Method  string `yaml:"method"`
	Path    string `yaml:"path"`
	Class   string `yaml:"class"`
	Summary string `yaml:"summary"`
	// Body names the argument that is the whole JSON body (huge config bodies).
	Body string `yaml:"body"`
	// Billable operations cost money; confirmation says so.
	Billable bool `yaml:"billable"`
	// Sensitive names the rubric kind of a write that needs confirmation
	// although it deletes nothing (see SensitiveReason).
	Sensitive string `yaml:"sensitive"`
	// SensitiveArgs, when set, limits Sensitive to calls that give one of
	// these arguments (rollback SQL planted for a later rollback).
	SensitiveArgs []string `yaml:"sensitive_args"`
	// Irreversible destructive operations make the user type the resource
	// name to confirm rather than click yes.
	Irreversible bool `yaml:"irreversible"`
	// SQL names the argument that holds PostgreSQL for the guard to parse:
	// read operations must be plain reads, others are checked for
	// destructive statements.
	SQL string `yaml:"sql"`
	// ResultHeaders names response headers that make up the result, for
	// operations that answer in headers only (HEAD counts); see ResultBody.
	ResultHeaders []string `yaml:"result_headers"`
	// API is empty for the Management API, or APIDocs: such an operation
	// has no path and goes to the docs client, which carries no token.
	API string `yaml:"api"`
	// IdempotencyKey marks the operations whose endpoint takes an
	// Idempotency-Key header (the spec says which; a test keeps the two in
	// step): each call sends a fresh key, kept across the client's retries,
	// so a write whose answer was lost can be resent safely.
	IdempotencyKey bool `yaml:"idempotency_key"`
	// UserSecrets are the secret values of the operation the user can type
	// out of band (usersecrets.go): "arg", "arg.field" or "arg[].field".
	UserSecrets []string `yaml:"user_secrets"`
	// GenerateSecret: without a page for the user, the server may generate
	// the secret (a database password) and show it only to the user.
	GenerateSecret bool `yaml:"generate_secret"`

	Tool *Tool `yaml:"-"`
	// request is the typed request struct (not a pointer type).
	request reflect.Type
	// The arguments are reflected from the request struct on first use, so
	// that start-up pays only for the operations it exposes.
	reflectOnce sync.Once
	reflected   []*param
	reflectErr  error
}

// args returns the operation's arguments, reflecting them on first use.
func (op *Operation) args() []*param {
	op.reflectOnce.Do(func() {
		ps, err := reflectParams(op.request)
		if err == nil {
			err = checkParams(op, ps)
		}
		if err != nil {
			op.reflectErr = fmt.Errorf("%s: %w", op.QualifiedName(), err)
			return
		}
		op.reflected = ps
	})
	return op.reflected
}

// Check reflects every operation's request struct and checks it against its
// catalogue entry. Load leaves that to first use; tests call Check.
func (c *Catalogue) Check() error {
	for _, t := range c.Tools {
		for _, op := range t.Operations {
			op.args()
			if op.reflectErr != nil {
				return op.reflectErr
			}
		}
	}
	return nil
}

// NeedsConfirmation reports whether every call of the operation needs the
// user's consent: destructive, billable or sensitive ones.
func (op *Operation) NeedsConfirmation() bool {
	return op.Class == ClassDestructive || op.Billable || (op.Sensitive != "" && len(op.SensitiveArgs) == 0)
}

// MayNeedConfirmation reports whether some call of the operation can need
// consent: those that always do, sensitive arguments, and SQL the guard may
// find destructive.
func (op *Operation) MayNeedConfirmation() bool {
	return op.NeedsConfirmation() || op.Sensitive != "" || (op.SQL != "" && op.Class != ClassRead)
}

// SensitiveCall reports whether the call's arguments make it sensitive: the
// operation is, and either it has no sensitive arguments or args gives one.
func (op *Operation) SensitiveCall(args map[string]any) bool {
	if op.Sensitive == "" {
		return false
	}
	if len(op.SensitiveArgs) == 0 {
		return true
	}
	for _, name := range op.SensitiveArgs {
		if v, ok := args[name]; ok && v != nil && v != "" {
			return true
		}
	}
	return false
}

// Idempotent reports whether repeating the call leaves the same state as
// making it once. By method: GET, HEAD, PUT and DELETE are by HTTP's
// definition; PATCH is too, because every PATCH of the Management API sets
// the given fields to the given values; POST creates, runs or triggers
// something each time and is not.
func (op *Operation) Idempotent() bool { return op.Method != "POST" }

// ManagementAPI reports whether the operation is a Management API endpoint
// (in the spec, sent with the access token).
func (op *Operation) ManagementAPI() bool { return op.API == "" }

// QualifiedName is "tool.operation", the name used by --tools and in logs.
func (op *Operation) QualifiedName() string { return op.Tool.Name + "." + op.Name }

// RequestType is the operation's typed request struct.
func (op *Operation) RequestType() reflect.Type { return op.request }

// Params lists the operation's argument names in declaration order.
func (op *Operation) Params() []string {
	names := make([]string, len(op.args()))
	for i, p := range op.args() {
		names[i] = p.name
	}
	return names
}

// IsPathParam reports whether the argument is part of the URL path.
func (op *Operation) IsPathParam(name string) bool {
	p := op.param(name)
	return p != nil && p.in == inPath_
}

// IsSecretParam reports whether the argument holds a password, key or token
// (struct tag secret:"true"): its value is kept out of logs.
func (op *Operation) IsSecretParam(name string) bool {
	p := op.param(name)
	return p != nil && p.secret
}

// HasParam reports whether the operation takes an argument of that name.
// It reads the request struct's fields, not its reflected schema: exposure
// asks it of every operation at start-up (under --project-ref), before any
// schema is needed.
func (op *Operation) HasParam(name string) bool { return hasJSONField(op.request, name) }

// hasJSONField reports whether a struct has a field with that JSON name,
// embedded structs included, as collectFields finds them.
func hasJSONField(t reflect.Type, name string) bool {
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			if hasJSONField(f.Type, name) {
				return true
			}
		case tag == "-" || !f.IsExported():
		case tag == name || tag == "" && f.Name == name:
			return true
		}
	}
	return false
}

func (op *Operation) param(name string) *param {
	for _, p := range op.args() {
		if p.name == name {
			return p
		}
	}
	return nil
}

// Tool returns the tool of that name, or nil.
func (c *Catalogue) Tool(name string) *Tool {
	for _, t := range c.Tools {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Operation returns the operation of that name, or nil.
func (t *Tool) Operation(name string) *Operation {
	for _, op := range t.Operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// GroupTools maps each tools.yaml group to the names of its tools
// (<group>_read first).
func (c *Catalogue) GroupTools() map[string][]string {
	out := map[string][]string{}
	for _, t := range c.Tools {
		out[t.Group] = append(out[t.Group], t.Name)
	}
	return out
}

// OperationNames maps each tool to its operation names.
func (c *Catalogue) OperationNames() map[string][]string {
	out := map[string][]string{}
	for _, t := range c.Tools {
		for _, op := range t.Operations {
			out[t.Name] = append(out[t.Name], op.Name)
		}
	}
	return out
}

// Features lists the feature groups named in the catalogue, in first-seen order.
func (c *Catalogue) Features() []string {
	var out []string
	for _, t := range c.Tools {
		if !slices.Contains(out, t.Feature) {
			out = append(out, t.Feature)
		}
	}
	return out
}

// pathParam finds the {name} parameters of a path template.
var pathParam = lazyRegexp(`\{([^}]+)\}`)

// isSnakeName reports whether s is a snake_case name: a lower-case letter,
// then lower-case letters, digits and underscores. (A regexp would be
// compiled at every start, for a check this simple.)
func isSnakeName(s string) bool {
	for i, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_'):
		default:
			return false
		}
	}
	return s != ""
}

// Decoder decodes YAML strictly (unknown keys refused) into a value, as
// toolsyaml.Decode does; Load takes it so that this package imports no
// YAML library.
type Decoder func(data []byte, v any) error

// Load parses a catalogue, splits each group into its read and write tools,
// and binds each operation to its field in requests, a struct with one field
// per group (the field name in snake_case is the group name) whose own
// fields are the operations' request structs.
func Load(data []byte, requests any, decode Decoder) (*Catalogue, error) {
	groups, err := parseGroups(data, decode)
	if err != nil {
		return nil, err
	}
	return bind(groups, Digest(data), requests)
}

// parseGroups reads tools.yaml's entries, strictly (unknown keys refused).
func parseGroups(data []byte, decode Decoder) ([]*group, error) {
	var doc struct {
		Tools []*group `yaml:"tools"`
	}
	if err := decode(data, &doc); err != nil {
		return nil, fmt.Errorf("tools.yaml: %w", err)
	}
	return doc.Tools, nil
}

// bind checks the catalogue's entries, splits each group into its tools and
// binds each operation to its request struct. Load and the generated
// catalogue (artefact.go) both come through here.
func bind(groups []*group, digest string, requests any) (*Catalogue, error) {
	bindings, err := requestBindings(reflect.TypeOf(requests))
	if err != nil {
		return nil, err
	}
	c := &Catalogue{Digest: digest}
	if reflect.TypeOf(requests) != reflect.TypeFor[Requests]() {
		c.Digest = "" // other request structs: another catalogue
	}
	seenGroups := map[string]bool{}
	for _, g := range groups {
		if !isSnakeName(g.Name) || seenGroups[g.Name] || strings.HasSuffix(g.Name, "_"+AccessRead) || strings.HasSuffix(g.Name, "_"+AccessWrite) {
			return nil, fmt.Errorf("tools.yaml: tool name %q is not snake_case, is repeated or ends in _read or _write", g.Name)
		}
		seenGroups[g.Name] = true
		if g.Feature == "" || g.Description == "" || len(g.Operations) == 0 {
			return nil, fmt.Errorf("tools.yaml: tool %s needs a feature, a description and operations", g.Name)
		}
		read := &Tool{Name: g.Name + "_" + AccessRead, Group: g.Name, Access: AccessRead, Feature: g.Feature, Description: g.Description}
		write := &Tool{Name: g.Name + "_" + AccessWrite, Group: g.Name, Access: AccessWrite, Feature: g.Feature, Description: g.Description}
		seenOps := map[string]bool{}
		for _, op := range g.Operations {
			op.Tool = write
			if op.Class == ClassRead {
				op.Tool = read
			}
			if err := checkOperation(op, seenOps); err != nil {
				return nil, fmt.Errorf("tools.yaml: %s.%s: %w", g.Name, op.Name, err)
			}
			seenOps[op.Name] = true
			key := g.Name + "." + op.Name
			typ, ok := bindings[key]
			if !ok {
				return nil, fmt.Errorf("tools.yaml: %s has no request struct (add a field to the tool's requests struct)", key)
			}
			delete(bindings, key)
			op.request = typ
			op.Tool.Operations = append(op.Tool.Operations, op)
		}
		if len(read.Operations) > 0 && len(write.Operations) > 0 {
			read.sibling, write.sibling = write, read
		}
		for _, t := range []*Tool{read, write} {
			if len(t.Operations) > 0 {
				c.Tools = append(c.Tools, t)
			}
		}
	}
	for name := range bindings {
		return nil, fmt.Errorf("request struct for %s has no entry in tools.yaml", name)
	}
	return c, nil
}

func checkOperation(op *Operation, seen map[string]bool) error {
	switch {
	case !isSnakeName(op.Name) || seen[op.Name]:
		return fmt.Errorf("operation name %q is not snake_case or is repeated", op.Name)
	case !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}, op.Method):
		return fmt.Errorf("bad method %q", op.Method)
	case op.API != "" && op.API != APIDocs:
		return fmt.Errorf("api %q must be empty (the Management API) or %s", op.API, APIDocs)
	case op.API == APIDocs && (op.Path != "" || op.Method != "POST" || op.Class != ClassRead):
		return fmt.Errorf("an api: docs operation is a POST read of the endpoint itself: no path")
	case op.API == "" && !strings.HasPrefix(op.Path, "/v1/"):
		return fmt.Errorf("path %q must start with /v1/", op.Path)
	case !slices.Contains([]string{ClassRead, ClassWrite, ClassDestructive}, op.Class):
		return fmt.Errorf("class %q must be read, write or destructive", op.Class)
	case op.Summary == "":
		return fmt.Errorf("summary is missing")
	case op.Sensitive != "" && (SensitiveReason(op.Sensitive) == "" || op.Class != ClassWrite):
		return fmt.Errorf("sensitive: %q needs class write and one of data, access, code, exposure, service", op.Sensitive)
	}
	return nil
}

// checkParams ties the struct to the path template: every {name} in the path is
// a path parameter of the struct and vice versa, and `body:` names a field.
func checkParams(op *Operation, ps []*param) error {
	param := func(name string) *param {
		for _, p := range ps {
			if p.name == name {
				return p
			}
		}
		return nil
	}
	inPath := map[string]bool{}
	for _, m := range pathParam().FindAllStringSubmatch(op.Path, -1) {
		inPath[m[1]] = true
		p := param(m[1])
		if p == nil || p.in != inPath_ {
			return fmt.Errorf("path parameter {%s} needs a field tagged in:\"path\"", m[1])
		}
	}
	for _, p := range ps {
		if p.in == inPath_ && !inPath[p.name] {
			return fmt.Errorf("field %s is tagged in:\"path\" but %s has no {%s}", p.name, op.Path, p.name)
		}
	}
	if op.SQL != "" && param(op.SQL) == nil {
		return fmt.Errorf("sql: %s names no argument", op.SQL)
	}
	if op.Irreversible && op.Class != ClassDestructive {
		return fmt.Errorf("irreversible needs class destructive")
	}
	for _, name := range op.SensitiveArgs {
		if op.Sensitive == "" || param(name) == nil {
			return fmt.Errorf("sensitive_args: %s needs sensitive and must name an argument", name)
		}
	}
	for _, s := range op.UserSecrets {
		up, err := parseUserSecretPath(s)
		if err != nil {
			return err
		}
		p := param(up.top)
		if p == nil || p.in != inBody {
			return fmt.Errorf("user_secrets: %s names no body argument", s)
		}
		if up.field == "" && (!p.secret || p.schema.Type != "string") {
			return fmt.Errorf("user_secrets: %s must be a string argument tagged secret:\"true\"", s)
		}
		if up.field != "" && !IsSecretField(up.field) && up.field != "value" {
			return fmt.Errorf("user_secrets: %s is not a secret field", s)
		}
	}
	if op.GenerateSecret && len(op.UserSecrets) == 0 {
		return fmt.Errorf("generate_secret needs user_secrets")
	}
	if op.Body != "" {
		p := param(op.Body)
		if p == nil || p.in != inBody {
			return fmt.Errorf("body: %s names no body field", op.Body)
		}
	}
	return nil
}

// requestBindings maps "group.operation" to request struct types.
func requestBindings(t reflect.Type) (map[string]reflect.Type, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("requests must be a struct of tool structs")
	}
	out := make(map[string]reflect.Type, 256)
	for i := range t.NumField() {
		tf := t.Field(i)
		if tf.Type.Kind() != reflect.Struct {
			return nil, fmt.Errorf("requests field %s must be a struct", tf.Name)
		}
		for j := range tf.Type.NumField() {
			of := tf.Type.Field(j)
			if of.Type.Kind() != reflect.Struct {
				return nil, fmt.Errorf("%s.%s must be a request struct", tf.Name, of.Name)
			}
			out[snakeCase(tf.Name)+"."+snakeCase(of.Name)] = of.Type
		}
	}
	return out, nil
}

// snakeCase turns a Go identifier into snake_case ("ListAvailableRegions" ->
// "list_available_regions", "GetSSOProvider" -> "get_sso_provider").
func snakeCase(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := range len(s) {
		c := s[i]
		upper := c >= 'A' && c <= 'Z'
		if upper && i > 0 {
			p := s[i-1]
			prevLower := p >= 'a' && p <= 'z' || p >= '0' && p <= '9'
			nextLower := i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z'
			if prevLower || (nextLower && p >= 'A' && p <= 'Z') {
				b.WriteByte('_')
			}
		}
		if upper {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
