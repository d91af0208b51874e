package guard

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
)

// The SQL guard. Read-only mode allows a statement only when every node of
// its tree is a known read construct and every function, operator and cast
// in it is on the allowlists of sqlfuncs.go. Write mode runs without asking
// only what is provably bounded (see reviewStatement); everything else needs
// the user's confirmation. Both modes first apply the limits and the
// one-reading rule of sqllimits.go, and refuse any change of a lexing
// setting. What the guard cannot parse is refused (read-only) or confirmed
// (write): PostgreSQL may read it differently.

// readNodes are the parse-tree node types a plain read may contain. The walk
// refuses every other node type, so a construct added to PostgreSQL later is
// refused until someone decides it is a read.
var readNodes = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, n := range strings.Fields(`
		ParseResult RawStmt Node List String Integer Float Boolean BitString
		SelectStmt VariableShowStmt ExplainStmt DefElem
		A_Const A_Star A_Indices A_Indirection A_ArrayExpr A_Expr Alias BoolExpr
		BooleanTest CaseExpr CaseWhen CoalesceExpr CollateClause ColumnRef ColumnDef
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
		set[n] = true
	}
	return set
})

// dmlNodes are the extra nodes INSERT, UPDATE and DELETE bring.
var dmlNodes = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, n := range strings.Fields(`InsertStmt UpdateStmt DeleteStmt OnConflictClause InferClause IndexElem MultiAssignRef SetToDefault`) {
		set[n] = true
	}
	return set
})

// parseErrorReason is the confirmation text for SQL the guard cannot parse.
const parseErrorReason = "the server could not parse this; PostgreSQL may read it differently"

// SQLRefusal explains why a statement may not run.
type SQLRefusal struct {
	Statement string
	Reason    string
}

func (r *SQLRefusal) Error() string {
	if r.Statement == "" {
		return r.Reason
	}
	return fmt.Sprintf("refused %q: %s", clip(r.Statement, 120), r.Reason)
}

// SQLFinding is one statement of a write that does not run without the
// user's consent.
type SQLFinding struct {
	// Statement is the statement as submitted (whitespace trimmed), or the
	// whole text when it could not be split into statements.
	Statement string
	// Reason says why it needs confirmation, or why it is refused.
	Reason string
	// Refused statements may not run even with consent: changes of lexing
	// settings, and text over the limits.
	Refused bool
	// Destroys marks statements that delete data or access (DROP, TRUNCATE,
	// DELETE or UPDATE of every row, REVOKE, ...).
	Destroys bool
}

// parseChecked applies the pre-parse limits, then parses. A *sqlLimitError
// means refuse in both modes; any other error is a parse failure.
func parseChecked(sql string) (*pgast.ParseResult, error) {
	if err := precheckSQL(sql); err != nil {
		return nil, err
	}
	return parseSQL(sql)
}

// CheckReadOnlySQL allows only plain reads: SELECT, VALUES, TABLE, SHOW and
// EXPLAIN of those, with no INTO, no locking clause, no data-modifying CTE,
// and no function, operator or cast outside the read allowlists. Every node
// of every statement is checked.
func CheckReadOnlySQL(sql string) error {
	tree, err := parseChecked(sql)
	if err != nil {
		var limit *sqlLimitError
		if errors.As(err, &limit) {
			return &SQLRefusal{Reason: limit.msg}
		}
		return &SQLRefusal{Statement: sql, Reason: "it does not parse (" + err.Error() + "), and what the guard cannot parse it does not run"}
	}
	if len(tree.Stmts) == 0 {
		return &SQLRefusal{Statement: sql, Reason: "it holds no statement"}
	}
	for _, raw := range tree.Stmts {
		text := statementText(sql, raw)
		switch raw.Stmt.GetNode().(type) {
		case *pgast.Node_SelectStmt, *pgast.Node_VariableShowStmt, *pgast.Node_ExplainStmt:
		case *pgast.Node_VariableSetStmt:
			return &SQLRefusal{Statement: text, Reason: "SET and RESET change the API session's settings, which outlive this query"}
		default:
			kind := statementKind(raw.Stmt)
			reason := nodeReason(kind + "Stmt")
			if strings.HasSuffix(reason, "is not allowed in read-only SQL") {
				reason = strings.ToUpper(kind) + " is not a plain read (only SELECT, VALUES, TABLE, SHOW and EXPLAIN are)"
			}
			return &SQLRefusal{Statement: text, Reason: reason}
		}
		if reason := readReason(raw.Stmt, nil); reason != "" {
			return &SQLRefusal{Statement: text, Reason: reason}
		}
	}
	return nil
}

// CheckSingleReadStatement is for operations that wrap the SQL (explain):
// the text must be exactly one SELECT, VALUES or TABLE statement. It is
// checked on top of CheckReadOnlySQL.
func CheckSingleReadStatement(sql string) error {
	tree, err := parseChecked(sql)
	if err != nil {
		return CheckReadOnlySQL(sql)
	}
	if len(tree.Stmts) != 1 {
		return &SQLRefusal{Reason: fmt.Sprintf("it holds %d statements; give exactly one query", len(tree.Stmts))}
	}
	if tree.Stmts[0].Stmt.GetSelectStmt() == nil {
		return &SQLRefusal{Statement: sql, Reason: "only a SELECT, VALUES or TABLE query can be planned here"}
	}
	return nil
}

// readReason returns why a statement is not a read, or "". top, when set,
// is a data-modifying statement allowed at the root of the walk (write
// mode); the same kinds anywhere else (in a WITH clause) are refused.
func readReason(stmt *pgast.Node, top pgast.Message) string {
	w := readWalk{top: top}
	return w.walk(stmt)
}

type readWalk struct{ top pgast.Message }

// walk visits every message of the tree and returns why it is not a read.
func (w readWalk) walk(m pgast.Message) string {
	name := m.MessageName()
	isTop := w.top != nil && m == w.top
	if !readNodes()[name] && !(isTop || (w.top != nil && dmlNodes()[name] && !isStatementNode(name))) {
		return nodeReason(name)
	}
	if reason := nodeCallReason(m); reason != "" {
		return reason
	}
	var reason string
	m.RangeMessages(func(c pgast.Message) bool {
		reason = w.walk(c)
		return reason == ""
	})
	return reason
}

func isStatementNode(name string) bool { return strings.HasSuffix(name, "Stmt") }

// nodeCallReason checks what a node calls: functions, operators, casts and
// table sampling methods.
func nodeCallReason(n pgast.Message) string {
	switch n := n.(type) {
	case *pgast.SelectStmt:
		if n.IntoClause != nil {
			return "SELECT INTO creates a table"
		}
		if len(n.LockingClause) > 0 {
			return "FOR UPDATE/SHARE takes row locks"
		}
	case *pgast.FuncCall:
		return functionReason(n.Funcname)
	case *pgast.A_Expr:
		switch n.Kind {
		case pgast.A_Expr_Kind_AEXPR_BETWEEN, pgast.A_Expr_Kind_AEXPR_NOT_BETWEEN,
			pgast.A_Expr_Kind_AEXPR_BETWEEN_SYM, pgast.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
			return "" // BETWEEN names itself; it expands to >= and <=
		}
		return operatorReason(n.Name)
	case *pgast.SubLink:
		return operatorReason(n.OperName)
	case *pgast.SortBy:
		return operatorReason(n.UseOp)
	case *pgast.TypeName:
		return typeReason(n)
	case *pgast.RangeVar:
		// pg_catalog's views over the refused file readers read the server's
		// configuration files like the functions do.
		if n.Schemaname == "" || n.Schemaname == "pg_catalog" {
			switch n.Relname {
			case "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings":
				return "view " + n.Relname + " reads server files (the functions behind it are refused)"
			}
		}
	case *pgast.RangeTableSample:
		m := qualifiedName(n.Method) // exact, like function names
		if m != "system" && m != "bernoulli" && m != "pg_catalog.system" && m != "pg_catalog.bernoulli" {
			return "TABLESAMPLE " + m + " is not a built-in sampling method"
		}
	}
	return ""
}

// refusedFunctionFamilies say why well-known functions off the allowlist are
// refused; names ending in "*" are prefixes. Any other unlisted function is
// refused with the generic reason.
var refusedFunctionFamilies = []struct{ names, why string }{
	{"query_to_xml* cursor_to_xml* table_to_xml* schema_to_xml* database_to_xml* ts_stat ts_rewrite", "runs SQL given as text (or built from names), which the guard cannot check"},
	{"set_config", "changes a setting of the API session, which outlives the query"},
	{"pg_advisory_* pg_try_advisory_*", "takes or releases an advisory lock that can outlive the query"},
	{"lo_* loread lowrite", "reads, creates or changes large objects"},
	{"pg_terminate_backend pg_cancel_backend pg_log_backend_memory_contexts", "acts on another session"},
	{"nextval setval currval lastval", "uses or advances a sequence"},
	{"pg_notify", "sends a notification to other sessions"},
	{"pg_sleep*", "holds the connection without reading anything"},
	{"txid_current pg_current_xact_id", "assigns a transaction id"},
	{"pg_read_file pg_read_binary_file pg_ls_* pg_stat_file pg_current_logfile pg_control_* pg_hba_file_rules pg_ident_file_mappings pg_show_all_file_settings pg_tablespace_databases", "reads or lists server files"},
	{"pg_reload_conf pg_rotate_logfile* pg_switch_wal pg_promote pg_backup_* pg_create_* pg_drop_* pg_copy_* pg_replication_* pg_logical_* pg_wal_replay_* pg_import_system_collations pg_export_snapshot pg_stat_reset* binary_upgrade_* gin_clean_pending_list setseed", "changes server, replication or session state"},
	{"dblink* http* pg_net*", "reaches another database or host"},
}

// functionReason returns why a call of the function named names is not a
// read, or "".
func functionReason(names []*pgast.Node) string {
	parts := nameParts(names)
	if len(parts) == 0 {
		return "a function call without a name"
	}
	// The parser has already folded unquoted names to lower case; a quoted
	// "LOWER" or "PG_CATALOG" is another name to PostgreSQL, so names are
	// compared exactly.
	name := parts[len(parts)-1]
	qualified := strings.Join(parts, ".")
	if len(parts) > 2 || (len(parts) == 2 && parts[0] != "pg_catalog") {
		return fmt.Sprintf("function %s() is not PostgreSQL's own (pg_catalog's): user-defined and extension functions may have side effects the guard cannot see", qualified)
	}
	if _, ok := readFunctions()[name]; ok {
		return ""
	}
	for _, f := range refusedFunctionFamilies {
		for _, p := range strings.Fields(f.names) {
			if pre, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, pre) || name == p {
				return fmt.Sprintf("function %s() %s", name, f.why)
			}
		}
	}
	return fmt.Sprintf("function %s() is not on the read-only allowlist (side-effect-free pg_catalog functions); user-defined and extension functions may have side effects the guard cannot see", name)
}

// operatorReason allows pg_catalog's operator names, bare or as
// OPERATOR(pg_catalog.op).
func operatorReason(names []*pgast.Node) string {
	parts := nameParts(names)
	if len(parts) == 0 {
		return ""
	}
	op := parts[len(parts)-1]
	if len(parts) > 2 || (len(parts) == 2 && parts[0] != "pg_catalog") {
		return fmt.Sprintf("operator %s is not PostgreSQL's own (pg_catalog's): a user-defined operator calls a function the guard cannot see", strings.Join(parts, "."))
	}
	if !readOperators()[op] {
		return fmt.Sprintf("operator %s is not one of pg_catalog's operators; user-defined and extension operators call functions the guard cannot see", op)
	}
	return ""
}

// typeReason allows casts to pg_catalog's types only: a cast to a domain
// runs its CHECK constraints, and a user-defined cast runs its function.
func typeReason(t *pgast.TypeName) string {
	parts := nameParts(t.Names)
	if t.PctType || t.Setof || len(parts) == 0 {
		return "this type reference is not allowed in read-only SQL"
	}
	name := parts[len(parts)-1] // exact: "TEXT" is not text
	if len(parts) > 2 || (len(parts) == 2 && parts[0] != "pg_catalog") || !readTypes()[name] {
		return fmt.Sprintf("type %s is not one of pg_catalog's types: casts to user-defined types and domains can run functions the guard cannot see (cast to text instead)", strings.Join(parts, "."))
	}
	return ""
}

func nameParts(names []*pgast.Node) []string {
	var parts []string
	for _, n := range names {
		parts = append(parts, n.GetString_().GetSval())
	}
	return parts
}

func qualifiedName(names []*pgast.Node) string { return strings.Join(nameParts(names), ".") }

func nodeReason(name string) string {
	switch name {
	case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
		return "it modifies data (" + strings.ToUpper(strings.TrimSuffix(string(name), "Stmt")) + ", possibly inside a WITH clause)"
	case "TransactionStmt":
		return "transaction control could end the read-only transaction"
	case "IntoClause":
		return "SELECT INTO creates a table"
	case "LockingClause":
		return "FOR UPDATE/SHARE takes row locks"
	}
	return string(name) + " is not allowed in read-only SQL"
}

// ReviewWriteSQL lists the statements of sql that do not run without the
// user's consent in write mode, each with its reason; nil means everything
// may run. Findings marked Refused may not run at all. SQL that cannot be
// parsed yields one finding for the whole text.
func ReviewWriteSQL(sql string) []SQLFinding {
	tree, err := parseChecked(sql)
	if err != nil {
		var limit *sqlLimitError
		if errors.As(err, &limit) {
			return []SQLFinding{{Statement: strings.TrimSpace(sql), Reason: limit.msg, Refused: true}}
		}
		return []SQLFinding{{Statement: strings.TrimSpace(sql), Reason: parseErrorReason}}
	}
	var out []SQLFinding
	for _, raw := range tree.Stmts {
		text := statementText(sql, raw)
		if reason := lexingChangeReason(raw.Stmt); reason != "" {
			out = append(out, SQLFinding{Statement: text, Reason: reason, Refused: true})
			continue
		}
		if reason, destroys := reviewStatement(raw.Stmt); reason != "" {
			out = append(out, SQLFinding{Statement: text, Reason: reason, Destroys: destroys})
		}
	}
	return out
}

// lexingChangeReason finds, anywhere in a statement, an attempt to change
// how PostgreSQL lexes later text: SET/RESET of a lexing setting (also inside
// ALTER ROLE/DATABASE/SYSTEM or a function's SET clause), RESET ALL, DISCARD
// ALL, or set_config with a lexing setting or a name that is not a constant.
func lexingChangeReason(stmt *pgast.Node) string {
	var reason string
	visit(stmt, func(m pgast.Message) bool {
		switch n := m.(type) {
		case *pgast.VariableSetStmt:
			if n.Kind == pgast.VariableSetKind_VAR_RESET_ALL {
				reason = "RESET ALL would reset standard_conforming_strings and the other lexing settings, which the guard relies on"
			} else if isLexingSetting(n.Name) {
				reason = n.Name + " decides how PostgreSQL reads string literals; the guard refuses any change to it"
			} else if strings.EqualFold(n.Name, "search_path") && n.Kind == pgast.VariableSetKind_VAR_SET_VALUE {
				var values []string
				for _, a := range n.Args {
					values = append(values, a.GetAConst().GetSval().GetSval())
				}
				reason = searchPathReason(strings.Join(values, ","))
			}
		case *pgast.DiscardStmt:
			if n.Target == pgast.DiscardMode_DISCARD_ALL {
				reason = "DISCARD ALL would reset standard_conforming_strings and the other lexing settings, which the guard relies on"
			}
		case *pgast.FuncCall:
			parts := nameParts(n.Funcname)
			if len(parts) > 0 && strings.EqualFold(parts[len(parts)-1], "set_config") {
				setting := ""
				if len(n.Args) > 0 {
					setting = n.Args[0].GetAConst().GetSval().GetSval()
				}
				if setting == "" {
					reason = "set_config() with a setting name that is not a constant could change how PostgreSQL reads string literals"
				} else if isLexingSetting(setting) {
					reason = setting + " decides how PostgreSQL reads string literals; the guard refuses any change to it"
				} else if strings.EqualFold(setting, "search_path") {
					value := ""
					if len(n.Args) > 1 {
						value = n.Args[1].GetAConst().GetSval().GetSval()
					}
					if len(n.Args) < 2 || n.Args[1].GetAConst() == nil {
						reason = "set_config('search_path', ...) with a value that is not a constant could put pg_catalog after schemas with user functions"
					} else {
						reason = searchPathReason(value)
					}
				}
			}
		}
		return reason == ""
	})
	return reason
}

// searchPathReason refuses a search_path that names pg_catalog after another
// schema: the read allowlist trusts an unqualified name to be pg_catalog's
// because PostgreSQL searches pg_catalog first unless the path lists it
// later. value is the path as PostgreSQL reads it (comma-separated names,
// unquoted ones folded to lower case).
func searchPathReason(value string) string {
	for i, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		if unquoted, ok := strings.CutPrefix(name, `"`); ok {
			name = strings.ReplaceAll(strings.TrimSuffix(unquoted, `"`), `""`, `"`)
		} else {
			name = strings.ToLower(name)
		}
		if name == "pg_catalog" && i > 0 {
			return "a search_path with pg_catalog after another schema lets same-named user functions replace PostgreSQL's own in every later query, which the guard relies on; leave pg_catalog out (it is then searched first) or put it first"
		}
	}
	return ""
}

