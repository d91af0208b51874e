package guard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Bounds of a confirmation prompt. Whatever is cut says how much was left
// out: a prompt never drops an item or a statement silently.
const (
	maxValueChars   = 200  // a string value
	maxInlineChars  = 400  // one list item or nested object on one line
	maxListScalars  = 50   // scalar list items named one by one
	maxListObjects  = 20   // object list items given a line each
	maxDetailLines  = 200  // lines of a whole prompt
	maxSQLChars     = 4000 // one SQL text
	maxRollbackMigs = 20   // migrations whose rollback SQL is fetched
	maxNestedLabels = 6    // object levels given a line per field; deeper ones go inline
)

// callDetails lists every argument of the call that decides its effect:
// query arguments and body fields, one line per field, lists with their
// count. Path arguments are in the action line already. Secret values are
// never shown, only their length.
func callDetails(call *tools.Call) []string {
	var lines []string
	for _, name := range call.Op.Params() {
		v, ok := call.Args[name]
		if !ok || call.Op.IsPathParam(name) {
			continue
		}
		if isSQLArg(call.Op, name) {
			if s, ok := v.(string); ok {
				lines = append(lines, sqlDetail(name+" (SQL)", s))
				continue
			}
		}
		lines = appendValue(lines, name, name, v, 0)
	}
	return boundLines(lines)
}

// isSQLArg names the arguments that hold SQL: the one the guard parses and
// migration SQL (query, rollback), shown in full rather than clipped short.
func isSQLArg(op *tools.Operation, name string) bool {
	return name == op.SQL || (strings.Contains(op.Path, "/database/migrations") && (name == "query" || name == "rollback"))
}

// appendValue adds the lines for value v at label; key is the field name
// that decides whether v is a secret. Past maxNestedLabels object levels the
// rest goes on one shortened line: a label repeats every ancestor's name, so
// a deep body would otherwise cost its depth squared.
func appendValue(lines []string, label, key string, v any, depth int) []string {
	if m, ok := v.(map[string]any); ok && secretField(key) && len(m) > 0 && depth < maxNestedLabels {
		// A map of secrets (name to value): the names decide the effect
		// and are shown; every value is hidden, whatever its own name.
		for _, k := range sortedKeys(m) {
			lines = append(lines, label+"."+fieldName(k)+": "+secretValue(m[k]))
		}
		return lines
	}
	if secretField(key) && isSecretCarrier(v) {
		return append(lines, label+": "+secretValue(v))
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return append(lines, label+": {} (empty)")
		}
		if depth >= maxNestedLabels {
			return append(lines, label+": "+inline(key, v))
		}
		for _, k := range sortedKeys(x) {
			lines = appendValue(lines, label+"."+fieldName(k), k, x[k], depth+1)
		}
		return lines
	case []any:
		if len(x) == 0 {
			return append(lines, label+": [] (no items)")
		}
		if !allScalar(x) {
			lines = append(lines, fmt.Sprintf("%s: %s", label, countItems(len(x))))
			for i, item := range x {
				if i == maxListObjects {
					lines = append(lines, fmt.Sprintf("%s: … and %d more items not shown", label, len(x)-i))
					break
				}
				lines = append(lines, fmt.Sprintf("%s[%d]: %s", label, i, inline(itemKey(key, item), item)))
			}
			return lines
		}
		shown := make([]string, 0, min(len(x), maxListScalars))
		for i, item := range x {
			if i == maxListScalars {
				break
			}
			shown = append(shown, scalar(item))
		}
		line := fmt.Sprintf("%s: %s: %s", label, countItems(len(x)), strings.Join(shown, ", "))
		if len(x) > maxListScalars {
			line += fmt.Sprintf(", … and %d more", len(x)-maxListScalars)
		}
		return append(lines, line)
	}
	line := label + ": " + scalar(v)
	if f, ok := v.(float64); ok && strings.HasSuffix(key, "_unix") {
		line += " (" + time.Unix(int64(f), 0).UTC().Format(time.RFC3339) + ")"
	}
	return append(lines, line)
}

