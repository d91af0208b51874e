package client

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Secret values of a request's path or query (a claim token) never show in
// debug log lines or in errors: API errors that echo them, network errors.
func TestSecretPathValuesRedacted(t *testing.T) {
	t.Parallel()
	const claim = "claim-6f1e0c2a9b8d7e6f5a4b3c2d1e0f9a8b"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	withLog := func(o *Options) { o.Logger = logger; o.MaxRetries = 1 }
	srv, _ := server(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"no claim at %s"}`, r.URL.Path)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	req := func() *Request {
		return &Request{Path: "/v1/organizations/acme/project-claim/" + url.PathEscape(claim), Query: url.Values{"t": {claim}}, Redact: []string{claim}}
	}
	_, err = newClient(t, srv.URL, withLog).Do(t.Context(), req())
	if err == nil || strings.Contains(err.Error(), claim) {
		t.Fatalf("API error: %v", err)
	}
	if e := apiError(t, err); !strings.HasSuffix(e.Path, "/project-claim/[REDACTED]") || strings.Contains(e.Message, claim) {
		t.Errorf("APIError path %q, message %q", e.Path, e.Message)
	}
	_, err = newClient(t, closed, withLog).Do(t.Context(), req())
	if err == nil || strings.Contains(err.Error(), claim) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("network error: %v", err)
	}
	if !strings.Contains(logs.String(), "project-claim/[REDACTED]") {
		t.Errorf("debug log lacks the request lines:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), claim) {
		t.Errorf("debug log leaks the claim token:\n%s", logs.String())
	}
}
