package sandbox

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// SeedFunctionSlug is the Edge Function seeded in SeedProjectActive (created
// on first use of the function endpoints): one file, index.ts.
const SeedFunctionSlug = "hello-world"

// Function is FunctionResponse (also FunctionSlugResponse and
// DeployFunctionResponse).
type Function struct {
	ID             string `json:"id"`
	Slug           string `json:"slug"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Version        int    `json:"version"`
	CreatedAt      int64  `json:"created_at"` // Unix milliseconds
	UpdatedAt      int64  `json:"updated_at"`
	VerifyJWT      bool   `json:"verify_jwt"`
	ImportMap      bool   `json:"import_map"`
	EntrypointPath string `json:"entrypoint_path,omitempty"`
	ImportMapPath  string `json:"import_map_path,omitempty"`
	EzbrSHA256     string `json:"ezbr_sha256,omitempty"`
}

// FunctionFile is one source file of a deployed function.
type FunctionFile struct{ Name, Content string }

type functionState struct {
	Function
	files []FunctionFile
}

var (
	newFunctionSlug = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`) })
)

// projectFunctions returns a project's functions, seeding on first use.
// Callers hold s.mu.
func (s *Server) projectFunctions(ref string) []*functionState {
	if s.functions == nil {
		created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixMilli()
		f := &functionState{Function: Function{ID: uuidFrom("function-hello-world"), Slug: SeedFunctionSlug, Name: "Hello World",
			Status: "ACTIVE", Version: 1, CreatedAt: created, UpdatedAt: created, VerifyJWT: true, EntrypointPath: "index.ts"},
			files: []FunctionFile{{"index.ts", "Deno.serve(() => new Response('Hello, world!'))\n"}}}
		f.EzbrSHA256 = bundleDigest(f.files)
		s.functions = map[string][]*functionState{SeedProjectActive: {f}}
	}
	return s.functions[ref]
}

func (s *Server) findFunction(ref, slug string) *functionState {
	for _, f := range s.projectFunctions(ref) {
		if f.Slug == slug {
			return f
		}
	}
	return nil
}

// putFunction stores f (replacing the function with its slug).
func (s *Server) putFunction(ref string, f *functionState) {
	list := slices.DeleteFunc(s.projectFunctions(ref), func(o *functionState) bool { return o.Slug == f.Slug })
	s.functions[ref] = append(list, f)
}

// Functions returns a project's functions (test accessor).
func (s *Server) Functions(ref string) []Function {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Function
	for _, f := range s.projectFunctions(ref) {
		out = append(out, f.Function)
	}
	return out
}

// FunctionFiles returns the source files of a deployed function (test accessor).
func (s *Server) FunctionFiles(ref, slug string) []FunctionFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.findFunction(ref, slug); f != nil {
		return slices.Clone(f.files)
	}
	return nil
}

func (s *Server) functionsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/projects/{ref}/functions", s.withProject(s.listFunctions))
	mux.HandleFunc("POST /v1/projects/{ref}/functions", s.withProject(s.createFunction))
	mux.HandleFunc("PUT /v1/projects/{ref}/functions", s.withProject(s.bulkUpdateFunctions))
	mux.HandleFunc("POST /v1/projects/{ref}/functions/deploy", s.withProject(s.deployFunction))
	mux.HandleFunc("GET /v1/projects/{ref}/functions/{function_slug}", s.withFunction(s.getFunction))
	mux.HandleFunc("PATCH /v1/projects/{ref}/functions/{function_slug}", s.withFunction(s.updateFunction))
	mux.HandleFunc("DELETE /v1/projects/{ref}/functions/{function_slug}", s.withFunction(s.deleteFunction))
	mux.HandleFunc("GET /v1/projects/{ref}/functions/{function_slug}/body", s.withFunction(s.functionBody))
}

// functionsFixtures names this group's seeded objects for Fixtures.
func functionsFixtures() map[string]any {
	return map[string]any{
		"function_slug":                    SeedFunctionSlug,
		"functions.create.slug":            "new-function",
		"functions.deploy.slug":            "new-function",
		"functions.deploy.entrypoint_path": "index.ts",
		"functions.deploy.files":           []any{map[string]any{"name": "index.ts", "content": "Deno.serve(() => new Response('deployed'))"}},
		"functions.bulk_update.functions": []any{map[string]any{
			"id": uuidFrom("function-hello-world"), "slug": SeedFunctionSlug, "name": "Hello World", "status": "ACTIVE", "version": 2,
		}},
	}
}

