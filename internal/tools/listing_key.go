package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// ListingKey is a canonical text of everything an exposed tool is listed
// from: every field of the ExposedTool, with the tool and its operations
// named (their catalogue is identified by Catalogue.Digest). The server
// looks precomputed listings up by it. It is derived from the fields by
// reflection, so that a field added later is part of the key without
// anyone remembering; ok is false for a field of a kind it cannot write
// (the server then reflects the listing live).
func (e *ExposedTool) ListingKey() (key string, ok bool) {
	var b strings.Builder
	if err := writeKey(&b, reflect.ValueOf(e).Elem()); err != nil {
		return "", false
	}
	return b.String(), true
}

func writeKey(b *strings.Builder, v reflect.Value) error {
	toolPtr, operationPtr, schemaPtr := reflect.TypeFor[*Tool](), reflect.TypeFor[*Operation](), reflect.TypeFor[*jsonschema.Schema]()
	switch t := v.Type(); {
	case t == toolPtr || t == operationPtr:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		switch x := valueOf(v).(type) {
		case *Operation:
			b.WriteString(x.QualifiedName())
		case *Tool:
			b.WriteString(x.Name)
		default:
			return fmt.Errorf("unexported %s", t)
		}
		return nil
	case t == schemaPtr:
		x := valueOf(v)
		if x == nil {
			return fmt.Errorf("unexported %s", t)
		}
		// A schema of a type and a description only (the confirmation
		// argument's) is written without encoding/json: that would be the
		// start's only encoding of a jsonschema.Schema, and its first use
		// of a type costs more than the whole key.
		if s, _ := x.(*jsonschema.Schema); s != nil && reflect.DeepEqual(*s, jsonschema.Schema{Type: s.Type, Description: s.Description}) {
			fmt.Fprintf(b, "{type:%q description:%q}", s.Type, s.Description)
			return nil
		}
		raw, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(raw)
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		b.WriteByte('{')
		for i := range v.NumField() {
			b.WriteString(v.Type().Field(i).Name + ":")
			if err := writeKey(b, v.Field(i)); err != nil {
				return err
			}
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if err := writeKey(b, v.Index(i)); err != nil {
				return err
			}
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("map keyed by %s", v.Type().Key())
		}
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b.WriteByte('(')
		for _, k := range keys {
			b.WriteString(strconv.Quote(k.String()) + "=")
			if err := writeKey(b, v.MapIndex(k)); err != nil {
				return err
			}
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		b.WriteByte('&')
		return writeKey(b, v.Elem())
	default:
		return fmt.Errorf("a %s cannot be part of a listing key", v.Type())
	}
	return nil
}

// valueOf is v's value, or nil when reflection may not hand it out (an
// unexported field).
func valueOf(v reflect.Value) any {
	if !v.CanInterface() {
		return nil
	}
	return v.Interface()
}
