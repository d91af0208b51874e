package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		cands      []string
		n, min     int
	}{
		{"read-onyl", "read-only", []string{"read-only", "rate-limit", "listen"}, 1, 1},
		{"lst", "list", []string{"get", "list", "delete"}, 1, 2},
		{"tables", "list_tables", []string{"list_tables", "describe_table"}, 1, 2},
		{"xyz", "", []string{"list", "get"}, 2, 1},
	} {
		got := Closest(tc.name, tc.cands, tc.n, tc.min)
		if tc.want == "" && len(got) != 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
			t.Errorf("Closest(%q) = %v, want %q", tc.name, got, tc.want)
		}
	}
	if got := Closest("prjects", []string{"projects_read", "projects", "branches"}, 2, 2); len(got) == 0 || got[0] != "projects" {
		t.Errorf("nearest first: %v", got)
	}
}
