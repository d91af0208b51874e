package tools

import (
	"os"
	"testing"
)

// The README's tool list must match tools.yaml.
func TestReadmeToolListIsCurrent(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReplaceReadmeToolList(string(readme), c)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Fatal("README.md's tool list is stale: run `go generate ./...` and commit README.md")
	}
}
