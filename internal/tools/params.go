package tools

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
)

// Where an argument goes in the HTTP request, from the field's `in` tag.
const (
	inPath_ = "path"
	inQuery = "query"
	// inBody is the default: a field of the JSON body, or, when tools.yaml
	// names it with `body:`, the whole body.
	inBody = "body"
	// inNone arguments are not sent as they are: the request struct's
	// Finish method turns them into the request (helper operations).
	inNone = "none"
)

// param is one argument of an operation.
type param struct {
	name     string
	in       string
	required bool
	// schema validates the argument: the listed keywords plus the field's
	// check tag and the rules of its place (path or query).
	schema *jsonschema.Schema
	// listed is what tools/list shows: the jsonschema tags alone.
	listed *jsonschema.Schema
	index  []int // field index in the request struct
	// secret arguments (tag secret:"true") hold a password, key or token:
	// their values never appear in logs.
	secret bool
}

// reflector builds inline schemas: no $ref, no $defs, no $schema, `{}` for
// interface values (a bare `true` schema upsets some model providers).
func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		Anonymous:                  true,
		RequiredFromJSONSchemaTags: true,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t.Kind() == reflect.Interface {
				// An empty schema would marshal as `true`.
				return &jsonschema.Schema{Description: "Any JSON value."}
			}
			if t == reflect.TypeFor[map[string]any]() {
				return &jsonschema.Schema{Type: "object"}
			}
			return nil
		},
	}
}

// reflectSchema reflects a request struct into an object schema.
func reflectSchema(t reflect.Type) *jsonschema.Schema {
	s := reflector().ReflectFromType(t)
	s.Version = ""
	return s
}

func reflectParams(t reflect.Type) ([]*param, error) {
	s := reflectSchema(t)
	rules, err := validationSchema(t)
	if err != nil {
		return nil, err
	}
	fields := map[string]reflect.StructField{}
	collectFields(t, nil, fields)
	var out []*param
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		f, ok := fields[pair.Key]
		if !ok {
			return nil, fmt.Errorf("property %s has no struct field", pair.Key)
		}
		in := f.Tag.Get("in")
		if in == "" {
			in = inBody
		}
		if !slices.Contains([]string{inPath_, inQuery, inBody, inNone}, in) {
			return nil, fmt.Errorf("field %s: in:%q must be path, query, body or none", f.Name, in)
		}
		if pair.Value.Description == "" {
			return nil, fmt.Errorf("field %s has no jsonschema_description", f.Name)
		}
		schema, _ := rules.Properties.Get(pair.Key)
		listed := pair.Value
		if f.Tag.Get("list") == "object" {
			// A typed object (or list of them) listed bare, its shape in
			// its description: the fields' own schemas would cost more
			// context than they help, and it is still validated in full,
			// unknown fields named with their closest match.
			switch {
			case listed.Type == "object":
				listed = &jsonschema.Schema{Type: "object", Description: listed.Description}
			case listed.Type == "array" && listed.Items != nil && listed.Items.Type == "object":
				listed = &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "object"}, MinItems: listed.MinItems, Description: listed.Description}
			default:
				return nil, fmt.Errorf("field %s: list:\"object\" on a %s", f.Name, listed.Type)
			}
		}
		switch in {
		case inPath_:
			if schema.Type != "string" && schema.Type != "integer" {
				return nil, fmt.Errorf("field %s: a path value must be a string or an integer", f.Name)
			}
			attach(schema, &checks{pathValue: true})
		case inQuery, inNone:
			// in:"none" values become query strings or SQL in Finish.
			attach(schema, &checks{queryValue: true})
		}
		out = append(out, &param{
			name:     pair.Key,
			in:       in,
			required: slices.Contains(s.Required, pair.Key),
			schema:   schema,
			listed:   listed,
			index:    f.Index,
			secret:   f.Tag.Get("secret") == "true",
		})
	}
	return out, nil
}

// collectFields maps JSON names to fields, descending into embedded structs
// (shared parameter types such as ProjectRef) the way encoding/json does.
func collectFields(t reflect.Type, prefix []int, out map[string]reflect.StructField) {
	for i := range t.NumField() {
		f := t.Field(i)
		f.Index = append(slices.Clone(prefix), i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			collectFields(f.Type, f.Index, out)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
}

// ParamIn says where an argument goes: "path", "query", "body" or "none"
// (turned into the request by the struct's Finish method); "" if the
// operation has no such argument.
func (op *Operation) ParamIn(name string) string {
	if p := op.param(name); p != nil {
		return p.in
	}
	return ""
}

// ParamType is an argument's JSON schema type ("string", "integer", ...).
func (op *Operation) ParamType(name string) string {
	if p := op.param(name); p != nil {
		return p.schema.Type
	}
	return ""
}
