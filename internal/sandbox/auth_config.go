package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Seeded auth objects of SeedProjectActive. Its signing keys are migrated
// from the legacy JWT secret (HS256, in use) with an ES256 key on standby and
// a revoked RS256 one; other projects have no signing keys until
// create_legacy_key, and no SSO providers or third-party auth.
const (
	SeedSigningKeyLegacy  = "5b1d3c4e-7a2f-4b6c-8d9e-0f1a2b3c4d5e"
	SeedSigningKeyStandby = "6c2e4d5f-8b3a-4c7d-9e0f-1a2b3c4d5e6f"
	SeedSigningKeyRevoked = "7d3f5e6a-9c4b-4d8e-8f1a-2b3c4d5e6f70"
	SeedSSOProvider       = "8e4a6f7b-ad5c-4e9f-9a2b-3c4d5e6f7081"
	SeedSSODomain         = "sso.acme.test"
	SeedThirdPartyAuth    = "9f5b7a8c-be6d-4fa0-8b3c-4d5e6f708192"
)

func (s *Server) authConfigRoutes(mux *http.ServeMux) {
	const base = "/v1/projects/{ref}/config/auth"
	mux.HandleFunc("GET "+base, s.withAuth(s.getAuthConfig))
	mux.HandleFunc("PATCH "+base, s.withAuth(s.updateAuthConfig))
	mux.HandleFunc("GET "+base+"/signing-keys", s.withAuth(s.listSigningKeys))
	mux.HandleFunc("POST "+base+"/signing-keys", s.withAuth(s.createSigningKey))
	mux.HandleFunc("GET "+base+"/signing-keys/legacy", s.withAuth(s.getLegacySigningKey))
	mux.HandleFunc("POST "+base+"/signing-keys/legacy", s.withAuth(s.createLegacySigningKey))
	mux.HandleFunc("GET "+base+"/signing-keys/{id}", s.withAuth(s.withSigningKey(s.getSigningKey)))
	mux.HandleFunc("PATCH "+base+"/signing-keys/{id}", s.withAuth(s.withSigningKey(s.updateSigningKey)))
	mux.HandleFunc("DELETE "+base+"/signing-keys/{id}", s.withAuth(s.withSigningKey(s.deleteSigningKey)))
	mux.HandleFunc("GET "+base+"/sso/providers", s.withAuth(s.listSSOProviders))
	mux.HandleFunc("POST "+base+"/sso/providers", s.withAuth(s.createSSOProvider))
	mux.HandleFunc("GET "+base+"/sso/providers/{provider_id}", s.withAuth(s.withSSOProvider(s.getSSOProvider)))
	mux.HandleFunc("PUT "+base+"/sso/providers/{provider_id}", s.withAuth(s.withSSOProvider(s.updateSSOProvider)))
	mux.HandleFunc("DELETE "+base+"/sso/providers/{provider_id}", s.withAuth(s.withSSOProvider(s.deleteSSOProvider)))
	mux.HandleFunc("GET "+base+"/third-party-auth", s.withAuth(s.listThirdPartyAuth))
	mux.HandleFunc("POST "+base+"/third-party-auth", s.withAuth(s.createThirdPartyAuth))
	mux.HandleFunc("GET "+base+"/third-party-auth/{tpa_id}", s.withAuth(s.withThirdPartyAuth(s.getThirdPartyAuth)))
	mux.HandleFunc("DELETE "+base+"/third-party-auth/{tpa_id}", s.withAuth(s.withThirdPartyAuth(s.deleteThirdPartyAuth)))
}

// authConfigFixtures names this group's seeded objects for Fixtures.
func authConfigFixtures() map[string]any {
	out := map[string]any{
		"auth_config.get_key.id":    SeedSigningKeyStandby,
		"auth_config.update_key.id": SeedSigningKeyStandby, // standby -> in_use (the minimal status)
		"auth_config.delete_key.id": SeedSigningKeyRevoked,
		// The active project's legacy secret is already a signing key.
		"auth_config.create_legacy_key.ref": SeedProjectPaused,
	}
	for _, op := range []string{"get_provider", "update_provider", "delete_provider"} {
		out["auth_config."+op+".provider_id"] = SeedSSOProvider
	}
	for _, op := range []string{"get_tpa", "delete_tpa"} {
		out["auth_config."+op+".tpa_id"] = SeedThirdPartyAuth
	}
	return out
}

