package sandbox

import (
	osexec "os/exec"
	"strings"
	"testing"
)

// The sandbox's PostgreSQL client (internal/pgwire) exists so that a normal start of the
// server does not link (and initialise) pgx and golang.org/x/text: keep
// them out of the package's non-test dependencies.
func TestSandboxDoesNotLinkHeavyPostgresDrivers(t *testing.T) {
	out, err := osexec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/jackc/", "github.com/lib/pq", "golang.org/x/text/", "database/sql", "encoding/xml"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("internal/sandbox depends on %s: every start of supabase-mcp would initialise it", dep)
			}
		}
	}
}
