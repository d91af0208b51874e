package guard

import (
	"fmt"
	"strings"
	"testing"
)

func TestSecretField(t *testing.T) {
	for name, want := range map[string]bool{
		"value": true, "password": true, "smtp_pass": true, "db_pass": true, "jwt_secret": true,
		"external_github_secret": true, "hook_send_email_secrets": true, "sms_twilio_auth_token": true,
		"sms_vonage_api_key": true, "root_key": true, "private_jwk": true, "refresh_token": true,
		"name": false, "hook_custom_access_token_uri": false, "password_min_length": false,
		"mailer_subjects_password_changed_notification": false, "refresh_token_rotation_enabled": false,
		"custom_jwks": false, "keys": false, "smtp_host": false,
		"clientSecret": true, "dbPass": true, "serviceRoleKey": true, "jwtExpiry": false,
	} {
		if got := secretField(name); got != want {
			t.Errorf("secretField(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	lines := appendValue(nil, "config", "config", map[string]any{
		"smtp_pass":     "hunter22",
		"password_hibp": true,
		"site_url":      "https://x.example",
		"nested":        map[string]any{"client_secret": "abc", "n": 3.0},
		"empty":         []any{},
		"pair":          []any{map[string]any{"name": "A", "value": "zz"}},
		"note":          "line one\n- forged line",
	}, 0)
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"config.smtp_pass: <secret value, 8 chars>",
		"config.password_hibp: true",
		`config.site_url: "https://x.example"`,
		"config.nested.client_secret: <secret value, 3 chars>",
		"config.nested.n: 3",
		"config.empty: [] (no items)",
		"config.pair: 1 item",
		`config.pair[0]: {name="A", value=<secret value, 2 chars>}`,
		`config.note: "line one\n- forged line"`, // quoted: a value cannot forge a prompt line
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lines lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "hunter22") || strings.Contains(got, "abc") || strings.Contains(got, "zz") {
		t.Errorf("a secret value is shown:\n%s", got)
	}
}

func TestBoundLinesSaysWhatIsCut(t *testing.T) {
	var lines []string
	for i := range 250 {
		lines = append(lines, fmt.Sprint(i))
	}
	got := boundLines(lines)
	if len(got) != maxDetailLines || got[len(got)-1] != "… and 51 more lines not shown: split the change into smaller calls to see all of it" {
		t.Fatalf("%d lines, last %q", len(got), got[len(got)-1])
	}
	long := strings.Repeat("é", maxInlineChars+10)
	if s := inline("", long); !strings.Contains(s, fmt.Sprintf("(shortened: %d of %d chars shown)", maxValueChars, maxInlineChars+10)) {
		t.Fatalf("inline long value: %s", s)
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("20250116120000", "20250115093000") <= 0 || compareVersions("9", "10") >= 0 || compareVersions("007", "7") != 0 {
		t.Fatal("versions are compared as numbers")
	}
}
