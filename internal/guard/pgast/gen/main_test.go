package main

import "testing"

// TestGeneratedFileIsCurrent fails when pg_query.gen.go no longer matches
// what gen writes from the pg_query_go version go.mod requires.
func TestGeneratedFileIsCurrent(t *testing.T) {
	if err := run("../pg_query.gen.go", true); err != nil {
		t.Fatal(err)
	}
}
