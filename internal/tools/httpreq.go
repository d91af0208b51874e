package tools

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
)

// Finisher is implemented by request structs of helper operations: after the
// generic encoding, Finish builds what the arguments tagged in:"none" mean
// (a catalog query for the SQL endpoint, a logs query string).
type Finisher interface {
	Finish(req *client.Request) error
}

// ResultFormatter is implemented by request structs that reshape the API's
// answer for the model (summaries, filters, one line per item). It runs
// before the size cap and the untrusted-data wrapping.
type ResultFormatter interface {
	FormatResult(body []byte) ([]byte, error)
}

// BodyEncoder is implemented by request structs whose body is not plain JSON
// (multipart uploads); it returns the body and its content type.
type BodyEncoder interface {
	EncodeBody() (body []byte, contentType string, err error)
}

// HTTPRequest builds the Management API request for a decoded call. Path
// arguments are escaped one segment each, so no value can change which
// endpoint is called. Decode has checked every value against the spec's
// constraints; the checks here hold even for values a Finish method adds.
//
// Each call of an operation marked idempotency_key gets a fresh random key:
// build the request once per logical call, and let the client resend that
// same request.
func (c *Call) HTTPRequest() (*client.Request, error) {
	req, err := c.httpRequest()
	if err != nil {
		return nil, err
	}
	if c.Op.IdempotencyKey {
		if req.IdempotencyKey, err = newIdempotencyKey(); err != nil {
			return nil, err
		}
	}
	for name, vals := range req.Query {
		for _, v := range vals {
			if !queryValueOK(v) {
				return nil, refused("query value %s must not contain NUL or other control characters", name)
			}
		}
	}
	return req, nil
}

// newIdempotencyKey is a random (version 4) UUID.
func newIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// queryValueOK: valid UTF-8 without control characters but tab, newline
// and carriage return (a logs query is multi-line SQL).
func queryValueOK(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsPrint(r) && r != '\t' && r != '\n' && r != '\r'
	})
}

// pathValueOK: one printable segment that cannot be read as another path.
func pathValueOK(seg string) bool {
	return strings.TrimSpace(seg) == seg && seg != "" && seg != "." && seg != ".." &&
		utf8.RuneCountInString(seg) <= maxPathValue && !strings.ContainsAny(seg, "/\\?#%") &&
		utf8.ValidString(seg) && !strings.ContainsFunc(seg, func(r rune) bool { return !unicode.IsPrint(r) })
}

func (c *Call) httpRequest() (*client.Request, error) {
	op := c.Op
	v := reflect.ValueOf(c.Request).Elem()
	req := &client.Request{Method: op.Method, Query: url.Values{}}

	path := op.Path
	body := map[string]any{}
	for _, p := range op.args() {
		fv := v.FieldByIndex(p.index)
		switch p.in {
		case inPath_:
			seg := fmt.Sprint(fv.Interface())
			if !pathValueOK(seg) {
				return nil, refused("%s is not a valid path value: one segment of at most %d printable characters, without / \\ ? # %% or surrounding whitespace", p.name, maxPathValue)
			}
			path = strings.Replace(path, "{"+p.name+"}", url.PathEscape(seg), 1)
			if p.secret {
				req.Redact = append(req.Redact, seg)
			}
		case inQuery:
			if fv.IsZero() && !p.required {
				continue
			}
			for _, s := range queryValues(fv) {
				req.Query.Add(p.name, s)
				if p.secret {
					req.Redact = append(req.Redact, s)
				}
			}
		case inBody:
			if op.Body == p.name {
				raw, err := json.Marshal(fv.Interface())
				if err != nil {
					return nil, fmt.Errorf("encode %s: %w", p.name, err)
				}
				req.Body = raw
				continue
			}
			if fv.IsZero() && !p.required {
				continue
			}
			body[p.name] = fv.Interface()
		}
	}
	req.Path = path

	if f, ok := c.Request.(Finisher); ok {
		if req.Body == nil && len(body) > 0 {
			raw, err := json.Marshal(body)
			if err != nil {
				return nil, fmt.Errorf("encode body: %w", err)
			}
			req.Body, req.ContentType = raw, "application/json"
		}
		if err := f.Finish(req); err != nil {
			return nil, argErr("%v", err)
		}
		if req.Body != nil && req.ContentType == "" {
			req.ContentType = "application/json"
		}
		return req, nil
	}
	if enc, ok := c.Request.(BodyEncoder); ok {
		raw, ctype, err := enc.EncodeBody()
		if err != nil {
			return nil, argErr("%v", err)
		}
		req.Body, req.ContentType = raw, ctype
		return req, nil
	}
	if req.Body == nil && len(body) > 0 {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
		req.Body = raw
	}
	if req.Body != nil {
		req.ContentType = "application/json"
	}
	return req, nil
}

// queryValues renders a field the way the API reads query strings: booleans
// as true/false, arrays as repeated parameters.
func queryValues(v reflect.Value) []string {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, queryValues(v.Index(i))...)
		}
		return out
	case reflect.Bool:
		return []string{strconv.FormatBool(v.Bool())}
	case reflect.Float32, reflect.Float64:
		return []string{strconv.FormatFloat(v.Float(), 'f', -1, 64)}
	default:
		return []string{fmt.Sprint(v.Interface())}
	}
}
