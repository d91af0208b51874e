// Command gen writes internal/guard/pgast/pg_query.pb.go from the parse-tree
// types of github.com/pganalyze/pg_query_go (the version go.mod requires).
//
// Why a copy: Go initialises every linked package at start, and the
// upstream package builds the descriptors of its 277 message and 72 enum
// types (and 144 name maps) in init, about 4 ms and 2 MB at every start of a
// server that may never see SQL. The copy is the same generated code with
// three changes: the descriptors are built on first use (every method that
// needs them calls ready first), the enum name maps nobody reads are left
// out, and the types go into a private registry, so the upstream package can
// still be linked beside it without a registration conflict.
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
	out := flag.String("o", "pg_query.pb.go", "output file")
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
	src, err := os.ReadFile(filepath.Join(dir, "pg_query.pb.go"))
	if err != nil {
		return err
	}
	code, err := Transform(src, version)
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
