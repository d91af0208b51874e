// Package client is the HTTP client for the Supabase Management API. It adds
// authentication, a per-token rate limit shared between clients, retries that
// never resend a non-idempotent request of unknown outcome, a response size
// cap, and redaction of the access token from every error and log line.
package client

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Request is one HTTP call to the Management API. Path is already escaped and starts with /v1/.
type Request struct {
	Method      string
	Path        string
	Query       url.Values
	Body        []byte // nil for no body
	ContentType string // defaults to application/json when Body != nil
	// Redact lists secret values in Path or Query (a claim token in the
	// path): log lines and errors show the path with them replaced.
	Redact []string
	// IdempotencyKey, when set, is sent as the Idempotency-Key header on
	// every attempt: the API applies the request once per key, so a POST or
	// PUT with one is retried like a GET on network errors and 5xx.
	IdempotencyKey string
}

// Response is a successful (2xx) answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Options configures a Client. Zero values select the documented defaults.
type Options struct {
	BaseURL          string             // e.g. https://api.supabase.com (trailing slash optional)
	TokenSource      oauth2.TokenSource // required; a personal access token is oauth2.StaticTokenSource
	UserAgent        string             // e.g. "supabase-mcp/1.2.3"
	Limiters         *LimiterPool       // shared bucket per access token; nil => NewLimiterPool(60)
	MaxRateWait      time.Duration      // longest wait for the limiter (else a RateLimitError) or a 429 (else its APIError); 0 => 60s, negative => no cap
	Timeout          time.Duration      // per attempt; default 60s
	MaxResponseBytes int64              // default 8 MiB
	MaxRetries       int                // retries after the first attempt; 0 => 3, negative => none
	HTTPClient       *http.Client       // optional; its Transport is used as the base transport
	Logger           *slog.Logger       // optional; default discards
	// PerUser keys the rate limit by the token's Supabase user (found with
	// GET /v1/profile on the token's first request, then remembered), as
	// the API counts it: a user's tokens share one budget. Off, each token
	// has its own (one token per process: stdio).
	PerUser bool
}

const (
	defaultPerMinute = 60 // documented Management API limit per user
	defaultTimeout   = 60 * time.Second
	defaultMaxBytes  = 8 << 20
	defaultRetries   = 3

	backoffBase = 200 * time.Millisecond
	backoffCap  = 5 * time.Second

	default429Wait = 60 * time.Second // the API blocks for a minute when over the limit
	maxRetryWait   = 120 * time.Second
)

// Client calls the Management API. It is safe for concurrent use.
type Client struct {
	base       string // scheme://host[/prefix], no trailing slash
	ts         oauth2.TokenSource
	userAgent  string
	limiters   *LimiterPool
	maxWait    time.Duration // <= 0: no cap
	timeout    time.Duration
	maxBytes   int64
	maxRetries int
	hc         *http.Client
	log        *slog.Logger
	perUser    bool
}

// New validates opts and returns a Client.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("client: BaseURL is required")
	}
	if opts.TokenSource == nil {
		return nil, errors.New("client: TokenSource is required")
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: invalid BaseURL %q: want http(s)://host[/prefix]", opts.BaseURL)
	}
	c := &Client{
		base:       strings.TrimRight(u.String(), "/"),
		ts:         opts.TokenSource,
		userAgent:  opts.UserAgent,
		limiters:   opts.Limiters,
		maxWait:    opts.MaxRateWait,
		timeout:    opts.Timeout,
		maxBytes:   opts.MaxResponseBytes,
		maxRetries: opts.MaxRetries,
		log:        opts.Logger,
		perUser:    opts.PerUser,
	}
	if c.limiters == nil {
		c.limiters = NewLimiterPool(defaultPerMinute)
	}
	if c.maxWait == 0 {
		c.maxWait = DefaultMaxRateWait
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = defaultMaxBytes
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	rt := http.RoundTripper(newTransport())
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		rt = opts.HTTPClient.Transport
	}
	// Our own http.Client: no client-wide Timeout (we time each attempt) and
	// auth is set per attempt so the token in use is known for redaction.
	c.hc = &http.Client{Transport: rt}
	return c, nil
}

// BaseURL is the API's URL (scheme://host[/prefix]) the client calls.
func (c *Client) BaseURL() string { return c.base }

// Limiters is the pool of rate-limit buckets the client waits on.
func (c *Client) Limiters() *LimiterPool { return c.limiters }

