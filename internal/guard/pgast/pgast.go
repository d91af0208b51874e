// Package pgast holds PostgreSQL's parse-tree types, as libpg_query's
// protobuf output describes them: a copy of pg_query_go's generated types
// whose descriptors are built on first use instead of at every start (see
// gen). The guard decodes the parser's output into them.
package pgast

//go:generate go run ./gen

import (
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// described builds the descriptors once. It is package state because the
// generated code is: the types are package-level and so are their tables.
var described sync.Once

// ready builds the types' descriptors before their first use; every
// generated method that reads them calls it.
func ready() { described.Do(file_pg_query_proto_init) }

// ParseResultFrom decodes the parser's protobuf output.
func ParseResultFrom(b []byte) (*ParseResult, error) { return decode(b, &ParseResult{}) }

// ScanResultFrom decodes the lexer's protobuf output.
func ScanResultFrom(b []byte) (*ScanResult, error) { return decode(b, &ScanResult{}) }

// decode refuses output with fields these types do not know: a parser newer
// than the types (the WebAssembly build is versioned separately) could name
// a node kind that would otherwise decode as an empty Node, which a walk
// over the tree never sees.
func decode[T proto.Message](b []byte, m T) (T, error) {
	ready()
	var zero T
	if err := proto.Unmarshal(b, m); err != nil {
		return zero, err
	}
	if name := unknownIn(m.ProtoReflect()); name != "" {
		return zero, fmt.Errorf("the parse tree has a field this server does not know (in %s): the parser and its types differ", name)
	}
	return m, nil
}

// unknownIn names the first message of the tree with unknown fields.
func unknownIn(m protoreflect.Message) protoreflect.FullName {
	if len(m.GetUnknown()) > 0 {
		return m.Descriptor().FullName()
	}
	var found protoreflect.FullName
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			return true
		}
		switch {
		case fd.IsMap():
			v.Map().Range(func(_ protoreflect.MapKey, e protoreflect.Value) bool {
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					found = unknownIn(e.Message())
				}
				return found == ""
			})
		case fd.IsList():
			for i, l := 0, v.List(); i < l.Len() && found == ""; i++ {
				found = unknownIn(l.Get(i).Message())
			}
		default:
			found = unknownIn(v.Message())
		}
		return found == ""
	})
	return found
}
