package tools

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/invopop/jsonschema"
)

// constraint is what a schema demands of one value, in a form that the
// spec's schemas and our validation schemas can both be read into.
type constraint struct {
	patterns             []string
	format               string
	enum                 []string // nil: no enum
	minLength            uint64
	maxLength            *uint64
	min, max             *float64
	exclMin, exclMax     *float64
	minItems             uint64
	maxItems             *uint64
	hasPattern, hasLimit bool
}

// enforcedFormats are the formats that say something about a string.
var enforcedFormats = map[string]bool{"uuid": true, "uri": true, "date-time": true, "email": true}

// fixedLength reads "^X{n}$" as X repeated n times.
var fixedLength = regexp.MustCompile(`^\^(.+)\{(\d+)\}\$$`)

// oursOf reads a validation schema: the listed keywords and the checks.
func oursOf(s *jsonschema.Schema) constraint {
	var c constraint
	if s.Pattern != "" {
		c.patterns = append(c.patterns, s.Pattern)
	}
	c.format = s.Format
	for _, e := range s.Enum {
		c.enum = append(c.enum, fmt.Sprint(e))
	}
	if s.MinLength != nil {
		c.minLength = *s.MinLength
	}
	c.maxLength = s.MaxLength
	c.min, c.max = number(s.Minimum), number(s.Maximum)
	c.exclMin, c.exclMax = number(s.ExclusiveMinimum), number(s.ExclusiveMaximum)
	if s.MinItems != nil {
		c.minItems = *s.MinItems
	}
	c.maxItems = s.MaxItems
	if k := checksOf(s, false); k != nil {
		if k.pattern != nil {
			c.patterns = append(c.patterns, k.pattern.src)
		}
		if k.format != "" {
			c.format = k.format
		}
		if k.enum != nil {
			c.enum = k.enum
		}
		if k.minLength != nil {
			c.minLength = max(c.minLength, *k.minLength)
		}
		c.maxLength = tighter(c.maxLength, k.maxLength)
		c.min, c.max = pick(k.minimum, c.min), pick(k.maximum, c.max)
		c.exclMin, c.exclMax = pick(k.exclusiveMin, c.exclMin), pick(k.exclusiveMax, c.exclMax)
		if k.minItems != nil {
			c.minItems = max(c.minItems, *k.minItems)
		}
		c.maxItems = tighter(c.maxItems, k.maxItems)
		if k.pathValue {
			c.minLength = max(c.minLength, 1)
			c.maxLength = tighter(c.maxLength, ptr(uint64(maxPathValue)))
		}
	}
	// A format implies a value is not empty.
	if enforcedFormats[c.format] {
		c.minLength = max(c.minLength, 1)
	}
	// A fixed-length pattern implies its length.
	for _, p := range c.patterns {
		if m := fixedLength.FindStringSubmatch(p); m != nil {
			n, _ := strconv.ParseUint(m[2], 10, 64)
			c.minLength, c.maxLength = max(c.minLength, n), tighter(c.maxLength, &n)
			c.patterns = append(c.patterns, "^"+m[1]+"+$")
		}
	}
	return c
}

func tighter(a, b *uint64) *uint64 {
	if a == nil || (b != nil && *b < *a) {
		return b
	}
	return a
}

func ptr[T any](v T) *T { return &v }

func number(n interface{ Float64() (float64, error) }) *float64 {
	f, err := n.Float64()
	if err != nil {
		return nil
	}
	return &f
}

// specNode is a spec schema with oneOf/anyOf branches merged: a value our
// single flattened struct accepts must fit at least one branch, so each
// constraint is the loosest of the branches that have the property.
type specNode struct {
	c     constraint
	props map[string]*specNode
	items *specNode
}

