package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

const authBase = "/v1/projects/" + SeedProjectActive + "/config/auth"

func TestAuthConfigPatchAndValidation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "GET", authBase, nil)
	wantStatus(t, code, http.StatusOK, body)
	cfg := decode[map[string]any](t, body)
	if len(cfg) != len(s.shapes.of("GET", "/v1/projects/{ref}/config/auth").Example.(map[string]any)) || cfg["jwt_exp"] != float64(3600) || cfg["smtp_host"] != nil {
		t.Fatalf("default config has %d keys, jwt_exp %v, smtp_host %v", len(cfg), cfg["jwt_exp"], cfg["smtp_host"])
	}
	code, _, body = call(t, s, "PATCH", authBase, map[string]any{"site_url": "https://app.acme.test", "smtp_port": "587", "sessions_timebox": 86400.5, "smtp_host": nil})
	wantStatus(t, code, http.StatusOK, body)
	if got := decode[map[string]any](t, body); got["site_url"] != "https://app.acme.test" || got["sessions_timebox"] != 86400.5 {
		t.Fatalf("PATCH answered %v", got)
	}
	code, _, body = call(t, s, "GET", authBase, nil)
	if got := decode[map[string]any](t, body); code != 200 || got["smtp_port"] != "587" || got["site_url"] != "https://app.acme.test" {
		t.Fatalf("GET after PATCH: %s", body)
	}
	// null resets a key the response never has null for.
	call(t, s, "PATCH", authBase, map[string]any{"mfa_phone_otp_length": 8})
	code, _, body = call(t, s, "PATCH", authBase, map[string]any{"mfa_phone_otp_length": nil})
	if got := decode[map[string]any](t, body); code != 200 || got["mfa_phone_otp_length"] != float64(6) {
		t.Fatalf("null reset: %s", body)
	}
	for _, c := range []struct {
		body any
		want string
	}{
		{map[string]any{"site_ur": "x"}, "unknown field config.site_ur"},
		{map[string]any{"jwt_exp": 604801}, "config.jwt_exp must be at most 604800"},
		{map[string]any{"jwt_exp": 1.5}, "config.jwt_exp must be a whole number"},
		{map[string]any{"disable_signup": "yes"}, "config.disable_signup must be true or false"},
		{map[string]any{"sms_provider": "pigeon"}, "config.sms_provider is not one of the allowed values"},
		{map[string]any{"smtp_admin_email": "not-an-email"}, "must be a plain email address"},
		{map[string]any{"sms_test_otp": "abc"}, "config.sms_test_otp does not match the pattern"},
		{map[string]any{"sms_test_otp_valid_until": "tomorrow"}, "RFC 3339 date-time"},
		{`[1]`, "Invalid request body"},
	} {
		code, _, body := call(t, s, "PATCH", authBase, c.body)
		wantStatus(t, code, http.StatusBadRequest, body)
		if m := message(t, body); !strings.Contains(m, c.want) {
			t.Errorf("%v: message %q lacks %q", c.body, m, c.want)
		}
	}
	if got := s.AuthConfig(SeedProjectActive)["site_url"]; got != "https://app.acme.test" {
		t.Fatalf("a rejected PATCH changed site_url to %v", got)
	}
}

func TestSigningKeysStateMachine(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "POST", authBase+"/signing-keys", map[string]any{"algorithm": "EdDSA", "status": "in_use"})
	wantStatus(t, code, http.StatusCreated, body)
	k := decode[signingKey](t, body)
	if k.Status != "in_use" || !uuidPattern().MatchString(k.ID) {
		t.Fatalf("created %s", body)
	}
	code, _, body = call(t, s, "GET", authBase+"/signing-keys/"+SeedSigningKeyLegacy, nil)
	if got := decode[signingKey](t, body); code != 200 || got.Status != "previously_used" {
		t.Fatalf("the old key after an in_use create: %s", body)
	}
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "/signing-keys", map[string]any{"algorithm": "PS256"}, 400},
		{"POST", "/signing-keys", map[string]any{"algorithm": "ES256", "status": "revoked"}, 400},
		{"POST", "/signing-keys", map[string]any{"algorithm": "ES256", "private_jwk": map[string]any{"kty": "RSA"}}, 400},
		{"POST", "/signing-keys", map[string]any{"algorithm": "ES256", "extra": 1}, 400},
		{"PATCH", "/signing-keys/" + k.ID, map[string]any{"status": "standby"}, 400}, // in use
		{"PATCH", "/signing-keys/" + SeedSigningKeyRevoked, map[string]any{"status": "in_use"}, 400},
		{"PATCH", "/signing-keys/" + SeedSigningKeyStandby, map[string]any{}, 400},
		{"DELETE", "/signing-keys/" + SeedSigningKeyStandby, nil, 400},
		{"GET", "/signing-keys/not-a-uuid", nil, 400},
		{"GET", "/signing-keys/00000000-0000-4000-8000-000000000000", nil, 404},
		{"POST", "/signing-keys/legacy", nil, 400}, // already has keys
		{"DELETE", "/signing-keys/" + SeedSigningKeyRevoked, nil, 200},
		{"GET", "/signing-keys/" + SeedSigningKeyRevoked, nil, 404},
	} {
		code, _, body := call(t, s, c.method, authBase+c.path, c.body)
		if code != c.status {
			t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.body, code, body, c.status)
		}
	}
	// A project without keys imports its legacy secret once.
	other := "/v1/projects/" + SeedProjectPaused + "/config/auth/signing-keys"
	code, _, body = call(t, s, "GET", other+"/legacy", nil)
	wantStatus(t, code, http.StatusNotFound, body)
	code, _, body = call(t, s, "POST", other+"/legacy", nil)
	wantStatus(t, code, http.StatusCreated, body)
	code, _, body = call(t, s, "GET", other, nil)
	if keys := decode[map[string][]signingKey](t, body)["keys"]; code != 200 || len(keys) != 1 || keys[0].Algorithm != "HS256" || keys[0].Status != "in_use" {
		t.Fatalf("keys after legacy import: %s", body)
	}
}

