package tools

import (
	"encoding/json"
	"fmt"
)

type GetSecurityAdvisors struct {
	ProjectRef
	LintType string `json:"lint_type,omitempty" in:"query" jsonschema:"enum=sql" jsonschema_description:"Only database lints."`
	AdvisorFilter
}

type GetPerformanceAdvisors struct {
	ProjectRef
	AdvisorFilter
}

// AdvisorFilter trims advisor answers, which can run to tens of thousands of
// tokens on large schemas: by level, with a cap, and without the long
// descriptions that repeat for every finding of a kind.
type AdvisorFilter struct {
	Level string `json:"level,omitempty" in:"none" jsonschema:"enum=ERROR,enum=WARN,enum=INFO" jsonschema_description:"Lowest level; default WARN."`
	Limit *int   `json:"limit,omitempty" in:"none" jsonschema:"maximum=200" check:"minimum=1" jsonschema_description:"Most findings; default 30."`
}

var advisorLevels = map[string]int{"ERROR": 3, "WARN": 2, "INFO": 1}

// FormatResult keeps the findings at or above the level, most severe first,
// up to the limit, and says how many were left out.
func (f AdvisorFilter) FormatResult(body []byte) ([]byte, error) {
	var resp struct {
		Lints []map[string]any `json:"lints"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	level, limit := "WARN", 30
	if f.Level != "" {
		level = f.Level
	}
	if f.Limit != nil {
		limit = *f.Limit
	}
	kept := make([]map[string]any, 0, len(resp.Lints))
	below := 0
	for _, want := range []int{3, 2, 1} {
		for _, l := range resp.Lints {
			lv, _ := l["level"].(string)
			if advisorLevels[lv] != want {
				continue
			}
			if want < advisorLevels[level] {
				below++
				continue
			}
			delete(l, "description") // the same paragraph for every finding of a kind
			delete(l, "cache_key")
			delete(l, "facing")
			kept = append(kept, l)
		}
	}
	out := map[string]any{"total": len(resp.Lints)}
	if len(kept) > limit {
		out["not_shown"] = fmt.Sprintf("%d more at or above %s; raise limit to see them", len(kept)-limit, level)
		kept = kept[:limit]
	}
	if below > 0 {
		out["below_level"] = fmt.Sprintf("%d findings below %s; pass level: INFO to see them", below, level)
	}
	out["lints"] = kept
	return marshalPlain(out)
}