// inline renders one value on one line, e.g. a list item {name, value}.
func inline(key string, v any) string {
	var s string
	switch {
	case secretField(key) && isSecretCarrier(v):
		s = secretValue(v)
	case isMap(v):
		m := v.(map[string]any)
		parts := make([]string, 0, len(m))
		for _, k := range sortedKeys(m) {
			parts = append(parts, fieldName(k)+"="+inline(k, m[k]))
		}
		s = "{" + strings.Join(parts, ", ") + "}"
	case isList(v):
		l := v.([]any)
		parts := make([]string, len(l))
		for i, item := range l {
			parts[i] = inline(itemKey(key, item), item)
		}
		s = "[" + countItems(len(l)) + ": " + strings.Join(parts, ", ") + "]"
	default:
		s = scalar(v)
	}
	if n := utf8.RuneCountInString(s); n > maxInlineChars {
		s = string([]rune(s)[:maxInlineChars]) + fmt.Sprintf("… (shortened: %d of %d chars shown)", maxInlineChars, n)
	}
	return s
}

// itemKey is the name a list item is judged by: an object item stands for
// itself (its fields are judged by their own names), a scalar for the list.
func itemKey(listKey string, item any) string {
	if isMap(item) {
		return ""
	}
	return listKey
}

// fieldName shows an object key as it is when it is a plain name, quoted
// otherwise: keys of free-form bodies come from the model, and a raw newline
// or bidirectional control in one would forge or reorder prompt lines. A
// long key is shortened like a value (scalar), with its length.
func fieldName(k string) string {
	if utf8.RuneCountInString(k) > maxValueChars {
		return scalar(k)
	}
	if k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return !(r == '_' || r == '-' || r == '$' || r == '@' || r == ':' || r == '/' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		return k
	}
	return strconv.Quote(k)
}

func isMap(v any) bool  { _, ok := v.(map[string]any); return ok }
func isList(v any) bool { _, ok := v.([]any); return ok }

func allScalar(l []any) bool {
	for _, v := range l {
		if isMap(v) || isList(v) {
			return false
		}
	}
	return true
}