// newTransport is http.DefaultTransport's settings keeping more idle
// connections per host: with its 2, every concurrent call beyond two
// (mcp-go runs five tool calls at once on stdio, more over HTTP) closed its
// connection afterwards, so the next ones paid a new TCP and TLS handshake
// to the API. It is a literal, not DefaultTransport.Clone(): Clone sets up
// HTTP/2 at once, which every start paid (code pages and all) before any
// request; a fresh Transport does that on its first request.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// Do sends req, waiting for the rate limiter and retrying where safe:
//   - 429: the API did not process the request, so any method is retried
//     after Retry-After / x-ratelimit-reset (default 60 s, capped at 120 s),
//     unless that is longer than Options.MaxRateWait;
//   - 5xx and network errors: retried with jittered backoff for GET and HEAD,
//     and for requests with an IdempotencyKey (the API applies those once);
//     never for other writes, since resending a write whose outcome is
//     unknown could apply it twice.
//
// Non-2xx answers yield *APIError; a cancelled ctx yields a wrapped ctx.Err()
// (matching ErrNotSent too when no attempt can have reached the API);
// a call the limiter refuses yields a wrapped *RateLimitError. Calls are
// shared fairly between the callers set with WithCaller.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	method := cmp.Or(strings.ToUpper(req.Method), http.MethodGet)
	if !strings.HasPrefix(req.Path, "/") {
		return nil, fmt.Errorf("%s %s: path must start with /", method, redactValues(req.Path, req.Redact))
	}
	u := c.base + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	// path is what logs and errors show: secret path values replaced.
	path := redactValues(req.Path, req.Redact)
	safe := method == http.MethodGet || method == http.MethodHead || req.IdempotencyKey != ""

	// Until an attempt may have reached the API (anything but a 429), an
	// error before sending means the call never had an effect.
	var reached bool
	unsent := func(err error) error {
		if reached {
			return err
		}
		return &notSent{err}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.ts.Token()
		if err != nil {
			return nil, unsent(fmt.Errorf("%s %s: %w: %w", method, path, ErrToken, err))
		}
		secret := tok.AccessToken
		if secret == "" {
			return nil, unsent(fmt.Errorf("%s %s: %w: empty access token", method, path, ErrToken))
		}
		key, err := c.limitKey(ctx, secret, method, req)
		if err != nil {
			return nil, unsent(fmt.Errorf("%s %s: %w", method, path, err))
		}
		if err := c.limiters.Wait(ctx, key, c.maxWait); err != nil {
			return nil, unsent(fmt.Errorf("%s %s: %w", method, path, err))
		}
		// Cancelled just as the token came: still nothing sent.
		if err := ctx.Err(); err != nil {
			return nil, unsent(fmt.Errorf("%s %s: %w", method, path, err))
		}

		start := time.Now()
		resp, err := c.send(ctx, method, u, path, req, secret)
		attrs := []any{"method", method, "path", path, "attempt", attempt + 1, "duration", time.Since(start)}
		if resp != nil {
			attrs = append(attrs, "status", resp.Status)
		}
		if err != nil {
			attrs = append(attrs, "error", err.Error()) // already redacted
		}
		c.log.DebugContext(ctx, "management api request", attrs...)
		reached = reached || resp == nil || resp.Status != http.StatusTooManyRequests

		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, ctx.Err())
			}
			if !safe || errors.Is(err, ErrResponseTooLarge) {
				return nil, err
			}
			wait = backoff(attempt)
		case resp.Status >= 200 && resp.Status < 300:
			if key == secret && c.perUser && isProfile(method, req) {
				c.learnUser(ctx, secret, resp.Body)
			}
			return resp, nil
		default:
			apiErr := &APIError{
				Status:  resp.Status,
				Message: redactValues(redact(apiMessage(resp.Status, resp.Body), secret), req.Redact),
				Method:  method,
				Path:    path,
			}
			ra, hasRA := retryAfter(resp.Header, time.Now())
			apiErr.RetryAfter = ra
			switch {
			case resp.Status == http.StatusTooManyRequests:
				if !hasRA {
					apiErr.RetryAfter = default429Wait
				}
				wait = apiErr.RetryAfter
				// Everyone using this token is rejected until then; hold them back too.
				c.limiters.Block(key, c.limiters.clock.Now().Add(wait))
				if c.maxWait > 0 && wait > c.maxWait {
					return nil, apiErr // says when to retry; the API processed nothing
				}
			case resp.Status >= 500 && safe:
				wait = backoff(attempt)
			default:
				return nil, apiErr
			}
			err = apiErr
		}
		if attempt >= c.maxRetries {
			return nil, err
		}
		// Sleeping into the deadline would only turn a clear error into a timeout.
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			return nil, err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, serr)
		}
	}
}