// reviewStatement returns why a statement needs confirmation in write mode,
// or "". These run without asking: reads that pass the read-only rules;
// INSERT without ON CONFLICT DO UPDATE; UPDATE and DELETE whose WHERE is a
// real condition on columns; CREATE of a new table, index, view, schema or
// type; COMMENT. Every function they call must be on the read allowlist.
func reviewStatement(n *pgast.Node) (reason string, destroys bool) {
	switch s := n.GetNode().(type) {
	case *pgast.Node_SelectStmt, *pgast.Node_VariableShowStmt:
		return readReason(n, nil), false
	case *pgast.Node_ExplainStmt:
		// EXPLAIN ANALYZE runs the statement, and plain EXPLAIN folds its
		// immutable functions while planning: judge it as the statement.
		return reviewStatement(s.ExplainStmt.Query)
	case *pgast.Node_InsertStmt:
		if r := systemCatalogReason(s.InsertStmt.Relation); r != "" {
			return r, true
		}
		if oc := s.InsertStmt.OnConflictClause; oc != nil && oc.Action == pgast.OnConflictAction_ONCONFLICT_UPDATE {
			return "INSERT ... ON CONFLICT DO UPDATE changes existing rows", false
		}
		if r := readReason(n, s.InsertStmt); r != "" {
			return r, false
		}
		if readsRelation(s.InsertStmt.SelectStmt) {
			return "INSERT ... SELECT copies rows of existing tables into " + s.InsertStmt.Relation.GetRelname() + ", where roles that cannot read the source may read them (row level security and grants do not travel with the rows)", false
		}
		return "", false
	case *pgast.Node_UpdateStmt:
		if r := systemCatalogReason(s.UpdateStmt.Relation); r != "" {
			return r, true
		}
		if !boundedWhere(n, s.UpdateStmt.WhereClause) {
			return "UPDATE without a WHERE condition on columns may change every row (a constant, a parameter, a column compared with itself or OR true is not a condition)", true
		}
		if r := readReason(n, s.UpdateStmt); r != "" {
			return r, false
		}
		if updateCopies(s.UpdateStmt) {
			return "UPDATE ... SET from other tables copies their values into " + s.UpdateStmt.Relation.GetRelname() + ", where roles that cannot read the source may read them (row level security and grants do not travel with the values)", false
		}
		return "", false
	case *pgast.Node_DeleteStmt:
		if r := systemCatalogReason(s.DeleteStmt.Relation); r != "" {
			return r, true
		}
		if !boundedWhere(n, s.DeleteStmt.WhereClause) {
			return "DELETE without a WHERE condition on columns may delete every row (a constant, a parameter, a column compared with itself or OR true is not a condition)", true
		}
		return readReason(n, s.DeleteStmt), false
	case *pgast.Node_CreateStmt:
		if isTemporary(s.CreateStmt.Relation) {
			return temporaryReason, false
		}
		if len(s.CreateStmt.InhRelations) > 0 {
			return "CREATE TABLE ... INHERITS or PARTITION OF attaches the new table to an existing one: its rows then show up in, and are changed by, queries on that table", false
		}
		return callsReason(n), false
	case *pgast.Node_CompositeTypeStmt:
		if isTemporary(s.CompositeTypeStmt.Typevar) {
			return temporaryTypeReason, false
		}
		return callsReason(n), false
	case *pgast.Node_CreateEnumStmt, *pgast.Node_CreateDomainStmt:
		names := n.GetCreateEnumStmt().GetTypeName()
		if d := n.GetCreateDomainStmt(); d != nil {
			names = d.Domainname
		}
		if inTemporarySchema(names) {
			return temporaryTypeReason, false
		}
		return callsReason(n), false
	case *pgast.Node_IndexStmt:
		if r := systemCatalogReason(s.IndexStmt.Relation); r != "" {
			return strings.Replace(r, "it writes", "it changes", 1), false
		}
		return callsReason(n), false
	case *pgast.Node_CreateRangeStmt:
		if inTemporarySchema(s.CreateRangeStmt.TypeName) {
			return temporaryTypeReason, false
		}
		for _, p := range s.CreateRangeStmt.Params {
			if d := p.GetDefElem(); d != nil && (d.Defname == "canonical" || d.Defname == "subtype_diff") {
				return "CREATE TYPE ... AS RANGE names a function (" + d.Defname + ") the guard cannot check", false
			}
		}
		return "", false
	case *pgast.Node_CreateTableAsStmt:
		if s.CreateTableAsStmt.IsSelectInto {
			return "SELECT INTO creates a table", false
		}
		if r := readReason(s.CreateTableAsStmt.Query, nil); r != "" {
			return r, false
		}
		into := s.CreateTableAsStmt.Into
		if into != nil && isTemporary(into.Rel) {
			return temporaryReason, false
		}
		if into == nil || !into.SkipData {
			return "CREATE TABLE/MATERIALIZED VIEW ... AS copies rows into a new relation without the row level security and grants of the tables they come from (Supabase grants new objects in public to anon and authenticated)", false
		}
		return "", false
	case *pgast.Node_ViewStmt:
		if s.ViewStmt.Replace {
			return "CREATE OR REPLACE VIEW changes an existing view", false
		}
		if r := readReason(s.ViewStmt.Query, nil); r != "" {
			return r, false
		}
		if isTemporary(s.ViewStmt.View) {
			return temporaryReason, false
		}
		if !securityInvoker(s.ViewStmt.Options) {
			return "a view reads its tables with its owner's rights, past their row level security, for everyone granted the view (Supabase grants new objects in public to anon and authenticated); create it WITH (security_invoker = true) to run without asking", false
		}
		return "", false
	case *pgast.Node_CreateSchemaStmt:
		for _, e := range s.CreateSchemaStmt.SchemaElts {
			if r, d := reviewStatement(e); r != "" {
				return "CREATE SCHEMA ... " + r, d
			}
		}
		// A schema named after a role comes first on that role's search
		// path ("$user"), so its tables hide the ones applications use.
		return "CREATE SCHEMA can hide existing tables: a schema named after a role comes first on that role's search path (\"$user\"), and AUTHORIZATION gives it to another role", false
	case *pgast.Node_CommentStmt:
		// pg_graphql reads directives from comments: @graphql(...) renames
		// or exposes parts of the project's GraphQL API.
		if strings.Contains(strings.ToLower(s.CommentStmt.Comment), "@graphql") {
			return "the comment holds a pg_graphql @graphql directive, which changes the project's GraphQL API", false
		}
		return "", false
	case *pgast.Node_AlterTableStmt:
		// Supabase's services migrate their own tables; a column or index
		// added there can break them.
		if r := systemCatalogReason(s.AlterTableStmt.Relation); r != "" {
			return strings.Replace(r, "it writes", "it changes", 1), false
		}
		for _, c := range s.AlterTableStmt.Cmds {
			cmd := c.GetAlterTableCmd()
			if cmd == nil {
				return "ALTER TABLE with an unknown command", false
			}
			switch cmd.Subtype {
			case pgast.AlterTableType_AT_AddColumn, pgast.AlterTableType_AT_AddConstraint:
				if r := callsReason(c); r != "" {
					return r, false
				}
				if r := existingTableConstraintReason(c); r != "" {
					return r, false
				}
			default:
				sub := strings.TrimPrefix(cmd.Subtype.String(), "AT_")
				return "ALTER ... " + sub + " changes an existing object (only ADD COLUMN and ADD CONSTRAINT run without asking)", strings.HasPrefix(sub, "Drop")
			}
		}
		return "", false
	case *pgast.Node_VariableSetStmt:
		return "SET changes the API session's settings, which can outlive this call", false
	}
	return otherStatementReason(n)
}

