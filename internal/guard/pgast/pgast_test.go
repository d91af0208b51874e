package pgast_test

import (
	"testing"

	"github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
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
