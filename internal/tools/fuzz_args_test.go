package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	. "github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// fuzzTarget is one path or query argument, with its spec schema.
type fuzzTarget struct {
	e    *ExposedTool
	op   *Operation
	name string
	in   string
	spec *openapi3.Schema
}

// fuzzTargets lists every string path and query argument once per distinct
// spec schema (ref alone appears in 137 operations).
func fuzzTargets(t testing.TB) []fuzzTarget {
	s := LoadSpec(t)
	_, all := ExposeAll(t)
	seen := map[string]bool{}
	var out []fuzzTarget
	for _, e := range all {
		for _, op := range e.Operations {
			so := s.Operation(op.Method, op.Path)
			if so == nil {
				continue
			}
			for _, pr := range so.Parameters {
				pv := pr.Value
				if pv == nil || (pv.In != "path" && pv.In != "query") || pv.Schema == nil || pv.Schema.Value == nil {
					continue
				}
				p := ArgViewOf(op, pv.Name)
				if p == nil || p.In != pv.In || p.Schema.Type != "string" {
					continue
				}
				raw, _ := json.Marshal(pv.Schema.Value)
				key := pv.In + " " + pv.Name + " " + string(raw)
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, fuzzTarget{e, op, pv.Name, pv.In, pv.Schema.Value})
			}
		}
	}
	return out
}

// Independent readings of the spec's formats: kin-openapi checks date-time
// but not uuid, uri or email unless told to.
var (
	specUUID     = regexp.MustCompile(openapi3.FormatOfStringForUUIDOfRFC9562)
	specDateTime = regexp.MustCompile(openapi3.FormatOfStringDateTime)
	specEmail    = regexp.MustCompile(openapi3.FormatOfStringForEmail)
)

// specRefuses says why the spec's schema refuses v, or "".
func specRefuses(s *openapi3.Schema, v string) string {
	if len(s.OneOf) > 0 {
		var whys []string
		for _, b := range s.OneOf {
			why := specRefuses(b.Value, v)
			if why == "" {
				return ""
			}
			whys = append(whys, why)
		}
		return "fits no oneOf branch: " + strings.Join(whys, "; ")
	}
	n := uint64(utf8.RuneCountInString(v))
	switch {
	case n < s.MinLength:
		return "shorter than minLength"
	case s.MaxLength != nil && n > *s.MaxLength:
		return "longer than maxLength"
	case len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return e == v }):
		return "not in the enum"
	}
	if s.Pattern != "" {
		match, err := PatternMatcher(s.Pattern)
		if err != nil {
			return "pattern does not compile: " + err.Error()
		}
		if !match(v) {
			return "does not match " + s.Pattern
		}
	}
	switch s.Format {
	case "uuid":
		if !specUUID.MatchString(v) {
			return "not a uuid"
		}
	case "date-time":
		if !specDateTime.MatchString(v) {
			return "not a date-time"
		}
	case "email":
		if !specEmail.MatchString(v) {
			return "not an email"
		}
	case "uri":
		if u, err := url.Parse(v); err != nil || !u.IsAbs() {
			return "not an absolute uri"
		}
	}
	return ""
}

// Any value our validation lets through to a request meets the spec's
// pattern, format, length and enum for that argument, the whole request is
// one the spec accepts, and it goes to the operation's own endpoint.
func FuzzAcceptedArgumentsMeetTheSpec(f *testing.F) {
	for _, seed := range []string{
		"abcdefghijklmnopqrst", "abcdefghijklmnopqrsT", "abcdefghijklmnopqrsт", "acme-corp", "аcme-corp", "acmé", "acme_corp", "ACME",
		"3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b", "3F2B8A4E-6C1D-4E5F-9A7B-2C8D0E1F3A5B", "{3f2b8a4e-6c1d-4e5f-9a7b-2c8d0e1f3a5b}", "3f2b8a4e6c1d4e5f9a7b2c8d0e1f3a5b",
		"20250115000000", "2025-01-15", "v1", "main", "feature/x", "dev branch", "hello-world", "9lives", "_x", "x\u200b",
		"2026-01-02T03:04:05Z", "2026-01-02t03:04:05z", "2026-01-02T03:04:05+01:00", "2026-01-02T03:04:05+0100", "2026-13-01T00:00:00Z", "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.123456789Z",
		"https://example.com", "example.com", "mailto:dev@example.com", "dev@example.com",
		"", " ", "\t", "a\x00b", "a\nb", "..", ".", "a/b", "a?b", "a#b", "%2F", `a\b`, strings.Repeat("a", 201), strings.Repeat("a", 5000),
		"sql", "1hr", "15min", "name_asc", "\xff\xfe",
	} {
		f.Add(seed)
	}
	targets := fuzzTargets(f)
	s := LoadSpec(f)
	fixtures := sandbox.Fixtures()
	f.Fuzz(func(t *testing.T, v string) {
		for _, tg := range targets {
			args := MinimalArgs(tg.op, fixtures)
			args[tg.name] = v
			call, err := tg.e.Decode(args, nil)
			if err != nil {
				continue
			}
			req, err := call.HTTPRequest()
			if err != nil {
				continue
			}
			if why := specRefuses(tg.spec, v); why != "" {
				t.Errorf("%s accepted %s %q, which the spec refuses: %s", tg.op.QualifiedName(), tg.name, v, why)
				continue
			}
			u := "https://api.supabase.com" + req.Path
			if q := req.Query.Encode(); q != "" {
				u += "?" + q
			}
			hr, err := http.NewRequest(req.Method, u, bytes.NewReader(req.Body))
			if err != nil {
				t.Errorf("%s %s %q: the request cannot be built: %v", tg.op.QualifiedName(), tg.name, v, err)
				continue
			}
			if req.ContentType != "" {
				hr.Header.Set("Content-Type", req.ContentType)
			}
			tmpl, err := s.Validate(context.Background(), hr)
			if err != nil {
				t.Errorf("%s %s %q: the spec rejects the request: %v", tg.op.QualifiedName(), tg.name, v, err)
			} else if tmpl != tg.op.Path {
				t.Errorf("%s %s %q: the request went to %s", tg.op.QualifiedName(), tg.name, v, tmpl)
			}
		}
	})
}