// readsRelation reports whether n reads a table, view or CTE.
func readsRelation(n *pgast.Node) bool {
	if n == nil {
		return false
	}
	found := false
	visit(n, func(m pgast.Message) bool {
		_, found = m.(*pgast.RangeVar)
		return !found
	})
	return found
}

// updateCopies reports whether an UPDATE's new values come from other
// tables: a subquery in SET, or, with a FROM clause, any column in SET not
// qualified with the target's name (it may be a FROM table's).
func updateCopies(u *pgast.UpdateStmt) bool {
	target := u.Relation.GetRelname()
	if a := u.Relation.GetAlias(); a != nil {
		target = a.Aliasname
	}
	for _, t := range u.TargetList {
		if readsRelation(t) {
			return true
		}
		if len(u.FromClause) == 0 {
			continue
		}
		other := false
		visit(t, func(m pgast.Message) bool {
			if c, ok := m.(*pgast.ColumnRef); ok {
				parts := nameParts(c.Fields)
				other = len(parts) < 2 || parts[len(parts)-2] != target
			}
			return !other
		})
		if other {
			return true
		}
	}
	return false
}

// systemCatalogReason refuses to run unasked a write to PostgreSQL's own
// catalogs: a superuser may change them with plain DML (UPDATE pg_authid SET
// rolsuper ...), which changes roles, privileges and definitions rather than
// data. An unqualified pg_* name resolves to pg_catalog first.
func systemCatalogReason(rv *pgast.RangeVar) string {
	if rv == nil {
		return "a write without a target table"
	}
	switch schema := rv.Schemaname; {
	case schema == "pg_catalog", schema == "information_schema", strings.HasPrefix(schema, "pg_toast"),
		schema == "" && strings.HasPrefix(rv.Relname, "pg_"):
		return "it writes a system catalog (" + strings.TrimPrefix(schema+"."+rv.Relname, ".") + "), which changes roles, privileges or object definitions, not data"
	}
	for _, schema := range supabaseSchemas {
		if rv.Schemaname == schema {
			return "it writes " + schema + "." + rv.Relname + ", a table of Supabase's own services (logins, storage access, secrets, queues), which changes who may do what"
		}
	}
	return ""
}

