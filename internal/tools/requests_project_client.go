package tools

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
)

// Helper operations for configuring a client library: the project's API URL
// and its public keys.

// APIURLUser is implemented by request structs whose result depends on the
// Management API's URL; the server sets it before building the request.
type APIURLUser interface{ UseAPIURL(apiURL string) }

// projectDomains maps Supabase's Management API hosts to the domain its
// projects are served under, the rule of Supabase's official MCP server.
// That server maps every other host to supabase.red (Supabase's internal
// environment); here another host (a proxy, a local stand-in) has no rule,
// and the URL is not guessed.
var projectDomains = map[string]string{
	"api.supabase.com":   "supabase.co",
	"api.supabase.green": "supabase.green",
	"api.supabase.red":   "supabase.red",
}

// ProjectURL is a project's API URL (what client libraries call
// SUPABASE_URL), derived from its ref and the Management API's URL.
func ProjectURL(apiURL, ref string) (string, error) {
	u, err := url.Parse(apiURL)
	if err != nil {
		return "", err
	}
	domain, ok := projectDomains[strings.ToLower(u.Hostname())]
	if !ok {
		return "", fmt.Errorf("the project URL cannot be derived from the API host %s: it is known only for api.supabase.com (https://<ref>.supabase.co) and Supabase's own staging hosts. Nothing was sent; take the URL from the project's dashboard (Project Settings > API)", u.Hostname())
	}
	return "https://" + ref + "." + domain, nil
}

// GetProjectURL reads the project (so that a wrong ref fails rather than
// yielding a URL of nothing) and answers its derived API URL.
type GetProjectURL struct {
	ProjectRef

	apiURL string
}

func (r *GetProjectURL) UseAPIURL(apiURL string) { r.apiURL = apiURL }

func (r *GetProjectURL) Finish(*client.Request) error {
	_, err := ProjectURL(r.apiURL, r.Ref)
	return err
}

func (r *GetProjectURL) FormatResult(body []byte) ([]byte, error) {
	var p struct {
		Ref string `json:"ref"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if p.Ref != r.Ref {
		return nil, errors.New("the API answered about another project")
	}
	u, err := ProjectURL(r.apiURL, r.Ref)
	if err != nil {
		return nil, err
	}
	return marshalPlain(map[string]string{"url": u})
}

// publicOnly marks request structs whose result keeps only values that are
// public by design: such an operation does not accept reveal.
type publicOnly interface{ publicOnly() }

// GetPublishableKeys lists the keys a client library may ship: publishable
// keys and the legacy anon key. Any other key is dropped, whatever the API
// says about it; the request never asks the API to reveal secret keys.
type GetPublishableKeys struct{ ProjectRef }

func (*GetPublishableKeys) publicOnly() {}

func (r *GetPublishableKeys) FormatResult(body []byte) ([]byte, error) {
	var keys []struct {
		APIKey      string  `json:"api_key"`
		ID          *string `json:"id"`
		Type        string  `json:"type"`
		Name        string  `json:"name"`
		Description *string `json:"description"`
	}
	if err := json.Unmarshal(body, &keys); err != nil {
		return nil, err
	}
	type key struct {
		Name        string  `json:"name"`
		Type        string  `json:"type"`
		APIKey      string  `json:"api_key"`
		ID          *string `json:"id,omitempty"`
		Description *string `json:"description,omitempty"`
	}
	out := []key{}
	for _, k := range keys {
		if publicKey(k.Type, k.Name, k.APIKey) {
			out = append(out, key{k.Name, k.Type, k.APIKey, k.ID, k.Description})
		}
	}
	if len(out) == 0 {
		return marshalPlain(map[string]string{"error": "no anon or publishable key: create a publishable key (secrets.create_api_key, type publishable) or in the dashboard"})
	}
	return marshalPlain(out)
}

// publicKey is the allow list: a publishable key (sb_publishable_...), or
// the legacy key named anon whose JWT, when it can be read, is for the anon
// role. A redacted, empty or secret-looking value is never public.
func publicKey(typ, name, value string) bool {
	switch {
	case value == "" || strings.HasPrefix(value, "<redacted") || strings.HasPrefix(value, "sb_secret_"):
		return false
	case typ == "publishable":
		return strings.HasPrefix(value, "sb_publishable_")
	case typ == "legacy" && name == "anon":
		return jwtRole(value) == "" || jwtRole(value) == "anon"
	}
	return false
}

// jwtRole is the role claim of a JWT, "" when the payload cannot be read.
func jwtRole(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Role string `json:"role"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.Role
}