// authState is one project's auth configuration.
type authState struct {
	config    map[string]any // AuthConfigResponse
	keys      []*signingKey
	providers []*ssoProvider
	tpas      []*thirdPartyAuth
}

// withAuth runs h with the project's auth state (s.mu held).
func (s *Server) withAuth(h func(http.ResponseWriter, *http.Request, *authState)) http.HandlerFunc {
	return s.withProject(func(w http.ResponseWriter, r *http.Request, p *projectState) {
		h(w, r, groupState(s, p.Ref, s.seedAuth))
	})
}

// AuthConfig returns a copy of a project's auth config (AuthConfigResponse).
func (s *Server) AuthConfig(ref string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for k, v := range groupState(s, ref, s.seedAuth).config {
		out[k] = v
	}
	return out
}

func (s *Server) seedAuth(ref string) *authState {
	st := &authState{config: s.defaultAuthConfig(ref)}
	if ref != SeedProjectActive {
		return st
	}
	at := time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC).Format(createdAtLayout)
	st.keys = []*signingKey{
		{ID: SeedSigningKeyLegacy, Algorithm: "HS256", Status: "in_use", CreatedAt: at, UpdatedAt: at, legacy: true},
		{ID: SeedSigningKeyStandby, Algorithm: "ES256", Status: "standby", PublicJWK: publicJWK("ES256", SeedSigningKeyStandby), CreatedAt: at, UpdatedAt: at},
		{ID: SeedSigningKeyRevoked, Algorithm: "RS256", Status: "revoked", PublicJWK: publicJWK("RS256", SeedSigningKeyRevoked), CreatedAt: at, UpdatedAt: at},
	}
	st.providers = []*ssoProvider{{
		ID: SeedSSOProvider, samlID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", entityID: "https://idp.acme.test/saml",
		metadataURL: "https://idp.acme.test/saml/metadata",
		mapping:     json.RawMessage(`{"keys":{"email":{"name":"mail"}}}`),
		domains:     []ssoDomain{{ID: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e", Domain: SeedSSODomain, CreatedAt: at, UpdatedAt: at}},
		CreatedAt:   at, UpdatedAt: at,
	}}
	issuer := "https://clerk.acme.test"
	st.tpas = []*thirdPartyAuth{{
		ID: SeedThirdPartyAuth, Type: "clerk", OIDCIssuerURL: &issuer, ResolvedJWKS: fakeJWKS(SeedThirdPartyAuth),
		InsertedAt: at, UpdatedAt: at, ResolvedAt: &at,
	}}
	return st
}

// Auth config.

// authDefaults are the non-null values of a new project's auth config; every
// other key of AuthConfigResponse is null, false or 0.
var authDefaults = map[string]any{
	"site_url": "http://localhost:3000", "uri_allow_list": "", "jwt_exp": 3600, "disable_signup": false,
	"external_email_enabled": true, "external_phone_enabled": false, "mailer_autoconfirm": false,
	"mailer_secure_email_change_enabled": true, "mailer_otp_exp": 3600, "mailer_otp_length": 6,
	"mailer_subjects_confirmation": "Confirm Your Signup", "mailer_subjects_invite": "You have been invited",
	"mailer_subjects_recovery": "Reset Your Password", "mailer_subjects_magic_link": "Your Magic Link",
	"mailer_subjects_email_change": "Confirm Email Change", "mailer_subjects_reauthentication": "Confirm reauthentication",
	"smtp_max_frequency": 60, "mfa_max_enrolled_factors": 10, "mfa_totp_enroll_enabled": true, "mfa_totp_verify_enabled": true,
	"mfa_phone_otp_length": 6, "mfa_phone_max_frequency": 5, "mfa_phone_template": "Your code is {{ .Code }}",
	"password_min_length": 6, "password_required_characters": "", "password_hibp_enabled": false,
	"refresh_token_rotation_enabled": true, "security_refresh_token_reuse_interval": 10,
	"rate_limit_anonymous_users": 30, "rate_limit_email_sent": 2, "rate_limit_sms_sent": 30, "rate_limit_verify": 30,
	"rate_limit_token_refresh": 150, "rate_limit_otp": 30, "rate_limit_web3": 30,
	"sms_otp_exp": 60, "sms_otp_length": 6, "sms_max_frequency": 60, "sms_template": "Your code is {{ .Code }}",
	"db_max_pool_size": 10, "db_max_pool_size_unit": "connections", "api_max_request_duration": 10,
	"saml_enabled": false, "custom_oauth_max_providers": 3,
}

// defaultAuthConfig is AuthConfigResponse's spec-derived shape (shapes.go)
// with authDefaults over it.
func (s *Server) defaultAuthConfig(ref string) map[string]any {
	c := map[string]any{}
	if ex, ok := s.shapes.of("GET", "/v1/projects/{ref}/config/auth").Example.(map[string]any); ok {
		maps.Copy(c, ex)
	}
	maps.Copy(c, authDefaults)
	c["saml_external_url"] = "https://" + ref + ".supabase.co/auth/v1/sso/saml"
	return c
}

func (s *Server) getAuthConfig(w http.ResponseWriter, r *http.Request, st *authState) {
	writeJSON(w, http.StatusOK, st.config)
}

// updateAuthConfig validates the body with the operation's request type
// (UpdateAuthConfigBody) before changing any key; null resets a key to its
// default.
func (s *Server) updateAuthConfig(w http.ResponseWriter, r *http.Request, st *authState) {
	var body map[string]any
	if !decodeBody(w, r, &body) {
		return
	}
	if body == nil {
		badRequest(w, "Invalid request body: expected an object")
		return
	}
	set := maps.Clone(body) // null resets a key: the rest is checked
	maps.DeleteFunc(set, func(_ string, v any) bool { return v == nil })
	if err := s.validateFor(r, "/v1/projects/{ref}/config/auth", set); err != nil {
		badRequest(w, "%v", err)
		return
	}
	defaults := s.defaultAuthConfig(r.PathValue("ref"))
	for k, v := range plainNumbers(body).(map[string]any) {
		if v == nil {
			v = defaults[k]
		}
		st.config[k] = v
	}
	writeJSON(w, http.StatusOK, st.config)
}

// Signing keys.

// signingKey is SigningKeyResponse.
type signingKey struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`
	Status    string `json:"status"`
	PublicJWK any    `json:"public_jwk"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	legacy    bool   // made from the legacy JWT secret
}

