package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDocsClient(t *testing.T) {
	got := make(chan *http.Request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got <- r
		switch r.URL.Path {
		case "/graphql":
			_, _ = w.Write([]byte(`{"data":{}}`))
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
		default:
			http.Redirect(w, r, "/graphql", http.StatusFound)
		}
	}))
	defer srv.Close()
	for _, bad := range []string{"ftp://x", "https://u:p@x/graphql", "/graphql"} {
		if _, err := NewDocs(DocsOptions{URL: bad}); err == nil {
			t.Errorf("NewDocs(%q) accepted", bad)
		}
	}
	d, err := NewDocs(DocsOptions{URL: srv.URL + "/graphql", UserAgent: "ua", PerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := d.Do(ctx, &Request{Method: "POST", Body: []byte(`{"query":"{ schema }"}`)})
	if err != nil || string(resp.Body) != `{"data":{}}` {
		t.Fatalf("Do: %v %v", resp, err)
	}
	r := <-got
	if r.Header.Get("Authorization") != "" || r.Header.Get("User-Agent") != "ua" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", r.Header)
	}
	for _, req := range []*Request{{Method: "GET"}, {Method: "POST", Path: "/v1/projects"}} {
		if _, err := d.Do(ctx, req); !errors.Is(err, ErrNotSent) {
			t.Errorf("%+v: %v, want refused unsent", req, err)
		}
	}

	small, _ := NewDocs(DocsOptions{URL: srv.URL + "/big", MaxResponseBytes: 1024, PerMinute: -1})
	if _, err := small.Do(ctx, &Request{Method: "POST"}); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	<-got
	moved, _ := NewDocs(DocsOptions{URL: srv.URL + "/moved", PerMinute: -1})
	_, err = moved.Do(ctx, &Request{Method: "POST"})
	if apiErr, ok := errors.AsType[*APIError](err); !ok || apiErr.Status != http.StatusFound {
		t.Fatalf("redirect: %v", err)
	}
	<-got
	if len(got) != 0 {
		t.Fatal("a redirect was followed")
	}
}
