package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
)

// ExposedTool is a tool as the server lists it: only the operations that are
// enabled, and without the arguments the server fills in itself.
type ExposedTool struct {
	*Tool
	Operations []*Operation
	// Hidden arguments are injected by the server (ref under --project-ref).
	Hidden map[string]bool
	// Extra properties appended to the schema (such as the confirmation token).
	Extra []ExtraProperty
	// Notes are appended to an operation's line in the description.
	Notes map[string]string
	// NoReveal withholds the reveal argument: read-only mode never shows
	// secrets.
	NoReveal bool
	// HeaderOnRead leaves the group's description out of a write tool
	// whose _read tool is listed too and says it: the same line twice
	// would be paid on every turn, and the name, title and operation
	// lines already say what the write tool does.
	HeaderOnRead bool
}

// ConfirmProperty is the argument that carries a confirmation token.
var ConfirmProperty = ExtraProperty{
	Name:   "confirm",
	Schema: &jsonschema.Schema{Type: "string", Description: "From a preview."},
}

// NeedsConfirmation reports whether any enabled operation can need the
// user's consent (Operation.MayNeedConfirmation).
func (e *ExposedTool) NeedsConfirmation() bool {
	for _, op := range e.Operations {
		if op.MayNeedConfirmation() || (op.Revealable() && !e.NoReveal) {
			return true
		}
	}
	return false
}

// revealable reports whether any enabled operation accepts reveal.
func (e *ExposedTool) revealable() bool {
	if e.NoReveal {
		return false
	}
	for _, op := range e.Operations {
		if op.Revealable() {
			return true
		}
	}
	return false
}

// ExtraProperty is an argument that is not part of any request struct.
type ExtraProperty struct {
	Name   string
	Schema *jsonschema.Schema
}

// Operation returns the enabled operation of that name, or nil.
func (e *ExposedTool) Operation(name string) *Operation {
	for _, op := range e.Operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// OperationNames lists the enabled operations.
func (e *ExposedTool) OperationNames() []string {
	names := make([]string, len(e.Operations))
	for i, op := range e.Operations {
		names[i] = op.Name
	}
	return names
}

// Description is the tool's text followed by one line per operation: its
// signature (required arguments plain, optional ones with "?") and summary.
// The signatures tell the model which arguments each operation uses, so the
// argument descriptions need not repeat it. Arguments every operation
// requires are left out of the signatures: the schema lists them as
// required.
func (e *ExposedTool) Description() string {
	var b strings.Builder
	if !e.HeaderOnRead || e.Access != AccessWrite {
		b.WriteString(e.Tool.Description)
	}
	// reveal, like confirm, applies across operations and is described
	// once in the schema.
	omit := append(e.commonArgs(), RevealArgument)
	for _, op := range e.Operations {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.signatureWithout(op, omit))
		b.WriteString(": ")
		b.WriteString(op.Summary)
		if note := e.Notes[op.Name]; note != "" {
			b.WriteString(" [" + note + "]")
		}
	}
	return b.String()
}

// commonArgs are the visible arguments that every operation requires (the
// project ref, mostly), when there are several operations: required in the
// schema once rather than repeated in every signature. A lone operation
// keeps its full signature.
func (e *ExposedTool) commonArgs() []string {
	if len(e.Operations) < 2 {
		return nil
	}
	var out []string
	for _, p := range e.Operations[0].args() {
		if !p.required || e.Hidden[p.name] {
			continue
		}
		everywhere := true
		for _, op := range e.Operations[1:] {
			if q := op.param(p.name); q == nil || !q.required {
				everywhere = false
				break
			}
		}
		if everywhere {
			out = append(out, p.name)
		}
	}
	return out
}

// signatureOf is "get(ref, fields?)": the operation and its visible arguments.
func (e *ExposedTool) signatureOf(op *Operation) string { return e.signatureWithout(op, nil) }

func (e *ExposedTool) signatureWithout(op *Operation, omit []string) string {
	var parts []string
	for _, p := range op.args() {
		if e.Hidden[p.name] || slices.Contains(omit, p.name) {
			continue
		}
		if p.required {
			parts = append(parts, p.name)
		} else {
			parts = append(parts, p.name+"?")
		}
	}
	return op.Name + "(" + strings.Join(parts, ", ") + ")"
}

