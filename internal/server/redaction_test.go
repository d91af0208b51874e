package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// assertNoSecret fails when any secret is in text.
func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Fatalf("%s shows secret %q: %s", where, s, text)
		}
	}
}

// Secrets written through the tools (SMTP password, OAuth client secret,
// hook secret, edge function secrets) come back redacted, from the write
// and from later reads; reveal: true shows them only after the user agrees.
func TestSecretsComeBackRedacted(t *testing.T) {
	logger, logs := debugLogger()
	u := &user{}
	h := newHarness(t, setup{logger: logger, user: u})
	const (
		smtp   = "smtp-pass-Secret-4711"
		github = "gh-client-secret-0815"
		hook   = "v1,whsec_c2VjcmV0LWhvb2s="
		fnVal  = "stripe-live-key-123456"
	)
	upd := h.ok("auth_config_write", map[string]any{"operation": "update_config", "ref": activeRef, "config": map[string]any{
		"smtp_pass": smtp, "external_github_secret": github, "hook_send_email_secrets": hook,
	}})
	assertNoSecret(t, "update_config", upd, smtp, github, hook)
	got := h.ok("auth_config_read", map[string]any{"operation": "get_config", "ref": activeRef})
	assertNoSecret(t, "get_config", got, smtp, github, hook)
	if cfg := decodeJSON[map[string]any](t, got); cfg["smtp_pass"] != "<redacted: 21 chars; ask again with reveal: true>" {
		t.Fatalf("smtp_pass = %v", cfg["smtp_pass"])
	}

	h.ok("secrets_write", map[string]any{"operation": "create", "ref": activeRef, "secrets": []any{map[string]any{"name": "STRIPE_KEY", "value": fnVal}}})
	list := h.ok("secrets_read", map[string]any{"operation": "list", "ref": activeRef})
	assertNoSecret(t, "secrets_read.list", list, fnVal)
	if !strings.Contains(list, "STRIPE_KEY") {
		t.Fatalf("secret names are still shown: %s", list)
	}

	// The user declines: nothing is sent, nothing is shown.
	u.decline = true
	before := len(h.api.Requests())
	text := h.fails("auth_config_read", map[string]any{"operation": "get_config", "ref": activeRef, "reveal": true}, "did not confirm")
	assertNoSecret(t, "declined reveal", text, smtp)
	if len(h.api.Requests()) != before {
		t.Fatal("a declined reveal reached the API")
	}
	// The user agrees: the secret is shown, and the question said so.
	u.decline = false
	revealed := decodeJSON[map[string]any](t, h.ok("auth_config_read", map[string]any{"operation": "get_config", "ref": activeRef, "reveal": true}))
	if revealed["smtp_pass"] != smtp || revealed["external_github_secret"] != github {
		t.Fatalf("revealed config = smtp_pass %v, external_github_secret %v", revealed["smtp_pass"], revealed["external_github_secret"])
	}
	asked := u.questions()
	if len(asked) == 0 || !strings.Contains(asked[len(asked)-1].Message, "secret values") {
		t.Fatalf("the user was not told that secrets will be shown: %v", asked)
	}
	// reveal shows the values as the API answered them (the real API
	// answers a digest of each value; the sandbox, what it was given): the
	// seeded secret's and the new one's.
	var answered []string
	stored, _ := h.api.Document("/v1/projects/" + activeRef + "/secrets").([]any)
	for _, it := range stored {
		if v, _ := it.(map[string]any)["value"].(string); len(v) >= 8 {
			answered = append(answered, v)
		}
	}
	if len(answered) < 2 {
		t.Fatalf("the sandbox holds no secret values (the test cannot fail): %v", stored)
	}
	revealedList := h.ok("secrets_read", map[string]any{"operation": "list", "ref": activeRef, "reveal": true})
	for _, v := range answered {
		if !strings.Contains(revealedList, v) {
			t.Fatalf("secrets_read.list with reveal lacks %q: %s", v, revealedList)
		}
	}
	assertNoSecret(t, "secrets_read.list", list, answered...)
	assertNoSecret(t, "the log", logs.String(), smtp, github, hook, fnVal)
}

