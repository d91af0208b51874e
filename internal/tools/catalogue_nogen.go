//go:build supabase_mcp_regen

package tools

// generatedCatalogue is empty while the generator runs (which loads
// tools.yaml with Load); Default then fails.
func generatedCatalogue() (digest string, groups []*group) { return "", nil }
