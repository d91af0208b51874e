// Package toolsyaml decodes tools.yaml for tools.Load: strictly, with
// unknown keys refused. It is a package of its own so that the server
// binary, which starts from the catalogue precomputed by go generate, links
// no YAML library; the generator and the tests use it.
package toolsyaml

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// Decode decodes data into v, refusing keys v has no field for.
func Decode(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}
