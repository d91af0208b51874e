package sandbox

import (
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
	// seeded or created, starts with its own copy.
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
			s.docs[strings.ReplaceAll(key, "{ref}", ref)] = clone(v)
		}
	}
}

// forgetDocuments drops every document under prefix (a deleted project's).
func (s *Server) forgetDocuments(prefix string) {
	maps.DeleteFunc(s.docs, func(k string, _ any) bool { return strings.HasPrefix(k, prefix) })
}

// clone deep-copies a JSON value.
func clone(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

// answerFromStore is the generic lifecycle of the documents at a path.
// A path whose document is a list (or an object holding one list) is a
// collection: POST adds an item, and the path one segment longer names an
// item (by its id, name, slug or the path parameter's own field) for GET,
// PATCH, PUT and DELETE. Any other path holds one document: PATCH merges
// into it, PUT and POST replace it, GET returns it over the spec's example
// of the response, DELETE forgets it. A document that is a string is
// answered as text/plain; a HEAD of a list answers its count in
// X-Total-Count. Callers hold s.mu.
func (s *Server) answerFromStore(w http.ResponseWriter, r *http.Request, op *tools.Operation, body any) {
	key := r.URL.Path
	if a, ok := s.seedData.Answers[op.Method+" "+key]; ok {
		writeJSON(w, a.Status, a.Body)
		return
	}
	shape := s.shapes.of(op.Method, op.Path)
	body = plainNumbers(body)
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
	switch op.Method {
	case http.MethodPost:
		if c, ok := s.collectionAt(key, s.shapes.of(http.MethodGet, op.Path).Example); ok && isObj {
			item := overlay(example, obj)
			if m, ok := item.(map[string]any); ok {
				if f := s.itemParam(op.Path); f != "" && m[f] == nil {
					m[f] = sideUUID() // the API names new items by an id it makes up
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
			break
		}
		m, _ := s.docs[key].(map[string]any)
		s.docs[key] = mergePatch(m, obj)
	case http.MethodDelete:
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
	c.names = func(item any) bool {
		m, _ := item.(map[string]any)
		for _, f := range []string{param, "id", "name", "slug"} {
			if v, ok := m[f]; ok && fmt.Sprint(v) == name {
				return true
			}
		}
		return false
	}
	return c, true
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