// supabaseSchemas hold the state of Supabase's services: a bounded INSERT or
// UPDATE there creates a login (auth.users), takes over an account (its
// password hash), makes a bucket public (storage.buckets) or replaces a
// secret, so writes to them ask first.
var supabaseSchemas = []string{
	"auth", "storage", "vault", "realtime", "_realtime", "supabase_functions", "supabase_migrations",
	"pgsodium", "pgsodium_masks", "net", "cron", "graphql", "graphql_public", "pgbouncer", "_analytics",
}

// temporaryReason is why temporary relations ask first: the API session
// keeps them after the call, and pg_temp comes first on the search path.
const temporaryReason = "a temporary table or view lives on in the API session after this call and hides any table of the same name from its later queries"

// temporaryTypeReason is why types in pg_temp ask first: the temporary
// schema is searched for type names before pg_catalog, so pg_temp.int4
// would replace int4 for the rest of the API session.
const temporaryTypeReason = "a type in pg_temp lives on in the API session after this call, and hides pg_catalog's type of the same name (pg_temp is searched first for types)"

func inTemporarySchema(names []*pgast.Node) bool {
	parts := nameParts(names)
	return len(parts) > 1 && strings.HasPrefix(parts[len(parts)-2], "pg_temp")
}

func isTemporary(rv *pgast.RangeVar) bool {
	return rv == nil || rv.Relpersistence == "t" || strings.HasPrefix(rv.Schemaname, "pg_temp")
}

