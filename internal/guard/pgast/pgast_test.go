package pgast_test

import (
	"strings"
	"testing"

	"github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The descriptors are built on first use, whatever the first use is: here an
// enum's name, before anything was decoded.
func TestDescriptorsBuiltOnFirstUse(t *testing.T) {
	if got := pgast.Token_CASE.String(); got != "CASE" {
		t.Fatalf("Token_CASE.String() = %q", got)
	}
	if got := (&pgast.SelectStmt{}).ProtoReflect().Descriptor().FullName(); got != "pg_query.SelectStmt" {
		t.Fatalf("descriptor name %q", got)
	}
	// Private registry: nothing of ours is in the global one, so the
	// upstream package can be linked beside this one.
	if _, err := protoregistry.GlobalFiles.FindFileByPath("pg_query.proto"); err == nil {
		t.Fatal("pg_query.proto is in the global registry")
	}
}

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
		t.Fatalf("unexpected tree: %v", r)
	}
	s, err := parser.ScanToProtobuf("select 1")
	if err != nil {
		t.Fatal(err)
	}
	sr, err := pgast.ScanResultFrom(s)
	if err != nil || len(sr.GetTokens()) != 2 || sr.GetTokens()[0].GetToken() != pgast.Token_SELECT {
		t.Fatalf("scan: %v %v", sr, err)
	}
}

// A field the types do not know, even deep in the tree, is an error rather
// than a node the guard's walk would never see.
func TestUnknownFieldRefused(t *testing.T) {
	b, err := parser.ParseToProtobuf("select 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgast.ParseResultFrom(b); err != nil {
		t.Fatalf("known output refused: %v", err)
	}
	r, _ := pgast.ParseResultFrom(b)
	// Field 9999 on the statement's Node: what a newer parser's new node
	// kind looks like to these types.
	node := r.GetStmts()[0].GetStmt()
	node.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 9999, protowire.VarintType), 1))
	tampered, err := proto.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgast.ParseResultFrom(tampered); err == nil || !strings.Contains(err.Error(), "pg_query.Node") {
		t.Fatalf("unknown field accepted: %v", err)
	}
}