var signingAlgorithms = map[string]string{"EdDSA": "OKP", "ES256": "EC", "RS256": "RSA", "HS256": "oct"}

// publicJWK is a made-up public key of the right shape; HS256 keys are
// symmetric and have none.
func publicJWK(alg, kid string) any {
	b64 := func(n int) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat(kid, n/len(kid)+1)[:n]))
	}
	jwk := map[string]any{"kid": kid, "alg": alg, "use": "sig", "key_ops": []string{"verify"}, "ext": true, "kty": signingAlgorithms[alg]}
	switch alg {
	case "EdDSA":
		jwk["crv"], jwk["x"] = "Ed25519", b64(32)
	case "ES256":
		jwk["crv"], jwk["x"], jwk["y"] = "P-256", b64(32), b64(32)
	case "RS256":
		jwk["n"], jwk["e"] = b64(256), "AQAB"
	default:
		return nil
	}
	return jwk
}

func (st *authState) inUseKey() *signingKey {
	for _, k := range st.keys {
		if k.Status == "in_use" {
			return k
		}
	}
	return nil
}

func (s *Server) listSigningKeys(w http.ResponseWriter, r *http.Request, st *authState) {
	keys := st.keys
	if keys == nil {
		keys = []*signingKey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// createSigningKey is CreateSigningKeyBody: a new key is standby unless
// status is in_use, which moves the current key to previously_used.
func (s *Server) createSigningKey(w http.ResponseWriter, r *http.Request, st *authState) {
	var body struct {
		Algorithm  string         `json:"algorithm"`
		Status     string         `json:"status"`
		PrivateJWK map[string]any `json:"private_jwk"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	kty, ok := signingAlgorithms[body.Algorithm]
	switch {
	case !ok:
		badRequest(w, "algorithm must be one of the following values: EdDSA, ES256, RS256, HS256")
		return
	case body.Status != "" && body.Status != "in_use" && body.Status != "standby":
		badRequest(w, "status must be one of the following values: in_use, standby")
		return
	case body.PrivateJWK != nil && body.PrivateJWK["kty"] != kty:
		badRequest(w, "private_jwk.kty must be %s for algorithm %s", kty, body.Algorithm)
		return
	}
	if body.Status == "" {
		body.Status = "standby"
	}
	now := nowStamp()
	k := &signingKey{ID: sideUUID(), Algorithm: body.Algorithm, Status: body.Status, CreatedAt: now, UpdatedAt: now}
	k.PublicJWK = publicJWK(k.Algorithm, k.ID)
	if k.Status == "in_use" {
		if cur := st.inUseKey(); cur != nil {
			cur.Status, cur.UpdatedAt = "previously_used", now
		}
	}
	st.keys = append(st.keys, k)
	writeJSON(w, http.StatusCreated, k)
}

func (s *Server) getLegacySigningKey(w http.ResponseWriter, r *http.Request, st *authState) {
	for _, k := range st.keys {
		if k.legacy {
			writeJSON(w, http.StatusOK, k)
			return
		}
	}
	writeError(w, http.StatusNotFound, "The legacy JWT secret has not been set up as a signing key")
}

// createLegacySigningKey turns the JWT secret into the in-use HS256 key;
// only a project without signing keys can do it.
func (s *Server) createLegacySigningKey(w http.ResponseWriter, r *http.Request, st *authState) {
	if len(st.keys) > 0 {
		badRequest(w, "This project already uses signing keys")
		return
	}
	now := nowStamp()
	k := &signingKey{ID: sideUUID(), Algorithm: "HS256", Status: "in_use", CreatedAt: now, UpdatedAt: now, legacy: true}
	st.keys = append(st.keys, k)
	writeJSON(w, http.StatusCreated, k)
}

func (s *Server) withSigningKey(h func(http.ResponseWriter, *http.Request, *authState, *signingKey)) func(http.ResponseWriter, *http.Request, *authState) {
	return func(w http.ResponseWriter, r *http.Request, st *authState) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		for _, k := range st.keys {
			if k.ID == id {
				h(w, r, st, k)
				return
			}
		}
		writeError(w, http.StatusNotFound, "Signing key not found")
	}
}

func (s *Server) getSigningKey(w http.ResponseWriter, r *http.Request, st *authState, k *signingKey) {
	writeJSON(w, http.StatusOK, k)
}

// updateSigningKey moves a key between statuses: putting one in use moves
// the current key to previously_used; the key in use cannot be revoked or
// set aside until another one takes its place; a revoked key stays revoked.
func (s *Server) updateSigningKey(w http.ResponseWriter, r *http.Request, st *authState, k *signingKey) {
	var body struct {
		Status string `json:"status"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if !slices.Contains([]string{"in_use", "previously_used", "revoked", "standby"}, body.Status) {
		badRequest(w, "status must be one of the following values: in_use, previously_used, revoked, standby")
		return
	}
	switch {
	case body.Status == k.Status:
	case k.Status == "revoked":
		badRequest(w, "A revoked signing key cannot be used again")
		return
	case k.Status == "in_use":
		badRequest(w, "The signing key in use cannot become %s: put another key in use first", body.Status)
		return
	}
	now := nowStamp()
	if body.Status == "in_use" && k.Status != "in_use" {
		if cur := st.inUseKey(); cur != nil {
			cur.Status, cur.UpdatedAt = "previously_used", now
		}
	}
	if k.Status != body.Status {
		k.Status, k.UpdatedAt = body.Status, now
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Server) deleteSigningKey(w http.ResponseWriter, r *http.Request, st *authState, k *signingKey) {
	if k.Status != "revoked" {
		badRequest(w, "Only a revoked signing key can be removed; this one is %s", k.Status)
		return
	}
	st.keys = slices.DeleteFunc(st.keys, func(x *signingKey) bool { return x == k })
	writeJSON(w, http.StatusOK, k)
}

// SSO providers.

// ssoProvider is the provider object of the SSO responses.
type ssoProvider struct {
	ID                       string
	samlID, entityID         string
	metadataURL, metadataXML string
	mapping                  json.RawMessage // attribute_mapping, as given
	nameIDFormat             string
	domains                  []ssoDomain
	CreatedAt, UpdatedAt     string
}

type ssoDomain struct {
	ID        string `json:"id"`
	Domain    string `json:"domain"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func (p *ssoProvider) MarshalJSON() ([]byte, error) {
	saml := map[string]any{"id": p.samlID, "entity_id": p.entityID}
	if p.metadataURL != "" {
		saml["metadata_url"] = p.metadataURL
	}
	if p.metadataXML != "" {
		saml["metadata_xml"] = p.metadataXML
	}
	if p.mapping != nil {
		saml["attribute_mapping"] = p.mapping
	}
	if p.nameIDFormat != "" {
		saml["name_id_format"] = p.nameIDFormat
	}
	domains := p.domains
	if domains == nil {
		domains = []ssoDomain{}
	}
	return json.Marshal(map[string]any{"id": p.ID, "saml": saml, "domains": domains, "created_at": p.CreatedAt, "updated_at": p.UpdatedAt})
}

// ssoProviderBody is CreateProviderBody (with type) and UpdateProviderBody.
type ssoProviderBody struct {
	Type             *string          `json:"type"`
	MetadataXML      *string          `json:"metadata_xml"`
	MetadataURL      *string          `json:"metadata_url"`
	Domains          []string         `json:"domains"`
	AttributeMapping *json.RawMessage `json:"attribute_mapping"`
	NameIDFormat     *string          `json:"name_id_format"`
}

var (
	nameIDFormats = []string{
		"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
	}
	entityIDAttr = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<(?:\w+:)?EntityDescriptor\b[^>]*\bentityID="([^"]+)"`)
	})
	hostnameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	})
)

