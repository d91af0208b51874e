package tools

import (
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
)

// checkTag names the struct tag for constraints that are enforced before a
// request is sent but not listed in tools/list, where every byte is paid on
// every model turn. Its value is a comma list of key=value; pattern, whose
// regular expression may hold commas, must come last:
//
//	check:"format=uuid"
//	check:"maxLength=256,pattern=^(?!SUPABASE_).*"
//	check:"enum=a|b|c,minimum=1"
//
// On a slice field, minItems and maxItems apply to the list and every other
// key to each item. Constraints in the jsonschema tag (listed) are enforced
// as well; both must hold.
const checkTag = "check"

// checksKey is where a validation schema keeps its checks; validation
// schemas are never listed.
const checksKey = "x-checks"

// maxPathValue is the most characters a path value may have: ids, refs,
// slugs and names are far shorter, and a longer value is a mistake or an
// attack on the API's URL handling.
const maxPathValue = 200

// checks are the constraints of one value beyond what its listed schema says.
type checks struct {
	pattern              *pattern
	format               string
	minLength, maxLength *uint64
	minimum, maximum     *float64
	exclusiveMin         *float64
	exclusiveMax         *float64
	enum                 []string
	minItems, maxItems   *uint64
	// A path value is one printable segment: not empty, not blank, no
	// surrounding whitespace, at most maxPathValue characters.
	pathValue bool
	// A query value has no control characters but tab, newline and carriage
	// return (a logs query is multi-line SQL).
	queryValue bool
}

// pattern is a compiled regular expression, or the one construct of the
// spec that Go's RE2 lacks: a leading negative lookahead on a literal
// ("^(?!SUPABASE_).*").
type pattern struct {
	src       string
	notPrefix string
	re        *regexp.Regexp
}

func compilePattern(src string) (*pattern, error) {
	p := &pattern{src: src}
	expr := src
	if rest, ok := strings.CutPrefix(src, "^(?!"); ok {
		literal, tail, found := strings.Cut(rest, ")")
		if !found || regexp.QuoteMeta(literal) != literal {
			return nil, fmt.Errorf("pattern %s: only a literal negative lookahead is supported", src)
		}
		p.notPrefix, expr = literal, "^"+tail
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("pattern %s: %w", src, err)
	}
	p.re = re
	return p, nil
}

func (p *pattern) match(s string) bool {
	if p.notPrefix != "" && strings.HasPrefix(s, p.notPrefix) {
		return false
	}
	return p.re.MatchString(s)
}

var formats = map[string]string{
	"uuid":      "a UUID (RFC 9562) such as 3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b",
	"uri":       "an absolute URI such as https://example.com/path",
	"date-time": "an RFC 3339 date-time such as 2026-01-02T03:04:05Z",
	"email":     "a plain email address such as dev@example.com",
}

// uuidRE is an RFC 9562 UUID: versions 1 to 8 with the RFC variant, or the
// nil or max UUID.
var uuidRE = lazyRegexp(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$`)

// formatOK reports whether s has the format; unknown formats (int64,
// binary) say nothing about a string and pass.
func formatOK(format, s string) bool {
	switch format {
	case "uuid":
		return uuidRE().MatchString(s)
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil && isASCIIPrintable(s)
	case "email":
		a, err := mail.ParseAddress(s)
		return err == nil && a.Name == "" && a.Address == s && isASCIIPrintable(s) && !strings.Contains(s, " ")
	case "uri":
		if !isASCIIPrintable(s) || strings.ContainsAny(s, " \"<>\\^`{|}") {
			return false
		}
		u, err := url.Parse(s)
		return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "")
	}
	return true
}

func isASCIIPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// parseChecks reads a check tag.
func parseChecks(tag string) (*checks, error) {
	c := &checks{}
	rest := tag
	for rest != "" {
		var item string
		if strings.HasPrefix(rest, "pattern=") {
			item, rest = rest, ""
		} else {
			item, rest, _ = strings.Cut(rest, ",")
		}
		key, val, ok := strings.Cut(item, "=")
		if !ok || val == "" {
			return nil, fmt.Errorf("check tag %q: %q is not key=value", tag, item)
		}
		var err error
		switch key {
		case "pattern":
			c.pattern, err = compilePattern(val)
		case "format":
			if _, known := formats[val]; !known {
				err = fmt.Errorf("unknown format %s", val)
			}
			c.format = val
		case "enum":
			c.enum = strings.Split(val, "|")
		case "minLength":
			c.minLength, err = parseCount(val)
		case "maxLength":
			c.maxLength, err = parseCount(val)
		case "minItems":
			c.minItems, err = parseCount(val)
		case "maxItems":
			c.maxItems, err = parseCount(val)
		case "minimum":
			c.minimum, err = parseBound(val)
		case "maximum":
			c.maximum, err = parseBound(val)
		case "exclusiveMinimum":
			c.exclusiveMin, err = parseBound(val)
		case "exclusiveMaximum":
			c.exclusiveMax, err = parseBound(val)
		default:
			err = fmt.Errorf("unknown key %s", key)
		}
		if err != nil {
			return nil, fmt.Errorf("check tag %q: %w", tag, err)
		}
	}
	return c, nil
}

func parseCount(s string) (*uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	return &n, err
}

func parseBound(s string) (*float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	return &f, err
}

// checksOf returns the checks a validation schema carries, adding an empty
// set when create is true.
func checksOf(s *jsonschema.Schema, create bool) *checks {
	if c, ok := s.Extras[checksKey].(*checks); ok {
		return c
	}
	if !create {
		return nil
	}
	if s.Extras == nil {
		s.Extras = map[string]any{}
	}
	c := &checks{}
	s.Extras[checksKey] = c
	return c
}

// attach adds c to the schema of a field: on an array, item counts to the
// list and the rest to its items.
func attach(s *jsonschema.Schema, c *checks) {
	if s.Type == "array" && s.Items != nil {
		list := checksOf(s, true)
		list.minItems, list.maxItems = pick(c.minItems, list.minItems), pick(c.maxItems, list.maxItems)
		itemChecks := *c
		itemChecks.minItems, itemChecks.maxItems = nil, nil
		attach(s.Items, &itemChecks)
		return
	}
	to := checksOf(s, true)
	if c.pattern != nil {
		to.pattern = c.pattern
	}
	if c.format != "" {
		to.format = c.format
	}
	if c.enum != nil {
		to.enum = c.enum
	}
	to.minLength, to.maxLength = pick(c.minLength, to.minLength), pick(c.maxLength, to.maxLength)
	to.minItems, to.maxItems = pick(c.minItems, to.minItems), pick(c.maxItems, to.maxItems)
	to.minimum, to.maximum = pick(c.minimum, to.minimum), pick(c.maximum, to.maximum)
	to.exclusiveMin, to.exclusiveMax = pick(c.exclusiveMin, to.exclusiveMin), pick(c.exclusiveMax, to.exclusiveMax)
	to.pathValue = to.pathValue || c.pathValue
	to.queryValue = to.queryValue || c.queryValue
}

func pick[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// validationSchema reflects a struct with its check tags: the schema that
// arguments are validated against. It is never listed.
func validationSchema(t reflect.Type) (*jsonschema.Schema, error) {
	s := reflectSchema(t)
	if err := applyChecks(t, s); err != nil {
		return nil, err
	}
	return s, nil
}

// applyChecks walks a Go type and its reflected schema together and attaches
// every field's check tag to the field's schema.
func applyChecks(t reflect.Type, s *jsonschema.Schema) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if s.Properties == nil {
			return nil
		}
		fields := map[string]reflect.StructField{}
		collectFields(t, nil, fields)
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			f, ok := fields[pair.Key]
			if !ok {
				continue
			}
			if tag, ok := f.Tag.Lookup(checkTag); ok {
				c, err := parseChecks(tag)
				if err != nil {
					return fmt.Errorf("field %s: %w", f.Name, err)
				}
				attach(pair.Value, c)
			}
			if err := applyChecks(f.Type, pair.Value); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() != reflect.Uint8 {
			return applyChecks(t.Elem(), s.Items)
		}
	}
	return nil
}

