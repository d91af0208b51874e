package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
)

// RevealArgument is the argument that asks for secret values in full. It is
// accepted only by operations whose answers can hold secrets (Revealable),
// and a call with reveal: true needs the user's confirmation.
const RevealArgument = "reveal"

// revealDescription is the schema text of the reveal argument.
const revealDescription = "Show secrets."

// secretKey matches response fields that hold a secret wherever they appear:
// passwords, JWT and OAuth client secrets, hook secrets, SMS provider tokens
// and keys, root and private keys. A field added to the API under such a name
// is redacted without anyone having to remember it.
var secretKey = lazyRegexp(`(?i)(^|_)(pass|passwd|password|secret|secrets|auth_token|access_token|refresh_token|api_key|access_key|root_key|private_key|private_jwk|service_role_key)$`)

// endpointSecretKeys names fields whose names are too common to be secret
// everywhere but that hold secrets on one endpoint: a secret's value, the
// claim token shown once at creation.
func endpointSecretKeys(method, path string) []string {
	switch method + " " + path {
	case "GET /v1/projects/{ref}/secrets":
		return []string{"value"}
	case "POST /v1/projects/{ref}/claim-token":
		return []string{"token"}
	}
	return nil
}

// Revealable reports whether the operation's answer can hold secrets (per
// the Management API's response schemas, checked by a test against the
// spec): only these accept reveal.
func (op *Operation) Revealable() bool {
	if op.publicOnly() {
		return false
	}
	switch op.Method + " " + op.Path {
	case "GET /v1/branches/{branch_id_or_ref}", // db_pass, jwt_secret
		"GET /v1/projects/{ref}/postgrest",                                   // jwt_secret
		"GET /v1/projects/{ref}/pgsodium", "PUT /v1/projects/{ref}/pgsodium", // root_key
		"GET /v1/projects/{ref}/secrets",                                             // values
		"POST /v1/projects/{ref}/claim-token",                                        // token
		"POST /v1/projects/{ref}/cli/login-role",                                     // password
		"GET /v1/projects/{ref}/config/auth", "PATCH /v1/projects/{ref}/config/auth", // smtp_pass, provider and hook secrets
		"GET /v1/projects/{ref}/api-keys", "POST /v1/projects/{ref}/api-keys",
		"GET /v1/projects/{ref}/api-keys/{id}", "PATCH /v1/projects/{ref}/api-keys/{id}", "DELETE /v1/projects/{ref}/api-keys/{id}": // secret keys
		return true
	}
	return false
}

// publicOnly reports whether the operation's result keeps only public
// values (publishable keys): nothing in it to reveal.
func (op *Operation) publicOnly() bool {
	if op.request == nil {
		return false
	}
	_, ok := reflect.New(op.request).Interface().(publicOnly)
	return ok
}

// redactsSecrets reports whether the operation's answers are redacted. The
// SQL endpoints answer rows of the user's own query, named by the user's
// columns: they are shown as they are.
func (op *Operation) redactsSecrets() bool {
	return !strings.Contains(op.Path, "/database/query")
}

// Reveal reports whether the call asked for secrets in full.
func (c *Call) Reveal() bool {
	v, _ := c.Args[RevealArgument].(bool)
	return v
}

// RedactSecrets replaces the values of secret fields in a JSON answer with
// a placeholder saying how long they are and how to see them. Bodies that
// are not JSON are returned unchanged (logs, function code, type
// definitions hold no fields).
func RedactSecrets(op *Operation, body []byte) []byte {
	extra := endpointSecretKeys(op.Method, op.Path)
	if !op.redactsSecrets() || len(bytes.TrimSpace(body)) == 0 || !mayHoldSecretKey(body, extra) {
		return body
	}
	// The body can hold several JSON values (NDJSON, whatever the
	// Content-Type says): each is redacted. Text that is not JSON from the
	// start is returned as it is; text that stops being JSON after a value
	// is withheld from there on, since it may carry the secrets.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep numbers exactly as the API wrote them
	r := redactor{extra: extra, hint: op.Revealable()}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // keep "<redacted: ...>" and the API's text readable
	changed := false
	for n := 0; ; n++ {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			if n == 0 {
				return body
			}
			fmt.Fprintf(&out, "[the rest of the answer is not JSON and is withheld: %d bytes]\n", int64(len(body))-dec.InputOffset())
			changed = true
			break
		}
		if r.walk(v) {
			changed = true
		}
		if enc.Encode(v) != nil {
			return []byte(fmt.Sprintf("[an answer of %d bytes is withheld: it could not be redacted]", len(body)))
		}
	}
	if !changed {
		return body
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}

