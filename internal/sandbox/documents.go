package sandbox

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// seedFiles are the seed data of the endpoint groups, one file per tools.yaml
// group (seed/<group>.json), so that a group's demo data is data, not code.
//
//go:embed seed/*.json
var seedFiles embed.FS

// seedFile is one group's seed data.
type seedFile struct {
	// Fixtures name seeded objects by tool argument (see Fixtures).
	Fixtures map[string]any `json:"fixtures"`
	// Documents are what GETs of these paths answer until a write changes
	// them. "{ref}" in a path stands for every project: each project,
	// seeded or created, starts with its own copy, with its ref for "{ref}"
	// in the document's strings too.
	Documents map[string]any `json:"documents"`
	// Answers are fixed answers to "METHOD /path" (typically the API's
	// errors, such as a free plan's 402), given before the documents.
	Answers map[string]answer `json:"answers"`
}

type answer struct {
	Status int `json:"status"`
	Body   any `json:"body"`
}

// loadSeed merges the groups' seed files; a key defined twice is an error.
func loadSeed() (seedFile, error) {
	all := seedFile{Fixtures: map[string]any{}, Documents: map[string]any{}, Answers: map[string]answer{}}
	names, _ := fs.Glob(seedFiles, "seed/*.json")
	for _, name := range names {
		raw, err := seedFiles.ReadFile(name)
		if err != nil {
			return all, err
		}
		var f seedFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return all, fmt.Errorf("%s: %w", name, err)
		}
		for _, m := range []struct {
			dst, src any
		}{{all.Fixtures, f.Fixtures}, {all.Documents, f.Documents}, {all.Answers, f.Answers}} {
			if err := mergeNew(m.dst, m.src, name); err != nil {
				return all, err
			}
		}
	}
	return all, nil
}

func mergeNew(dst, src any, name string) error {
	switch d := dst.(type) {
	case map[string]any:
		for k, v := range src.(map[string]any) {
			if _, dup := d[k]; dup {
				return fmt.Errorf("%s: %s is seeded twice", name, k)
			}
			d[k] = v
		}
	case map[string]answer:
		for k, v := range src.(map[string]answer) {
			if _, dup := d[k]; dup {
				return fmt.Errorf("%s: %s is seeded twice", name, k)
			}
			d[k] = v
		}
	}
	return nil
}

// seedDocuments gives project ref its copy of the "{ref}" documents, or,
// with ref "", stores the documents of fixed paths. Callers hold s.mu.
func (s *Server) seedDocuments(ref string) {
	for key, v := range s.seedData.Documents {
		switch {
		case ref == "" && !strings.Contains(key, "{ref}"):
			s.docs[key] = clone(v)
		case ref != "" && strings.Contains(key, "{ref}"):
			s.docs[strings.ReplaceAll(key, "{ref}", ref)] = cloneFor(v, ref)
		}
	}
}

// forgetDocuments drops every document under prefix (a deleted project's).
func (s *Server) forgetDocuments(prefix string) {
	maps.DeleteFunc(s.docs, func(k string, _ any) bool { return strings.HasPrefix(k, prefix) })
}

// clone deep-copies a JSON value.
func clone(v any) any { return cloneFor(v, "") }

// cloneFor deep-copies a JSON value, putting ref for "{ref}" in its strings
// (a project's host names and URLs).
func cloneFor(v any, ref string) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	if ref != "" {
		raw = bytes.ReplaceAll(raw, []byte("{ref}"), []byte(ref))
	}
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

// answerFromStore is the generic lifecycle of the documents at a path.
// A path whose document is a list (or an object holding one list) is a
// collection: POST adds an item, and the path one segment longer names an
// item (by its id, name, slug or the path parameter's own field) for GET,
// PATCH, PUT and DELETE; a POST of a JSON array adds each item and a DELETE
// of one removes the items it names (secrets). Any other path holds one
// document: PATCH merges into it (nested objects field by field), PUT and
// POST replace it (a PUT or PATCH without a body stores its query
// arguments), GET returns it over the spec's example of the response, DELETE
// forgets it. A document that is a string is answered as text/plain; a HEAD
// of a list answers its count in X-Total-Count. Callers hold s.mu.
func (s *Server) answerFromStore(w http.ResponseWriter, r *http.Request, op *tools.Operation, body any) {
	key := r.URL.Path
	if a, ok := s.seedData.Answers[op.Method+" "+key]; ok {
		if a.Body == nil {
			writeEmpty(w, a.Status)
		} else {
			writeJSON(w, a.Status, a.Body)
		}
		return
	}
	shape := s.shapes.of(op.Method, op.Path)
	body = plainNumbers(body) // a copy
	if _, readable := s.shapes["GET "+op.Path]; !readable {
		if m, ok := body.(map[string]any); ok {
			for k := range m {
				if op.IsSecretParam(k) {
					delete(m, k) // a write-only secret (a password) is neither kept, saved with --sandbox-state, nor echoed
				}
			}
		}
	}
	if body == nil && (op.Method == http.MethodPut || op.Method == http.MethodPatch) {
		body = queryDocument(op, r) // a setting given in the query (enabled=false)
	}
	out, status := s.applyDocument(op, key, body, shape.Example)
	if status != 0 {
		writeError(w, status, "Not found")
		return
	}
	if text, ok := out.(string); ok { // a text/plain answer, such as a run's logs
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(shape.Status)
		io.WriteString(w, text)
		return
	}
	if op.Method == http.MethodHead {
		// A HEAD of a list answers its length (the API's count endpoints).
		if _, isList := s.shapes.of(http.MethodGet, op.Path).Example.([]any); isList {
			n := 0
			if c, ok := s.collectionAt(key, nil); ok {
				n = len(c.items())
			}
			w.Header().Set("X-Total-Count", strconv.Itoa(n))
		}
	}
	if shape.Empty || op.Method == http.MethodHead {
		writeEmpty(w, shape.Status)
		return
	}
	writeJSON(w, shape.Status, out)
}