// securityInvoker reports whether view options set security_invoker to
// true (WITH (security_invoker), = true, = on, = 1, = yes).
func securityInvoker(options []*pgast.Node) bool {
	on := false
	for _, o := range options {
		d := o.GetDefElem()
		if d == nil || d.Defname != "security_invoker" {
			continue
		}
		switch {
		case d.Arg == nil:
			on = true
		case d.Arg.GetString_() != nil:
			switch strings.ToLower(d.Arg.GetString_().Sval) {
			case "true", "on", "1", "yes", "t", "y":
				on = true
			default:
				on = false
			}
		case d.Arg.GetInteger() != nil:
			on = d.Arg.GetInteger().Ival == 1
		case d.Arg.GetBoolean() != nil:
			on = d.Arg.GetBoolean().Boolval
		default:
			on = false
		}
	}
	return on
}

// otherStatementReason names why any other statement asks first.
func otherStatementReason(n *pgast.Node) (string, bool) {
	switch s := n.GetNode().(type) {
	case *pgast.Node_DropStmt:
		return "DROP " + strings.TrimPrefix(s.DropStmt.RemoveType.String(), "OBJECT_") + " deletes it and its data", true
	case *pgast.Node_TruncateStmt:
		return "TRUNCATE deletes every row", true
	case *pgast.Node_GrantStmt:
		if !s.GrantStmt.IsGrant {
			return "REVOKE removes access", true
		}
		return "GRANT changes who may access what", false
	case *pgast.Node_GrantRoleStmt:
		if !s.GrantRoleStmt.IsGrant {
			return "REVOKE removes role membership", true
		}
		return "GRANT changes role membership", false
	case *pgast.Node_DropRoleStmt, *pgast.Node_DropdbStmt, *pgast.Node_DropOwnedStmt,
		*pgast.Node_DropTableSpaceStmt, *pgast.Node_DropSubscriptionStmt, *pgast.Node_DropUserMappingStmt:
		return statementKind(n) + " deletes it", true
	case *pgast.Node_ReassignOwnedStmt:
		return "REASSIGN OWNED changes who owns objects", false
	case *pgast.Node_DoStmt:
		return "DO runs a procedural block whose statements the guard cannot see", false
	case *pgast.Node_CallStmt:
		return "CALL runs a procedure the guard cannot see", false
	case *pgast.Node_ExecuteStmt:
		return "EXECUTE runs a prepared statement the guard cannot see", false
	case *pgast.Node_PrepareStmt:
		return "PREPARE stores a statement to run later", false
	case *pgast.Node_MergeStmt:
		return "MERGE can update and delete rows", true
	case *pgast.Node_RenameStmt:
		return "a rename breaks queries and code that use the old name", false
	case *pgast.Node_CreateFunctionStmt:
		if s.CreateFunctionStmt.Replace {
			return "CREATE OR REPLACE FUNCTION changes code that may already run", false
		}
		return "CREATE FUNCTION adds code the guard cannot check", false
	case *pgast.Node_RuleStmt:
		return "a rule rewrites later queries", false
	case *pgast.Node_CreateTrigStmt, *pgast.Node_CreateEventTrigStmt:
		return "a trigger runs code on later changes", false
	case *pgast.Node_CreatePolicyStmt, *pgast.Node_AlterPolicyStmt:
		return "a row level security policy changes who sees which rows", false
	case *pgast.Node_CreateRoleStmt, *pgast.Node_AlterRoleStmt, *pgast.Node_AlterRoleSetStmt:
		return "it changes roles", false
	case *pgast.Node_CreatedbStmt, *pgast.Node_AlterDatabaseStmt, *pgast.Node_AlterDatabaseSetStmt,
		*pgast.Node_AlterDatabaseRefreshCollStmt, *pgast.Node_AlterSystemStmt:
		return "it changes the database or the server", false
	case *pgast.Node_TransactionStmt:
		return "transaction control changes how the statements around it commit", false
	case *pgast.Node_CopyStmt:
		return "COPY moves data in or out in bulk", false
	}
	return fmt.Sprintf("%s is not one of the statements that run without asking (reads, INSERT, UPDATE/DELETE with a WHERE condition, CREATE of a new table, index, view, schema or type, COMMENT)", strings.ToUpper(statementKind(n))), false
}

