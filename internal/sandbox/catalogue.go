package sandbox

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// catalogueRoutes answers every tools.yaml operation that no hand-written
// handler serves. The request is decoded back into the operation's arguments
// (path, query and body, as the catalogue binds them) and validated by the
// server's own request types, so a new operation needs no code here. The
// answer comes from the store: a GET returns what the last PATCH, PUT or POST
// to the same path stored (over the spec-derived shape of its response, see
// shapes.go), a DELETE forgets it.
func (s *Server) catalogueRoutes(mux *http.ServeMux) {
	if s.catalogue == nil {
		return
	}
	byRoute := map[string][]*tools.Operation{}
	var order []string
	for _, t := range s.catalogue.Tools {
		for _, op := range t.Operations {
			key := op.Method + " " + op.Path
			if byRoute[key] == nil {
				order = append(order, key)
			}
			byRoute[key] = append(byRoute[key], op)
		}
	}
	for _, key := range order {
		ops := byRoute[key]
		if !handled(mux, ops[0]) {
			register(mux, key, s.withCatalogue(ops))
		}
	}
}

// register adds a route, skipping one that conflicts with a hand-written
// pattern (ServeMux panics on those).
func register(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	defer func() { _ = recover() }()
	mux.HandleFunc(pattern, h)
}

// wildcards matches the {name} segments of a path template.
var wildcards = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[^}]*\}`) })

// handled reports whether a hand-written handler already serves op: a probe
// request for the operation's path matches a pattern of the same shape.
func handled(mux *http.ServeMux, op *tools.Operation) bool {
	r, err := http.NewRequest(op.Method, "http://sandbox"+wildcards().ReplaceAllString(op.Path, "x"), nil)
	if err != nil {
		return true
	}
	_, pattern := mux.Handler(r)
	return wildcards().ReplaceAllString(pattern, "{}") == op.Method+" "+wildcards().ReplaceAllString(op.Path, "{}")
}

// withCatalogue validates the request against one of ops (several
// operations may share an endpoint) and answers it from the store.
func (s *Server) withCatalogue(ops []*tools.Operation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := jsonBody(r)
		if err != nil {
			badRequest(w, "Invalid request body: %v", err)
			return
		}
		var firstErr error
		var matched *tools.Operation
		for _, op := range ops {
			if err := validateRequest(op, r, body); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			matched = op
			break
		}
		if matched == nil {
			badRequest(w, "%v", firstErr)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if ref := r.PathValue("ref"); strings.Contains(matched.Path, "{ref}") && s.findProject(ref) == nil {
			writeError(w, http.StatusNotFound, "Project not found")
			return
		}
		if slug := r.PathValue("slug"); strings.Contains(matched.Path, "{slug}") && s.findOrg(slug) == nil {
			writeError(w, http.StatusNotFound, "Organization not found")
			return
		}
		s.answerFromStore(w, r, matched, body)
	}
}

// validateRequest decodes r into op's arguments and validates them with the
// operation's request type. Operations whose request is built by code
// (arguments in:"none", multipart bodies) are checked for their path only.
func validateRequest(op *tools.Operation, r *http.Request, body any) error {
	if t := reflect.PointerTo(op.RequestType()); t.Implements(finisher) || t.Implements(bodyEncoder) {
		return nil
	}
	args := map[string]any{"operation": op.Name}
	query := r.URL.Query()
	obj, _ := body.(map[string]any)
	for _, name := range op.Params() {
		switch op.ParamIn(name) {
		case "none":
			return nil
		case "path":
			args[name] = r.PathValue(name)
		case "query":
			vals, ok := query[name]
			if !ok {
				continue
			}
			args[name] = queryArg(op.ParamType(name), vals)
		case "body":
			if op.Body == name {
				if body != nil {
					args[name] = plainNumbers(body)
				}
				continue
			}
			if v, ok := obj[name]; ok {
				args[name] = plainNumbers(v)
			}
		}
	}
	if op.Body == "" {
		for k := range obj {
			if op.ParamIn(k) != "body" {
				return fmt.Errorf("unknown field %s", k)
			}
		}
	}
	e := &tools.ExposedTool{Tool: op.Tool, Operations: []*tools.Operation{op}}
	if _, err := e.Decode(args, nil); err != nil {
		// The server's wording is for a model; an API error does not say
		// what was sent.
		return errors.New(strings.TrimPrefix(err.Error(), "Nothing was sent: "))
	}
	return nil
}

var (
	finisher    = reflect.TypeFor[tools.Finisher]()
	bodyEncoder = reflect.TypeFor[tools.BodyEncoder]()
)

// jsonBody is r's JSON body as generic values (nil when there is none or it
// is of another type, such as a multipart upload); the body stays readable.
func jsonBody(r *http.Request) (any, error) {
	raw, _ := readBody(r)
	if ct := r.Header.Get("Content-Type"); len(bytes.TrimSpace(raw)) == 0 || ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, nil
	}
	var body any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&body)
	return body, err
}

// validRoute validates a request to a hand-written handler the way the
// generic handler validates its own: with the catalogue operation of the
// route it matches (the server's own request types), so no handler keeps a
// copy of the API's field rules. Routes outside the catalogue (OAuth, the
// profile) pass; a failure is answered with a 400.
func (s *Server) validRoute(w http.ResponseWriter, r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	method, tmpl, ok := strings.Cut(pattern, " ")
	if !ok || method != r.Method {
		return true
	}
	segs, vals := strings.Split(tmpl, "/"), strings.Split(r.URL.Path, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") && len(segs) == len(vals) {
			r.SetPathValue(strings.Trim(seg, "{}"), vals[i])
		}
	}
	if strings.Contains(tmpl, "{ref}") { // an unknown project is the handler's 404, whatever the body
		s.mu.Lock()
		p := s.findProject(r.PathValue("ref"))
		s.mu.Unlock()
		if p == nil {
			return true
		}
	}
	body, err := jsonBody(r)
	if err == nil {
		err = s.validateFor(r, tmpl, body)
	} else {
		err = fmt.Errorf("Invalid request body: %w", err)
	}
	if err != nil {
		badRequest(w, "%v", err)
		return false
	}
	return true
}

// validateFor validates a request to one catalogue path (for hand-written
// handlers that store what the generic one would not).
func (s *Server) validateFor(r *http.Request, path string, body any) error {
	if s.catalogue == nil {
		return nil
	}
	var firstErr error
	for _, t := range s.catalogue.Tools {
		for _, op := range t.Operations {
			if op.Method != r.Method || op.Path != path {
				continue
			}
			err := validateRequest(op, r, body)
			if err == nil {
				return nil
			}
			firstErr = cmp.Or(firstErr, err)
		}
	}
	return firstErr
}

// queryArg types a query value the way the argument's schema expects.
func queryArg(typ string, vals []string) any {
	switch typ {
	case "array":
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = v
		}
		return out
	case "integer", "number":
		if f, err := strconv.ParseFloat(vals[0], 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(vals[0]); err == nil {
			return b
		}
	}
	return vals[0]
}

// plainNumbers turns json.Number into float64, as Decode expects.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainNumbers(e)
		}
		return out
	}
	return v
}
