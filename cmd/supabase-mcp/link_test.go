package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The Go linker drops methods nothing calls, unless some reachable code
// looks methods up by a name it computes (reflect's Method, MethodByName
// with a non-constant name, text/template, protobuf's descriptor printing
// through Go 1.26's reflect iterators): then it keeps every exported method
// of every type, which made the binary 41 MB instead of 26 and every start
// map more of it. This test fails when a dependency brings that back, in
// both flavours (cgo and CGO_ENABLED=0), and names what did.
func TestDefaultBuildKeepsDeadMethodElimination(t *testing.T) {
	if testing.Short() {
		t.Skip("links the binary twice")
	}
	for _, cgo := range []string{"1", "0"} {
		cmd := exec.Command("go", "build", "-ldflags=-dumpdep", "-o", os.DevNull, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("CGO_ENABLED=%s go build: %v\n%.2000s", cgo, err, out)
		}
		var culprits []string
		for _, line := range strings.Split(string(out), "\n") {
			if from, _, ok := strings.Cut(line, " <ReflectMethod>"); ok && len(culprits) < 10 {
				culprits = append(culprits, from)
			}
		}
		if len(culprits) > 0 {
			t.Errorf("CGO_ENABLED=%s: the linker keeps every exported method because of: %s", cgo, strings.Join(culprits, ", "))
		}
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(deps)) {
		// (html/template is listed, through mcp-go's spf13/cast, but only
		// its types are linked; the dumpdep check above would see more.)
		if strings.HasPrefix(pkg, "google.golang.org/protobuf/") {
			t.Errorf("the default build links %s", pkg)
		}
	}
}
