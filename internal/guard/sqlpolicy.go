package guard

import (
	"fmt"
	"strings"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// maxFindingText shortens each statement listed in a confirmation; the
// statements are shortened, never dropped.
const maxFindingText = 160

// checkSQL is the SQL part of Policy.Check. Read operations run only what
// CheckReadOnlySQL allows (and explain exactly one query); write operations
// ask first for every statement ReviewWriteSQL lists, and refuse what it
// marks refused.
func (p *Policy) checkSQL(call *tools.Call, sql, target string) (*Confirmation, error) {
	op := call.Op
	if op.Class == tools.ClassRead {
		err := CheckReadOnlySQL(sql)
		if _, one := call.Request.(tools.OneStatementSQL); one && err == nil {
			err = CheckSingleReadStatement(sql)
		}
		if err != nil {
			return nil, refuse("%s runs only plain reads: %v. Rewrite it as a SELECT, or use a write operation if this server allows one.", op.QualifiedName(), err)
		}
		return nil, nil
	}
	findings := ReviewWriteSQL(sql)
	var refused []string
	for _, f := range findings {
		if f.Refused {
			refused = append(refused, findingLine(f))
		}
	}
	if len(refused) > 0 {
		return nil, refuse("%s refused: %s. Nothing was sent.", op.QualifiedName(), strings.Join(refused, "; "))
	}
	if len(findings) == 0 {
		return nil, nil
	}
	c := &Confirmation{
		Action: fmt.Sprintf("%s on project %v runs SQL", op.QualifiedName(), call.Args["ref"]),
		Target: target,
	}
	if len(findings) == 1 {
		c.Reason = "1 statement needs confirmation."
	} else {
		c.Reason = fmt.Sprintf("%d statements need confirmation.", len(findings))
	}
	for _, f := range findings {
		c.Details = append(c.Details, findingLine(f))
		c.Irreversible = c.Irreversible || f.Destroys
	}
	return c, nil
}

func findingLine(f SQLFinding) string {
	return fmt.Sprintf("%q: %s", clip(strings.Join(strings.Fields(f.Statement), " "), maxFindingText), f.Reason)
}
