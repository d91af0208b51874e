package tools

import (
	"slices"
	"testing"
)

// Every secret-tagged body argument can come from the user (tools.yaml
// user_secrets), so a new one cannot be left to pass through the model.
func TestSecretArgumentsCanComeFromUser(t *testing.T) {
	c, _ := exposeAll(t)
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tl := range c.Tools {
		for _, op := range tl.Operations {
			for _, name := range op.Params() {
				p := op.param(name)
				if !p.secret || p.in != inBody {
					continue
				}
				listed := slices.ContainsFunc(op.UserSecrets, func(s string) bool {
					up, _ := parseUserSecretPath(s)
					return up.top == name
				})
				if !listed {
					t.Errorf("%s: secret argument %s is not in user_secrets", op.QualifiedName(), name)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no secret arguments found; the check is empty")
	}
}

// Decoding puts markers where the user's values go, and WithUserValues
// replaces them; the model cannot send a marker of its own.
func TestUserSecretMarkers(t *testing.T) {
	_, all := exposeAll(t)
	var secrets *ExposedTool
	for _, e := range all {
		if e.Name == "secrets_write" {
			secrets = e
		}
	}
	args := map[string]any{"operation": "create", "ref": "abcdefghijklmnopqrst",
		"secrets": []any{map[string]any{"name": "A", "value": "given"}, map[string]any{"name": "B"}}}
	call, err := secrets.Decode(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	us := call.UserSecrets()
	if len(us) != 1 || us[0].Label != "secrets[B].value" {
		t.Fatalf("user secrets %+v", us)
	}
	items := call.Args["secrets"].([]any)
	if items[0].(map[string]any)["value"] != "given" || items[1].(map[string]any)["value"] != UserValueMarker {
		t.Fatalf("args %v", call.Args)
	}
	if args["secrets"].([]any)[1].(map[string]any)["value"] != nil {
		t.Fatal("Decode changed the caller's arguments")
	}
	full, err := secrets.WithUserValues(call, []string{"typed"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, err := full.HTTPRequest()
	if err != nil {
		t.Fatal(err)
	}
	if string(req.Body) != `[{"name":"A","value":"given"},{"name":"B","value":"typed"}]` {
		t.Fatalf("body %s", req.Body)
	}
	args["secrets"] = []any{map[string]any{"name": "A", "value": UserValueMarker}}
	if _, err := secrets.Decode(args, nil); err == nil {
		t.Fatal("a marker given by the model was accepted")
	}
}
