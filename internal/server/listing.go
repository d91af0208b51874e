package server

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// The tools/list entries are precomputed at build time (go generate writes
// listing.gen.txt), so that start-up reflects no request struct and builds
// no schema: for every configuration the server can start with short of
// per-operation filters, the generator runs the live code (Policy.Expose,
// then mcpTool) and records each tool's JSON under a hash of its
// ExposedTool.ListingKey. New uses an entry when the artefact was generated
// from this catalogue and holds that key; anything else (--tools
// tool.operation, a catalogue from elsewhere) is reflected live, so an
// artefact can only be missing, never wrong. A test fails when it is not
// what the live code makes.
//
// The file: a header line naming the catalogue's digest, then one line per
// entry ("<key hash> <offset> <length>", sorted), an empty line, and the
// JSON of the entries back to back (offsets count from there).
//
//go:embed listing.gen.txt
var listingArtefact string

const listingHeader = "supabase-mcp tools/list v1 "

// listing is an opened artefact: its index and its JSON.
type listing struct{ index, blobs string }

// openListing returns the artefact's entries when it was generated from
// the catalogue with that digest; nil otherwise.
func openListing(artefact, digest string) *listing {
	header, rest, ok := strings.Cut(artefact, "\n")
	if !ok || digest == "" || header != listingHeader+digest {
		return nil
	}
	// The index keeps its last newline, so that every line ends in one.
	end := strings.Index(rest, "\n\n")
	if end < 0 {
		return nil
	}
	return &listing{index: rest[:end+1], blobs: rest[end+2:]}
}

func listingHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// tool is the precomputed entry of an exposed tool, if there is one.
func (l *listing) tool(et *tools.ExposedTool) (mcp.Tool, bool) {
	if l == nil {
		return mcp.Tool{}, false
	}
	key, ok := et.ListingKey()
	if !ok {
		return mcp.Tool{}, false
	}
	prefix := listingHash(key) + " "
	for line := range strings.Lines(l.index) {
		rest, found := strings.CutPrefix(line, prefix)
		if !found {
			continue
		}
		off, n, _ := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
		start, err1 := strconv.Atoi(off)
		size, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil || start < 0 || size < 0 || start+size > len(l.blobs) {
			return mcp.Tool{}, false
		}
		t, err := decodeListedTool([]byte(l.blobs[start : start+size]))
		return t, err == nil
	}
	return mcp.Tool{}, false
}

// decodeListedTool reads a tool as mcp-go lists it, keeping the input
// schema raw (mcp.Tool has no decoder of its own that would).
func decodeListedTool(raw []byte) (mcp.Tool, error) {
	type plain mcp.Tool // mcp.Tool's fields without its methods
	var t mcp.Tool
	aux := struct {
		*plain
		InputSchema json.RawMessage `json:"inputSchema"`
	}{plain: (*plain)(&t)}
	if err := json.Unmarshal(raw, &aux); err != nil {
		return mcp.Tool{}, err
	}
	if len(aux.InputSchema) == 0 {
		return mcp.Tool{}, fmt.Errorf("tool %s has no input schema", t.Name)
	}
	t.RawInputSchema = aux.InputSchema
	return t, nil
}

// listingConfigurations are the policies the artefact covers: every
// combination of read-only, project scope and confirmation mode, with all
// feature groups, the default ones, and each group alone (so that a tool
// whose listing depended on the others listed with it would show as a
// conflict). Two project refs show whether the ref's value matters.
func listingConfigurations(c *tools.Catalogue) []*guard.Policy {
	features := [][]string{c.Features(), DefaultFeatures}
	for _, f := range c.Features() {
		features = append(features, []string{f})
	}
	var out []*guard.Policy
	for _, readOnly := range []bool{false, true} {
		for _, ref := range []string{"", "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"} {
			for _, confirm := range []string{"", guard.ConfirmAuto, guard.ConfirmElicit, guard.ConfirmToken, guard.ConfirmDeny, guard.ConfirmNone} {
				for _, fs := range features {
					out = append(out, &guard.Policy{ReadOnly: readOnly, ProjectRef: ref, Confirm: confirm, Features: fs})
				}
			}
		}
	}
	return out
}

// ListingArtefact is listing.gen.txt for a catalogue: what the live code
// lists for every exposed tool of every configuration listingConfigurations
// names. It fails when two configurations give one key different JSON (the
// key misses an input of the listing) or when an entry does not read back
// as itself.
func ListingArtefact(c *tools.Catalogue) ([]byte, error) {
	if c.Digest == "" {
		return nil, fmt.Errorf("the catalogue has no digest (it is not tools.yaml bound to tools.Requests)")
	}
	entries := map[string]string{}
	for _, p := range listingConfigurations(c) {
		for _, et := range p.Expose(c) {
			key, ok := et.ListingKey()
			if !ok {
				return nil, fmt.Errorf("tool %s: its exposed form has a field ListingKey cannot write", et.Name)
			}
			tool, err := mcpTool(et)
			if err != nil {
				return nil, err
			}
			raw, err := json.Marshal(tool)
			if err != nil {
				return nil, err
			}
			back, err := decodeListedTool(raw)
			if err != nil {
				return nil, fmt.Errorf("tool %s: %w", et.Name, err)
			}
			if again, err := json.Marshal(back); err != nil || !bytes.Equal(again, raw) {
				return nil, fmt.Errorf("tool %s does not read back as itself: decodeListedTool misses a field", et.Name)
			}
			h := listingHash(key)
			if prev, seen := entries[h]; seen && prev != string(raw) {
				return nil, fmt.Errorf("tool %s: two configurations with one listing key list it differently (read-only %v, project ref %q, confirm %q, features %v): the key misses an input", et.Name, p.ReadOnly, p.ProjectRef, p.Confirm, p.Features)
			}
			entries[h] = string(raw)
		}
	}
	hashes := make([]string, 0, len(entries))
	for h := range entries {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var index, blobs strings.Builder
	offsets := map[string]int{} // identical entries are stored once
	for _, h := range hashes {
		raw := entries[h]
		off, ok := offsets[raw]
		if !ok {
			off = blobs.Len()
			offsets[raw] = off
			blobs.WriteString(raw)
		}
		fmt.Fprintf(&index, "%s %d %d\n", h, off, len(raw))
	}
	return []byte(listingHeader + c.Digest + "\n" + index.String() + "\n" + blobs.String()), nil
}