// withFunction runs h with s.mu held and the function named by
// {function_slug} in the project named by {ref}, or answers 404.
func (s *Server) withFunction(h func(http.ResponseWriter, *http.Request, *projectState, *functionState)) http.HandlerFunc {
	return s.withProject(func(w http.ResponseWriter, r *http.Request, p *projectState) {
		f := s.findFunction(p.Ref, r.PathValue("function_slug"))
		if f == nil {
			writeError(w, http.StatusNotFound, "Function not found")
			return
		}
		h(w, r, p, f)
	})
}

func (s *Server) listFunctions(w http.ResponseWriter, r *http.Request, p *projectState) {
	out := []Function{}
	for _, f := range s.projectFunctions(p.Ref) {
		out = append(out, f.Function)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getFunction(w http.ResponseWriter, r *http.Request, p *projectState, f *functionState) {
	writeJSON(w, http.StatusOK, f.Function)
}

// bundleDigest stands in for the eszip bundle's SHA-256.
func bundleDigest(files []FunctionFile) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%s\x00", f.Name, f.Content)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// deploy stores a new version of a function (version 1 when it is new).
func (s *Server) deploy(ref string, f Function, files []FunctionFile) Function {
	now := time.Now().UnixMilli()
	f.Status, f.UpdatedAt, f.EzbrSHA256 = "ACTIVE", now, bundleDigest(files)
	if old := s.findFunction(ref, f.Slug); old != nil {
		f.ID, f.CreatedAt, f.Version = old.ID, old.CreatedAt, old.Version+1
	} else {
		f.ID, f.CreatedAt, f.Version = uuidFrom(""), now, 1
	}
	s.putFunction(ref, &functionState{Function: f, files: files})
	return f
}

// createFunction is the deprecated JSON form (V1CreateFunctionBody); the
// eszip form is not faked.
func (s *Server) createFunction(w http.ResponseWriter, r *http.Request, p *projectState) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the fake API accepts only application/json here")
		return
	}
	var body struct {
		Slug      *string `json:"slug"`
		Name      *string `json:"name"`
		Body      *string `json:"body"`
		VerifyJWT *bool   `json:"verify_jwt"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.Slug == nil || body.Name == nil || body.Body == nil {
		badRequest(w, "slug, name and body are required")
		return
	}
	if s.findFunction(p.Ref, *body.Slug) != nil {
		badRequest(w, "Function %s already exists", *body.Slug)
		return
	}
	f := s.deploy(p.Ref, Function{Slug: *body.Slug, Name: *body.Name, VerifyJWT: ptrOr(body.VerifyJWT, true), EntrypointPath: "index.ts"},
		[]FunctionFile{{"index.ts", *body.Body}})
	writeJSON(w, http.StatusCreated, f)
}

// updateFunction is V1UpdateFunctionBody (JSON); new code makes a new version.
func (s *Server) updateFunction(w http.ResponseWriter, r *http.Request, p *projectState, f *functionState) {
	var body struct {
		Name      *string `json:"name"`
		Body      *string `json:"body"`
		VerifyJWT *bool   `json:"verify_jwt"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	f.Name = ptrOr(body.Name, f.Name)
	f.VerifyJWT = ptrOr(body.VerifyJWT, f.VerifyJWT)
	f.UpdatedAt = time.Now().UnixMilli()
	if body.Body != nil {
		entry := f.EntrypointPath
		if entry == "" {
			entry = "index.ts"
		}
		files := slices.DeleteFunc(slices.Clone(f.files), func(x FunctionFile) bool { return x.Name == entry })
		files = append([]FunctionFile{{entry, *body.Body}}, files...)
		f.files, f.Version, f.EzbrSHA256 = files, f.Version+1, bundleDigest(files)
	}
	writeJSON(w, http.StatusOK, f.Function)
}

func (s *Server) deleteFunction(w http.ResponseWriter, r *http.Request, p *projectState, f *functionState) {
	s.functions[p.Ref] = slices.DeleteFunc(s.projectFunctions(p.Ref), func(o *functionState) bool { return o == f })
	writeEmpty(w, http.StatusOK)
}

// functionBody answers the deployed bundle. The spec declares
// application/json (a StreamableFile); the API streams the eszip bundle as
// bytes. The fake's bundle is text: each file after a "// <name>" line.
func (s *Server) functionBody(w http.ResponseWriter, r *http.Request, p *projectState, f *functionState) {
	var b strings.Builder
	for _, file := range f.files {
		fmt.Fprintf(&b, "// %s\n%s", file.Name, file.Content)
		if !strings.HasSuffix(file.Content, "\n") {
			b.WriteByte('\n')
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, b.String())
}

// bulkUpdateFunctions is BulkUpdateFunctionBody: each record creates or
// replaces the metadata of the function with its slug (the code stays).
func (s *Server) bulkUpdateFunctions(w http.ResponseWriter, r *http.Request, p *projectState) {
	var body []map[string]any
	if !decodeJSON(w, r, &body) {
		return
	}
	now := time.Now().UnixMilli()
	out := []Function{}
	for _, rec := range body {
		slug, _ := rec["slug"].(string)
		f := &functionState{Function: Function{CreatedAt: now}}
		if old := s.findFunction(p.Ref, slug); old != nil {
			f.Function, f.files = old.Function, old.files
		}
		raw, _ := json.Marshal(rec)
		_ = json.Unmarshal(raw, &f.Function) // validated: the record's fields over the old ones
		f.UpdatedAt = now
		s.putFunction(p.Ref, f)
		out = append(out, f.Function)
	}
	writeJSON(w, http.StatusOK, map[string]any{"functions": out})
}

// deployMetadata is the "metadata" part of FunctionDeployBody.
type deployMetadata struct {
	EntrypointPath *string  `json:"entrypoint_path"`
	ImportMapPath  *string  `json:"import_map_path"`
	StaticPatterns []string `json:"static_patterns"`
	VerifyJWT      *bool    `json:"verify_jwt"`
	Name           *string  `json:"name"`
}

// deployFunction parses the multipart/form-data body: one JSON "metadata"
// part and "file" parts whose filename is the file's path. The entrypoint
// (and import map) must be among the files. bundleOnly=true answers without
// storing anything.
func (s *Server) deployFunction(w http.ResponseWriter, r *http.Request, p *projectState) {
	slug := r.URL.Query().Get("slug")
	if !newFunctionSlug().MatchString(slug) {
		badRequest(w, "slug is required and must match %s", newFunctionSlug())
		return
	}
	bundleOnly, ok := boolParam(w, r, "bundleOnly", false)
	if !ok {
		return
	}
	meta, files, err := parseDeployBody(r)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	f := Function{Slug: slug, Name: ptrOr(meta.Name, slug), VerifyJWT: ptrOr(meta.VerifyJWT, true),
		EntrypointPath: *meta.EntrypointPath, ImportMapPath: ptrOr(meta.ImportMapPath, "")}
	f.ImportMap = f.ImportMapPath != ""
	if bundleOnly {
		f.ID, f.Status, f.Version, f.EzbrSHA256 = uuidFrom(""), "ACTIVE", 1, bundleDigest(files)
	} else {
		f = s.deploy(p.Ref, f, files)
	}
	writeJSON(w, http.StatusCreated, f)
}

func parseDeployBody(r *http.Request) (*deployMetadata, []FunctionFile, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, errors.New("the body must be multipart/form-data")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var meta *deployMetadata
	var files []FunctionFile
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("malformed multipart body: %v", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("malformed multipart body: %v", err)
		}
		// Part.FileName keeps only the base name; the path matters here.
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		switch part.FormName() {
		case "metadata":
			if meta != nil {
				return nil, nil, errors.New("metadata part given twice")
			}
			meta = &deployMetadata{}
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(meta); err != nil {
				return nil, nil, fmt.Errorf("metadata: %v", strings.TrimPrefix(err.Error(), "json: "))
			}
		case "file":
			name := disp["filename"]
			if name == "" {
				return nil, nil, errors.New("every file part needs a filename")
			}
			if slices.ContainsFunc(files, func(f FunctionFile) bool { return f.Name == name }) {
				return nil, nil, fmt.Errorf("file %s given twice", name)
			}
			files = append(files, FunctionFile{name, string(data)})
		default:
			return nil, nil, fmt.Errorf("unexpected part %q: expected metadata and file", part.FormName())
		}
	}
	has := func(name string) bool {
		return slices.ContainsFunc(files, func(f FunctionFile) bool { return f.Name == name })
	}
	switch {
	case meta == nil:
		return nil, nil, errors.New("metadata part is required")
	case meta.EntrypointPath == nil || *meta.EntrypointPath == "":
		return nil, nil, errors.New("metadata.entrypoint_path is required")
	case len(files) == 0:
		return nil, nil, errors.New("at least one file part is required")
	case !has(*meta.EntrypointPath):
		return nil, nil, fmt.Errorf("entrypoint %s is not among the uploaded files", *meta.EntrypointPath)
	case meta.ImportMapPath != nil && !has(*meta.ImportMapPath):
		return nil, nil, fmt.Errorf("import map %s is not among the uploaded files", *meta.ImportMapPath)
	}
	return meta, files, nil
}
