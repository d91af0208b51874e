package sandbox

import (
	"bytes"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// deployBody builds a multipart deploy body: metadata (raw JSON, skipped when
// empty) and name/content pairs as file parts.
func deployBody(t *testing.T, metadata string, files ...string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if metadata != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="metadata"`)
		h.Set("Content-Type", "application/json")
		w, _ := mw.CreatePart(h)
		w.Write([]byte(metadata))
	}
	for i := 0; i+1 < len(files); i += 2 {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": files[i]}))
		h.Set("Content-Type", "application/octet-stream")
		w, _ := mw.CreatePart(h)
		w.Write([]byte(files[i+1]))
	}
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

func TestFunctionsRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/functions"

	code, _, body := call(t, s, "GET", base, nil)
	wantStatus(t, code, http.StatusOK, body)
	if list := decode[[]Function](t, body); len(list) != 1 || list[0].Slug != SeedFunctionSlug {
		t.Fatalf("seeded functions: %s", body)
	}

	raw, ctype := deployBody(t, `{"entrypoint_path":"src/index.ts","name":"Greeter","verify_jwt":false}`,
		"src/index.ts", "import { hi } from './hi.ts'\nDeno.serve(() => new Response(hi))", "src/hi.ts", "export const hi = 'hi'")
	code, _, body = call(t, s, "POST", base+"/deploy?slug=greeter", raw, "Content-Type", ctype)
	wantStatus(t, code, http.StatusCreated, body)
	f := decode[Function](t, body)
	if f.Slug != "greeter" || f.Name != "Greeter" || f.Version != 1 || f.VerifyJWT || f.EntrypointPath != "src/index.ts" || f.Status != "ACTIVE" {
		t.Fatalf("deployed %s", body)
	}
	if files := s.FunctionFiles(SeedProjectActive, "greeter"); len(files) != 2 || files[1].Name != "src/hi.ts" {
		t.Fatalf("stored files %+v", files)
	}
	code, _, body = call(t, s, "POST", base+"/deploy?slug=greeter", raw, "Content-Type", ctype)
	wantStatus(t, code, http.StatusCreated, body)
	if g := decode[Function](t, body); g.Version != 2 || g.ID != f.ID {
		t.Fatalf("redeployed %s", body)
	}

	code, hdr, body := call(t, s, "GET", base+"/greeter/body", nil)
	wantStatus(t, code, http.StatusOK, body)
	if hdr.Get("Content-Type") != "application/octet-stream" || !strings.Contains(string(body), "// src/hi.ts\nexport const hi") {
		t.Fatalf("bundle %s: %s", hdr.Get("Content-Type"), body)
	}

	code, _, body = call(t, s, "PATCH", base+"/greeter", map[string]any{"body": "Deno.serve(() => new Response('v3'))", "name": "G"})
	wantStatus(t, code, http.StatusOK, body)
	if g := decode[Function](t, body); g.Version != 3 || g.Name != "G" {
		t.Fatalf("updated %s", body)
	}
	_, _, body = call(t, s, "GET", base+"/greeter/body", nil)
	if !strings.Contains(string(body), "'v3'") {
		t.Fatalf("bundle after update: %s", body)
	}

	code, _, body = call(t, s, "POST", base, map[string]any{"slug": "legacy", "name": "Legacy", "body": "Deno.serve(() => new Response('x'))"})
	wantStatus(t, code, http.StatusCreated, body)
	code, _, body = call(t, s, "PUT", base, []map[string]any{{"id": f.ID, "slug": "greeter", "name": "Renamed", "status": "THROTTLED", "version": 9}})
	wantStatus(t, code, http.StatusOK, body)
	if r := decode[struct{ Functions []Function }](t, body); len(r.Functions) != 1 || r.Functions[0].Status != "THROTTLED" || r.Functions[0].Version != 9 {
		t.Fatalf("bulk %s", body)
	}

	code, _, body = call(t, s, "DELETE", base+"/greeter", nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", base+"/greeter", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	if n := len(s.Functions(SeedProjectActive)); n != 2 {
		t.Fatalf("%d functions left, want hello-world and legacy", n)
	}
}

func TestFunctionBodiesAreValidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/v1/projects/" + SeedProjectActive + "/functions"
	deploy := func(query, metadata string, files ...string) (int, []byte) {
		raw, ctype := deployBody(t, metadata, files...)
		code, _, body := call(t, s, "POST", base+"/deploy"+query, raw, "Content-Type", ctype)
		return code, body
	}
	for name, c := range map[string]func() (int, []byte){
		"no slug":     func() (int, []byte) { return deploy("", `{"entrypoint_path":"a.ts"}`, "a.ts", "x") },
		"bad slug":    func() (int, []byte) { return deploy("?slug=1x", `{"entrypoint_path":"a.ts"}`, "a.ts", "x") },
		"no metadata": func() (int, []byte) { return deploy("?slug=f", "", "a.ts", "x") },
		"unknown metadata": func() (int, []byte) {
			return deploy("?slug=f", `{"entrypoint_path":"a.ts","entry":"a.ts"}`, "a.ts", "x")
		},
		"no entrypoint":     func() (int, []byte) { return deploy("?slug=f", `{"name":"f"}`, "a.ts", "x") },
		"entrypoint absent": func() (int, []byte) { return deploy("?slug=f", `{"entrypoint_path":"b.ts"}`, "a.ts", "x") },
		"no files":          func() (int, []byte) { return deploy("?slug=f", `{"entrypoint_path":"a.ts"}`) },
		"bad bundleOnly": func() (int, []byte) {
			return deploy("?slug=f&bundleOnly=yes", `{"entrypoint_path":"a.ts"}`, "a.ts", "x")
		},
		"json deploy": func() (int, []byte) {
			code, _, body := call(t, s, "POST", base+"/deploy?slug=f", map[string]any{"entrypoint_path": "a.ts"})
			return code, body
		},
		"create exists": func() (int, []byte) {
			code, _, body := call(t, s, "POST", base, map[string]any{"slug": SeedFunctionSlug, "name": "x", "body": "x"})
			return code, body
		},
		"create unknown field": func() (int, []byte) {
			code, _, body := call(t, s, "POST", base, map[string]any{"slug": "x", "name": "x", "body": "x", "entrypoint": "x"})
			return code, body
		},
		"bulk bad status": func() (int, []byte) {
			code, _, body := call(t, s, "PUT", base, []map[string]any{{"id": "1", "slug": "x", "name": "x", "status": "ON", "version": 1}})
			return code, body
		},
		"bulk missing version": func() (int, []byte) {
			code, _, body := call(t, s, "PUT", base, []map[string]any{{"id": "1", "slug": "x", "name": "x", "status": "ACTIVE"}})
			return code, body
		},
	} {
		if code, body := c(); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400; %s", name, code, body)
		}
	}
	// bundleOnly stores nothing.
	code, body := deploy("?slug=bundled&bundleOnly=true", `{"entrypoint_path":"a.ts"}`, "a.ts", "x")
	wantStatus(t, code, http.StatusCreated, body)
	if n := len(s.Functions(SeedProjectActive)); n != 1 {
		t.Fatalf("bundleOnly stored a function: %d", n)
	}
	code, _, body = call(t, s, "GET", base+"/nope/body", nil)
	wantStatus(t, code, http.StatusNotFound, body)
}
