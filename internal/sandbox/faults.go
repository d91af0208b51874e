package sandbox

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault replaces normal handling of matching requests. Faulted requests are
// still recorded, and are checked before authentication and rate limiting.
type Fault struct {
	Method string // empty matches any method
	Path   string // exact path, a prefix when it ends with "*", or empty for any path
	Times  int    // how many requests get the fault; <=0 means every one until ClearFaults

	Status         int           // answer with this status and {"message": ...} (or Body)
	RetryAfter     string        // Retry-After header value
	RateLimitReset string        // x-ratelimit-reset header value
	Delay          time.Duration // sleep first (ends early if the client goes away); alone, it only slows normal handling
	Malformed      bool          // answer 200 with truncated JSON
	// Drop closes the connection without answering. Note that Go's http.Client
	// transparently retries idempotent requests dropped on a reused connection.
	Drop bool
	Body string // raw body sent with Status instead of the default message
	// ContentType replaces application/json as the Content-Type of Body.
	ContentType string
	// AfterApply handles the request normally first, then answers with the
	// fault instead (Status or Drop): the write happened, its answer is lost
	// (see idempotency.go).
	AfterApply bool
}

type activeFault struct {
	Fault
	left int // remaining uses; <0 means unlimited
}

// InjectFault adds a fault. When several match, the earliest added wins.
func (s *Server) InjectFault(f Fault) {
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.faultMu.Lock()
	s.faults = append(s.faults, &activeFault{Fault: f, left: left})
	s.faultMu.Unlock()
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.faultMu.Unlock()
}

// takeFault consumes one use of the first fault matching r.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if prefix, ok := strings.CutSuffix(f.Path, "*"); ok && !strings.HasPrefix(r.URL.Path, prefix) ||
			!ok && f.Path != "" && f.Path != r.URL.Path {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 { // used up: drop it so later faults can match
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		fault := f.Fault
		return &fault
	}
	return nil
}

// applyFault acts out f and reports whether the request has been dealt with;
// false means normal handling should continue (a Delay-only fault).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // the client is gone; nobody to answer
		}
	}
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // fallback: net/http aborts the response
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.RateLimitReset != "" {
		w.Header().Set("x-ratelimit-reset", f.RateLimitReset)
	}
	switch {
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`[{"id":"trunc`))
	case f.Status != 0 && f.Body != "":
		w.Header().Set("Content-Type", cmp.Or(f.ContentType, "application/json"))
		w.WriteHeader(f.Status)
		w.Write([]byte(f.Body))
	case f.Status != 0:
		writeError(w, f.Status, http.StatusText(f.Status))
	default:
		return false
	}
	return true
}

// Chaos fails requests at random, for users testing how an agent copes with
// a flaky API (supabase-mcp --sandbox-faults 429=0.05,500=0.02,delay=200ms).
type Chaos struct {
	// Rates maps an HTTP status to the fraction of requests answered with
	// it (429s carry Retry-After: 1).
	Rates map[int]float64
	// Delay slows every request.
	Delay time.Duration
}

// pick draws the fault for one request, or nil.
func (c *Chaos) pick() *Fault {
	if c == nil {
		return nil
	}
	f := &Fault{Delay: c.Delay}
	x := rand.Float64()
	for _, status := range slices.Sorted(maps.Keys(c.Rates)) {
		if x < c.Rates[status] {
			f.Status = status
			if status == http.StatusTooManyRequests {
				f.RetryAfter = "1"
			}
			break
		}
		x -= c.Rates[status]
	}
	if f.Status == 0 && f.Delay == 0 {
		return nil
	}
	return f
}

// rateLimiter emulates the API's per-token limit over a sliding window.
type rateLimiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	hits    map[string][]time.Time // accepted requests per token, oldest first
	limited int
	now     func() time.Time // replaceable in tests
}

// SetRateLimit makes more than perMinute requests per token within any sliding
// window (60 s unless SetRateLimitWindow changed it) answer 429 with
// Retry-After and x-ratelimit-* headers. Zero or less disables the limit.
// It also forgets the requests counted so far.
func (s *Server) SetRateLimit(perMinute int) {
	s.rate.mu.Lock()
	s.rate.limit, s.rate.hits = perMinute, nil
	s.rate.mu.Unlock()
}

// SetRateLimitWindow shortens (or lengthens) the sliding window of SetRateLimit
// so tests can watch the limit recover without waiting a minute.
func (s *Server) SetRateLimitWindow(d time.Duration) {
	s.rate.mu.Lock()
	s.rate.window = d
	s.rate.mu.Unlock()
}

// RateLimited is how many 429s SetRateLimit has caused.
func (s *Server) RateLimited() int {
	s.rate.mu.Lock()
	defer s.rate.mu.Unlock()
	return s.rate.limited
}

// allow counts a request for token, or answers 429 and reports false. Like the
// real API it sends x-ratelimit-limit/-remaining/-reset (seconds) headers.
func (rl *rateLimiter) allow(w http.ResponseWriter, token string) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.limit <= 0 {
		return true
	}
	now := time.Now()
	if rl.now != nil {
		now = rl.now()
	}
	window := rl.window
	if window <= 0 {
		window = time.Minute
	}
	if rl.hits == nil {
		rl.hits = map[string][]time.Time{}
	}
	hits := rl.hits[token]
	for len(hits) > 0 && !hits[0].After(now.Add(-window)) {
		hits = hits[1:]
	}
	limited := len(hits) >= rl.limit
	if !limited {
		hits = append(hits, now)
	}
	rl.hits[token] = hits
	reset := strconv.Itoa(int(math.Ceil(hits[0].Add(window).Sub(now).Seconds())))
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(rl.limit))
	h.Set("x-ratelimit-remaining", strconv.Itoa(rl.limit-len(hits)))
	h.Set("x-ratelimit-reset", reset)
	if limited {
		rl.limited++
		h.Set("Retry-After", reset)
		writeError(w, http.StatusTooManyRequests, "Too many requests")
	}
	return !limited
}