// check enforces c on a value that has passed its listed schema (and, for
// a string, checkPlace).
func (c *checks) check(path string, v any) error {
	switch x := v.(type) {
	case string:
		return c.checkString(path, x)
	case float64:
		if c.minimum != nil && x < *c.minimum {
			return refused("%s must be at least %v", path, *c.minimum)
		}
		if c.maximum != nil && x > *c.maximum {
			return refused("%s must be at most %v", path, *c.maximum)
		}
		if c.exclusiveMin != nil && x <= *c.exclusiveMin {
			return refused("%s must be more than %v", path, *c.exclusiveMin)
		}
		if c.exclusiveMax != nil && x >= *c.exclusiveMax {
			return refused("%s must be less than %v", path, *c.exclusiveMax)
		}
		if c.enum != nil && !inEnum(toAny(c.enum), x) {
			return refused("%s is not one of the allowed values: %s", path, strings.Join(c.enum, ", "))
		}
	case []any:
		if c.minItems != nil && uint64(len(x)) < *c.minItems {
			return refused("%s needs at least %d items", path, *c.minItems)
		}
		if c.maxItems != nil && uint64(len(x)) > *c.maxItems {
			return refused("%s takes at most %d items", path, *c.maxItems)
		}
	case bool:
		if c.enum != nil && !inEnum(toAny(c.enum), x) {
			return refused("%s is not one of the allowed values: %s", path, strings.Join(c.enum, ", "))
		}
	}
	return nil
}

// checkPlace enforces the rules of where a string goes (path segment or
// query value); they come before any pattern, whose message would be less
// to the point.
func (c *checks) checkPlace(path, s string) error {
	if c.pathValue {
		switch {
		case strings.TrimSpace(s) == "":
			return refused("%s must not be empty or only whitespace", path)
		case strings.TrimSpace(s) != s:
			return refused("%s must not start or end with whitespace", path)
		case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }):
			return refused("%s must hold printable characters only (no NUL or other control characters)", path)
		case utf8.RuneCountInString(s) > maxPathValue:
			return refused("%s must have at most %d characters", path, maxPathValue)
		case s == "." || s == ".." || strings.ContainsAny(s, "/\\?#%"):
			return refused("%s must be one path segment: not . or .., and without / \\ ? # or %%", path)
		}
	}
	if c.queryValue && !queryValueOK(s) {
		return refused("%s must not contain NUL or other control characters", path)
	}
	return nil
}

// checkString enforces the value's own constraints; validate has run
// checkPlace before the listed keywords.
func (c *checks) checkString(path, s string) error {
	if err := checkLength(path, s, c.minLength, c.maxLength); err != nil {
		return err
	}
	if c.pattern != nil && c.pattern.notPrefix != "" && strings.HasPrefix(s, c.pattern.notPrefix) {
		return refused("%s must not start with %s (pattern %s)", path, c.pattern.notPrefix, c.pattern.src)
	}
	if c.pattern != nil && !c.pattern.match(s) {
		return refused("%s does not match the pattern %s", path, c.pattern.src)
	}
	if c.format != "" && !formatOK(c.format, s) {
		return refused("%s must be %s (format %s)", path, formats[c.format], c.format)
	}
	if c.enum != nil && !inEnum(toAny(c.enum), s) {
		return refused("%s is not one of the allowed values: %s", path, enumList(toAny(c.enum), s))
	}
	return nil
}

func checkLength(path, s string, lo, hi *uint64) error {
	n := uint64(utf8.RuneCountInString(s))
	if lo != nil && n < *lo {
		return refused("%s must have at least %d characters", path, *lo)
	}
	if hi != nil && n > *hi {
		return refused("%s must have at most %d characters", path, *hi)
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// refusedError is an argument refused before anything was sent. Its text
// names the argument and what was expected, never the value: values can be
// passwords or secrets.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return "Nothing was sent: " + e.msg }

func refused(format string, a ...any) error { return &refusedError{fmt.Sprintf(format, a...)} }
