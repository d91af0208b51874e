package guard

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/guard/pgast"
)

// Limits checked on PostgreSQL's token stream before the parser sees the
// text. The parser and its tree output recurse once per level of a
// left-deep chain (1+1+...+1, a||b||..., x::t::t..., t JOIN t JOIN ...): the
// cgo parser crashed the process with SIGSEGV at about 24,000 levels on an
// 8 MiB thread stack and about 3,000 on a 1 MiB one; the WebAssembly parser
// overflows its stack at about 3,400. The bounds below stay several times
// under the smallest of those.
const (
	// MaxSQLBytes caps the SQL text of one call (256 KiB): more than any
	// hand-written query or migration needs.
	MaxSQLBytes = 256 << 10
	// maxSQLNesting caps open parentheses, brackets and CASE expressions at
	// any point.
	maxSQLNesting = 100
	// maxSQLTerms caps the expression terms chained at any point: operators
	// and casts since the last comma, AND/OR or CASE branch, summed over the
	// open parentheses, plus the nesting itself.
	maxSQLTerms = 500
)

// lexingSettings change how PostgreSQL reads string literals. A query that
// changes one could make the guard and the server read later text
// differently, so no SQL may touch them, in either mode.
var lexingSettings = []string{"standard_conforming_strings", "backslash_quote", "escape_string_warning"}

func isLexingSetting(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range lexingSettings {
		if name == s {
			return true
		}
	}
	return false
}

// sqlLimitError is SQL refused before parsing, in both modes: it cannot be
// confirmed, because the server cannot tell what it would do.
type sqlLimitError struct{ msg string }

func (e *sqlLimitError) Error() string { return e.msg }

// precheckSQL applies the limits and the one-reading rule. It returns a
// *sqlLimitError for text that must be refused, or a parse error (any other
// error) when PostgreSQL's lexer rejects the text.
func precheckSQL(sql string) error {
	if i := strings.IndexByte(sql, 0); i >= 0 {
		return &sqlLimitError{fmt.Sprintf("the SQL contains a NUL byte (at byte %d); PostgreSQL stops reading there while the rest would still be sent. Remove it", i)}
	}
	if len(sql) > MaxSQLBytes {
		return &sqlLimitError{fmt.Sprintf("the SQL is %d bytes; the limit is %d (256 KiB). Send it in smaller parts", len(sql), MaxSQLBytes)}
	}
	if !utf8.ValidString(sql) {
		return &sqlLimitError{"the SQL is not valid UTF-8"}
	}
	scan, err := scanSQL(sql)
	if err != nil {
		return err
	}
	return checkTokens(sql, scan.Tokens)
}

// checkTokens walks PostgreSQL's own token stream (flat, so it cannot
// recurse) for the nesting and term limits and for string literals that
// standard_conforming_strings = off would end elsewhere.
func checkTokens(sql string, tokens []*pgast.ScanToken) error {
	// A level is an open parenthesis, bracket or CASE. terms counts the
	// binary operators chained since the level's last list separator;
	// prefix counts prefix operators (NOT, unary minus), which nest what
	// follows them whatever separates it; between counts BETWEENs whose AND
	// is still to come.
	type level struct {
		terms, prefix, between int
		isCase                 bool
	}
	levels := []level{{}}
	total := func() int {
		n := len(levels) - 1
		for _, l := range levels {
			n += l.terms + l.prefix
		}
		return n
	}
	prev := pgast.Token_NUL
	for i, t := range tokens {
		cur := &levels[len(levels)-1]
		switch t.Token {
		case pgast.Token_ASCII_40, pgast.Token_ASCII_91, pgast.Token_CASE: // ( [ CASE
			if len(levels) > maxSQLNesting {
				return &sqlLimitError{fmt.Sprintf("the SQL nests parentheses, brackets or CASE more than %d deep (at byte %d); flatten it", maxSQLNesting, t.Start)}
			}
			levels = append(levels, level{isCase: t.Token == pgast.Token_CASE})
		case pgast.Token_ASCII_41, pgast.Token_ASCII_93: // ) ]
			for len(levels) > 1 && levels[len(levels)-1].isCase { // an unclosed CASE ends here
				levels = levels[:len(levels)-1]
			}
			if len(levels) > 1 {
				levels = levels[:len(levels)-1]
			}
		case pgast.Token_END_P:
			if len(levels) > 1 && cur.isCase {
				levels = levels[:len(levels)-1]
			}
		case pgast.Token_ASCII_44: // ,
			*cur = level{}
		case pgast.Token_ASCII_59: // ;
			levels = []level{{}}
		case pgast.Token_AND, pgast.Token_OR, pgast.Token_WHEN, pgast.Token_THEN, pgast.Token_ELSE:
			// AND and OR chains become one flat list; CASE branches are
			// siblings. Prefix operators before them still nest what follows,
			// and the AND of a BETWEEN separates nothing.
			if t.Token == pgast.Token_AND && cur.between > 0 {
				cur.between--
			} else {
				cur.terms = 0
			}
		case pgast.Token_BETWEEN:
			cur.terms++
			cur.between++
		case pgast.Token_NOT:
			cur.prefix++
		case pgast.Token_ASCII_45, pgast.Token_ASCII_43: // - +
			if isOperand(prev) {
				cur.terms++
			} else if i+1 < len(tokens) && (tokens[i+1].Token == pgast.Token_ICONST || tokens[i+1].Token == pgast.Token_FCONST) {
				// the parser folds a signed number into one constant
			} else {
				cur.prefix++
			}
		case pgast.Token_Op, pgast.Token_ASCII_42, pgast.Token_ASCII_47, pgast.Token_ASCII_37,
			pgast.Token_ASCII_94, pgast.Token_ASCII_60, pgast.Token_ASCII_62, pgast.Token_ASCII_61,
			pgast.Token_LESS_EQUALS, pgast.Token_GREATER_EQUALS, pgast.Token_NOT_EQUALS,
			pgast.Token_TYPECAST, pgast.Token_IS, pgast.Token_ISNULL, pgast.Token_NOTNULL,
			pgast.Token_LIKE, pgast.Token_ILIKE, pgast.Token_SIMILAR, pgast.Token_IN_P,
			pgast.Token_COLLATE, pgast.Token_AT, pgast.Token_OVERLAPS,
			pgast.Token_UNION, pgast.Token_INTERSECT, pgast.Token_EXCEPT, pgast.Token_JOIN,
			pgast.Token_OPERATOR, pgast.Token_ESCAPE, pgast.Token_ASCII_58,
			pgast.Token_ASCII_46:
			if isOperand(prev) || t.Token == pgast.Token_OPERATOR {
				cur.terms++
			} else {
				cur.prefix++
			}
		case pgast.Token_SCONST:
			if err := checkStringLiteral(sql, t); err != nil {
				return err
			}
		}
		if n := total(); n > maxSQLTerms {
			return &sqlLimitError{fmt.Sprintf("the SQL chains more than %d expression terms in one place (at byte %d); split the expression or use a list (IN (...), VALUES, an array)", maxSQLTerms, t.Start)}
		}
		if t.Token != pgast.Token_SQL_COMMENT && t.Token != pgast.Token_C_COMMENT {
			prev = t.Token
		}
	}
	return nil
}

