package server

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/oauth2"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
)

func (h *harness) readResource(uri string) (string, error) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := h.mcp.ReadResource(ctx, req)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Contents {
		if tc, ok := c.(mcp.TextResourceContents); ok {
			b.WriteString(tc.Text)
		}
	}
	if strings.Contains(b.String(), testToken) {
		h.t.Fatalf("resource leaks the access token")
	}
	return b.String(), nil
}

func (h *harness) templates() []string {
	h.t.Helper()
	res, err := h.mcp.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, tpl := range res.ResourceTemplates {
		out = append(out, tpl.URITemplate.Raw())
	}
	return out
}

// The resources capability and its templates follow the exposed
// operations: without the database tool there is neither.
func TestResourceTemplatesFollowExposure(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	got := h.templates()
	slices.Sort(got)
	if strings.Join(got, " ") != schemaTemplate+" "+typesTemplate {
		t.Fatalf("templates = %s", got)
	}
	res, err := h.mcp.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	if err != nil || len(res.ResourceTemplates) != 2 {
		t.Fatal(err)
	}
	if caps := h.mcp.GetServerCapabilities(); caps.Resources == nil {
		t.Fatal("the resources capability is not advertised")
	}
	docsOnly := newHarness(t, setup{policy: &guard.Policy{Features: []string{"docs"}}})
	if caps := docsOnly.mcp.GetServerCapabilities(); caps.Resources != nil {
		t.Fatal("resources advertised without the database tool")
	}
	noDescribe := newHarness(t, setup{policy: &guard.Policy{DisabledTools: []string{"database_read.describe_table"}}})
	if got := noDescribe.templates(); len(got) != 1 || got[0] != typesTemplate {
		t.Fatalf("templates without describe_table = %v", got)
	}
}

// Types over the result cap: the tool shows a head and links the resource,
// which holds them in full, inside the boundary.
func TestTypesResourceInFull(t *testing.T) {
	const limit = 400
	h := newHarness(t, setup{tune: func(o *Options) { o.MaxResultBytes = limit }})
	ctx := context.Background()
	req := mcp.CallToolRequest{}
	req.Params.Name = "database_read"
	req.Params.Arguments = map[string]any{"operation": "generate_types", "ref": activeRef}
	res, err := h.mcp.CallTool(ctx, req)
	if err != nil || res.IsError {
		t.Fatalf("generate_types: %v %+v", err, res)
	}
	uri := "supabase://projects/" + activeRef + "/types/typescript"
	var head string
	var link *mcp.ResourceLink
	for _, c := range res.Content {
		switch c := c.(type) {
		case mcp.TextContent:
			head = c.Text
		case mcp.ResourceLink:
			link = &c
		}
	}
	if link == nil || link.URI != uri {
		t.Fatalf("no resource_link to %s: %+v", uri, res.Content)
	}
	if !strings.Contains(head, "<untrusted-data-") || !strings.Contains(head, "export type Json") || !strings.Contains(head, "Read the resource "+uri) {
		t.Fatalf("head = %s", head)
	}

	full, err := h.readResource(uri)
	if err != nil {
		t.Fatal(err)
	}
	types := payload(full)
	if !strings.HasPrefix(full, "Below is the TypeScript types of project "+activeRef) || len(types) <= limit ||
		!strings.HasPrefix(types, "export type Json") || !strings.Contains(types, "profiles: {") || strings.Contains(types, "Truncated") {
		t.Fatalf("resource = %s", full)
	}
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef+"/types/typescript"); n != 2 {
		t.Fatalf("%d types requests, want 2 (tool and resource)", n)
	}

	// Under the cap, no link: the text as before.
	small := newHarness(t, setup{})
	if text := small.ok("database_read", map[string]any{"operation": "generate_types", "ref": activeRef}); strings.Contains(text, "Read the resource") {
		t.Fatalf("types under the cap link a resource: %s", text)
	}
}

// A resource read obeys project scope, exposure and the rate limiter like
// a tool call, and its errors say what went wrong.
func TestResourceReadsAreGuarded(t *testing.T) {
	other := "zzzzzzzzzzzzzzzzzzzz"
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true, ProjectRef: activeRef}})
	if _, err := h.readResource("supabase://projects/" + activeRef + "/types/typescript"); err != nil {
		t.Fatalf("scoped project: %v", err)
	}
	_, err := h.readResource("supabase://projects/" + other + "/types/typescript")
	if err == nil || !strings.Contains(err.Error(), "scoped to project "+activeRef) {
		t.Fatalf("another project: %v", err)
	}
	if _, err := h.readResource("supabase://projects/NOT-A-REF/types/typescript"); err == nil || !strings.Contains(err.Error(), "ref") {
		t.Fatalf("bad ref: %v", err)
	}
	for _, r := range h.api.Requests() {
		if strings.Contains(r.Path, other) || strings.Contains(r.Path, "NOT-A-REF") {
			t.Fatalf("a refused read was sent: %s", r.Path)
		}
	}

	off := newHarness(t, setup{policy: &guard.Policy{DisabledTools: []string{"database_read.generate_types"}}})
	if _, err := off.readResource("supabase://projects/" + activeRef + "/types/typescript"); err == nil {
		t.Fatal("types read while generate_types is disabled")
	}

	// One request a minute, no waiting: the second read is refused unsent.
	limited := newHarness(t, setup{tune: func(o *Options) {
		c, err := client.New(client.Options{
			BaseURL: o.Client.BaseURL(), TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
			Limiters: client.NewLimiterPool(1), MaxRateWait: time.Millisecond, Timeout: 5 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Client = c
	}})
	uri := "supabase://projects/" + activeRef + "/types/typescript"
	if _, err := limited.readResource(uri); err != nil {
		t.Fatal(err)
	}
	if _, err := limited.readResource(uri); err == nil || !strings.Contains(err.Error(), "Rate limited") {
		t.Fatalf("second read within the limit: %v", err)
	}
	if n := limited.requestsTo("GET", "/v1/projects/"+activeRef+"/types/typescript"); n != 1 {
		t.Fatalf("%d requests sent, want 1", n)
	}
}

// The schema resource holds list_tables and every table's description, in
// full even far over the result cap.
func TestSchemaResource(t *testing.T) {
	schema, wide, _ := exploreDB(t)
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	text, err := h.readResource("supabase://projects/" + activeRef + "/schema/" + schema)
	if err != nil {
		t.Fatal(err)
	}
	body := payload(text)
	for _, want := range []string{`{"schema":"` + schema + `","tables":2}`, `"name":"orders"`, "orders_customer_idx", `"name":"own orders"`, "IGNORE ALL PREVIOUS INSTRUCTIONS"} {
		if !strings.Contains(body, want) {
			t.Errorf("schema resource lacks %s: %s", want, text)
		}
	}
	if !strings.HasPrefix(text, "Below is schema "+schema) {
		t.Errorf("not inside the boundary: %.200s", text)
	}
	big, err := h.readResource("supabase://projects/" + activeRef + "/schema/" + wide)
	if err != nil {
		t.Fatal(err)
	}
	if len(big) < 2*48<<10 || strings.Count(big, `"table":"`+wide+`.table_with_a_typical_name_`) != 300 || strings.Contains(big, "Truncated") {
		t.Fatalf("wide schema resource: %d bytes, %d descriptions", len(big), strings.Count(big, `"table":"`+wide+`.`))
	}
	if _, err := h.readResource("supabase://projects/" + activeRef + "/schema/no_such_schema_x"); err != nil {
		t.Fatalf("an empty schema is an empty listing, not an error: %v", err)
	}
}