// applyDocument performs op on the document at key, returning the answer
// or a failure status.
func (s *Server) applyDocument(op *tools.Operation, key string, body, example any) (any, int) {
	if c, ok := s.itemPath(op, key); ok {
		items := c.items()
		i := slices.IndexFunc(items, c.names)
		if i < 0 {
			return nil, http.StatusNotFound
		}
		switch op.Method {
		case http.MethodPatch, http.MethodPut:
			obj, _ := body.(map[string]any)
			item, _ := items[i].(map[string]any)
			if op.Method == http.MethodPut {
				item = keepNames(item)
			}
			items[i] = mergePatch(item, obj)
		case http.MethodDelete:
			out := items[i]
			c.set(slices.Delete(items, i, i+1))
			return overlay(example, out), 0
		}
		c.set(items)
		return overlay(example, items[i]), 0
	}
	obj, isObj := body.(map[string]any)
	batch, isBatch := body.([]any)
	switch op.Method {
	case http.MethodPost:
		if c, ok := s.collectionAt(key, s.shapes.of(http.MethodGet, op.Path).Example); ok && isBatch {
			items := c.items() // a batch (secrets): each item replaces the one of the same name
			for _, it := range batch {
				if i := slices.IndexFunc(items, func(o any) bool { return named(o, itemName(it)) }); i >= 0 {
					items[i] = it
				} else {
					items = append(items, it)
				}
			}
			c.set(items)
			return example, 0
		} else if ok && isObj {
			item := overlay(example, obj)
			if m, ok := item.(map[string]any); ok {
				if f := s.itemParam(op.Path); f != "" {
					if _, ok := m[f]; !ok && m["id"] != nil {
						f = "id" // {provider_id} names the provider's id
					}
					if obj[f] == nil {
						m[f] = freshName(m[f]) // the API names new items by an id it makes up
					}
				}
			}
			c.set(append(c.items(), item))
			return item, 0
		}
		fallthrough
	case http.MethodPut:
		if isObj {
			s.docs[key] = obj
		}
	case http.MethodPatch:
		if !isObj {
			break
		}
		if list, ok := s.docs[key].([]any); ok { // a list of settings (the pooler's): each takes the change
			for i := range list {
				m, _ := list[i].(map[string]any)
				list[i] = mergePatch(m, obj)
			}
			return overlay(example, obj), 0 // the answer is the change, not the list
		}
		m, _ := s.docs[key].(map[string]any)
		s.docs[key] = mergePatch(m, obj)
	case http.MethodDelete:
		if c, ok := s.collectionAt(key, nil); ok && isBatch { // a list of names to delete
			c.set(slices.DeleteFunc(c.items(), func(it any) bool {
				return slices.ContainsFunc(batch, func(name any) bool { return named(it, fmt.Sprint(name)) })
			}))
			return example, 0
		}
		delete(s.docs, key)
		return example, 0
	}
	stored, ok := s.docs[key]
	if !ok {
		return example, 0
	}
	if list, ok := example.([]any); ok && op.Method == http.MethodGet {
		if m, ok := stored.(map[string]any); ok { // settings stored over a list-shaped answer
			out := make([]any, len(list))
			for i, e := range list {
				out[i] = overlay(e, m)
			}
			return out, 0
		}
	}
	return overlay(example, stored), 0
}

// docList is a collection document: the list stored at key, or the one
// list field of the object stored there.
type docList struct {
	s     *Server
	key   string
	field string
	names func(any) bool // whether an item is the one the path names
}

func (c docList) items() []any {
	switch d := c.s.docs[c.key].(type) {
	case []any:
		return d
	case map[string]any:
		l, _ := d[c.field].([]any)
		return l
	}
	return nil
}