// limitKey is the rate-limit bucket for a request with token: the token's
// user's when known (Options.PerUser), else the token's own. A user not yet
// known is looked up first with GET /v1/profile, unless the request is that
// very lookup (it then goes under the token's bucket and is charged to the
// user's once the answer names them). A lookup that fails fails the call,
// which then sent nothing of its own.
func (c *Client) limitKey(ctx context.Context, secret, method string, req *Request) (string, error) {
	if !c.perUser {
		return secret, nil
	}
	if user, ok := c.limiters.knownUser(ctx, secret); ok {
		if user == "" {
			return secret, nil
		}
		return userKey(user), nil
	}
	if isProfile(method, req) {
		return secret, nil
	}
	if _, err := c.Do(ctx, &Request{Method: http.MethodGet, Path: profilePath}); err != nil {
		return "", fmt.Errorf("finding the token's user (GET %s): %w", profilePath, err)
	}
	if user, ok := c.limiters.knownUser(ctx, secret); ok && user != "" {
		return userKey(user), nil
	}
	return secret, nil
}

// learnUser remembers the user a profile answer names, and charges the
// profile request to that user's bucket, where it counts for the API.
func (c *Client) learnUser(ctx context.Context, secret string, body []byte) {
	user := profileUser(body)
	if _, known := c.limiters.knownUser(ctx, secret); known {
		return
	}
	c.limiters.rememberUser(ctx, secret, user, true)
	if user != "" {
		c.limiters.Charge(userKey(user))
	}
}

// send performs one attempt under the per-attempt timeout. A non-nil error
// means no usable response (network failure, timeout or oversized body);
// every error text is redacted.
func (c *Client) send(ctx context.Context, method, u, path string, r *Request, secret string) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	hreq, err := http.NewRequestWithContext(actx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: invalid request: %s", method, path, redactValues(redact(err.Error(), secret), r.Redact))
	}
	hreq.Header.Set("Authorization", "Bearer "+secret)
	hreq.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		hreq.Header.Set("User-Agent", c.userAgent)
	}
	if r.Body != nil {
		hreq.Header.Set("Content-Type", cmp.Or(r.ContentType, "application/json"))
	}
	if r.IdempotencyKey != "" {
		hreq.Header.Set("Idempotency-Key", r.IdempotencyKey)
	}

	hresp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, c.networkError(ctx, actx, method, path, secret, err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, c.maxBytes+1))
	if err != nil {
		return nil, c.networkError(ctx, actx, method, path, secret, err)
	}
	if int64(len(data)) > c.maxBytes {
		if hresp.StatusCode/100 == 2 {
			return nil, &wrapped{fmt.Sprintf("response from %s %s exceeds %s; narrow the request (filter, limit or page)",
				method, path, formatBytes(c.maxBytes)), ErrResponseTooLarge}
		}
		data = data[:c.maxBytes] // an error body is only quoted, a prefix will do
	}
	return &Response{Status: hresp.StatusCode, Header: hresp.Header, Body: data}, nil
}

// networkError describes a transport failure without the URL (net/http puts
// it in url.Error) and with the token redacted.
func (c *Client) networkError(ctx, actx context.Context, method, path, secret string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	detail := err.Error()
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		detail = fmt.Sprintf("no response within %s (%s)", c.timeout, detail)
	}
	return &wrapped{fmt.Sprintf("%s %s: network error: %s", method, path, redact(detail, secret)), err}
}

// redactValues replaces each secret value (raw or escaped) in s.
func redactValues(s string, secrets []string) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.NewReplacer(v, redacted, url.PathEscape(v), redacted, url.QueryEscape(v), redacted).Replace(s)
		}
	}
	return s
}

// backoff returns a full-jitter exponential delay for the given attempt.
func backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt < 10 {
		d = min(backoffCap, backoffBase<<attempt)
	}
	return rand.N(d + 1)
}

// retryAfter reads Retry-After (seconds or an HTTP date) or x-ratelimit-reset
// (seconds until reset), capped at maxRetryWait. ok is false if neither is usable.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	secs := func(v string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && f >= 0 && !math.IsInf(f, 0) // f >= 0 also rejects NaN
	}
	clamp := func(d time.Duration) (time.Duration, bool) { return min(max(d, 0), maxRetryWait), true }
	if v := h.Get("Retry-After"); v != "" {
		if f, ok := secs(v); ok {
			return clamp(time.Duration(min(f, maxRetryWait.Seconds()) * float64(time.Second)))
		}
		if t, err := http.ParseTime(v); err == nil {
			return clamp(t.Sub(now))
		}
	}
	if f, ok := secs(h.Get("X-Ratelimit-Reset")); ok {
		if f > 1e9 { // some servers send a Unix timestamp instead
			return clamp(time.Unix(int64(f), 0).Sub(now))
		}
		return clamp(time.Duration(min(f, maxRetryWait.Seconds()) * float64(time.Second)))
	}
	return 0, false
}