// InputSchema is one flat object: `operation` (an enum of the enabled
// operations) plus the union of their arguments. No oneOf/anyOf/allOf and no
// $ref, which some model providers reject; per-operation required arguments
// are enforced at call time instead.
func (e *ExposedTool) InputSchema() (json.RawMessage, error) {
	props := jsonschema.NewProperties()
	ops := make([]any, len(e.Operations))
	for i, op := range e.Operations {
		ops[i] = op.Name
	}
	// No description: the tool's description lists every operation with
	// its arguments, and the bytes are paid on every turn.
	props.Set("operation", &jsonschema.Schema{Type: "string", Enum: ops})
	for _, op := range e.Operations {
		if op.args(); op.reflectErr != nil {
			return nil, op.reflectErr
		}
		for _, p := range op.args() {
			if e.Hidden[p.name] {
				continue
			}
			if prev, ok := props.Get(p.name); ok {
				if prev.Type != p.schema.Type {
					return nil, fmt.Errorf("%s: argument %s has type %q here and %q in another operation", op.QualifiedName(), p.name, p.schema.Type, prev.Type)
				}
				continue
			}
			props.Set(p.name, listedSchema(op, p))
		}
	}
	if _, ok := props.Get(RevealArgument); !ok && e.revealable() {
		props.Set(RevealArgument, revealSchema)
	}
	// value_from is listed only where it is needed: a required secret
	// left out is asked from the user anyway (its description says so).
	for _, op := range e.Operations {
		if op.optionalUserSecret() {
			props.Set(ValueFromArgument, valueFromSchema)
			break
		}
	}
	for _, x := range e.Extra {
		props.Set(x.Name, x.Schema)
	}
	// No "additionalProperties": false, at any depth: decoding refuses
	// unknown keys anyway, naming the closest argument, and the flag would be
	// paid in context on every turn by every tool.
	s := &jsonschema.Schema{
		Type:       "object",
		Properties: props,
		Required:   append([]string{"operation"}, e.commonArgs()...),
	}
	return json.Marshal(s)
}

// Annotations are the four MCP hints, derived from the tool's access level
// and its enabled operations.
type Annotations struct {
	ReadOnly, Destructive, Idempotent, OpenWorld bool
}

// Annotations: a read tool (only class read operations) is read-only, not
// destructive and idempotent. A write tool is destructive when any of its
// operations can need confirmation (the rubric: destructive, billable,
// sensitive, destructive SQL), and idempotent only when every operation is
// (Operation.Idempotent). Every tool reaches the Supabase API: open world.
func (e *ExposedTool) Annotations() Annotations {
	if e.Access == AccessRead {
		return Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	}
	a := Annotations{Idempotent: true, OpenWorld: true}
	for _, op := range e.Operations {
		if op.MayNeedConfirmation() {
			a.Destructive = true
		}
		if !op.Idempotent() {
			a.Idempotent = false
		}
	}
	return a
}

// bigBodyFields is the size from which a whole-body argument (tools.yaml
// `body:`) is listed as a bare object: configs with dozens of fields would
// cost more context than all other tools together. The full typed schema
// still validates the argument at call time, naming unknown fields and their
// closest matches.
const bigBodyFields = 8

func listedSchema(op *Operation, p *param) *jsonschema.Schema {
	s := p.listed
	if op.Body != p.name {
		return forListing(s)
	}
	// A whole body that is an array of big objects (bulk updates) lists its
	// items as bare objects, for the same reason.
	if s.Type == "array" && isBigObject(s.Items) {
		return &jsonschema.Schema{Type: "array", Description: s.Description, Items: &jsonschema.Schema{Type: "object"}, MinItems: s.MinItems}
	}
	if !isBigObject(s) {
		return forListing(s)
	}
	return &jsonschema.Schema{Type: "object", Description: s.Description}
}

// listedEnumMax is the longest enum the listing spells out. Longer ones
// (regions, instance and add-on sizes) are listed by their first values and
// their count: the full schema still validates at call time, and a wrong
// value gets an error naming the closest allowed ones.
const listedEnumMax = 8

// forListing shortens a schema for tools/list, whose bytes every client pays
// on every turn: no "additionalProperties": false at any depth (decoding
// rejects unknown keys anyway) and long enums abbreviated.
func forListing(s *jsonschema.Schema) *jsonschema.Schema {
	if s == nil || (s.Properties == nil && s.Items == nil && len(s.Enum) <= listedEnumMax) {
		return s
	}
	c := *s
	if c.AdditionalProperties == jsonschema.FalseSchema {
		c.AdditionalProperties = nil
	}
	if len(s.Enum) > listedEnumMax {
		c.Enum = nil
		c.Description = strings.TrimSpace(fmt.Sprintf("%s %d values, e.g. %v, %v.", s.Description, len(s.Enum), s.Enum[0], s.Enum[1]))
	}
	c.Items = forListing(s.Items)
	if s.Properties != nil {
		c.Properties = jsonschema.NewProperties()
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			c.Properties.Set(pair.Key, forListing(pair.Value))
		}
	}
	return &c
}

func isBigObject(s *jsonschema.Schema) bool {
	return s != nil && s.Type == "object" && s.Properties != nil && s.Properties.Len() >= bigBodyFields
}