func TestSSOProvidersAndThirdPartyAuth(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	code, _, body := call(t, s, "POST", authBase+"/sso/providers", map[string]any{
		"type": "saml", "metadata_url": "https://idp.initech.test/metadata", "domains": []string{"initech.test"},
	})
	wantStatus(t, code, http.StatusCreated, body)
	p := decode[map[string]any](t, body)
	id := p["id"].(string)
	code, _, body = call(t, s, "PUT", authBase+"/sso/providers/"+id, map[string]any{"name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"})
	wantStatus(t, code, http.StatusOK, body)
	if !strings.Contains(string(body), `"domain":"initech.test"`) || !strings.Contains(string(body), "persistent") {
		t.Fatalf("PUT kept or set the wrong fields: %s", body)
	}
	code, _, body = call(t, s, "GET", authBase+"/sso/providers", nil)
	if items := decode[map[string][]any](t, body)["items"]; code != 200 || len(items) != 2 {
		t.Fatalf("list: %s", body)
	}
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"POST", "/sso/providers", map[string]any{}, "type must be one of"},
		{"POST", "/sso/providers", map[string]any{"type": "oidc"}, "type must be one of"},
		{"POST", "/sso/providers", map[string]any{"type": "saml", "metadata_xml": "<x/>"}, "no EntityDescriptor"},
		{"POST", "/sso/providers", map[string]any{"type": "saml", "metadata_url": "http://idp.test/m"}, "https://"},
		{"POST", "/sso/providers", map[string]any{"type": "saml", "metadata_url": "https://idp.initech.test/other"}, "already exists"},
		{"POST", "/sso/providers", map[string]any{"type": "saml", "domains": []string{SeedSSODomain}}, "already used"},
		{"POST", "/sso/providers", map[string]any{"type": "saml", "attribute_mapping": map[string]any{"keys": map[string]any{"email": map[string]any{"nam": "x"}}}}, "attribute_mapping"},
		{"PUT", "/sso/providers/" + id, map[string]any{"type": "saml"}, "should not exist"},
		{"POST", "/third-party-auth", map[string]any{"oidc_issuer_url": "clerk.initech.test"}, "must be a URL"},
		{"POST", "/third-party-auth", map[string]any{"custom_jwks": []int{1}}, "custom_jwks"},
		{"POST", "/third-party-auth", map[string]any{"oidc_issuer_url": "https://clerk.acme.test"}, "already exists"},
	} {
		code, _, body := call(t, s, c.method, authBase+c.path, c.body)
		if code != http.StatusBadRequest || !strings.Contains(message(t, body), c.want) {
			t.Errorf("%s %s %v: %d %s, want 400 with %q", c.method, c.path, c.body, code, body, c.want)
		}
	}
	code, _, body = call(t, s, "DELETE", authBase+"/sso/providers/"+id, nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", authBase+"/sso/providers/"+id, nil)
	wantStatus(t, code, http.StatusNotFound, body)

	code, _, body = call(t, s, "POST", authBase+"/third-party-auth", map[string]any{"jwks_url": "https://login.initech.test/.well-known/jwks.json"})
	wantStatus(t, code, http.StatusCreated, body)
	tpa := decode[thirdPartyAuth](t, body)
	if tpa.Type != "jwks" || tpa.ResolvedJWKS == nil || tpa.OIDCIssuerURL != nil {
		t.Fatalf("created %s", body)
	}
	code, _, body = call(t, s, "DELETE", authBase+"/third-party-auth/"+tpa.ID, nil)
	wantStatus(t, code, http.StatusOK, body)
	code, _, body = call(t, s, "GET", authBase+"/third-party-auth", nil)
	if list := decode[[]thirdPartyAuth](t, body); code != 200 || len(list) != 1 || list[0].ID != SeedThirdPartyAuth {
		t.Fatalf("list after delete: %s", body)
	}
}
