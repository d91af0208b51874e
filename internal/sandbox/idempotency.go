package sandbox

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"sync"
)

// Idempotency-Key, as the API honours it on the endpoints whose spec offers
// the header (migration apply and upsert): a write repeated with the same
// key and the same request is not applied again; the first successful answer
// is replayed, marked with an Idempotent-Replayed: true header. A request
// that differs from the first one under its key (another body, path, method
// or token) is handled normally, so the endpoints' own key semantics (an
// upsert updating the entry its key recorded) stay as they are. Only 2xx
// answers are kept: a request that failed applied nothing and may run again.
//
// Fault.AfterApply pairs with it: the request is applied, and then the
// answer is lost (a 5xx instead of it, or a dropped connection), the case
// the header exists for.

// idempotencyStore holds the first successful answer per key.
type idempotencyStore struct {
	mu      sync.Mutex
	entries map[string]*idempotentAnswer // by Idempotency-Key
}

type idempotentAnswer struct {
	// running is held while the first request with the key is handled, so
	// that a concurrent repeat waits for its answer instead of applying again.
	running     sync.Mutex
	fingerprint [sha256.Size]byte
	stored      bool
	status      int
	header      http.Header
	body        []byte
}

// fingerprint identifies the request a key was first used with.
func requestFingerprint(r *http.Request, body []byte) [sha256.Size]byte {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(body)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}

// serveIdempotent is serve for requests that carry an Idempotency-Key:
// it replays the stored answer of a repeated request, or serves it and
// stores a successful answer. body is the request body, already read.
func (s *Server) serveIdempotent(w *recorder, r *http.Request, body []byte) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.serve(w, r)
		return
	}
	fp := requestFingerprint(r, body)
	s.idem.mu.Lock()
	if s.idem.entries == nil {
		s.idem.entries = map[string]*idempotentAnswer{}
	}
	a := s.idem.entries[key]
	if a == nil || a.fingerprint != fp {
		a = &idempotentAnswer{fingerprint: fp}
		s.idem.entries[key] = a
	}
	s.idem.mu.Unlock()

	a.running.Lock()
	defer a.running.Unlock()
	if a.stored {
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(a.status)
		w.Write(a.body)
		return
	}
	s.serve(w, r)
	if w.Code/100 == 2 {
		a.stored, a.status, a.header, a.body = true, w.Code, w.Header().Clone(), bytes.Clone(w.Body.Bytes())
	}
}