func specOf(ref *openapi3.SchemaRef, depth int) *specNode {
	if ref == nil || ref.Value == nil || depth > 12 {
		return nil
	}
	s := ref.Value
	n := &specNode{props: map[string]*specNode{}}
	c := &n.c
	if s.Pattern != "" {
		c.patterns = []string{s.Pattern}
	}
	if enforcedFormats[s.Format] {
		c.format = s.Format
	}
	for _, e := range s.Enum {
		c.enum = append(c.enum, fmt.Sprint(e))
	}
	c.minLength, c.maxLength = s.MinLength, s.MaxLength
	c.min, c.max = s.Min, s.Max
	if s.ExclusiveMin.IsTrue() {
		c.exclMin, c.min = s.Min, nil
	} else if s.ExclusiveMin.Value != nil {
		c.exclMin = s.ExclusiveMin.Value
	}
	if s.ExclusiveMax.IsTrue() {
		c.exclMax, c.max = s.Max, nil
	} else if s.ExclusiveMax.Value != nil {
		c.exclMax = s.ExclusiveMax.Value
	}
	c.minItems, c.maxItems = s.MinItems, s.MaxItems
	for name, p := range s.Properties {
		if pn := specOf(p, depth+1); pn != nil {
			n.props[name] = pn
		}
	}
	n.items = specOf(s.Items, depth+1)
	for _, all := range s.AllOf {
		n = mergeAll(n, specOf(all, depth+1))
	}
	var branches []*specNode
	for _, b := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		if bn := specOf(b, depth+1); bn != nil {
			branches = append(branches, bn)
		}
	}
	if len(branches) > 0 {
		n = mergeAll(n, mergeAny(branches))
	}
	return n
}

// mergeAll combines constraints that must all hold (allOf, or a schema and
// its branches' merge).
func mergeAll(a, b *specNode) *specNode {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	c := &a.c
	c.patterns = append(c.patterns, b.c.patterns...)
	if c.format == "" {
		c.format = b.c.format
	}
	if c.enum == nil {
		c.enum = b.c.enum
	}
	c.minLength = max(c.minLength, b.c.minLength)
	c.maxLength = tighter(c.maxLength, b.c.maxLength)
	c.min, c.max = pick(c.min, b.c.min), pick(c.max, b.c.max)
	c.exclMin, c.exclMax = pick(c.exclMin, b.c.exclMin), pick(c.exclMax, b.c.exclMax)
	c.minItems = max(c.minItems, b.c.minItems)
	c.maxItems = tighter(c.maxItems, b.c.maxItems)
	for k, v := range b.props {
		a.props[k] = mergeAll(a.props[k], v)
	}
	a.items = mergeAll(a.items, b.items)
	return a
}

// mergeAny keeps what every branch demands (enums joined), per property
// over the branches that have it.
func mergeAny(branches []*specNode) *specNode {
	out := &specNode{props: map[string]*specNode{}}
	first := branches[0].c
	c := first
	for _, b := range branches[1:] {
		bc := b.c
		if !slices.Equal(c.patterns, bc.patterns) {
			c.patterns = nil
		}
		if c.format != bc.format {
			c.format = ""
		}
		if c.enum == nil || bc.enum == nil {
			c.enum = nil
		} else {
			for _, e := range bc.enum {
				if !slices.Contains(c.enum, e) {
					c.enum = append(c.enum, e)
				}
			}
		}
		c.minLength = min(c.minLength, bc.minLength)
		c.maxLength = looser(c.maxLength, bc.maxLength)
		c.min, c.max = looserF(c.min, bc.min, false), looserF(c.max, bc.max, true)
		c.exclMin, c.exclMax = looserF(c.exclMin, bc.exclMin, false), looserF(c.exclMax, bc.exclMax, true)
		c.minItems = min(c.minItems, bc.minItems)
		c.maxItems = looser(c.maxItems, bc.maxItems)
	}
	out.c = c
	names := map[string][]*specNode{}
	var items []*specNode
	for _, b := range branches {
		for k, v := range b.props {
			names[k] = append(names[k], v)
		}
		if b.items != nil {
			items = append(items, b.items)
		}
	}
	for k, vs := range names {
		out.props[k] = mergeAny(vs)
	}
	if len(items) > 0 {
		out.items = mergeAny(items)
	}
	return out
}

func looser(a, b *uint64) *uint64 {
	if a == nil || b == nil {
		return nil
	}
	return ptr(max(*a, *b))
}