func (c docList) set(items []any) {
	if items == nil {
		items = []any{}
	}
	if d, ok := c.s.docs[c.key].(map[string]any); ok && c.field != "" {
		d[c.field] = items
		return
	}
	c.s.docs[c.key] = items
}

// collectionAt finds the collection document at key: stored, or new when
// the spec's example of a GET of the path (listExample) is a list.
func (s *Server) collectionAt(key string, listExample any) (docList, bool) {
	c := docList{s: s, key: key}
	switch d := s.docs[key].(type) {
	case []any:
		return c, true
	case map[string]any:
		var lists []string
		for k, v := range d {
			if _, ok := v.([]any); ok {
				lists = append(lists, k)
			}
		}
		if len(lists) == 1 {
			c.field = lists[0]
			return c, true
		}
		return c, false
	case nil:
		if _, ok := listExample.([]any); ok {
			s.docs[key] = []any{}
			return c, true
		}
	}
	return c, false
}

// itemPath reports whether key names one item of a stored collection: op's
// path ends in a {param} segment and the parent path holds a collection.
func (s *Server) itemPath(op *tools.Operation, key string) (docList, bool) {
	base := path.Base(op.Path)
	if !strings.HasPrefix(base, "{") || s.docs[key] != nil {
		return docList{}, false
	}
	param := strings.Trim(base, "{}")
	c, ok := s.collectionAt(path.Dir(key), nil)
	if !ok {
		return docList{}, false
	}
	name := path.Base(key)
	c.names = func(item any) bool { return named(item, name, param) }
	return c, true
}

// named reports whether item's field, "id", "name" or "slug" is name.
func named(item any, name string, field ...string) bool {
	m, _ := item.(map[string]any)
	for _, f := range append(field, "id", "name", "slug") {
		if v, ok := m[f]; ok && name != "" && fmt.Sprint(v) == name {
			return true
		}
	}
	return false
}

// freshName is a new name for an item, shaped like the spec's example of
// one (a project ref is 20 letters; an integer id stays the example's).
func freshName(example any) any {
	switch v := example.(type) {
	case string:
		if len(v) == 20 && strings.Trim(v, "abcdefghijklmnopqrstuvwxyz") == "" {
			return randomLetters(20)
		}
	case nil:
	default:
		return v
	}
	return sideUUID()
}

// itemName is how paths name an item: its id, name or slug.
func itemName(item any) string {
	m, _ := item.(map[string]any)
	for _, f := range []string{"id", "name", "slug"} {
		if v, ok := m[f]; ok {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// queryDocument is the query arguments of op as a document, or nil.
func queryDocument(op *tools.Operation, r *http.Request) any {
	doc := map[string]any{}
	for _, name := range op.Params() {
		if vals, ok := r.URL.Query()[name]; ok && op.ParamIn(name) == "query" {
			doc[name] = queryArg(op.ParamType(name), vals)
		}
	}
	if len(doc) == 0 {
		return nil
	}
	return doc
}

// Document is a copy of the document stored at path, or nil (for tests).
func (s *Server) Document(path string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.docs[path])
}

// itemParam is the path parameter that names an item of the collection at
// path template tmpl ("id" in /api-keys/{id}), or "".
func (s *Server) itemParam(tmpl string) string {
	if s.catalogue == nil {
		return ""
	}
	for _, t := range s.catalogue.Tools {
		for _, op := range t.Operations {
			if dir, base := path.Split(op.Path); strings.TrimSuffix(dir, "/") == tmpl && strings.HasPrefix(base, "{") {
				return strings.Trim(base, "{}")
			}
		}
	}
	return ""
}

// keepNames is the part of an item a PUT keeps: how paths name it.
func keepNames(item map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range []string{"id", "name", "slug"} {
		if v, ok := item[f]; ok {
			out[f] = v
		}
	}
	return out
}

// mergePatch is doc changed by a PATCH body: objects merge field by field
// at every depth, as in a JSON merge patch (a nested config keeps the
// settings the body leaves out); any other value, null too, replaces.
func mergePatch(doc, patch map[string]any) map[string]any {
	out := make(map[string]any, len(doc)+len(patch))
	maps.Copy(out, doc)
	for k, v := range patch {
		pm, okp := v.(map[string]any)
		dm, okd := doc[k].(map[string]any)
		if okp && okd {
			v = mergePatch(dm, pm)
		}
		out[k] = v
	}
	return out
}

// overlay lays the fields of top over base (a copy), when both are
// objects; otherwise top wins, or base when top is nil.
func overlay(base, top any) any {
	b, okb := base.(map[string]any)
	t, okt := top.(map[string]any)
	switch {
	case okb && okt:
		out := maps.Clone(b)
		maps.Copy(out, t)
		return out
	case top != nil:
		return top
	case base == nil:
		return map[string]any{}
	}
	return base
}
