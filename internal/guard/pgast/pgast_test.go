package pgast_test

import (
	"strings"
	"testing"

	upstream "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The guard's tests compare these decoders with upstream's on its whole SQL
// corpus (internal/guard/pgast_diff_test.go); these are the basics and the
// strictness.

func TestDecodesParserOutput(t *testing.T) {
	b, err := parser.ParseToProtobuf("select a from t where b = 1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := pgast.ParseResultFrom(b)
	if err != nil {
		t.Fatal(err)
	}
	sel := r.GetStmts()[0].GetStmt().GetSelectStmt()
	if sel == nil || sel.GetFromClause()[0].GetRangeVar().GetRelname() != "t" {
		t.Fatalf("unexpected tree: %+v", r)
	}
	s, err := parser.ScanToProtobuf("select 1")
	if err != nil {
		t.Fatal(err)
	}
	sr, err := pgast.ScanResultFrom(s)
	if err != nil || len(sr.GetTokens()) != 2 || sr.GetTokens()[0].GetToken() != pgast.Token_SELECT {
		t.Fatalf("scan: %+v %v", sr, err)
	}
}

func TestEnumNames(t *testing.T) {
	for v, want := range map[interface{ String() string }]string{
		pgast.Token_CASE:                         "CASE", // sparse: a switch
		pgast.ObjectType_OBJECT_TABLE:            "OBJECT_TABLE",
		pgast.AlterTableType_AT_AddColumn:        "AT_AddColumn",
		pgast.ObjectType(-1):                     "-1", // no name: the number, as protoc-gen-go prints it
		pgast.Token(1 << 20):                     "1048576",
		pgast.VariableSetKind_VAR_RESET_ALL:      "VAR_RESET_ALL",
		pgast.A_Expr_Kind_AEXPR_NOT_BETWEEN:      "AEXPR_NOT_BETWEEN",
		pgast.SubLinkType_EXISTS_SUBLINK:         "EXISTS_SUBLINK",
		pgast.OnConflictAction_ONCONFLICT_UPDATE: "ONCONFLICT_UPDATE",
	} {
		if got := v.String(); got != want {
			t.Errorf("%d: String() = %q, want %q", v, got, want)
		}
	}
}

// A field the types do not know, even deep in the tree, is an error rather
// than a node the guard's walk would never see.
func TestUnknownFieldRefused(t *testing.T) {
	b, err := parser.ParseToProtobuf("select 1")
	if err != nil {
		t.Fatal(err)
	}
	r := &upstream.ParseResult{}
	if err := proto.Unmarshal(b, r); err != nil {
		t.Fatal(err)
	}
	// Field 9999 on the statement's Node: what a newer parser's new node
	// kind looks like to these types.
	r.GetStmts()[0].GetStmt().ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 9999, protowire.VarintType), 1))
	tampered, err := proto.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgast.ParseResultFrom(tampered); err == nil || !strings.Contains(err.Error(), "field 9999 of pg_query.Node") {
		t.Fatalf("unknown field accepted: %v", err)
	}
}

// Field numbers in Node's oneof (pg_query.proto): list and string.
const (
	nodeList   = 265
	nodeString = 263
)

func tag(num protowire.Number, wt protowire.Type) []byte { return protowire.AppendTag(nil, num, wt) }

func msg(num protowire.Number, body []byte) []byte {
	return protowire.AppendBytes(tag(num, protowire.BytesType), body)
}

// stmt wraps a Node encoding as ParseResult{stmts: [RawStmt{stmt: node}]}.
func stmt(node []byte) []byte { return msg(2, msg(1, node)) }

// nested is a Node holding a List holding a Node ... depth lists deep.
func nested(depth int) []byte {
	node := msg(nodeString, msg(1, []byte("x")))
	for range depth {
		node = msg(nodeList, msg(1, node))
	}
	return node
}

func TestStrictDecoding(t *testing.T) {
	str := func(s string) []byte { return msg(nodeString, msg(1, []byte(s))) }
	for _, c := range []struct {
		name string
		b    []byte
		want string // "" = accepted
	}{
		{"a string node", stmt(str("x")), ""},
		{"a list a hundred deep", stmt(nested(100)), ""},
		{"a varint where the schema has a message", stmt(append(tag(nodeString, protowire.VarintType), 1)), "wire type 0"},
		{"a group", stmt(tag(nodeString, protowire.StartGroupType)), "wire type 3"},
		{"field number 0", stmt(append(tag(1, protowire.VarintType)[:0], 0, 1)), "malformed"},
		{"a string that is not UTF-8", stmt(str("\xff")), "UTF-8"},
		{"a length past the end", stmt(append(tag(nodeString, protowire.BytesType), 9)), "malformed"},
		{"a varint cut short", append(tag(1, protowire.VarintType), 0x80), "malformed"},
		{"an eleven-byte varint", append(tag(1, protowire.VarintType), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), "malformed"},
		{"an unknown field at the top", append(tag(77, protowire.VarintType), 1), "field 77 of pg_query.ParseResult"},
		{"ten thousand and one lists deep", stmt(nested(5001)), "too deeply"},
	} {
		_, err := pgast.ParseResultFrom(c.b)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
		// Upstream's decoding refuses the same ones (as unknown fields or
		// errors).
		up := &upstream.ParseResult{}
		upErr := proto.Unmarshal(c.b, up)
		upOK := upErr == nil && len(up.ProtoReflect().GetUnknown()) == 0 &&
			(len(up.GetStmts()) == 0 || len(up.GetStmts()[0].GetStmt().ProtoReflect().GetUnknown()) == 0)
		if upOK != (c.want == "") {
			t.Errorf("%s: upstream accepts: %v (%v)", c.name, upOK, upErr)
		}
	}
}

// Repeated uint64 fields decode packed and unpacked, as any protobuf
// decoder must accept both.
func TestPackedAndUnpacked(t *testing.T) {
	const varNullingRels = 7 // Var.varnullingrels, repeated uint64
	const nodeVar = 5        // Node.var
	packed := msg(varNullingRels, protowire.AppendVarint(protowire.AppendVarint(nil, 3), 300))
	unpacked := append(protowire.AppendVarint(tag(varNullingRels, protowire.VarintType), 3), protowire.AppendVarint(tag(varNullingRels, protowire.VarintType), 300)...)
	for name, body := range map[string][]byte{"packed": packed, "unpacked": unpacked} {
		r, err := pgast.ParseResultFrom(stmt(msg(nodeVar, body)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := r.GetStmts()[0].GetStmt().GetVar().GetVarnullingrels()
		if len(got) != 2 || got[0] != 3 || got[1] != 300 {
			t.Fatalf("%s: %v", name, got)
		}
	}
}
