package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
)

const testToken = "sbp_test_token"

// call sends a request with the test token and returns status, headers and body.
// body may be nil, a string (sent raw) or any value (sent as JSON).
func call(t *testing.T, s *Server, method, path string, body any, header ...string) (int, http.Header, []byte) {
	t.Helper()
	return callWith(t, http.DefaultClient, s, method, path, body, header...)
}

func callWith(t *testing.T, c *http.Client, s *Server, method, path string, body any, header ...string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := send(c, s, method, path, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func send(c *http.Client, s *Server, method, path string, body any, header ...string) (*http.Response, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL()+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Do(req)
}

// decode unmarshals b into a fresh T, failing the test on error.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// wantStatus fails unless got == want, showing the body.
func wantStatus(t *testing.T, got, want int, body []byte) {
	t.Helper()
	if got != want {
		t.Fatalf("status %d, want %d; body %s", got, want, body)
	}
}

// message is the "message" of an error body.
func message(t *testing.T, b []byte) string {
	t.Helper()
	return decode[struct {
		Message string `json:"message"`
	}](t, b).Message
}

func newServer(t *testing.T, opts ...func(*Options)) *Server {
	t.Helper()
	o := Options{Token: testToken}
	for _, f := range opts {
		f(&o)
	}
	s := New(o)
	t.Cleanup(s.Close)
	return s
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
