package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrResponseTooLarge is wrapped by the error Do returns when a successful
// response body exceeds Options.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response too large")

// ErrToken is wrapped by the error Do returns when the TokenSource yields no
// usable token (for example a stored login that can no longer be refreshed);
// nothing was sent.
var ErrToken = errors.New("no usable access token")

// ErrRateLimited is matched (errors.Is) by every *RateLimitError.
var ErrRateLimited = errors.New("rate limited")

// RateLimitError is the limiter's refusal: the call would have waited too
// long for its token's budget, or its caller already has too many calls
// waiting. Nothing was sent; the call may be repeated after RetryAfter.
type RateLimitError struct {
	RetryAfter time.Duration // estimated wait, were the call queued now
	QueueFull  bool          // the caller's queue was full
	cause      error         // context.DeadlineExceeded when the call's deadline came first
}

func (e *RateLimitError) Error() string {
	if errors.Is(e.cause, ErrLimiterUnavailable) {
		return fmt.Sprintf("%v; nothing was sent: retry after %d s", ErrLimiterUnavailable, e.RetrySeconds())
	}
	if e.QueueFull {
		return fmt.Sprintf("rate limited: too many calls waiting for this session; retry after %d s", e.RetrySeconds())
	}
	return fmt.Sprintf("rate limited: retry after %d s", e.RetrySeconds())
}

// RetrySeconds is RetryAfter in whole seconds, rounded up, at least 1.
func (e *RateLimitError) RetrySeconds() int64 {
	return max(1, int64((e.RetryAfter+time.Second-1)/time.Second))
}

func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }
func (e *RateLimitError) Unwrap() error        { return e.cause }

// ErrNotSent is matched (errors.Is) by an error from Do when no attempt can
// have reached the API: the call was cancelled, timed out or refused while
// it waited for the rate limiter, so it had no effect.
var ErrNotSent = errors.New("nothing was sent")

// notSent marks err as ErrNotSent without changing its text.
type notSent struct{ err error }

func (e *notSent) Error() string        { return e.err.Error() }
func (e *notSent) Unwrap() error        { return e.err }
func (e *notSent) Is(target error) bool { return target == ErrNotSent }

// maxSnippet bounds the raw body quoted in an APIError when the API gave no
// structured message.
const maxSnippet = 500

// APIError is returned for any non-2xx answer (after retries).
type APIError struct {
	Status     int
	Message    string // the API's own message (token redacted)
	Method     string
	Path       string
	RetryAfter time.Duration // from Retry-After / x-ratelimit-reset when present
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	text := http.StatusText(e.Status)
	if text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" && e.Message != text {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// apiMessage extracts the API's message from an error body: a JSON
// "message", "error" (string or {"message": ...}) or "msg" field, else a
// trimmed snippet of the body, else the status text.
func apiMessage(status int, body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range []string{"message", "error", "msg"} {
			switch v := m[k].(type) {
			case string:
				if s := strings.TrimSpace(v); s != "" {
					return s
				}
			case map[string]any:
				if s, _ := v["message"].(string); strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	if s := strings.TrimSpace(string(body)); s != "" {
		if len(s) > maxSnippet {
			s = strings.ToValidUTF8(s[:maxSnippet], "") + "…" // drop a rune cut in half
		}
		return s
	}
	return http.StatusText(status)
}

// wrapped carries a message built from redacted text while still letting
// errors.Is/As reach the cause (e.g. context.DeadlineExceeded, net.Error).
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

const redacted = "[REDACTED]"

// redact removes the access token (raw or URL-escaped) from s.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.NewReplacer(secret, redacted, url.QueryEscape(secret), redacted).Replace(s)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
