// Package spec checks HTTP requests against the Management API's OpenAPI
// document, for tests. The document is not part of the repository: it is
// read from SUPABASE_MCP_OPENAPI_SPEC or from shared/openapi beside the
// checkout, and callers skip when it is absent.
package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Spec is a loaded OpenAPI document with a router.
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
}

// ErrNotFound means no spec file was found.
var ErrNotFound = errors.New("OpenAPI spec not found: set SUPABASE_MCP_OPENAPI_SPEC or keep shared/openapi/management-api-v1.json beside the checkout")

// Locate finds the spec file.
func Locate() (string, error) {
	if p := os.Getenv("SUPABASE_MCP_OPENAPI_SPEC"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "..", "shared", "openapi", "management-api-v1.json")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNotFound
		}
		dir = parent
	}
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load reads and indexes the spec once per process.
func Load() (*Spec, error) {
	loadOnce.Do(func() {
		path, err := Locate()
		if err != nil {
			loadErr = err
			return
		}
		// kin-openapi checks uuid only when told to; without it a project
		// ref also "matches" the deprecated UUID branch of branch_id_or_ref.
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			loadErr = fmt.Errorf("load %s: %w", filepath.Base(path), err)
			return
		}
		// Route on paths alone; the servers list names the production host.
		// Authentication is not what these checks are about, and the spec
		// refers to a security scheme it does not define.
		doc.Servers, doc.Security = nil, nil
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				op.Security = nil
			}
		}
		r, err := legacy.NewRouter(doc, openapi3.SetRegexCompiler(compileRegex), openapi3.AllowExtraSiblingFields("hideDefinitions"), openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
		if err != nil {
			loadErr = err
			return
		}
		loaded = &Spec{Doc: doc, router: r}
	})
	return loaded, loadErr
}

// Has reports whether the spec has that method on that path template.
func (s *Spec) Has(method, pathTemplate string) bool {
	item := s.Doc.Paths.Find(pathTemplate)
	return item != nil && item.GetOperation(strings.ToUpper(method)) != nil
}

// Operation returns the spec operation for a method and path template.
func (s *Spec) Operation(method, pathTemplate string) *openapi3.Operation {
	item := s.Doc.Paths.Find(pathTemplate)
	if item == nil {
		return nil
	}
	return item.GetOperation(strings.ToUpper(method))
}

// Validate checks a request's path, path and query parameters and body
// against the spec and returns the template it matched.
func (s *Spec) Validate(ctx context.Context, req *http.Request) (string, error) {
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return "", fmt.Errorf("%s %s: no such operation in the spec: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
			RegexCompiler:      compileRegex,
		},
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return route.Path, fmt.Errorf("%s %s: %w", req.Method, route.Path, err)
	}
	return route.Path, nil
}

// compileRegex accepts the one construct of the spec that Go's RE2 lacks, a
// leading negative lookahead on a literal ("^(?!SUPABASE_).*").
func compileRegex(expr string) (openapi3.RegexMatcher, error) {
	if rest, ok := strings.CutPrefix(expr, "^(?!"); ok {
		literal, tail, found := strings.Cut(rest, ")")
		if found && regexp.QuoteMeta(literal) == literal {
			re, err := regexp.Compile("^" + tail)
			if err != nil {
				return nil, err
			}
			return notPrefixed{literal, re}, nil
		}
	}
	return regexp.Compile(expr)
}

type notPrefixed struct {
	prefix string
	re     *regexp.Regexp
}

func (m notPrefixed) MatchString(s string) bool {
	return !strings.HasPrefix(s, m.prefix) && m.re.MatchString(s)
}
