package tools

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// rubricPaths are the endpoints of the rubric's kinds (tools.yaml header),
// found by reading the spec's paths: any method but GET and HEAD on them
// needs confirmation. Path parameters are written {}.
func rubricPaths() map[string][]string {
	return map[string][]string{
		"access": {`/config/auth(/|$)`, `/network-restrictions`, `/network-bans`, `/ssl-enforcement$`, `/api-keys`,
			`/cli/login-role$`, `/database/jit`, `/jit-access$`, `/database/password$`, `/pgsodium$`, `/config/storage$`},
		"code":     {`/functions(/|$)`, `/database/migrations`},
		"data":     {`/secrets$`, `^/v1/branches/{}`, `/branches$`, `/database/backups/(restore|restore-pitr|undo)$`, `^/v1/projects/{}/restore$`},
		"exposure": {`/postgrest$`, `/claim-token$`, `/project-claim/`, `/readonly`},
		"service": {`/pause$`, `/upgrade$`, `/config/realtime`, `/config/database/(postgres|pooler)$`, `/config/disk$`,
			`/custom-hostname/activate$`, `/vanity-subdomain/activate$`, `/read-replicas/`},
		"money": {`/billing/`},
	}
}

var paramSegment = regexp.MustCompile(`\{[^}]+\}`)

// rubricKind is the kind of a call of method on path, or "".
func rubricKind(method, path string) string {
	if method == "GET" || method == "HEAD" {
		return ""
	}
	p := paramSegment.ReplaceAllString(path, "{}")
	for kind, exprs := range rubricPaths() {
		for _, e := range exprs {
			if regexp.MustCompile(e).MatchString(p) {
				return kind
			}
		}
	}
	return ""
}

// No operation on a path of one of the rubric's kinds is a plain write.
// Writes whose SQL the guard parses may go unconfirmed when the guard finds
// the SQL harmless, but rollback SQL stored for later always asks.
func TestRubricLeavesNoPlainWrite(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			kind := rubricKind(op.Method, op.Path)
			if kind == "" || op.Class == ClassRead || op.NeedsConfirmation() {
				continue
			}
			if op.SQL != "" && (!op.HasParam("rollback") || slices.Contains(op.SensitiveArgs, "rollback")) {
				continue
			}
			t.Errorf("%s (%s %s) is a plain write on a path of kind %s: give it sensitive: (data, access, code, exposure, service), billable or class destructive", op.QualifiedName(), op.Method, op.Path, kind)
		}
	}
	// Examples the issue found unconfirmed, by name, lest the path list drift.
	for _, name := range []string{
		"projects.create_claim_token", "network.update_restrictions", "database_config.update_ssl",
		"database_config.update_postgres", "auth_config.update_config", "auth_config.create_tpa",
		"auth_config.create_provider", "functions.deploy", "functions.update", "secrets.create",
		"services.update_postgrest", "services.update_realtime", "database_config.create_login_role",
		"secrets.create_api_key", "database_config.disable_readonly", "database.upsert_migration",
		"database.update_migration",
	} {
		tool, opName, _ := strings.Cut(name, ".")
		op := c.Tool(tool + "_write").Operation(opName) // none of them reads
		if op == nil || !op.NeedsConfirmation() {
			t.Errorf("%s does not need confirmation", name)
		}
	}
}

// Every rubric path matches some endpoint of the spec (none is stale), and
// every spec endpoint the rubric covers that is in the catalogue is checked
// above.
func TestRubricPathsAreInTheSpec(t *testing.T) {
	s := loadSpec(t)
	matched := map[string]bool{}
	for path, item := range s.Doc.Paths.Map() {
		for method := range item.Operations() {
			p := paramSegment.ReplaceAllString(path, "{}")
			if method == "GET" || method == "HEAD" {
				continue
			}
			for _, exprs := range rubricPaths() {
				for _, e := range exprs {
					if regexp.MustCompile(e).MatchString(p) {
						matched[e] = true
					}
				}
			}
		}
	}
	for kind, exprs := range rubricPaths() {
		for _, e := range exprs {
			if !matched[e] {
				t.Errorf("rubric path %s (%s) matches no write endpoint of the spec", e, kind)
			}
		}
	}
}

// The rule itself: a sensitive write needs confirmation, sensitive
// arguments only when given, and read-only listings hold none of them.
func TestNeedsConfirmation(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	apply := c.Tool("database_write").Operation("apply_migration")
	if apply.NeedsConfirmation() || !apply.MayNeedConfirmation() {
		t.Fatal("apply_migration asks only with rollback SQL")
	}
	if apply.SensitiveCall(map[string]any{"query": "select 1"}) || !apply.SensitiveCall(map[string]any{"query": "select 1", "rollback": "drop table x"}) {
		t.Fatal("rollback SQL decides whether apply_migration is sensitive")
	}
	counts := map[string]int{}
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			counts[op.Class]++
			if op.Sensitive != "" {
				counts["sensitive"]++
			}
			if op.Class == ClassRead && op.MayNeedConfirmation() {
				t.Errorf("%s is read but can need confirmation: read-only mode would list it", op.QualifiedName())
			}
		}
	}
	if counts[ClassRead]+counts[ClassWrite]+counts[ClassDestructive] != 172 {
		t.Errorf("classes %v do not add up to 172 operations", counts)
	}
	t.Logf("classes: %v", counts)
}
