package server

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// projectNames remembers the names of the projects the API has shown each
// credential (in projects.list and projects.get results), so that a
// confirmation can name the project as well as its ref without another
// API call. A name is only ever shown and typed, never used to address
// anything; the ref stays what the call acts on.
type projectNames struct {
	mu sync.Mutex
	m  map[string]string // principal \x00 ref -> name
}

// maxProjectNames bounds the cache; when full, an arbitrary entry goes
// (the prompt then shows the ref alone, as before).
const maxProjectNames = 4096

// maxProjectNameRunes is the longest name shown; longer ones are left out.
const maxProjectNameRunes = 64

// remember records the names in a successful projects.list or
// projects.get result.
func (p *projectNames) remember(principal string, op *tools.Operation, body []byte) {
	if op.Tool.Group != "projects" || (op.Name != "list" && op.Name != "get") {
		return
	}
	type project struct {
		Ref  string `json:"ref"`
		Name string `json:"name"`
	}
	var list []project
	if op.Name == "get" {
		var one project
		if json.Unmarshal(body, &one) != nil {
			return
		}
		list = []project{one}
	} else if json.Unmarshal(body, &list) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	for _, pr := range list {
		if pr.Ref == "" || !showableName(pr.Name) {
			continue
		}
		for k := range p.m {
			if len(p.m) < maxProjectNames {
				break
			}
			delete(p.m, k)
		}
		p.m[principal+"\x00"+pr.Ref] = pr.Name
	}
}

// name is the remembered name of ref for principal, or "".
func (p *projectNames) name(principal, ref string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[principal+"\x00"+ref]
}

// showableName: a name that reads as itself in a prompt and can be typed:
// printable characters only (no controls, bidirectional or zero-width
// marks, line separators), no quotes, no padding, not too long.
func showableName(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || utf8.RuneCountInString(s) > maxProjectNameRunes || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == '"' || r == '`' {
			return false
		}
	}
	return true
}
