package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// MCP resources: a project's TypeScript types and a schema's tables, read
// in full. A client loads a resource deliberately, so the result cap does
// not apply; the API client's response cap (8 MiB) bounds it. A read is a
// call of catalogue operations (database_read.generate_types, list_tables,
// describe_table) through the same decoding, guard, project scope, call
// slots, rate limiter and untrusted-data boundary as a tool call, and is
// offered only when those operations are exposed.
const (
	typesTemplate  = "supabase://projects/{ref}/types/typescript"
	schemaTemplate = "supabase://projects/{ref}/schema/{schema}"
)

// typesHeadBytes is how much of oversized types a tool result shows.
const typesHeadBytes = 2 << 10

// resourceTemplates are the templates this server's exposed operations
// can serve.
func (s *Server) resourceTemplates() []mcpserver.ServerResourceTemplate {
	var out []mcpserver.ServerResourceTemplate
	if s.exposedOperation("database_read", "generate_types") {
		out = append(out, mcpserver.ServerResourceTemplate{
			Template: mcp.NewResourceTemplate(typesTemplate, "TypeScript types",
				mcp.WithTemplateDescription("The project's generated TypeScript types (public schema), in full."),
				mcp.WithTemplateMIMEType("text/plain")),
			Handler: s.readTypes,
		})
	}
	if s.exposedOperation("database_read", "list_tables") && s.exposedOperation("database_read", "describe_table") {
		out = append(out, mcpserver.ServerResourceTemplate{
			Template: mcp.NewResourceTemplate(schemaTemplate, "Schema",
				mcp.WithTemplateDescription("A schema's tables (list_tables) and every table's description (describe_table), in full."),
				mcp.WithTemplateMIMEType("text/plain")),
			Handler: s.readSchema,
		})
	}
	return out
}

func (s *Server) exposedOperation(tool, op string) bool {
	et := s.exposed[tool]
	return et != nil && et.Operation(op) != nil
}

func (s *Server) readTypes(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	ref := uriArgument(req, "ref")
	release, err := s.admitResource(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	body, _, err := s.readOperation(ctx, "generate_types", map[string]any{"ref": ref})
	if err != nil {
		return nil, err
	}
	text, err := tools.TypesText(body)
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI: req.Params.URI, MIMEType: "text/plain",
		Text: tools.WrapUntrusted("the TypeScript types of project "+ref, text),
	}}, nil
}

func (s *Server) readSchema(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	ref, schema := uriArgument(req, "ref"), uriArgument(req, "schema")
	release, err := s.admitResource(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	_, tables, err := s.readOperation(ctx, "list_tables", map[string]any{"ref": ref, "schemas": []any{schema}})
	if err != nil {
		return nil, err
	}
	_, described, err := s.readOperation(ctx, "describe_table", map[string]any{"ref": ref, "schema": schema})
	if err != nil {
		return nil, err
	}
	text := "Tables:\n" + tables + "\n\nDescriptions:\n" + described
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI: req.Params.URI, MIMEType: "text/plain",
		Text: tools.WrapUntrusted(fmt.Sprintf("schema %s of project %s", schema, ref), text),
	}}, nil
}

// uriArgument is a variable of the matched template ("" when absent).
func uriArgument(req mcp.ReadResourceRequest, name string) string {
	switch v := req.Params.Arguments[name].(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	}
	return ""
}

// admitResource takes a call slot, like a tool call, or refuses at once.
func (s *Server) admitResource(ctx context.Context) (func(), error) {
	if ctx.Err() != nil {
		return nil, errors.New("the read was cancelled before anything was sent")
	}
	release, busy := s.slots.acquire(ctx)
	if busy != "" {
		return nil, errors.New(busy)
	}
	return release, nil
}

// readOperation runs one read operation of the database tool for a
// resource: the raw answer and its shaped text (uncapped, unwrapped), or
// an error saying why nothing (or nothing usable) came back.
func (s *Server) readOperation(ctx context.Context, op string, args map[string]any) ([]byte, string, error) {
	et := s.exposed["database_read"]
	if et == nil || et.Operation(op) == nil {
		return nil, "", fmt.Errorf("database_read.%s is not enabled on this server", op)
	}
	args["operation"] = op
	call, err := et.Decode(args, s.opts.Policy.Injected())
	if err != nil {
		return nil, "", fmt.Errorf("bad resource URI: %v", err)
	}
	api := s.clientFor(ctx)
	if api == nil {
		return nil, "", errors.New(noCredentials)
	}
	confirmation, err := s.opts.Policy.Check(ctx, call, api)
	if err != nil {
		return nil, "", fmt.Errorf("refused: %v", err)
	}
	if confirmation != nil { // a read never needs consent; if one did, a resource cannot ask
		return nil, "", fmt.Errorf("refused: %s needs the user's confirmation, which a resource read cannot ask for", call.Op.QualifiedName())
	}
	resp, failed := s.send(ctx, call, api, nil)
	s.log.Info("resource read", "operation", call.Op.QualifiedName(), "error", failed != "")
	if failed != "" {
		return nil, "", errors.New(failed)
	}
	shaped, err := call.Shaped(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("the API answered %s, but the answer could not be read", call.Op.QualifiedName())
	}
	return resp.Body, string(shaped), nil
}

// linkedResult is the tool result of a call whose full answer is a
// resource (database_read.generate_types) when it would be cut: a short head
// inside the boundary, and a resource_link to read it all. nil when the
// answer fits, or no resource holds it.
func (s *Server) linkedResult(call *tools.Call, body []byte) *mcp.CallToolResult {
	r, ok := call.Request.(interface{ ResourceURI() string })
	if !ok || r.ResourceURI() == "" || !s.exposedOperation("database_read", "generate_types") {
		return nil
	}
	text, err := tools.TypesText(body)
	max := s.opts.MaxResultBytes
	if max <= 0 {
		max = tools.DefaultMaxResultBytes
	}
	if err != nil || len(text) <= max {
		return nil
	}
	head := text[:min(typesHeadBytes, max/2)] // the head stays well under the cap
	if i := strings.LastIndexByte(head, '\n'); i > 0 {
		head = head[:i]
	}
	for !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	uri := r.ResourceURI()
	note := fmt.Sprintf("[The types are %d bytes, over the result cap of %d: above are the first %d. Read the resource %s for all of them.]", len(text), max, len(head), uri)
	return &mcp.CallToolResult{Content: []mcp.Content{
		mcp.NewTextContent(tools.WrapUntrusted("the start of the result of "+call.Op.QualifiedName(), head) + "\n" + note),
		mcp.NewResourceLink(uri, "TypeScript types", "The project's TypeScript types in full.", "text/plain"),
	}}
}
