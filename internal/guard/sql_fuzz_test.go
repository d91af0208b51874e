package guard

import (
	"fmt"
	"testing"
)

// sqlVerdict is everything the guard decides about a text, in both modes.
func sqlVerdict(sql string) string {
	read := "allowed"
	if err := CheckReadOnlySQL(sql); err != nil {
		read = err.Error()
	}
	return fmt.Sprintf("read: %s\nwrite: %+v", read, ReviewWriteSQL(sql))
}

// FuzzClassifySQL: no input crashes the classifier or the parsers, the
// verdict is the same when asked twice, and what read-only mode allows runs
// unasked in write mode. The seed corpus (testdata/fuzz/FuzzClassifySQL and
// the tables of sql_test.go) runs as a normal test in both builds.
func FuzzClassifySQL(f *testing.F) {
	for _, q := range reads {
		f.Add(q)
	}
	for _, q := range writes {
		f.Add(q)
	}
	for q := range confirms {
		f.Add(q)
	}
	for q := range readRefusals {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		first, second := sqlVerdict(sql), sqlVerdict(sql)
		if first != second {
			t.Fatalf("unstable verdict for %q:\n%s\nthen\n%s", sql, first, second)
		}
		if CheckReadOnlySQL(sql) == nil && len(ReviewWriteSQL(sql)) != 0 {
			t.Fatalf("read-only allows %q but write mode asks: %+v", sql, ReviewWriteSQL(sql))
		}
	})
}
