package tools

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// looksSecret is deliberately broad: every response field whose name could
// hold a credential must be redacted or named below as public.
var looksSecret = regexp.MustCompile(`(?i)(pass|secret|token|key|private|credential|jwt|signing)`)

// settingOfASecret are fields about a secret rather than the secret itself
// (whether a hook is on, where it points, how long a password must be).
var settingOfASecret = regexp.MustCompile(`(_enabled|_uri|_url|_length|_characters|_interval|_content|_notification|_template|_path|_exp|_reauthentication|_refresh|_id|_alias|_optional)$`)

// publicFields hold no secret although their names suggest one.
var publicFields = map[string]string{
	"hash":                "SHA-256 of an API key: names it, cannot be reversed",
	"keys":                "a list of signing keys (public JWKs only) or SAML attribute mapping keys",
	"key":                 "entitlement and claim-preview message keys",
	"cache_key":           "an advisor lint's identifier",
	"idempotency_key":     "a migration's idempotency key, chosen by the client",
	"verify_jwt":          "a flag of an edge function",
	"jwt_exp":             "token lifetime in seconds",
	"secret_jwt_template": "claims of a secret key's JWT, not key material",
	"token_type":          "OAuth token type (Bearer)",
	"private_only":        "a realtime flag (private channels only)",
	"fkey_columns":        "an advisor's foreign key columns",
	"fkey_name":           "an advisor's foreign key name",
}

// Every field of a catalogue operation's success answer (per the spec) that
// could hold a secret is redacted, or public for a stated reason; exactly
// the operations whose answers have redacted fields accept reveal.
func TestRedactionCoversTheSpec(t *testing.T) {
	s := loadSpec(t)
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			if !op.redactsSecrets() || !op.ManagementAPI() {
				continue
			}
			if op.publicOnly() { // an allow list of public keys (TestPublishableKeysOnly)
				if op.Revealable() {
					t.Errorf("%s keeps only public values but accepts reveal", op.QualifiedName())
				}
				continue
			}
			item := s.Doc.Paths.Find(op.Path)
			if item == nil {
				t.Errorf("%s: %s not in the spec", op.QualifiedName(), op.Path)
				continue
			}
			sop := item.GetOperation(op.Method)
			if sop == nil {
				continue
			}
			fields := map[string]bool{}
			for code, r := range sop.Responses.Map() {
				if !strings.HasPrefix(code, "2") || r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					specFields(mt.Schema, fields, map[*openapi3.Schema]bool{})
				}
			}
			r := redactor{extra: endpointSecretKeys(op.Method, op.Path)}
			var redacted []string
			for name := range fields {
				switch {
				case r.isSecret(name, map[string]any{}):
					redacted = append(redacted, name)
				case !looksSecret.MatchString(name) || settingOfASecret.MatchString(name):
				case publicFields[name] != "":
				default:
					t.Errorf("%s: response field %s may hold a secret: redact it (tools/redact.go) or name it in publicFields with the reason", op.QualifiedName(), name)
				}
			}
			sort.Strings(redacted)
			if len(redacted) > 0 && !op.Revealable() {
				t.Errorf("%s redacts %v but does not accept reveal: add it to Operation.Revealable", op.QualifiedName(), redacted)
			}
			if len(redacted) == 0 && op.Revealable() {
				t.Errorf("%s accepts reveal but its answer has no secret field", op.QualifiedName())
			}
		}
	}
}

// The secret fields the issue names are among those redacted.
func TestNamedSecretsAreRedacted(t *testing.T) {
	r := redactor{}
	for _, name := range []string{"db_pass", "jwt_secret", "root_key", "password", "smtp_pass", "external_github_secret",
		"hook_send_email_secrets", "security_captcha_secret", "sms_twilio_auth_token", "sms_vonage_api_secret", "nimbus_oauth_client_secret",
		"access_token", "refresh_token", "api_key"} {
		if !r.isSecret(name, map[string]any{}) {
			t.Errorf("%s is not redacted", name)
		}
	}
	if !r.isSecret("api_key", map[string]any{"type": "secret"}) || !r.isSecret("api_key", map[string]any{"type": "legacy", "name": "service_role"}) {
		t.Error("secret and service_role keys are not redacted")
	}
	if r.isSecret("api_key", map[string]any{"type": "publishable"}) || r.isSecret("api_key", map[string]any{"type": "legacy", "name": "anon"}) {
		t.Error("publishable and anon keys are public")
	}
}

func specFields(ref *openapi3.SchemaRef, out map[string]bool, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	for name, p := range s.Properties {
		out[name] = true
		specFields(p, out, seen)
	}
	specFields(s.Items, out, seen)
	if s.AdditionalProperties.Schema != nil {
		specFields(s.AdditionalProperties.Schema, out, seen)
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, x := range group {
			specFields(x, out, seen)
		}
	}
}

// Arguments that carry a secret are tagged secret:"true", so that their
// values stay out of logs (path and query values are logged).
func TestSecretArgumentsAreTagged(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	r := redactor{}
	tagged := 0
	for _, tl := range cat.Tools {
		for _, op := range tl.Operations {
			for _, p := range op.args() {
				secretName := r.isSecret(p.name, map[string]any{}) || p.name == "token"
				if secretName && !p.secret {
					t.Errorf("%s: argument %s holds a secret: tag it secret:\"true\"", op.QualifiedName(), p.name)
				}
				if p.secret {
					tagged++
				}
			}
		}
	}
	if tagged < 5 {
		t.Errorf("only %d secret arguments tagged", tagged)
	}
}
