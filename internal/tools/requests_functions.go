package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
)

// FunctionsRequests are the functions tool's operations.
type FunctionsRequests struct {
	List       ListFunctions
	Get        GetFunction
	GetBody    GetFunctionBody
	Deploy     DeployFunction
	Create     CreateFunction
	Update     UpdateFunction
	BulkUpdate BulkUpdateFunctions
	Delete     DeleteFunction
}

// FunctionSlug addresses one function of a project.
type FunctionSlug struct {
	ProjectRef
	FunctionSlug string `json:"function_slug" in:"path" jsonschema:"required" check:"pattern=^[A-Za-z0-9_-]+$" jsonschema_description:"Slug."`
}

type ListFunctions struct{ ProjectRef }

type GetFunction struct{ FunctionSlug }

type GetFunctionBody struct{ FunctionSlug }

// FunctionFile is one source file of a deployment, sent as a "file" part.
type FunctionFile struct {
	Name    string `json:"name" jsonschema:"required" jsonschema_description:"Name."`
	Content string `json:"content" jsonschema:"required" jsonschema_description:"Text."`
}

// DeployFunction is a multipart/form-data upload (the spec's
// FunctionDeployBody): a JSON "metadata" part and one "file" part per file.
type DeployFunction struct {
	ProjectRef
	Slug           string         `json:"slug" in:"query" jsonschema:"required" check:"pattern=^[A-Za-z][A-Za-z0-9_-]*$" jsonschema_description:"Slug."`
	EntrypointPath string         `json:"entrypoint_path" jsonschema:"required" jsonschema_description:"Entry file name."`
	VerifyJWT      *bool          `json:"verify_jwt,omitempty" jsonschema_description:"Check JWT (default true)."`
	Name           string         `json:"name,omitempty" jsonschema_description:"Name."`
	Files          []FunctionFile `json:"files" list:"object" jsonschema:"required" jsonschema_description:"Source files: [{name, content}]."`
}

// Validate checks that the files can make a function.
func (r DeployFunction) Validate() error {
	if len(r.Files) == 0 {
		return errors.New("files needs at least one {name, content}")
	}
	seen := map[string]bool{}
	var names []string
	for i, f := range r.Files {
		if seen[f.Name] {
			return fmt.Errorf("files[%d].name repeats an earlier file's name", i)
		}
		seen[f.Name] = true
		names = append(names, f.Name)
	}
	if !seen[r.EntrypointPath] {
		return fmt.Errorf("entrypoint_path is not the name of one of the %d files", len(names))
	}
	return nil
}

// functionMetadata is the "metadata" part (import_map_path and
// static_patterns are left out to keep the tool listing small).
type functionMetadata struct {
	EntrypointPath string `json:"entrypoint_path"`
	VerifyJWT      *bool  `json:"verify_jwt,omitempty"`
	Name           string `json:"name,omitempty"`
}

// EncodeBody writes the multipart body: the metadata part as JSON, then each
// file as a binary "file" part named after it.
func (r DeployFunction) EncodeBody() ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	meta, err := json.Marshal(functionMetadata{
		EntrypointPath: r.EntrypointPath,
		VerifyJWT:      r.VerifyJWT, Name: r.Name,
	})
	if err != nil {
		return nil, "", err
	}
	part := func(params map[string]string, ctype string, data []byte) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", params))
		h.Set("Content-Type", ctype)
		w, err := mw.CreatePart(h)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	}
	if err := part(map[string]string{"name": "metadata"}, "application/json", meta); err != nil {
		return nil, "", err
	}
	for _, f := range r.Files {
		if err := part(map[string]string{"name": "file", "filename": f.Name}, "application/octet-stream", []byte(f.Content)); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// CreateFunction is the deprecated JSON form of V1CreateFunctionBody (the
// query parameters of the endpoint only serve eszip uploads).
type CreateFunction struct {
	ProjectRef
	Slug      string `json:"slug" jsonschema:"required" check:"pattern=^[A-Za-z][A-Za-z0-9_-]*$" jsonschema_description:"Slug."`
	Name      string `json:"name" jsonschema:"required" jsonschema_description:"Name."`
	Body      string `json:"body" jsonschema:"required" jsonschema_description:"Source code."`
	VerifyJWT *bool  `json:"verify_jwt,omitempty" jsonschema_description:"Check JWT (default true)."`
}

// UpdateFunction is V1UpdateFunctionBody; the body is required even when no
// field changes.
type UpdateFunction struct {
	FunctionSlug
	Name      string `json:"name,omitempty" jsonschema_description:"Name."`
	Body      string `json:"body,omitempty" jsonschema_description:"Source code."`
	VerifyJWT *bool  `json:"verify_jwt,omitempty" jsonschema_description:"Check JWT (default true)."`
}

// EncodeBody sends the required body even when it is empty.
func (r UpdateFunction) EncodeBody() ([]byte, string, error) { return objectBody(r) }

// FunctionRecord is an item of BulkUpdateFunctionBody.
type FunctionRecord struct {
	ID             string `json:"id" jsonschema:"required" jsonschema_description:"Id."`
	Slug           string `json:"slug" jsonschema:"required,pattern=^[A-Za-z][A-Za-z0-9_-]*$" jsonschema_description:"Slug."`
	Name           string `json:"name" jsonschema:"required" jsonschema_description:"Name."`
	Status         string `json:"status" jsonschema:"required,enum=ACTIVE,enum=REMOVED,enum=THROTTLED" jsonschema_description:"Status."`
	Version        int    `json:"version" jsonschema:"required" jsonschema_description:"Version."`
	CreatedAt      *int64 `json:"created_at,omitempty" jsonschema_description:"Unix ms."`
	VerifyJWT      *bool  `json:"verify_jwt,omitempty" jsonschema_description:"JWT check."`
	ImportMap      *bool  `json:"import_map,omitempty" jsonschema_description:"Has import map."`
	EntrypointPath string `json:"entrypoint_path,omitempty" jsonschema_description:"Entrypoint."`
	ImportMapPath  string `json:"import_map_path,omitempty" jsonschema_description:"Import map."`
	EzbrSHA256     string `json:"ezbr_sha256,omitempty" jsonschema_description:"Bundle SHA-256."`
}

type BulkUpdateFunctions struct {
	ProjectRef
	Functions []FunctionRecord `json:"functions" jsonschema:"required" jsonschema_description:"As list shows them."`
}

// Validate refuses an empty list.
func (r BulkUpdateFunctions) Validate() error {
	if len(r.Functions) == 0 {
		return errors.New("functions needs at least one record")
	}
	return nil
}

type DeleteFunction struct{ FunctionSlug }
