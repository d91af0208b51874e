package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// AuthConfigRequests are the auth_config tool's operations.
type AuthConfigRequests struct {
	GetConfig       GetAuthConfig
	UpdateConfig    UpdateAuthConfig
	ListKeys        ListSigningKeys
	CreateKey       CreateSigningKey
	GetKey          GetSigningKey
	UpdateKey       UpdateSigningKey
	DeleteKey       DeleteSigningKey
	GetLegacyKey    GetLegacySigningKey
	CreateLegacyKey CreateLegacySigningKey
	ListProviders   ListSSOProviders
	CreateProvider  CreateSSOProvider
	GetProvider     GetSSOProvider
	UpdateProvider  UpdateSSOProvider
	DeleteProvider  DeleteSSOProvider
	ListTPA         ListThirdPartyAuth
	CreateTPA       CreateThirdPartyAuth
	GetTPA          GetThirdPartyAuth
	DeleteTPA       DeleteThirdPartyAuth
}

type GetAuthConfig struct{ ProjectRef }

// UpdateAuthConfig sends config as the whole PATCH body. The argument is
// listed as a bare object (it has over 200 keys) but validated against
// AuthConfigUpdate at call time, so a misspelt key is named with its closest
// matches before anything is sent.
type UpdateAuthConfig struct {
	ProjectRef
	Config AuthConfigUpdate `json:"config" jsonschema:"required" jsonschema_description:"Keys as in get_config."`
}

// Signing keys.

// SigningKeyID addresses one signing key.
type SigningKeyID struct {
	ID string `json:"id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Key id."`
}

// fieldError drops the final period of unknownKeyError's text, which the
// decoder's message adds its own to.
func fieldError(err error) error {
	return errors.New(strings.TrimSuffix(err.Error(), "."))
}

type ListSigningKeys struct{ ProjectRef }

// CreateSigningKey leaves out the spec's optional status and private_jwk: a
// new key is standby, so putting it in use (which rotates the current key)
// takes update_key, a destructive call; and private key material should not
// pass through a model's context, so the API generates the key.
type CreateSigningKey struct {
	ProjectRef
	Algorithm string `json:"algorithm" jsonschema:"required,enum=ES256,enum=RS256,enum=EdDSA,enum=HS256" jsonschema_description:"ES256 recommended."`
}

type GetSigningKey struct {
	ProjectRef
	SigningKeyID
}

type UpdateSigningKey struct {
	ProjectRef
	SigningKeyID
	Status string `json:"status" jsonschema:"required,enum=in_use,enum=standby,enum=previously_used,enum=revoked" jsonschema_description:"Status."`
}

type DeleteSigningKey struct {
	ProjectRef
	SigningKeyID
}

type GetLegacySigningKey struct{ ProjectRef }

type CreateLegacySigningKey struct{ ProjectRef }

// SSO providers.

// SSOProviderID addresses one SSO provider.
type SSOProviderID struct {
	ProviderID string `json:"provider_id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Id."`
}

// SAMLSettings are the fields shared by creating and updating a provider.
// attribute_mapping is listed as a plain object to keep the tool small, and
// checked against the spec's shape in validate.
type SAMLSettings struct {
	MetadataXML      string         `json:"metadata_xml,omitempty" jsonschema_description:"IdP metadata."`
	MetadataURL      string         `json:"metadata_url,omitempty" jsonschema_description:"IdP metadata."`
	Domains          []string       `json:"domains,omitempty" jsonschema_description:"Email domains."`
	AttributeMapping map[string]any `json:"attribute_mapping,omitempty" jsonschema_description:"E.g. {\"keys\":{\"email\":{\"name\":\"mail\"}}}."`
	NameIDFormat     string         `json:"name_id_format,omitempty" check:"enum=urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified|urn:oasis:names:tc:SAML:2.0:nameid-format:transient|urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress|urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" jsonschema_description:"NameID format URN."`
}

// samlAttributeKeys are the fields of one attribute_mapping.keys entry:
// name (string), names (strings), default (object, number, string or
// boolean) and array (boolean).
var samlAttributeKeys = []string{"name", "names", "default", "array"}

