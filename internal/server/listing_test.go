package server

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// listing.gen.txt is what the live code lists today.
func TestListingArtefactIsCurrent(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	want, err := ListingArtefact(cat)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("listing.gen.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) || listingArtefact != string(want) {
		t.Fatal("listing.gen.txt is stale: run go generate ./...")
	}
}

// rawToolsList is the tools/list response of a new server with the policy,
// as mcp-go sends it, and how many of its tools came from the artefact.
func rawToolsList(t *testing.T, cat *tools.Catalogue, p *guard.Policy, live bool) (string, int) {
	t.Helper()
	srv, err := New(Options{Version: "test", Catalogue: cat, Policy: p, liveListing: live})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.MCPServer().HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	resp := srv.MCPServer().HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	raw, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"tools":[{`) {
		t.Fatalf("no tools listed: %s", raw)
	}
	return string(raw), srv.precomputedTools
}

// The server lists from the artefact exactly what it would reflect live,
// for configurations the artefact covers (every tool from it) and for those
// it does not (per-operation filters: reflected live).
func TestPrecomputedListingIsTheLiveOne(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	all := cat.Features()
	cases := []struct {
		name   string
		policy *guard.Policy
		// covered: every listed tool comes from the artefact.
		covered bool
	}{
		{"default features", &guard.Policy{Features: DefaultFeatures}, true},
		{"all features", &guard.Policy{Features: all}, true},
		{"read-only", &guard.Policy{Features: all, ReadOnly: true}, true},
		{"project ref", &guard.Policy{Features: all, ProjectRef: "cccccccccccccccccccc"}, true},
		{"read-only, project ref, confirm deny", &guard.Policy{Features: all, ReadOnly: true, ProjectRef: "cccccccccccccccccccc", Confirm: guard.ConfirmDeny}, true},
		{"confirm deny", &guard.Policy{Features: all, Confirm: guard.ConfirmDeny}, true},
		{"confirm none", &guard.Policy{Features: all, Confirm: guard.ConfirmNone}, true},
		{"confirm elicit", &guard.Policy{Features: DefaultFeatures, Confirm: guard.ConfirmElicit}, true},
		{"whole tools", &guard.Policy{Tools: []string{"projects", "secrets"}}, true},
		{"disabled tool", &guard.Policy{Features: all, DisabledTools: []string{"database"}}, true},
		{"one operation", &guard.Policy{Tools: []string{"projects.list", "database"}}, false},
		{"one operation disabled", &guard.Policy{Features: all, DisabledTools: []string{"database.execute_sql"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live, fromLive := rawToolsList(t, cat, tc.policy, true)
			got, fromArtefact := rawToolsList(t, cat, tc.policy, false)
			if fromLive != 0 {
				t.Fatal("the live listing used the artefact")
			}
			if got != live {
				t.Fatalf("the precomputed listing differs from the live one:\n%s\nlive:\n%s", got, live)
			}
			n := len(tc.policy.Expose(cat))
			if tc.covered && fromArtefact != n {
				t.Fatalf("%d of %d tools came from the artefact", fromArtefact, n)
			}
			if !tc.covered && fromArtefact == n {
				t.Fatal("every tool came from the artefact although an operation filter changes one")
			}
		})
	}
}

// An artefact is used only for the catalogue it was generated from, and a
// damaged entry falls back to live reflection.
func TestListingArtefactFallsBack(t *testing.T) {
	cat, err := tools.Default()
	if err != nil {
		t.Fatal(err)
	}
	if openListing(listingArtefact, cat.Digest) == nil {
		t.Fatal("the artefact does not open for its own catalogue")
	}
	if openListing(listingArtefact, strings.Repeat("0", 64)) != nil || openListing(listingArtefact, "") != nil {
		t.Fatal("the artefact opened for another catalogue")
	}
	et := (&guard.Policy{Features: cat.Features()}).Expose(cat)[0]
	l := openListing(listingArtefact, cat.Digest)
	if _, ok := l.tool(et); !ok {
		t.Fatalf("no entry for %s", et.Name)
	}
	damaged := &listing{index: l.index, blobs: strings.Repeat("x", len(l.blobs))}
	if _, ok := damaged.tool(et); ok {
		t.Fatal("a damaged entry was used")
	}
	short := &listing{index: l.index, blobs: l.blobs[:10]}
	if _, ok := short.tool(et); ok {
		t.Fatal("an entry past the end was used")
	}
}