// existingTableConstraintReason finds constraints that, added to an
// existing table, do more than check its rows: NOT VALID skips the existing
// rows, so a condition no row meets (CHECK (false)) blocks every later
// write; a foreign key whose ON DELETE/UPDATE acts (CASCADE, SET NULL, SET
// DEFAULT) lets later deletes in the other table change this one's rows.
func existingTableConstraintReason(cmd *pgast.Node) string {
	var reason string
	visit(cmd, func(m pgast.Message) bool {
		c, ok := m.(*pgast.Constraint)
		if !ok {
			return true
		}
		if c.SkipValidation {
			reason = "ADD CONSTRAINT ... NOT VALID does not check the existing rows: a condition no row meets would block every later write to the table"
		} else if c.Contype == pgast.ConstrType_CONSTR_FOREIGN && (strings.ContainsAny(c.FkDelAction, "cnd") || strings.ContainsAny(c.FkUpdAction, "cnd")) {
			reason = "a foreign key with ON DELETE/UPDATE CASCADE, SET NULL or SET DEFAULT lets later changes in " + c.Pktable.GetRelname() + " change or delete rows of this existing table"
		}
		return reason == ""
	})
	return reason
}

// callsReason checks every function call and operator in a DDL
// statement (defaults, checks, index expressions): they run later, on
// every write.
func callsReason(n *pgast.Node) string {
	var reason string
	visit(n, func(m pgast.Message) bool {
		switch x := m.(type) {
		case *pgast.FuncCall:
			reason = functionReason(x.Funcname)
		case *pgast.A_Expr:
			// Every operator, bare ones included: a user-defined === in a
			// CHECK runs its function on every later write.
			switch x.Kind {
			case pgast.A_Expr_Kind_AEXPR_BETWEEN, pgast.A_Expr_Kind_AEXPR_NOT_BETWEEN,
				pgast.A_Expr_Kind_AEXPR_BETWEEN_SYM, pgast.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
			default:
				reason = operatorReason(x.Name)
			}
		case *pgast.Constraint:
			// EXCLUDE (a WITH op): each operator runs on every later write.
			for _, e := range x.Exclusions {
				if items := e.GetList().GetItems(); len(items) == 2 && reason == "" {
					reason = operatorReason(items[1].GetList().GetItems())
				}
			}
		}
		return reason == ""
	})
	return reason
}