func (s SAMLSettings) validate() error {
	if s.MetadataXML != "" && s.MetadataURL != "" {
		return errors.New("give metadata_xml or metadata_url, not both")
	}
	if s.MetadataURL != "" && !strings.HasPrefix(s.MetadataURL, "https://") {
		return errors.New("metadata_url must be an https:// URL")
	}
	if s.AttributeMapping == nil {
		return nil
	}
	const usage = `attribute_mapping is {"keys": {"<claim>": {"name": "<SAML attribute>", "names": [...], "default": ..., "array": true}}}`
	for _, k := range sortedKeys(s.AttributeMapping) {
		if k != "keys" {
			return fmt.Errorf("%v; %s", fieldError(unknownKeyError("attribute_mapping."+k, k, []string{"keys"})), usage)
		}
	}
	keys, ok := s.AttributeMapping["keys"].(map[string]any)
	if !ok {
		return errors.New(usage)
	}
	for _, claim := range sortedKeys(keys) {
		where := "attribute_mapping.keys." + claim
		attr, ok := keys[claim].(map[string]any)
		if !ok {
			return fmt.Errorf("%s must be an object; %s", where, usage)
		}
		for _, k := range sortedKeys(attr) {
			v := attr[k]
			var bad bool
			switch k {
			case "name":
				_, ok := v.(string)
				bad = !ok
			case "names":
				list, ok := v.([]any)
				bad = !ok
				for _, n := range list {
					if _, ok := n.(string); !ok {
						bad = true
					}
				}
			case "default":
				switch v.(type) {
				case map[string]any, float64, string, bool:
				default:
					bad = true
				}
			case "array":
				_, ok := v.(bool)
				bad = !ok
			default:
				return fieldError(unknownKeyError(where+"."+k, k, samlAttributeKeys))
			}
			if bad {
				return fmt.Errorf("%s.%s has the wrong type; %s", where, k, usage)
			}
		}
	}
	return nil
}

type ListSSOProviders struct{ ProjectRef }

// CreateSSOProvider leaves out the spec's required type: its only value is
// saml, which EncodeBody fills in.
type CreateSSOProvider struct {
	ProjectRef
	SAMLSettings
}

func (r CreateSSOProvider) Validate() error { return r.SAMLSettings.validate() }

func (r CreateSSOProvider) EncodeBody() ([]byte, string, error) {
	return requiredJSONBody(struct {
		Type string `json:"type"`
		SAMLSettings
	}{"saml", r.SAMLSettings})
}

type GetSSOProvider struct {
	ProjectRef
	SSOProviderID
}

type UpdateSSOProvider struct {
	ProjectRef
	SSOProviderID
	SAMLSettings
}

func (r UpdateSSOProvider) Validate() error { return r.SAMLSettings.validate() }

// EncodeBody always sends an object: the spec requires a body even when
// nothing is given.
func (r UpdateSSOProvider) EncodeBody() ([]byte, string, error) {
	return requiredJSONBody(r.SAMLSettings)
}

type DeleteSSOProvider struct {
	ProjectRef
	SSOProviderID
}

// Third-party auth.

// ThirdPartyAuthID addresses one third-party auth integration.
type ThirdPartyAuthID struct {
	TPAID string `json:"tpa_id" in:"path" jsonschema:"required" check:"format=uuid" jsonschema_description:"Id."`
}

type ListThirdPartyAuth struct{ ProjectRef }

// ThirdPartyAuthBody is CreateThirdPartyAuthBody.
type ThirdPartyAuthBody struct {
	OIDCIssuerURL string         `json:"oidc_issuer_url,omitempty" jsonschema_description:"OIDC issuer."`
	JWKSURL       string         `json:"jwks_url,omitempty" jsonschema_description:"JWKS URL."`
	CustomJWKS    map[string]any `json:"custom_jwks,omitempty" jsonschema_description:"JWKS to trust."`
}

type CreateThirdPartyAuth struct {
	ProjectRef
	ThirdPartyAuthBody
}

// Validate checks the URLs; the spec leaves their format open.
func (r CreateThirdPartyAuth) Validate() error {
	for name, u := range map[string]string{"oidc_issuer_url": r.OIDCIssuerURL, "jwks_url": r.JWKSURL} {
		if pu, err := url.Parse(u); u != "" && (err != nil || pu.Host == "" || (pu.Scheme != "https" && pu.Scheme != "http")) {
			return fmt.Errorf("%s must be an absolute https:// URL", name)
		}
	}
	return nil
}

// EncodeBody always sends an object: the spec requires a body.
func (r CreateThirdPartyAuth) EncodeBody() ([]byte, string, error) {
	return requiredJSONBody(r.ThirdPartyAuthBody)
}

type GetThirdPartyAuth struct {
	ProjectRef
	ThirdPartyAuthID
}

type DeleteThirdPartyAuth struct {
	ProjectRef
	ThirdPartyAuthID
}

// requiredJSONBody encodes the body part of a request struct as a JSON object, for
// operations whose body the spec requires even when no field is given.
func requiredJSONBody(v any) ([]byte, string, error) {
	b, err := json.Marshal(v)
	return b, "application/json", err
}