// Every kind of secret the API answers with is redacted by default: branch
// credentials, the PostgREST JWT secret, the pgsodium root key, secret and
// service-role API keys, a new claim token and a login role's password.
func TestEveryKindOfSecretIsRedacted(t *testing.T) {
	h := newHarness(t, setup{})
	branches := decodeJSON[[]map[string]any](t, h.ok("branches_read", map[string]any{"operation": "list", "ref": activeRef}))
	if len(branches) == 0 {
		t.Fatal("no branches")
	}
	for _, c := range []struct {
		tool   string
		args   map[string]any
		fields []string
	}{
		{"branches_read", map[string]any{"operation": "get_config", "branch_id_or_ref": branches[0]["id"]}, []string{"db_pass", "jwt_secret"}},
		{"services_read", map[string]any{"operation": "get_postgrest", "ref": activeRef}, []string{"jwt_secret"}},
		{"database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef}, []string{"root_key"}},
		{"projects_write", map[string]any{"operation": "create_claim_token", "ref": activeRef}, []string{"token"}},
		{"database_config_write", map[string]any{"operation": "create_login_role", "ref": activeRef, "read_only": true}, []string{"password"}},
		{"secrets_read", map[string]any{"operation": "list_api_keys", "ref": activeRef}, nil},
	} {
		name := c.tool + "." + c.args["operation"].(string)
		h.api.ResetRequests()
		text := h.ok(c.tool, c.args)
		secrets := answeredSecrets(h.api.Requests())
		if len(secrets) == 0 {
			t.Fatalf("%s: the fake answered no secret (the test cannot fail)", name)
		}
		assertNoSecret(t, name, text, secrets...)
		if c.fields == nil {
			continue
		}
		got := decodeJSON[map[string]any](t, text)
		for _, f := range c.fields {
			if s, _ := got[f].(string); !strings.HasPrefix(s, "<redacted: ") || !strings.HasSuffix(s, "; ask again with reveal: true>") {
				t.Errorf("%s: %s = %v", name, f, got[f])
			}
		}
	}
	// Public keys stay readable: publishable and anon keys ship in web pages.
	keys := decodeJSON[[]map[string]any](t, h.ok("secrets_read", map[string]any{"operation": "list_api_keys", "ref": activeRef}))
	for _, k := range keys {
		public := k["type"] == "publishable" || k["name"] == "anon"
		if redacted := strings.HasPrefix(k["api_key"].(string), "<redacted"); redacted == public {
			t.Errorf("key %v (%v): api_key = %v", k["name"], k["type"], k["api_key"])
		}
	}
}

// The claim token travels in the URL path of get_claim and claim: debug
// logs and errors show the path with the token replaced.
func TestClaimTokenNeverInLogs(t *testing.T) {
	logger, logs := debugLogger()
	h := newHarness(t, setup{logger: logger})
	h.ok("projects_write", map[string]any{"operation": "create_claim_token", "ref": activeRef})
	var token string
	for _, r := range h.api.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/claim-token") {
			var body map[string]any
			_ = json.Unmarshal(r.Response, &body)
			token, _ = body["token"].(string)
		}
	}
	if len(token) < 20 {
		t.Fatalf("no claim token in the fake's answer")
	}
	h.ok("organizations_read", map[string]any{"operation": "get_claim", "slug": sandbox.SeedOrgGlobex, "token": token})
	// A failing call: the API error and its log line.
	h.api.InjectFault(sandbox.Fault{Path: "/v1/organizations/" + sandbox.SeedOrgGlobex + "/project-claim/*", Status: 500})
	text := h.fails("organizations_read", map[string]any{"operation": "get_claim", "slug": sandbox.SeedOrgGlobex, "token": token}, "Supabase API error 500")
	assertNoSecret(t, "the error", text, token)
	if !strings.Contains(logs.String(), "project-claim/[REDACTED]") {
		t.Fatalf("the request is not logged at debug level (the test cannot fail): %s", logs.String())
	}
	assertNoSecret(t, "the log", logs.String(), token)
	// A token that is not a valid path value is refused without echoing it.
	text = h.fails("organizations_read", map[string]any{"operation": "get_claim", "slug": sandbox.SeedOrgGlobex, "token": "stolen/" + token}, "token")
	assertNoSecret(t, "the validation error", text, token)
}

// A secret given with the wrong type is not echoed in the validation error.
func TestValidationErrorsDoNotEchoSecrets(t *testing.T) {
	h := newHarness(t, setup{})
	const pass = "Sup3r-Secret-Pa55word"
	for _, v := range []any{map[string]any{"value": pass}, []any{pass}} {
		text := h.fails("projects_write", map[string]any{"operation": "create", "name": "x", "organization_slug": sandbox.SeedOrgAcme, "db_pass": v,
			"region_selection": map[string]any{"type": "specific", "code": "us-east-1"}}, "db_pass must be a string")
		assertNoSecret(t, "the validation error", text, pass)
	}
	text := h.fails("database_config_write", map[string]any{"operation": "update_password", "ref": activeRef, "password": map[string]any{"p": pass}}, "password must be a string")
	assertNoSecret(t, "the validation error", text, pass)
}

