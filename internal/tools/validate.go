package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/supabase-mcp/supabase-mcp/internal/suggest"
)

// validate checks v against s and returns it with common model type slips
// repaired ("5" for 5, "true" for true, 5 for "5", a JSON-encoded array or
// object passed as a string). s is a validation schema: the listed keywords
// plus the field's check tag. The error text is written for a model to act
// on; it names the argument and what was expected, never the value.
func validate(s *jsonschema.Schema, v any, path string) (any, error) {
	if s == nil {
		return v, nil
	}
	var err error
	if f, ok := asFloat(v); ok {
		v = f // JSON numbers arrive as float64; Go callers may pass ints
	}
	switch s.Type {
	case "string":
		switch x := v.(type) {
		case string:
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			v = strconv.FormatBool(x)
		default:
			return nil, typeError(path, "a string", v)
		}
		str := v.(string)
		if c := checksOf(s, false); c != nil {
			if err := c.checkPlace(path, str); err != nil {
				return nil, err
			}
		}
		if err := checkLength(path, str, s.MinLength, s.MaxLength); err != nil {
			return nil, err
		}
		if s.Pattern != "" && !compiled(s.Pattern).MatchString(str) {
			return nil, refused("%s does not match the pattern %s", path, s.Pattern)
		}
		if _, known := formats[s.Format]; known && !formatOK(s.Format, str) {
			return nil, refused("%s must be %s (format %s)", path, formats[s.Format], s.Format)
		}
	case "integer", "number":
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case string:
			if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, typeError(path, "a number", v)
			}
		default:
			return nil, typeError(path, "a number", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, typeError(path, "a number", v)
		}
		if s.Type == "integer" && f != math.Trunc(f) {
			return nil, refused("%s must be a whole number", path)
		}
		if s.Minimum != "" {
			if lo, _ := s.Minimum.Float64(); f < lo {
				return nil, refused("%s must be at least %v", path, lo)
			}
		}
		if s.Maximum != "" {
			if hi, _ := s.Maximum.Float64(); f > hi {
				return nil, refused("%s must be at most %v", path, hi)
			}
		}
		if s.ExclusiveMinimum != "" {
			if lo, _ := s.ExclusiveMinimum.Float64(); f <= lo {
				return nil, refused("%s must be more than %v", path, lo)
			}
		}
		if s.ExclusiveMaximum != "" {
			if hi, _ := s.ExclusiveMaximum.Float64(); f >= hi {
				return nil, refused("%s must be less than %v", path, hi)
			}
		}
		v = f
	case "boolean":
		switch x := v.(type) {
		case bool:
		case string:
			b, perr := strconv.ParseBool(strings.TrimSpace(x))
			if perr != nil {
				return nil, typeError(path, "true or false", v)
			}
			v = b
		default:
			return nil, typeError(path, "true or false", v)
		}
	case "array":
		if str, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(str), "[") {
			var parsed []any
			if json.Unmarshal([]byte(str), &parsed) == nil {
				v = parsed
			}
		}
		items, ok := v.([]any)
		if !ok {
			return nil, typeError(path, "an array", v)
		}
		if s.MinItems != nil && uint64(len(items)) < *s.MinItems {
			return nil, refused("%s needs at least %d items", path, *s.MinItems)
		}
		if s.MaxItems != nil && uint64(len(items)) > *s.MaxItems {
			return nil, refused("%s takes at most %d items", path, *s.MaxItems)
		}
		out := make([]any, len(items))
		for i, item := range items {
			if out[i], err = validate(s.Items, item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		v = out
	case "object":
		if str, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(str), "{") {
			var parsed map[string]any
			if json.Unmarshal([]byte(str), &parsed) == nil {
				v = parsed
			}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, typeError(path, "an object", v)
		}
		if v, err = validateObject(s, obj, path); err != nil {
			return nil, err
		}
	}
	if len(s.Enum) > 0 && !inEnum(s.Enum, v) {
		return nil, refused("%s is not one of the allowed values: %s", path, enumList(s.Enum, v))
	}
	if c := checksOf(s, false); c != nil {
		if err := c.check(path, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func validateObject(s *jsonschema.Schema, obj map[string]any, path string) (map[string]any, error) {
	if s.Properties == nil || s.Properties.Len() == 0 {
		return obj, nil // free-form object
	}
	known := make([]string, 0, s.Properties.Len())
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		known = append(known, pair.Key)
	}
	out := make(map[string]any, len(obj))
	for _, key := range sortedKeys(obj) {
		ps, ok := s.Properties.Get(key)
		if !ok {
			return nil, unknownKeyError(path+"."+key, key, known)
		}
		val, err := validate(ps, obj[key], path+"."+key)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	for _, req := range s.Required {
		if _, ok := out[req]; !ok {
			return nil, refused("%s is missing required field %s", path, req)
		}
	}
	return out, nil
}

func unknownKeyError(path, key string, known []string) error {
	msg := fmt.Sprintf("unknown field %s", path)
	if near := closest(key, known, 3); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	}
	if len(known) <= 40 {
		msg += " Valid fields: " + strings.Join(known, ", ") + "."
	}
	return refused("%s", msg)
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// typeError names the kind of value given, never the value.
func typeError(path, want string, got any) error {
	return refused("%s must be %s, got %s", path, want, kindOf(got))
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value of another type"
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

// enumList names every allowed value for short enums, and the closest ones for
// long enums (regions, instance sizes).
func enumList(enum []any, v any) string {
	names := make([]string, len(enum))
	for i, e := range enum {
		names[i] = fmt.Sprint(e)
	}
	if len(names) <= 30 {
		return strings.Join(names, ", ")
	}
	near := closest(fmt.Sprint(v), names, 5)
	if len(near) == 0 {
		near = names[:10]
	}
	return strings.Join(near, ", ") + fmt.Sprintf(" (%d of %d; the schema lists all)", len(near), len(names))
}

var (
	patternMu    sync.Mutex
	patternCache = map[string]*regexp.Regexp{}
)

// compiled caches patterns from struct tags; they are constants of the
// program, so a bad one is a programming error caught by the catalogue tests.
func compiled(p string) *regexp.Regexp {
	patternMu.Lock()
	defer patternMu.Unlock()
	re, ok := patternCache[p]
	if !ok {
		re = regexp.MustCompile(p)
		patternCache[p] = re
	}
	return re
}

// closest returns up to n candidates near name (suggest.Closest).
func closest(name string, candidates []string, n int) []string {
	return suggest.Closest(name, candidates, n, 2)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lazyRegexp compiles a pattern on first use: package-level regexps would
// be compiled at every start, before the server can answer, whether or not
// a call ever needs them.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