// isOperand reports whether a token can end an operand, so that an operator
// after it is binary rather than prefix.
func isOperand(t pgast.Token) bool {
	switch t {
	case pgast.Token_NUL, pgast.Token_ASCII_40, pgast.Token_ASCII_91, pgast.Token_ASCII_44,
		pgast.Token_ASCII_59, pgast.Token_Op, pgast.Token_ASCII_43, pgast.Token_ASCII_45,
		pgast.Token_ASCII_42, pgast.Token_ASCII_47, pgast.Token_ASCII_37, pgast.Token_ASCII_94,
		pgast.Token_ASCII_60, pgast.Token_ASCII_62, pgast.Token_ASCII_61, pgast.Token_LESS_EQUALS,
		pgast.Token_GREATER_EQUALS, pgast.Token_NOT_EQUALS, pgast.Token_NOT, pgast.Token_AND,
		pgast.Token_OR, pgast.Token_WHEN, pgast.Token_THEN, pgast.Token_ELSE, pgast.Token_SELECT,
		pgast.Token_WHERE:
		return false
	}
	return true
}

// checkStringLiteral enforces one reading of a string constant. PostgreSQL
// reads '...' with backslashes as plain characters when
// standard_conforming_strings is on (the default, and what the guard's parser
// assumes) and as escapes when it is off, which a role or database default
// can set. A backslash that would move the end of the literal under the
// other setting (\' or a trailing \) would make the two readings split into
// different statements, so it is refused; any other backslash changes only
// the literal's value, never the statements or their structure. E'...',
// U&'...', dollar quoting and identifiers read the same either way.
func checkStringLiteral(sql string, t *pgast.ScanToken) error {
	start, end := int(t.Start), int(t.End)
	if start < 0 || end > len(sql) || start >= end {
		return &sqlLimitError{"the SQL has a string constant the guard could not locate"}
	}
	text := sql[start:end]
	if !strings.Contains(text, `\`) {
		return nil
	}
	switch text[0] {
	case '\'':
	case 'n', 'N': // N'...' is read like '...'
		text = text[1:]
		start++
	default: // E'...', B'...', X'...', U&'...'
		return nil
	}
	if escapedEnd(sql, start) != end {
		return &sqlLimitError{fmt.Sprintf("the string constant at byte %d holds a backslash before a quote or at its end; PostgreSQL reads it differently when standard_conforming_strings is off. Write it as E'...' with \\\\ for a backslash, or use $$...$$ quoting", start)}
	}
	return nil
}

// escapedEnd returns where a quoted literal starting at sql[start] == '\”
// ends when backslashes escape the next character (standard_conforming_strings
// off), following PostgreSQL's continuation rule: quote, whitespace with a
// newline, quote continues the literal.
func escapedEnd(sql string, start int) int {
	i := start + 1
	for i < len(sql) {
		switch sql[i] {
		case '\\':
			i += 2
			continue
		case '\'':
			if i+1 < len(sql) && sql[i+1] == '\'' {
				i += 2
				continue
			}
			// continuation: whitespace including a newline, then a quote
			j, newline := i+1, false
			for j < len(sql) && strings.IndexByte(" \t\n\r\f", sql[j]) >= 0 {
				newline = newline || sql[j] == '\n' || sql[j] == '\r'
				j++
			}
			if newline && j < len(sql) && sql[j] == '\'' {
				i = j + 1
				continue
			}
			return i + 1
		}
		i++
	}
	return -1
}