// boundedWhere reports whether a WHERE clause is a real condition on rows:
// a comparison of columns with something that is not the same column, a
// column IS NULL, a boolean column, a test or a subquery that is itself
// bounded. A missing clause, a constant (true, 1=1), a parameter, a column
// compared with itself under any spelling (id = id, t.id = id, id IN (id),
// id = ANY(ARRAY[id]), id = (SELECT id), a self-join alias), a NOT, IS NOT
// NULL, an OR with any unbounded arm, or a subquery without a bounded WHERE
// of its own (id IN (SELECT id FROM t), EXISTS (SELECT 1)) is not. The test
// is syntactic: a condition that is true for every row by arithmetic
// (id > -1e308, id * 0 = 0) is not seen.
func boundedWhere(stmt, where *pgast.Node) bool {
	w := whereCheck{relations: relationNames(stmt)}
	var target *pgast.RangeVar
	switch s := stmt.GetNode().(type) {
	case *pgast.Node_UpdateStmt:
		target, w.unqualifiedIsTarget = s.UpdateStmt.Relation, len(s.UpdateStmt.FromClause) == 0
	case *pgast.Node_DeleteStmt:
		target, w.unqualifiedIsTarget = s.DeleteStmt.Relation, len(s.DeleteStmt.UsingClause) == 0
	}
	if target == nil {
		return false
	}
	w.target = target.Relname
	if target.Alias != nil {
		w.target = target.Alias.Aliasname
	}
	return w.bounded(where)
}

// whereCheck knows which relation each alias of the statement names, so
// that t2.id and t.id are the same column when t2 is t, and which qualifier
// names the rows being changed: a condition bounds them only if it names one
// of their columns (DELETE FROM t USING s WHERE s.id = 1 deletes every row
// of t). An unqualified column counts as the target's only when no other
// table is in scope.
type whereCheck struct {
	relations           map[string]string
	target              string
	unqualifiedIsTarget bool
	// anyColumn is set inside IN (SELECT ...): there the condition bounds
	// the subquery's own rows, and the IN ties them to the target.
	anyColumn bool
}

// namesTarget reports whether n, outside its subqueries, names a column of
// the rows being changed.
func (w whereCheck) namesTarget(n *pgast.Node) bool {
	found := false
	var walk func(m pgast.Message)
	walk = func(m pgast.Message) {
		if found {
			return
		}
		switch c := m.(type) {
		case *pgast.SubLink, *pgast.SelectStmt:
			return
		case *pgast.ColumnRef:
			var parts []string
			for _, f := range c.Fields {
				parts = append(parts, f.GetString_().GetSval())
			}
			if w.anyColumn {
				found = true
			} else if len(parts) == 1 {
				found = w.unqualifiedIsTarget
			} else {
				found = parts[len(parts)-2] == w.target
			}
			return
		}
		m.RangeMessages(func(c pgast.Message) bool {
			walk(c)
			return !found
		})
	}
	if n != nil {
		walk(n)
	}
	return found
}

