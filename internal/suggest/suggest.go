// Package suggest finds the names a user or model probably meant, for "did
// you mean" in errors about flags, features, tools, operations and
// arguments.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns up to n candidates near name, nearest first: within an
// edit distance of max(minDistance, len(name)/3), or (for names of three
// letters or more) one containing the other. Case is ignored.
func Closest(name string, candidates []string, n, minDistance int) []string {
	type scored struct {
		s string
		d int
	}
	var hits []scored
	lname := strings.ToLower(name)
	limit := max(minDistance, len(lname)/3)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein(lname, lc)
		if d <= limit || (len(lname) >= 3 && (strings.Contains(lc, lname) || strings.Contains(lname, lc))) {
			hits = append(hits, scored{c, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return a.d - b.d })
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.s)
	}
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
