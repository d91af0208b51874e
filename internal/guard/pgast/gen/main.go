// Command gen writes internal/guard/pgast/pg_query.gen.go: PostgreSQL's
// parse-tree types as plain Go structs with their own protobuf decoding,
// from the pg_query.proto schema of github.com/pganalyze/pg_query_go (the
// version go.mod requires).
//
// Why not the upstream package: its types use the protobuf runtime, which
// builds the descriptors of its 277 messages at every start, and whose
// descriptor printing looks methods up by name through reflection; that
// makes the linker keep every exported method of every type in the binary
// (about 14 MB of a 41 MB binary). The guard needs only the tree: these
// types decode the parser's output strictly (a field, wire type or UTF-8
// string the schema does not allow is an error) and walk it through
// Message.RangeMessages. pgast's tests decode the same parser output with
// upstream's types and compare the two trees field by field.
//
//	go run ./internal/guard/pgast/gen            # rewrite the file
//	go run ./internal/guard/pgast/gen -check     # fail if it is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const module = "github.com/pganalyze/pg_query_go/v6"

func main() {
	check := flag.Bool("check", false, "only report whether the file is up to date")
	out := flag.String("o", "pg_query.gen.go", "output file")
	flag.Parse()
	if err := run(*out, *check); err != nil {
		fmt.Fprintln(os.Stderr, "pgast/gen:", err)
		os.Exit(1)
	}
}

func run(out string, check bool) error {
	dir, version, err := moduleDir()
	if err != nil {
		return err
	}
	code, err := Generate(version)
	if err != nil {
		return err
	}
	licence, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil {
		return err
	}
	licenceOut := filepath.Join(filepath.Dir(out), "LICENSE")
	if check {
		for path, want := range map[string][]byte{out: code, licenceOut: licence} {
			have, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(have, want) {
				return fmt.Errorf("%s is stale: run go generate ./internal/guard/pgast", path)
			}
		}
		return nil
	}
	if err := os.WriteFile(licenceOut, licence, 0o644); err != nil {
		return err
	}
	return os.WriteFile(out, code, 0o644)
}

func moduleDir() (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", module)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "" {
		return "", "", fmt.Errorf("go list -m %s: unexpected answer %q (is the module downloaded?)", module, b)
	}
	return f[0], f[1], nil
}