func (w whereCheck) bounded(n *pgast.Node) bool {
	if n == nil {
		return false
	}
	switch x := n.GetNode().(type) {
	case *pgast.Node_BoolExpr:
		switch x.BoolExpr.Boolop {
		case pgast.BoolExprType_AND_EXPR:
			for _, a := range x.BoolExpr.Args {
				if w.bounded(a) {
					return true
				}
			}
			return false
		case pgast.BoolExprType_OR_EXPR:
			for _, a := range x.BoolExpr.Args {
				if !w.bounded(a) {
					return false
				}
			}
			return len(x.BoolExpr.Args) > 0
		}
		return false
	case *pgast.Node_AExpr:
		left, right := w.columns(x.AExpr.Lexpr), w.columns(x.AExpr.Rexpr)
		if len(left)+len(right) == 0 {
			return false // constants and parameters only
		}
		for _, l := range left {
			for _, r := range right {
				if l.same(r) {
					return false // a column against itself
				}
			}
		}
		return w.namesTarget(n)
	case *pgast.Node_NullTest:
		return x.NullTest.Nulltesttype == pgast.NullTestType_IS_NULL && w.namesTarget(n)
	case *pgast.Node_BooleanTest:
		switch x.BooleanTest.Booltesttype {
		case pgast.BoolTestType_IS_TRUE:
			return w.bounded(x.BooleanTest.Arg)
		case pgast.BoolTestType_IS_FALSE:
			return x.BooleanTest.Arg.GetColumnRef() != nil && w.namesTarget(x.BooleanTest.Arg)
		}
		return false
	case *pgast.Node_SubLink:
		// Inside the subquery its own tables come first: only a column
		// qualified with the target's name bounds the target's rows.
		sub := x.SubLink.Subselect.GetSelectStmt()
		if sub == nil {
			return false
		}
		inner := w
		inner.unqualifiedIsTarget = false
		switch x.SubLink.SubLinkType {
		case pgast.SubLinkType_EXISTS_SUBLINK:
			return inner.bounded(sub.WhereClause)
		case pgast.SubLinkType_ANY_SUBLINK:
			own := w
			own.anyColumn = true
			return own.bounded(sub.WhereClause) && w.namesTarget(x.SubLink.Testexpr)
		}
		return false
	case *pgast.Node_ColumnRef:
		return w.namesTarget(n) // a boolean column
	case *pgast.Node_FuncCall:
		return w.namesTarget(n)
	}
	return false
}

// columnName is a column reference reduced to the relation it names (""
// when unqualified) and the column.
type columnName struct{ relation, column string }

// same is true when two references may name one column: an unqualified
// name matches any qualifier.
func (a columnName) same(b columnName) bool {
	return a.column == b.column && (a.relation == "" || b.relation == "" || a.relation == b.relation)
}

// columns lists every column reference under n, subqueries included.
func (w whereCheck) columns(n *pgast.Node) []columnName {
	if n == nil {
		return nil
	}
	var out []columnName
	visit(n, func(m pgast.Message) bool {
		c, ok := m.(*pgast.ColumnRef)
		if !ok {
			return true
		}
		var parts []string
		for _, f := range c.Fields {
			if s := f.GetString_(); s != nil {
				parts = append(parts, s.Sval)
			} else {
				parts = append(parts, "*")
			}
		}
		name := columnName{column: parts[len(parts)-1]}
		if len(parts) > 1 {
			q := parts[len(parts)-2]
			if r, ok := w.relations[q]; ok {
				q = r
			}
			name.relation = q
		}
		out = append(out, name)
		return true
	})
	return out
}

// relationNames maps every alias and name of a relation in the statement to
// the relation's own name.
func relationNames(stmt *pgast.Node) map[string]string {
	m := map[string]string{}
	visit(stmt, func(msg pgast.Message) bool {
		if rv, ok := msg.(*pgast.RangeVar); ok {
			m[rv.Relname] = rv.Relname
			if rv.Alias != nil {
				m[rv.Alias.Aliasname] = rv.Relname
			}
		}
		return true
	})
	return m
}

// visit calls f on every message of the tree, depth first, until f returns
// false.
func visit(m pgast.Message, f func(pgast.Message) bool) bool {
	if !f(m) {
		return false
	}
	return m.RangeMessages(func(c pgast.Message) bool { return visit(c, f) })
}

// statementText cuts one statement out of the submitted text.
func statementText(sql string, raw *pgast.RawStmt) string {
	start := int(raw.StmtLocation)
	end := start + int(raw.StmtLen)
	if raw.StmtLen == 0 || end > len(sql) {
		end = len(sql)
	}
	if start > len(sql) || start < 0 {
		start = 0
	}
	return strings.TrimSpace(sql[start:end])
}

func statementKind(n *pgast.Node) string {
	var kind string
	n.RangeMessages(func(c pgast.Message) bool { // a Node holds one node: its oneof
		kind = c.MessageName()
		return false
	})
	return strings.TrimSuffix(kind, "Stmt")
}

// clip shortens s to about n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// WarmSQLParser readies the parser in the background so the first real check
// is fast. Only the pure-Go parser needs it (it compiles a WebAssembly module
// on first use); see warmParser in sqlparse_*.go.
func WarmSQLParser() { warmParser() }
