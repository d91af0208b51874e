package guard

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	pgquery "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// readNodes are the parse-tree node types a plain read may contain. The walk
// refuses every other node type, so a construct added to PostgreSQL later is
// refused until someone decides it is a read.
var readNodes = sync.OnceValue(func() map[protoreflect.Name]bool {
	set := map[protoreflect.Name]bool{}
	for _, n := range strings.Fields(`
		ParseResult RawStmt Node List String Integer Float Boolean BitString
		SelectStmt VariableShowStmt ExplainStmt DefElem
		A_Const A_Star A_Indices A_Indirection A_ArrayExpr A_Expr Alias BoolExpr
		BooleanTest CaseExpr CaseWhen CoalesceExpr CollateClause ColumnRef
		CommonTableExpr CTESearchClause CTECycleClause FuncCall GroupingSet
		GroupingFunc JoinExpr MinMaxExpr NamedArgExpr NullTest ParamRef
		RangeFunction RangeSubselect RangeTableSample RangeTableFunc
		RangeTableFuncCol RangeVar ResTarget RowExpr SortBy SQLValueFunction
		SubLink TypeCast TypeName WindowDef WithClause XmlExpr XmlSerialize
		JsonFuncExpr JsonObjectConstructor JsonArrayConstructor
		JsonArrayQueryConstructor JsonObjectAgg JsonArrayAgg JsonAggConstructor
		JsonValueExpr JsonOutput JsonReturning JsonFormat JsonKeyValue
		JsonIsPredicate JsonBehavior JsonArgument JsonTable JsonTableColumn
		JsonTablePathSpec JsonParseExpr JsonScalarExpr JsonSerializeExpr`) {
		set[protoreflect.Name(n)] = true
	}
	return set
})

// sideEffectFunctions may change state, leave the database or hold locks even
// inside a read-only transaction. Names ending in "*" are prefixes.
var sideEffectFunctions = []string{
	"set_config", "pg_terminate_backend", "pg_cancel_backend", "pg_advisory_*",
	"pg_try_advisory_*", "lo_*", "loread", "lowrite", "pg_read_file", "pg_read_binary_file",
	"pg_ls_*", "pg_stat_file", "pg_file_*", "dblink*", "nextval", "setval", "currval",
	"pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_create_*", "pg_drop_*",
	"pg_replication_*", "pg_logical_*", "pg_promote", "pg_notify", "pg_stat_reset*",
	"pg_wal_replay_*", "pg_backup_*", "pg_import_system_collations", "txid_current",
	"pg_current_xact_id", "query_to_xml*", "cursor_to_xml*", "http*", "pg_sleep_for",
	"pg_sleep_until", "pg_log_backend_memory_contexts", "pg_export_snapshot",
}

// maxSleepSeconds bounds pg_sleep in read-only SQL.
const maxSleepSeconds = 3

// SQLRefusal explains why a statement may not run.
type SQLRefusal struct {
	Statement string
	Reason    string
}

func (r *SQLRefusal) Error() string {
	return fmt.Sprintf("refused %q: %s", clip(r.Statement, 120), r.Reason)
}

// CheckReadOnlySQL allows only plain reads: SELECT, VALUES, TABLE, SHOW and
// EXPLAIN of those, with no INTO, no locking clause, no data-modifying CTE and
// no call of a function with side effects. Every node of every statement is
// checked.
func CheckReadOnlySQL(sql string) error {
	tree, err := parseSQL(sql)
	if err != nil {
		return &SQLRefusal{Statement: sql, Reason: "it does not parse: " + err.Error()}
	}
	if len(tree.Stmts) == 0 {
		return &SQLRefusal{Statement: sql, Reason: "it holds no statement"}
	}
	for _, raw := range tree.Stmts {
		text := statementText(sql, raw)
		switch raw.Stmt.GetNode().(type) {
		case *pgquery.Node_SelectStmt, *pgquery.Node_VariableShowStmt, *pgquery.Node_ExplainStmt:
		default:
			kind := statementKind(raw.Stmt)
			reason := nodeReason(protoreflect.Name(kind + "Stmt"))
			if strings.HasSuffix(reason, "is not allowed in read-only SQL") {
				reason = strings.ToUpper(kind) + " is not a plain read (only SELECT, VALUES, TABLE, SHOW and EXPLAIN are)"
			}
			return &SQLRefusal{Statement: text, Reason: reason}
		}
		if reason := walkRead(raw.Stmt.ProtoReflect()); reason != "" {
			return &SQLRefusal{Statement: text, Reason: reason}
		}
	}
	return nil
}

// walkRead visits every message of the tree and returns why it is not a read.
func walkRead(m protoreflect.Message) string {
	name := m.Descriptor().Name()
	if !readNodes()[name] {
		return nodeReason(name)
	}
	switch n := m.Interface().(type) {
	case *pgquery.SelectStmt:
		if n.IntoClause != nil {
			return "SELECT INTO creates a table"
		}
		if len(n.LockingClause) > 0 {
			return "FOR UPDATE/SHARE takes row locks"
		}
	case *pgquery.FuncCall:
		if reason := checkFunction(n); reason != "" {
			return reason
		}
	}
	var reason string
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len() && reason == ""; i++ {
				reason = walkRead(list.Get(i).Message())
			}
		case fd.IsMap():
			reason = "unexpected map in the parse tree"
		default:
			reason = walkRead(v.Message())
		}
		return reason == ""
	})
	return reason
}