// attributeMapping is the spec's attribute_mapping, decoded strictly.
type attributeMapping struct {
	Keys map[string]struct {
		Name    *string   `json:"name"`
		Names   *[]string `json:"names"`
		Default any       `json:"default"`
		Array   *bool     `json:"array"`
	} `json:"keys"`
}

// apply validates the body and sets its fields on p; creating tells whether
// type is expected.
func (b *ssoProviderBody) apply(st *authState, p *ssoProvider, creating bool) error {
	switch {
	case creating && (b.Type == nil || *b.Type != "saml"):
		return fmt.Errorf("type must be one of the following values: saml")
	case !creating && b.Type != nil:
		return fmt.Errorf("property type should not exist")
	case b.MetadataXML != nil && b.MetadataURL != nil:
		return fmt.Errorf("Only one of metadata_xml or metadata_url can be set")
	case b.NameIDFormat != nil && !slices.Contains(nameIDFormats, *b.NameIDFormat):
		return fmt.Errorf("name_id_format must be one of the following values: %s", strings.Join(nameIDFormats, ", "))
	}
	entityID := p.entityID
	if b.MetadataURL != nil {
		u, err := url.Parse(*b.MetadataURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("metadata_url must be an https:// URL")
		}
		entityID = "https://" + u.Host + "/saml"
	}
	if b.MetadataXML != nil {
		m := entityIDAttr().FindStringSubmatch(*b.MetadataXML)
		if m == nil {
			return fmt.Errorf("metadata_xml is not SAML metadata: no EntityDescriptor with an entityID")
		}
		entityID = m[1]
	}
	if entityID == "" {
		entityID = "urn:uuid:" + p.samlID
	}
	for _, q := range st.providers {
		if q != p && q.entityID == entityID && !strings.HasPrefix(entityID, "urn:uuid:") {
			return fmt.Errorf("A SAML provider with entity ID %s already exists", entityID)
		}
	}
	var mapping json.RawMessage
	if b.AttributeMapping != nil {
		var am attributeMapping
		if err := strictJSON(*b.AttributeMapping, &am); err != nil || am.Keys == nil {
			return fmt.Errorf("attribute_mapping must be {\"keys\": {claim: {name, names, default, array}}}")
		}
		for claim, a := range am.Keys {
			switch a.Default.(type) {
			case nil, map[string]any, json.Number, string, bool:
			default:
				return fmt.Errorf("attribute_mapping.keys.%s.default must be an object, number, string or boolean", claim)
			}
		}
		mapping = *b.AttributeMapping
	}
	now := nowStamp()
	var domains []ssoDomain
	if b.Domains != nil {
		for _, d := range b.Domains {
			d = strings.ToLower(d)
			if !hostnameRE().MatchString(d) {
				return fmt.Errorf("domains: %q is not a domain name", d)
			}
			for _, q := range st.providers {
				if q != p && slices.ContainsFunc(q.domains, func(x ssoDomain) bool { return x.Domain == d }) {
					return fmt.Errorf("Domain %s is already used by SSO provider %s", d, q.ID)
				}
			}
			kept := slices.IndexFunc(p.domains, func(x ssoDomain) bool { return x.Domain == d })
			if kept >= 0 {
				domains = append(domains, p.domains[kept])
			} else if !slices.ContainsFunc(domains, func(x ssoDomain) bool { return x.Domain == d }) {
				domains = append(domains, ssoDomain{ID: sideUUID(), Domain: d, CreatedAt: now, UpdatedAt: now})
			}
		}
	}
	// Valid: apply.
	p.entityID = entityID
	if b.MetadataURL != nil {
		p.metadataURL, p.metadataXML = *b.MetadataURL, ""
	}
	if b.MetadataXML != nil {
		p.metadataXML, p.metadataURL = *b.MetadataXML, ""
	}
	if mapping != nil {
		p.mapping = mapping
	}
	if b.NameIDFormat != nil {
		p.nameIDFormat = *b.NameIDFormat
	}
	if b.Domains != nil {
		p.domains = domains
	}
	p.UpdatedAt = now
	return nil
}

