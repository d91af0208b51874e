//go:build supabase_mcp_regen

package tools

// generatedCatalogue is empty while the generator runs: Default then loads
// tools.yaml.
func generatedCatalogue() (digest string, groups []*group) { return "", nil }