func looserF(a, b *float64, upper bool) *float64 {
	if a == nil || b == nil {
		return nil
	}
	if upper {
		return ptr(max(*a, *b))
	}
	return ptr(min(*a, *b))
}

// gaps lists what the spec demands of a value and ours does not.
func gaps(ours, spec constraint) []string {
	var out []string
	for _, p := range spec.patterns {
		if !slices.Contains(ours.patterns, p) && !(fixedForm(p, spec) != "" && slices.Contains(ours.patterns, fixedForm(p, spec))) {
			out = append(out, "pattern "+p)
		}
	}
	if spec.format != "" && ours.format != spec.format {
		out = append(out, "format "+spec.format)
	}
	if spec.enum != nil {
		if ours.enum == nil {
			out = append(out, fmt.Sprintf("enum %v", spec.enum))
		} else {
			for _, e := range ours.enum {
				if !slices.Contains(spec.enum, e) {
					out = append(out, fmt.Sprintf("enum value %s is not in the spec's %v", e, spec.enum))
				}
			}
		}
	}
	if ours.minLength < spec.minLength {
		out = append(out, fmt.Sprintf("minLength %d", spec.minLength))
	}
	if spec.maxLength != nil && (ours.maxLength == nil || *ours.maxLength > *spec.maxLength) {
		out = append(out, fmt.Sprintf("maxLength %d", *spec.maxLength))
	}
	if spec.min != nil && !atLeast(ours, *spec.min, false) {
		out = append(out, fmt.Sprintf("minimum %v", *spec.min))
	}
	if spec.exclMin != nil && !atLeast(ours, *spec.exclMin, true) {
		out = append(out, fmt.Sprintf("exclusiveMinimum %v", *spec.exclMin))
	}
	if spec.max != nil && !atMost(ours, *spec.max, false) {
		out = append(out, fmt.Sprintf("maximum %v", *spec.max))
	}
	if spec.exclMax != nil && !atMost(ours, *spec.exclMax, true) {
		out = append(out, fmt.Sprintf("exclusiveMaximum %v", *spec.exclMax))
	}
	if ours.minItems < spec.minItems {
		out = append(out, fmt.Sprintf("minItems %d", spec.minItems))
	}
	if spec.maxItems != nil && (ours.maxItems == nil || *ours.maxItems > *spec.maxItems) {
		out = append(out, fmt.Sprintf("maxItems %d", *spec.maxItems))
	}
	return out
}

// fixedForm is the spec's "^X+$" with minLength = maxLength = n written as
// "^X{n}$", the form our tags use.
func fixedForm(p string, spec constraint) string {
	inner, ok := strings.CutPrefix(p, "^")
	if !ok || !strings.HasSuffix(inner, "+$") || spec.maxLength == nil || spec.minLength != *spec.maxLength {
		return ""
	}
	return fmt.Sprintf("^%s{%d}$", strings.TrimSuffix(inner, "+$"), spec.minLength)
}

// atLeast: every value ours accepts is >= bound (> bound when strict).
func atLeast(ours constraint, bound float64, strict bool) bool {
	if ours.min != nil && (*ours.min > bound || (!strict && *ours.min == bound)) {
		return true
	}
	return ours.exclMin != nil && *ours.exclMin >= bound
}

func atMost(ours constraint, bound float64, strict bool) bool {
	if ours.max != nil && (*ours.max < bound || (!strict && *ours.max == bound)) {
		return true
	}
	return ours.exclMax != nil && *ours.exclMax <= bound
}