// reveal: true needs the user's consent under every --confirm policy:
// refused with deny, a single-use token bound to reveal with tokens.
func TestRevealNeedsConfirmation(t *testing.T) {
	args := map[string]any{"operation": "get_pgsodium", "ref": activeRef, "reveal": true}
	deny := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmDeny}})
	deny.fails("database_config_read", args, "Refused", "secret values")
	if n := deny.requestsTo("GET", "/v1/projects/"+activeRef+"/pgsodium"); n != 0 {
		t.Fatalf("a refused reveal sent %d requests", n)
	}
	// Without reveal, the same read needs no one's consent.
	deny.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef})

	h := newHarness(t, setup{policy: &guard.Policy{Confirm: guard.ConfirmToken}})
	text := h.fails("database_config_read", args, "Confirmation required", "secret values")
	if n := h.requestsTo("GET", "/v1/projects/"+activeRef+"/pgsodium"); n != 0 {
		t.Fatalf("an unconfirmed reveal sent %d requests", n)
	}
	token := text[strings.Index(text, "confirm-") : strings.Index(text, "confirm-")+len("confirm-")+48]
	// The token approves this reveal only: not the same call without reveal's consent reused elsewhere.
	withToken := map[string]any{"operation": "get_pgsodium", "ref": activeRef, "reveal": true, "confirm": token}
	got := decodeJSON[map[string]any](t, h.ok("database_config_read", withToken))
	if s, _ := got["root_key"].(string); s == "" || strings.Contains(s, "redacted") {
		t.Fatalf("confirmed reveal = %v", got)
	}
	h.fails("database_config_read", withToken, "unknown or was already used")
}

// Read-only mode never shows secrets: reveal is not offered, and the
// api-keys operations' own reveal parameter is refused before anything is
// sent.
func TestReadOnlyNeverReveals(t *testing.T) {
	h := newHarness(t, setup{policy: &guard.Policy{ReadOnly: true}})
	for _, tl := range h.listTools() {
		if _, ok := tl.InputSchema.Properties["confirm"]; ok {
			t.Errorf("read-only %s offers a confirm token", tl.Name)
		}
	}
	h.fails("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef, "reveal": true}, "unknown argument reveal")
	h.fails("secrets_read", map[string]any{"operation": "list_api_keys", "ref": activeRef, "reveal": true}, "read-only", "never shows secret values")
	if n := len(h.api.Requests()); n != 0 {
		t.Fatalf("refused reveals sent %d requests", n)
	}
	got := h.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef})
	if !strings.Contains(got, "<redacted: ") {
		t.Fatalf("read-only pgsodium not redacted: %s", got)
	}
}

// Over HTTP (Streamable HTTP and SSE) the same rules hold: results and API
// errors wrapped, secrets redacted, none in the debug log.
func TestHTTPResultsWrappedAndRedacted(t *testing.T) {
	for _, kind := range []string{"http", "sse"} {
		t.Run(kind, func(t *testing.T) {
			u := newUsers(t)
			h := startHTTP(t, u.url, httpSetup{o: HTTPOptions{Transport: serverTransport(kind), Auth: config.AuthBearer}})
			c := h.mustConnect(t, kind, tokenA)
			text := c.ok("database_config_read", map[string]any{"operation": "get_pgsodium", "ref": activeRef})
			secrets := answeredSecrets(u.a.Requests())
			if len(secrets) == 0 || !isWrapped(text) {
				t.Fatalf("no secret answered, or not wrapped: %s", text)
			}
			assertNoSecret(t, "the result", text, secrets...)
			assertNoSecret(t, "the log", h.logs.String(), secrets...)
			u.a.InjectFault(sandbox.Fault{Status: 400, Body: fmt.Sprintf(`{"message":%q}`, injection)})
			text, isErr := c.call("projects_read", map[string]any{"operation": "get", "ref": activeRef})
			if !isErr || !strings.Contains(text, injectionMarker) || strings.Contains(outsideBoundaries(text), injectionMarker) {
				t.Fatalf("API error over %s: %s", kind, text)
			}
		})
	}
}
