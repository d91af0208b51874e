package tools_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	. "github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// notExposed lists the spec operations that are deliberately not tools.
var notExposed = map[string]string{
	"GET /v1/oauth/authorize":               "OAuth login: the server runs it itself (supabase-mcp login), a model must not",
	"GET /v1/oauth/authorize/project-claim": "OAuth login flow for project claims: browser-only",
	"POST /v1/oauth/token":                  "OAuth login: token exchange is the server's own business",
	"POST /v1/oauth/revoke":                 "OAuth logout: supabase-mcp logout",
}

// Every catalogue operation exists in the spec, and a call with minimal valid
// arguments produces a request whose path, query and body the spec accepts.
func TestCatalogueMatchesSpec(t *testing.T) {
	s := LoadSpec(t)
	_, all := ExposeAll(t)
	fixtures := sandbox.Fixtures()
	total, valid := 0, 0
	defer func() { t.Logf("%d/%d minimal calls spec-valid", valid, total) }()
	for _, e := range all {
		for _, op := range e.Operations {
			total++
			t.Run(op.QualifiedName(), func(t *testing.T) {
				defer func() {
					if !t.Failed() {
						valid++
					}
				}()
				if !op.ManagementAPI() {
					t.Skip("not a Management API operation (docs_test.go covers it)")
				}
				if !s.Has(op.Method, op.Path) {
					t.Fatalf("%s %s is not in the spec", op.Method, op.Path)
				}
				args := MinimalArgs(op, fixtures)
				call, err := e.Decode(args, nil)
				if err != nil {
					t.Fatalf("minimal args %v: %v", args, err)
				}
				if u, ok := call.Request.(APIURLUser); ok {
					u.UseAPIURL("https://api.supabase.com")
				}
				req, err := call.HTTPRequest()
				if err != nil {
					t.Fatal(err)
				}
				u := "https://api.supabase.com" + req.Path
				if q := req.Query.Encode(); q != "" {
					u += "?" + q
				}
				hr, err := http.NewRequest(req.Method, u, bytes.NewReader(req.Body))
				if err != nil {
					t.Fatal(err)
				}
				if req.ContentType != "" {
					hr.Header.Set("Content-Type", req.ContentType)
				}
				if req.IdempotencyKey != "" {
					hr.Header.Set("Idempotency-Key", req.IdempotencyKey)
				}
				tmpl, err := s.Validate(context.Background(), hr)
				if err != nil {
					t.Fatalf("the spec rejects the request for %v: %v", args, err)
				}
				if tmpl != op.Path {
					t.Fatalf("request matched %s, not the operation's %s", tmpl, op.Path)
				}
			})
		}
	}
	if valid != total {
		t.Errorf("%d/%d minimal calls spec-valid", valid, total)
	}
}

// tools.yaml marks idempotency_key exactly on the operations whose endpoint
// offers an Idempotency-Key header in the spec, and each call of those sends
// a fresh key.
func TestIdempotencyKeyMatchesSpec(t *testing.T) {
	s := LoadSpec(t)
	_, all := ExposeAll(t)
	fixtures := sandbox.Fixtures()
	marked := 0
	for _, e := range all {
		for _, op := range e.Operations {
			offered := false
			if sop := s.Operation(op.Method, op.Path); sop != nil {
				for _, p := range sop.Parameters {
					if p.Value != nil && p.Value.In == "header" && strings.EqualFold(p.Value.Name, "Idempotency-Key") {
						offered = true
					}
				}
			}
			if offered != op.IdempotencyKey {
				t.Errorf("%s (%s %s): the spec offers Idempotency-Key: %v, tools.yaml idempotency_key: %v", op.QualifiedName(), op.Method, op.Path, offered, op.IdempotencyKey)
			}
			if !op.IdempotencyKey {
				continue
			}
			marked++
			call, err := e.Decode(MinimalArgs(op, fixtures), nil)
			if err != nil {
				t.Fatal(err)
			}
			keys := map[string]bool{}
			for range 3 {
				req, err := call.HTTPRequest()
				if err != nil {
					t.Fatal(err)
				}
				if !uuidPattern.MatchString(req.IdempotencyKey) || keys[req.IdempotencyKey] {
					t.Errorf("%s: key %q is not a fresh random UUID", op.QualifiedName(), req.IdempotencyKey)
				}
				keys[req.IdempotencyKey] = true
			}
		}
	}
	if marked == 0 {
		t.Error("no operation sends an Idempotency-Key; the spec offers it on migration apply")
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Every spec operation is in the catalogue or excluded with a reason.
func TestSpecIsCovered(t *testing.T) {
	s := LoadSpec(t)
	c, _ := ExposeAll(t)
	have := map[string]bool{}
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			have[op.Method+" "+op.Path] = true
		}
	}
	var missing []string
	for path, item := range s.Doc.Paths.Map() {
		for method := range item.Operations() {
			key := method + " " + path
			if !have[key] && notExposed[key] == "" {
				missing = append(missing, key)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d spec operations are neither in tools.yaml nor excluded:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