// compareTree walks a spec schema and our validation schema together.
// Spec properties we do not take are never sent (unknown arguments are
// refused), so they need no constraint.
func compareTree(where string, ours *jsonschema.Schema, spec *specNode, report func(string, []string), count *int) {
	if ours == nil || spec == nil {
		return
	}
	if g := gaps(oursOf(ours), spec.c); len(g) > 0 {
		report(where, g)
	}
	if len(spec.c.patterns)+len(spec.c.enum) > 0 || spec.c.format != "" || spec.c.maxLength != nil || spec.c.minLength > 0 || spec.c.min != nil || spec.c.max != nil || spec.c.exclMin != nil || spec.c.minItems > 0 || spec.c.maxItems != nil {
		*count++
	}
	if ours.Type == "object" && (ours.Properties == nil || ours.Properties.Len() == 0) && hasConstraintsBelow(spec, 0) {
		report(where, []string{"a free-form object, while the spec constrains fields below it"})
	}
	for name, sp := range spec.props {
		if ours.Properties == nil {
			break
		}
		if op, ok := ours.Properties.Get(name); ok {
			compareTree(where+"."+name, op, sp, report, count)
		}
	}
	if spec.items != nil {
		compareTree(where+"[]", ours.Items, spec.items, report, count)
	}
}

func hasConstraintsBelow(n *specNode, depth int) bool {
	if n == nil || depth > 12 {
		return false
	}
	if depth > 0 && len(gaps(constraint{}, n.c)) > 0 {
		return true
	}
	for _, p := range n.props {
		if hasConstraintsBelow(p, depth+1) {
			return true
		}
	}
	return hasConstraintsBelow(n.items, depth+1)
}

func bodyHas(so *openapi3.Operation, name string) bool {
	if so.RequestBody == nil || so.RequestBody.Value == nil {
		return false
	}
	mt := so.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return false
	}
	_, ok := specOf(mt.Schema, 0).props[name]
	return ok
}

// Every pattern, format, enum, length and bound the spec gives a path,
// query or JSON body value is declared on our request struct (listed in the
// jsonschema tag or enforced through the check tag), at least as strictly.
// A new operation that forgets one fails here.
func TestRequestStructsCarryTheSpecsConstraints(t *testing.T) {
	s := loadSpec(t)
	_, all := exposeAll(t)
	var problems []string
	checked := 0
	for _, e := range all {
		for _, op := range e.Operations {
			so := s.Operation(op.Method, op.Path)
			if so == nil {
				continue // TestCatalogueMatchesSpec reports it
			}
			report := func(where string, g []string) {
				problems = append(problems, fmt.Sprintf("%s %s: %s", op.QualifiedName(), where, strings.Join(g, "; ")))
			}
			params := slices.Clone(so.Parameters)
			if item := s.Doc.Paths.Find(op.Path); item != nil {
				params = append(params, item.Parameters...)
			}
			for _, pr := range params {
				if pr.Value == nil || (pr.Value.In != "path" && pr.Value.In != "query") {
					continue
				}
				p := op.param(pr.Value.Name)
				if p == nil {
					if pr.Value.In == "path" {
						report(pr.Value.Name, []string{"path parameter missing from the request struct"})
					}
					continue
				}
				if p.in != pr.Value.In {
					// Sent in the JSON body, which the spec also offers:
					// the body's constraints are compared below.
					if p.in != inBody || !bodyHas(so, p.name) {
						report(p.name, []string{fmt.Sprintf("sent in %s, the spec says %s", p.in, pr.Value.In)})
					}
					continue
				}
				compareTree(p.name, p.schema, specOf(pr.Value.Schema, 0), report, &checked)
			}
			if so.RequestBody == nil || so.RequestBody.Value == nil {
				continue
			}
			mt := so.RequestBody.Value.Content.Get("application/json")
			if mt == nil {
				continue // multipart and eszip bodies are built by EncodeBody
			}
			body := specOf(mt.Schema, 0)
			if op.Body != "" {
				if p := op.param(op.Body); p != nil {
					compareTree(p.name, p.schema, body, report, &checked)
				}
				continue
			}
			for name, sp := range body.props {
				if p := op.param(name); p != nil && p.in == inBody {
					compareTree(name, p.schema, sp, report, &checked)
				}
			}
		}
	}
	sort.Strings(problems)
	t.Logf("%d constrained spec values compared", checked)
	if len(problems) > 0 {
		t.Errorf("%d values lack the spec's constraints (add them to the field's check tag):\n%s", len(problems), strings.Join(problems, "\n"))
	}
}
