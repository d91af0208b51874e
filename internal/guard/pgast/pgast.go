// Package pgast holds PostgreSQL's parse-tree types, as libpg_query's
// protobuf output describes them (pg_query.proto), and decodes that output.
// The types are generated (see gen) with the names pg_query_go gives them,
// but as plain structs with no protobuf runtime: nothing is built at start,
// and the binary links no reflection-driven code (see gen for why that
// matters).
//
// Decoding is strict, because the guard must see the whole tree: a field
// number, wire type or string the schema does not allow is an error. A
// parser newer than these types (the WebAssembly build is versioned
// separately) could name a node kind that would otherwise decode as an empty
// Node, which a walk over the tree never sees.
package pgast

//go:generate go run ./gen

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Message is a parse-tree node of any type.
type Message interface {
	// MessageName is the node's type name in pg_query.proto ("SelectStmt").
	MessageName() string
	// RangeMessages calls f on each node this one holds directly (its set
	// message fields, lists element by element, in field order) until f
	// returns false, and reports whether it went through all of them.
	RangeMessages(f func(Message) bool) bool
	unmarshal(b []byte, depth int) error
}

// ParseResultFrom decodes the parser's protobuf output.
func ParseResultFrom(b []byte) (*ParseResult, error) {
	r := &ParseResult{}
	if err := r.unmarshal(b, 0); err != nil {
		return nil, err
	}
	return r, nil
}

// ScanResultFrom decodes the lexer's protobuf output.
func ScanResultFrom(b []byte) (*ScanResult, error) {
	r := &ScanResult{}
	if err := r.unmarshal(b, 0); err != nil {
		return nil, err
	}
	return r, nil
}

// maxDepth bounds nesting as proto.Unmarshal's default recursion limit does.
// (The guard's own limits refuse far shallower SQL before it is parsed.)
const maxDepth = 10000

var (
	errTooDeep   = errors.New("the parse tree nests too deeply")
	errMalformed = errors.New("the parse tree's encoding is malformed")
)

// unknownField is the error for a field number the schema does not have.
func unknownField(message string, num uint64) error {
	return fmt.Errorf("the parse tree has a field this server does not know (field %d of %s): the parser and its types differ", num, message)
}

func wrongWireType(wt int) error {
	return fmt.Errorf("the parse tree has a field of an unexpected wire type %d: the parser and its types differ", wt)
}

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

// consumeVarint is protowire.ConsumeVarint: at most ten bytes, no overflow.
func consumeVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, -1
}

// readTag reads a field's key. Numbers outside protobuf's range are
// malformed; unknown ones are left to the caller's switch.
func readTag(b []byte) (num uint64, wt int, rest []byte, err error) {
	v, n := consumeVarint(b)
	if n < 0 || v>>3 < 1 || v>>3 > math.MaxInt32 {
		return 0, 0, nil, errMalformed
	}
	return v >> 3, int(v & 7), b[n:], nil
}

func readVarint(b []byte, wt int) (uint64, []byte, error) {
	if wt != wireVarint {
		return 0, nil, wrongWireType(wt)
	}
	v, n := consumeVarint(b)
	if n < 0 {
		return 0, nil, errMalformed
	}
	return v, b[n:], nil
}

func readDouble(b []byte, wt int) (float64, []byte, error) {
	if wt != wireFixed64 {
		return 0, nil, wrongWireType(wt)
	}
	if len(b) < 8 {
		return 0, nil, errMalformed
	}
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return math.Float64frombits(v), b[8:], nil
}

func readBytes(b []byte, wt int) ([]byte, []byte, error) {
	if wt != wireBytes {
		return nil, nil, wrongWireType(wt)
	}
	l, n := consumeVarint(b)
	if n < 0 || l > uint64(len(b)-n) {
		return nil, nil, errMalformed
	}
	return b[n : n+int(l)], b[n+int(l):], nil
}

// readString refuses invalid UTF-8, as proto.Unmarshal does for proto3.
func readString(b []byte, wt int) (string, []byte, error) {
	v, rest, err := readBytes(b, wt)
	if err != nil {
		return "", nil, err
	}
	if !utf8.Valid(v) {
		return "", nil, errors.New("the parse tree has a string that is not valid UTF-8")
	}
	return string(v), rest, nil
}

func readMessage(b []byte, wt int, m Message, depth int) ([]byte, error) {
	v, rest, err := readBytes(b, wt)
	if err != nil {
		return nil, err
	}
	return rest, m.unmarshal(v, depth+1)
}

// readUint64s appends a repeated uint64, packed or not (a decoder must
// accept both).
func readUint64s(b []byte, wt int, dst []uint64) ([]uint64, []byte, error) {
	if wt == wireVarint {
		v, rest, err := readVarint(b, wt)
		return append(dst, v), rest, err
	}
	packed, rest, err := readBytes(b, wt)
	if err != nil {
		return nil, nil, err
	}
	for len(packed) > 0 {
		v, n := consumeVarint(packed)
		if n < 0 {
			return nil, nil, errMalformed
		}
		dst, packed = append(dst, v), packed[n:]
	}
	return dst, rest, nil
}