func nodeReason(name protoreflect.Name) string {
	switch name {
	case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
		return "it modifies data (" + strings.TrimSuffix(string(name), "Stmt") + ", possibly inside a WITH clause)"
	case "TransactionStmt":
		return "transaction control could end the read-only transaction"
	case "IntoClause":
		return "SELECT INTO creates a table"
	case "LockingClause":
		return "FOR UPDATE/SHARE takes row locks"
	}
	return string(name) + " is not allowed in read-only SQL"
}

func checkFunction(f *pgquery.FuncCall) string {
	name := ""
	if len(f.Funcname) > 0 {
		name = strings.ToLower(f.Funcname[len(f.Funcname)-1].GetString_().GetSval())
	}
	for _, pattern := range sideEffectFunctions {
		if p, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasPrefix(name, p) || name == pattern {
			return "function " + name + "() has side effects"
		}
	}
	if name == "pg_sleep" {
		if len(f.Args) != 1 {
			return "pg_sleep() takes one constant argument here"
		}
		secs, ok := constNumber(f.Args[0])
		if !ok || secs > maxSleepSeconds {
			return fmt.Sprintf("pg_sleep() longer than %d seconds holds a connection", maxSleepSeconds)
		}
	}
	return ""
}

func constNumber(n *pgquery.Node) (float64, bool) {
	c := n.GetAConst()
	if c == nil {
		return 0, false
	}
	if i := c.GetIval(); i != nil {
		return float64(i.GetIval()), true
	}
	if f := c.GetFval(); f != nil {
		v, err := strconv.ParseFloat(f.GetFval(), 64)
		return v, err == nil
	}
	return 0, false
}

// DestructiveSQL returns why a statement destroys data or access (DROP,
// TRUNCATE, DELETE or UPDATE without WHERE, ALTER ... DROP, REVOKE, ...), or
// "" if none does. SQL that does not parse is left to the API to reject.
func DestructiveSQL(sql string) (statement, reason string) {
	tree, err := parseSQL(sql)
	if err != nil {
		return "", ""
	}
	for _, raw := range tree.Stmts {
		if r := destructiveReason(raw.Stmt); r != "" {
			return statementText(sql, raw), r
		}
	}
	return "", ""
}

func destructiveReason(n *pgquery.Node) string {
	switch s := n.GetNode().(type) {
	case *pgquery.Node_DropStmt:
		return "DROP " + strings.TrimPrefix(s.DropStmt.RemoveType.String(), "OBJECT_") + " deletes it and its data"
	case *pgquery.Node_TruncateStmt:
		return "TRUNCATE deletes every row"
	case *pgquery.Node_DeleteStmt:
		if s.DeleteStmt.WhereClause == nil {
			return "DELETE without WHERE deletes every row"
		}
	case *pgquery.Node_UpdateStmt:
		if s.UpdateStmt.WhereClause == nil {
			return "UPDATE without WHERE changes every row"
		}
	case *pgquery.Node_AlterTableStmt:
		for _, c := range s.AlterTableStmt.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && strings.HasPrefix(cmd.Subtype.String(), "AT_Drop") {
				return "ALTER TABLE ... " + strings.TrimPrefix(cmd.Subtype.String(), "AT_") + " removes part of a table"
			}
		}
	case *pgquery.Node_GrantStmt:
		if !s.GrantStmt.IsGrant {
			return "REVOKE removes access"
		}
	case *pgquery.Node_GrantRoleStmt:
		if !s.GrantRoleStmt.IsGrant {
			return "REVOKE removes role membership"
		}
	case *pgquery.Node_DropRoleStmt, *pgquery.Node_DropdbStmt, *pgquery.Node_DropOwnedStmt,
		*pgquery.Node_DropTableSpaceStmt, *pgquery.Node_DropSubscriptionStmt, *pgquery.Node_DropUserMappingStmt:
		return statementKind(n) + " deletes it"
	case *pgquery.Node_ReassignOwnedStmt:
		return "REASSIGN OWNED changes who owns objects"
	case *pgquery.Node_ExplainStmt:
		for _, o := range s.ExplainStmt.Options {
			if o.GetDefElem().GetDefname() == "analyze" {
				return destructiveReason(s.ExplainStmt.Query)
			}
		}
	}
	// A data-modifying CTE is judged by its statements.
	if sel := n.GetSelectStmt(); sel != nil && sel.WithClause != nil {
		for _, cte := range sel.WithClause.Ctes {
			if r := destructiveReason(cte.GetCommonTableExpr().GetCtequery()); r != "" {
				return r
			}
		}
	}
	return ""
}

// statementText cuts one statement out of the submitted text.
func statementText(sql string, raw *pgquery.RawStmt) string {
	start := int(raw.StmtLocation)
	end := start + int(raw.StmtLen)
	if raw.StmtLen == 0 || end > len(sql) {
		end = len(sql)
	}
	if start > len(sql) {
		start = 0
	}
	return strings.TrimSpace(sql[start:end])
}

func statementKind(n *pgquery.Node) string {
	m := n.ProtoReflect()
	var kind string
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() == protoreflect.MessageKind {
			kind = string(v.Message().Descriptor().Name())
		}
		return false
	})
	return strings.TrimSuffix(kind, "Stmt")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// WarmSQLParser readies the parser in the background so the first real check
// is fast. Only the pure-Go parser needs it (it compiles a WebAssembly module
// on first use); see warmParser in sqlparse_*.go.
func WarmSQLParser() { warmParser() }
