package server

import (
	"strings"
	"testing"
)

// What a page shows comes partly from the model (the call's action text)
// and from the user: all of it is escaped, in text and in attributes.
func TestSecretPageEscapes(t *testing.T) {
	var b strings.Builder
	hostile := `"><script>alert(1)</script><a href='x'>&`
	if err := writeSecretPage(&b, secretPageView{Action: hostile, Labels: []string{hostile}, CSRF: hostile, Error: hostile}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") || strings.Contains(page, "<a href") || strings.Contains(page, `value=""`) {
		t.Fatalf("a value was not escaped:\n%s", page)
	}
	want := `&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&#39;x&#39;&gt;&amp;`
	if n := strings.Count(page, want); n != 4 {
		t.Fatalf("escaped value appears %d times, want 4 (action, label, csrf, error):\n%s", n, page)
	}
	for _, part := range []string{`<form method="post" autocomplete="off">`, `<label for="v0">`, `name="v0"`, `class="err"`} {
		if !strings.Contains(page, part) {
			t.Fatalf("page lacks %q:\n%s", part, page)
		}
	}
	b.Reset()
	if err := writeSecretPage(&b, secretPageView{Done: true, Action: hostile}); err != nil {
		t.Fatal(err)
	}
	if done := b.String(); !strings.Contains(done, "<h1>Done</h1>") || strings.Contains(done, "<form") || strings.Contains(done, "alert") {
		t.Fatalf("done page:\n%s", done)
	}
}
