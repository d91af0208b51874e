// Package pgast holds PostgreSQL's parse-tree types, as libpg_query's
// protobuf output describes them: a copy of pg_query_go's generated types
// whose descriptors are built on first use instead of at every start (see
// gen). The guard decodes the parser's output into them.
package pgast

//go:generate go run ./gen

import (
	"sync"

	"google.golang.org/protobuf/proto"
)

// described builds the descriptors once. It is package state because the
// generated code is: the types are package-level and so are their tables.
var described sync.Once

// ready builds the types' descriptors before their first use; every
// generated method that reads them calls it.
func ready() { described.Do(file_pg_query_proto_init) }

// ParseResultFrom decodes the parser's protobuf output.
func ParseResultFrom(b []byte) (*ParseResult, error) {
	ready()
	r := &ParseResult{}
	if err := proto.Unmarshal(b, r); err != nil {
		return nil, err
	}
	return r, nil
}

// ScanResultFrom decodes the lexer's protobuf output.
func ScanResultFrom(b []byte) (*ScanResult, error) {
	ready()
	r := &ScanResult{}
	if err := proto.Unmarshal(b, r); err != nil {
		return nil, err
	}
	return r, nil
}