func countItems(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// scalar renders a string quoted (so that a value cannot forge prompt
// lines) and shortened with its length; numbers and booleans as they are.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if n := utf8.RuneCountInString(x); n > maxValueChars {
			return strconv.Quote(string([]rune(x)[:maxValueChars])) + fmt.Sprintf("… (shortened: %d of %d chars shown)", maxValueChars, n)
		}
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// secretField reports whether a field of that name holds a secret value:
// passwords, secrets, keys and tokens by the last word of the name
// (smtp_pass, jwt_secret, sms_twilio_auth_token, private_jwk, root_key),
// and the value of a project secret. URLs, switches and limits named after
// a secret (hook_custom_access_token_uri, password_min_length) end in
// another word and are shown.
func secretField(name string) bool {
	if tools.IsSecretField(name) { // every name the result redaction hides
		return true
	}
	name = strings.ToLower(name)
	if name == "value" {
		return true
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 {
		return false
	}
	switch words[len(words)-1] {
	case "secret", "secrets", "pass", "passwd", "password", "passphrase", "key", "token", "jwk", "credential", "credentials":
		return true
	}
	return false
}

// isSecretCarrier: strings and structures can carry a secret; booleans and
// numbers under such a name are settings and are shown. A list of objects
// (secrets: [{name, value}]) is a collection: its items are looked into, and
// their own secret fields hidden.
func isSecretCarrier(v any) bool {
	switch x := v.(type) {
	case bool, float64, nil:
		return false
	case []any:
		return len(x) == 0 || allScalar(x)
	}
	return true
}

func secretValue(v any) string {
	switch v {
	case tools.UserValueMarker: // typed by the user out of band, after consent
		return "entered by you (the model never sees it)"
	case tools.GeneratedMarker:
		return "generated by the server, shown only to you"
	}
	n := 0
	if s, ok := v.(string); ok {
		n = utf8.RuneCountInString(s)
	} else if b, err := json.Marshal(v); err == nil {
		n = len(b)
	}
	return fmt.Sprintf("<secret value, %d chars>", n)
}

// sqlDetail shows SQL as it will run, indented under its label, shortened
// past maxSQLChars with a note saying how much is not shown.
func sqlDetail(label, sql string) string {
	n := utf8.RuneCountInString(sql)
	text := sql
	note := ""
	if n > maxSQLChars {
		text = string([]rune(sql)[:maxSQLChars])
		note = fmt.Sprintf("\n    … shortened: %d of %d chars shown; the statements after this point are not shown", maxSQLChars, n)
	}
	text = strings.TrimRight(text, "\n ")
	return fmt.Sprintf("%s, %d chars:\n    %s%s", label, n, strings.ReplaceAll(text, "\n", "\n    "), note)
}

// boundLines caps a prompt at maxDetailLines, saying how many lines are cut.
func boundLines(lines []string) []string {
	if len(lines) <= maxDetailLines {
		return lines
	}
	cut := len(lines) - maxDetailLines + 1
	return append(lines[:maxDetailLines-1:maxDetailLines-1], fmt.Sprintf("… and %d more lines not shown: split the change into smaller calls to see all of it", cut))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// isMigrationRollback is the operation that runs stored rollback SQL.
func isMigrationRollback(op *tools.Operation) bool {
	return op.Method == "DELETE" && strings.HasSuffix(op.Path, "/database/migrations")
}

// rollbackDetails fetches (GET only) the migrations a rollback would undo
// and shows the rollback SQL each holds, newest first, as the API runs
// them. What cannot be fetched is said, never left out quietly.
func rollbackDetails(ctx context.Context, api API, call *tools.Call) []string {
	ref, _ := call.Args["ref"].(string)
	gte, _ := call.Args["gte"].(string)
	unseen := "the rollback SQL that will run is not shown because the migrations could not be fetched"
	if api == nil || ref == "" || gte == "" {
		return []string{unseen + "."}
	}
	base := "/v1/projects/" + url.PathEscape(ref) + "/database/migrations"
	resp, err := api.Do(ctx, &client.Request{Method: "GET", Path: base})
	if err != nil {
		return []string{fmt.Sprintf("%s (%s).", unseen, strconv.Quote(shortText(err.Error())))}
	}
	var list []struct {
		Version string `json:"version"`
		Name    string `json:"name"`
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		return []string{unseen + " (the migration list was not understood)."}
	}
	var undo []string
	for _, m := range list {
		if compareVersions(m.Version, gte) >= 0 {
			undo = append(undo, m.Version)
		}
	}
	slices.SortFunc(undo, func(a, b string) int { return compareVersions(b, a) }) // newest first
	if len(undo) == 0 {
		return []string{fmt.Sprintf("no migration has a version >= %s: nothing would be rolled back", gte)}
	}
	lines := []string{fmt.Sprintf("rolls back %d migration(s), newest first: %s", len(undo), listVersions(undo))}
	for i, v := range undo {
		if i == maxRollbackMigs {
			lines = append(lines, fmt.Sprintf("… and %d more migrations whose rollback SQL is not shown: roll back fewer at a time (a higher gte) to see it", len(undo)-i))
			break
		}
		r, err := api.Do(ctx, &client.Request{Method: "GET", Path: base + "/" + url.PathEscape(v)})
		if err != nil {
			lines = append(lines, fmt.Sprintf("migration %s: its rollback SQL could not be fetched (%s); whatever it holds will run", v, strconv.Quote(shortText(err.Error()))))
			continue
		}
		var m struct {
			Name     string   `json:"name"`
			Rollback []string `json:"rollback"`
		}
		if err := json.Unmarshal(r.Body, &m); err != nil {
			lines = append(lines, fmt.Sprintf("migration %s: its rollback SQL was not understood; whatever it holds will run", v))
			continue
		}
		label := "migration " + v
		if m.Name != "" {
			label += " " + strconv.Quote(shortText(m.Name))
		}
		if len(m.Rollback) == 0 {
			lines = append(lines, label+": no rollback SQL; only removed from the history")
			continue
		}
		lines = append(lines, sqlDetail(label+" runs rollback SQL", strings.Join(m.Rollback, ";\n")))
	}
	return lines
}

func listVersions(vs []string) string {
	if len(vs) <= maxListScalars {
		return strings.Join(vs, ", ")
	}
	return strings.Join(vs[:maxListScalars], ", ") + fmt.Sprintf(", … and %d more", len(vs)-maxListScalars)
}

// compareVersions orders migration versions numerically (digit strings).
func compareVersions(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// shortText cuts an API-provided text for a prompt line, saying so.
func shortText(s string) string {
	if n := utf8.RuneCountInString(s); n > maxValueChars {
		return string([]rune(s)[:maxValueChars]) + fmt.Sprintf("… (shortened: %d of %d chars shown)", maxValueChars, n)
	}
	return s
}