// secretPair finds `"key": "value"` in text that may not be whole JSON (an
// error message, a snippet cut short), the closing quote optional.
var secretPair = lazyRegexp(`"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"?`)

// RedactMessage redacts secrets in text the API wrote in an error: the
// fields of a JSON error body, and "key": "value" pairs quoted in prose or
// in a body cut short. Never revealed: reveal applies to results.
func RedactMessage(op *Operation, msg string) string {
	extra := endpointSecretKeys(op.Method, op.Path)
	if !op.redactsSecrets() || !mayHoldSecretKey([]byte(msg), extra) {
		return msg
	}
	msg = string(RedactSecrets(op, []byte(msg)))
	r := redactor{extra: extra}
	return secretPair().ReplaceAllStringFunc(msg, func(m string) string {
		g := secretPair().FindStringSubmatch(m)
		if !r.isSecret(g[1], nil) || strings.HasPrefix(g[3], "<redacted") {
			return m
		}
		return `"` + g[1] + `"` + g[2] + `"` + r.placeholder(g[3]) + `"`
	})
}

// secretKeyEndings are how every name secretKey matches ends, with the
// closing quote of a JSON key.
var secretKeyEndings = [][]byte{[]byte(`pass"`), []byte(`passwd"`), []byte(`password"`), []byte(`secret"`), []byte(`secrets"`),
	[]byte(`token"`), []byte(`key"`), []byte(`private_jwk"`)}

// mayHoldSecretKey is a cheap filter that spares most answers a full
// decode: false only when no key of body can be secret. Escaped text (\u)
// could spell a key in disguise, so it always gets the full decode.
func mayHoldSecretKey(body []byte, extra []string) bool {
	if bytes.Contains(body, []byte(`\u`)) {
		return true
	}
	body = bytes.ToLower(body) // secretKey ignores case
	for _, end := range secretKeyEndings {
		if bytes.Contains(body, end) {
			return true
		}
	}
	for _, k := range extra {
		if bytes.Contains(body, []byte(`"`+k+`"`)) {
			return true
		}
	}
	return bytes.Contains(body, []byte(`"kty"`)) // a JWK may hold key material
}

type redactor struct {
	extra []string
	hint  bool // the placeholder may say "ask again with reveal: true"
}

// walk redacts in place and reports whether anything changed.
func (r redactor) walk(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if val != nil && r.isSecret(k, x) {
				if s, ok := val.(string); !ok || (s != "" && !strings.HasPrefix(s, "<redacted")) {
					x[k] = r.placeholder(val)
					changed = true
				}
				continue
			}
			if r.walk(val) {
				changed = true
			}
		}
	case []any:
		for _, item := range x {
			if r.walk(item) {
				changed = true
			}
		}
	}
	return changed
}

func (r redactor) isSecret(key string, obj map[string]any) bool {
	for _, k := range r.extra {
		if key == k {
			return true
		}
	}
	if jwkPrivate[key] && obj != nil && obj["kty"] != nil {
		return true // a JSON Web Key's private or symmetric part
	}
	// snakeCase: a field the API adds in camelCase (jwtSecret) reads as jwt_secret.
	if !IsSecretField(key) {
		return false
	}
	if key == "api_key" {
		// Publishable and anon keys are public by design (they ship in web
		// pages); every other key, and a key of unknown kind, is secret.
		typ, _ := obj["type"].(string)
		name, _ := obj["name"].(string)
		return typ != "publishable" && (typ != "legacy" || name != "anon")
	}
	return true
}

// jwkPrivate are the members of a JSON Web Key (RFC 7518) that hold its
// private or symmetric key material; the rest of a JWK is public.
var jwkPrivate = map[string]bool{"d": true, "p": true, "q": true, "dp": true, "dq": true, "qi": true, "k": true, "oth": true}

func (r redactor) placeholder(v any) string {
	n := 0
	if s, ok := v.(string); ok {
		n = utf8.RuneCountInString(s)
	} else if b, err := json.Marshal(v); err == nil {
		n = len(b)
	}
	if r.hint {
		return fmt.Sprintf("<redacted: %d chars; ask again with reveal: true>", n)
	}
	return fmt.Sprintf("<redacted: %d chars>", n)
}

// revealSchema is the reveal argument of operations without their own.
var revealSchema = &jsonschema.Schema{Type: "boolean", Description: revealDescription}

// IsSecretField reports whether a JSON field of that name holds a secret
// wherever it appears (smtp_pass, jwt_secret, ...): for texts that show
// arguments, such as confirmation prompts, to shorten its value.
func IsSecretField(name string) bool {
	return secretKey().MatchString(name) || secretKey().MatchString(snakeCase(name))
}