// strictJSON decodes raw into dst, refusing unknown fields.
func strictJSON(raw []byte, dst any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(dst)
}

func (s *Server) listSSOProviders(w http.ResponseWriter, r *http.Request, st *authState) {
	items := st.providers
	if items == nil {
		items = []*ssoProvider{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// createSSOProvider follows the spec, where only type is required: a
// provider without metadata gets an urn:uuid entity id.
func (s *Server) createSSOProvider(w http.ResponseWriter, r *http.Request, st *authState) {
	var body ssoProviderBody
	if !decodeBody(w, r, &body) {
		return
	}
	now := nowStamp()
	p := &ssoProvider{ID: sideUUID(), samlID: sideUUID(), CreatedAt: now}
	if err := body.apply(st, p, true); err != nil {
		badRequest(w, "%v", err)
		return
	}
	st.providers = append(st.providers, p)
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) withSSOProvider(h func(http.ResponseWriter, *http.Request, *authState, *ssoProvider)) func(http.ResponseWriter, *http.Request, *authState) {
	return func(w http.ResponseWriter, r *http.Request, st *authState) {
		id, ok := pathUUID(w, r, "provider_id")
		if !ok {
			return
		}
		for _, p := range st.providers {
			if p.ID == id {
				h(w, r, st, p)
				return
			}
		}
		writeError(w, http.StatusNotFound, "SSO provider not found")
	}
}

func (s *Server) getSSOProvider(w http.ResponseWriter, r *http.Request, st *authState, p *ssoProvider) {
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) updateSSOProvider(w http.ResponseWriter, r *http.Request, st *authState, p *ssoProvider) {
	var body ssoProviderBody
	if !decodeBody(w, r, &body) {
		return
	}
	if err := body.apply(st, p, false); err != nil {
		badRequest(w, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) deleteSSOProvider(w http.ResponseWriter, r *http.Request, st *authState, p *ssoProvider) {
	st.providers = slices.DeleteFunc(st.providers, func(x *ssoProvider) bool { return x == p })
	writeJSON(w, http.StatusOK, p)
}

// Third-party auth.

// thirdPartyAuth is ThirdPartyAuth.
type thirdPartyAuth struct {
	ID            string  `json:"id"`
	Type          string  `json:"type"`
	OIDCIssuerURL *string `json:"oidc_issuer_url"`
	JWKSURL       *string `json:"jwks_url"`
	CustomJWKS    any     `json:"custom_jwks"`
	ResolvedJWKS  any     `json:"resolved_jwks"`
	InsertedAt    string  `json:"inserted_at"`
	UpdatedAt     string  `json:"updated_at"`
	ResolvedAt    *string `json:"resolved_at"`
}

// fakeJWKS is the key set the fake "fetches" from an issuer.
func fakeJWKS(kid string) any {
	return map[string]any{"keys": []any{publicJWK("RS256", kid)}}
}

// issuerType names well-known issuers the way the dashboard does.
func issuerType(issuer string) string {
	for _, t := range []struct{ part, name string }{
		{"clerk", "clerk"}, {"securetoken.google.com", "firebase"}, {"auth0.com", "auth0"},
		{"cognito-idp", "aws-cognito"}, {"workos", "workos"},
	} {
		if strings.Contains(issuer, t.part) {
			return t.name
		}
	}
	return "oidc"
}

// createThirdPartyAuth is CreateThirdPartyAuthBody; the spec requires no
// field, so an empty body makes an integration with nothing to resolve.
func (s *Server) createThirdPartyAuth(w http.ResponseWriter, r *http.Request, st *authState) {
	var body struct {
		OIDCIssuerURL *string `json:"oidc_issuer_url"`
		JWKSURL       *string `json:"jwks_url"`
		CustomJWKS    any     `json:"custom_jwks"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	now := nowStamp()
	t := &thirdPartyAuth{ID: sideUUID(), Type: "custom", InsertedAt: now, UpdatedAt: now}
	for name, u := range map[string]*string{"oidc_issuer_url": body.OIDCIssuerURL, "jwks_url": body.JWKSURL} {
		if u == nil {
			continue
		}
		if pu, err := url.Parse(*u); err != nil || pu.Host == "" || (pu.Scheme != "https" && pu.Scheme != "http") {
			badRequest(w, "%s must be a URL address", name)
			return
		}
	}
	switch {
	case body.OIDCIssuerURL != nil:
		t.Type, t.OIDCIssuerURL = issuerType(*body.OIDCIssuerURL), body.OIDCIssuerURL
		for _, o := range st.tpas {
			if o.OIDCIssuerURL != nil && *o.OIDCIssuerURL == *body.OIDCIssuerURL {
				badRequest(w, "An integration for issuer %s already exists", *o.OIDCIssuerURL)
				return
			}
		}
	case body.JWKSURL != nil:
		t.Type = "jwks"
	case body.CustomJWKS != nil:
		if m, ok := body.CustomJWKS.(map[string]any); !ok || m["keys"] == nil {
			badRequest(w, `custom_jwks must be a JWKS: {"keys": [...]}`)
			return
		}
	}
	t.JWKSURL, t.CustomJWKS = body.JWKSURL, body.CustomJWKS
	if body.OIDCIssuerURL != nil || body.JWKSURL != nil {
		t.ResolvedJWKS, t.ResolvedAt = fakeJWKS(t.ID), &now
	}
	st.tpas = append(st.tpas, t)
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) listThirdPartyAuth(w http.ResponseWriter, r *http.Request, st *authState) {
	out := st.tpas
	if out == nil {
		out = []*thirdPartyAuth{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) withThirdPartyAuth(h func(http.ResponseWriter, *http.Request, *authState, *thirdPartyAuth)) func(http.ResponseWriter, *http.Request, *authState) {
	return func(w http.ResponseWriter, r *http.Request, st *authState) {
		id, ok := pathUUID(w, r, "tpa_id")
		if !ok {
			return
		}
		for _, t := range st.tpas {
			if t.ID == id {
				h(w, r, st, t)
				return
			}
		}
		writeError(w, http.StatusNotFound, "Third-party auth integration not found")
	}
}

func (s *Server) getThirdPartyAuth(w http.ResponseWriter, r *http.Request, st *authState, t *thirdPartyAuth) {
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) deleteThirdPartyAuth(w http.ResponseWriter, r *http.Request, st *authState, t *thirdPartyAuth) {
	st.tpas = slices.DeleteFunc(st.tpas, func(x *thirdPartyAuth) bool { return x == t })
	writeJSON(w, http.StatusOK, t)
}
