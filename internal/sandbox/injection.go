package sandbox

import (
	"bytes"
	"encoding/json"
	"strings"
)

// injectedFields are the JSON fields that hold text users or third parties
// wrote: names of projects, organizations, branches, functions, secrets and
// keys, members' names, git branches, entrypoints, descriptions, and
// messages of health checks, upgrades, custom hostnames and errors.
var injectedFields = map[string]bool{
	"name": true, "user_name": true, "description": true, "message": true, "error": true,
	"git_branch": true, "entrypoint_path": true, "import_map_path": true, "title": true, "detail": true,
}

// injectedLists are arrays of messages (Cloudflare's messages and errors,
// upgrade warnings): the injection is added as one more item.
var injectedLists = map[string]bool{"messages": true, "errors": true, "warnings": true, "validation_errors": true}

// inject appends text to every injected field of a JSON answer, or to a
// plain-text answer.
func inject(body []byte, contentType, text string) []byte {
	if strings.HasPrefix(contentType, "text/") {
		return append(bytes.Clone(body), "\n"+text...)
	}
	if !strings.Contains(contentType, "json") || len(body) == 0 {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				switch s := val.(type) {
				case nil:
					if k == "description" { // an API key or function without one gets one
						x[k] = text
					}
				case string:
					if injectedFields[k] {
						x[k] = s + " " + text
					}
				case []any:
					if injectedLists[k] {
						x[k] = append(s, text)
					} else {
						x[k] = walk(s)
					}
				default:
					x[k] = walk(val)
				}
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		}
		return v
	}
	v = walk(v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return body
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
