package tools

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
)

// DocsRequests are the docs tool's operations (api: docs).
type DocsRequests struct {
	Search SearchDocs
}

// searchDocsQuery asks the Content API for matching documents. The model's
// text travels as a GraphQL variable, never spliced into the query.
const searchDocsQuery = `query SearchDocs($query: String!, $limit: Int) {
  searchDocs(query: $query, limit: $limit) { nodes { title href content } }
}`

// Bounds that keep a docs answer small in the model's context: a few
// results, each cut to its opening (the tool result cap applies on top).
// The count is fixed, not an argument: every argument costs tools/list bytes.
const (
	docsResults    = 5
	maxDocsContent = 3000
)

// SearchDocs is a fixed GraphQL query of Supabase's documentation: the model
// gives text, not GraphQL, so the tool needs no schema in its description
// and nothing is fetched before a call.
type SearchDocs struct {
	Query string `json:"query" in:"none" jsonschema:"required" check:"minLength=2,maxLength=300" jsonschema_description:"Search text."`
}

func (r *SearchDocs) Finish(req *client.Request) error {
	body, err := json.Marshal(map[string]any{
		"query":     searchDocsQuery,
		"variables": map[string]any{"query": r.Query, "limit": docsResults},
	})
	if err != nil {
		return err
	}
	req.Body, req.ContentType = body, "application/json"
	return nil
}

// FormatResult prints one result per line: title, URL and the opening of
// its content. GraphQL errors are shown as the answer (they say what the
// endpoint did not like).
func (r *SearchDocs) FormatResult(body []byte) ([]byte, error) {
	var resp struct {
		Data struct {
			SearchDocs *struct {
				Nodes []struct {
					Title   string `json:"title"`
					Href    string `json:"href"`
					Content string `json:"content"`
				} `json:"nodes"`
			} `json:"searchDocs"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Data.SearchDocs == nil && len(resp.Errors) > 0 {
		var msgs []string
		for _, e := range resp.Errors {
			msgs = append(msgs, e.Message)
		}
		return marshalPlain(map[string]any{"error": strings.Join(msgs, "; ")})
	}
	var out bytes.Buffer
	if resp.Data.SearchDocs != nil {
		for _, n := range resp.Data.SearchDocs.Nodes {
			line, err := marshalPlain(orderedRow(map[string]any{
				"title": n.Title, "url": n.Href, "content": trimContent(n.Content, maxDocsContent),
			}, "title", "url", "content"))
			if err != nil {
				return nil, err
			}
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	if out.Len() == 0 {
		out.WriteString("(no matching documents; try other words)")
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// trimContent collapses blank-line runs and cuts s to about max bytes at a
// UTF-8 boundary, marking the cut.
func trimContent(s string, max int) string {
	s = strings.TrimSpace(s)
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
