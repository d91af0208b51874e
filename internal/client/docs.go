package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultDocsURL is the GraphQL Content API of Supabase's documentation,
// the endpoint Supabase's official MCP server searches.
const DefaultDocsURL = "https://supabase.com/docs/api/graphql"

// DocsOptions configures a Docs client. Zero values select the defaults.
type DocsOptions struct {
	URL              string        // the GraphQL endpoint; default DefaultDocsURL
	UserAgent        string        // e.g. "supabase-mcp/1.2.3"
	Timeout          time.Duration // per call; default 15s
	MaxResponseBytes int64         // default 1 MiB
	// PerMinute bounds the calls to the endpoint (one bucket for the
	// server); 0 means 60, negative means no bound.
	PerMinute  int
	HTTPClient *http.Client // optional; its Transport is used
}

const (
	defaultDocsTimeout  = 15 * time.Second
	defaultDocsMaxBytes = 1 << 20
	docsBucket          = "docs"
)

// Docs posts queries to the documentation's GraphQL endpoint. It is not the
// Management API client: it never holds or sends an access token, follows
// no redirects (an answer elsewhere is an error, not a second request), and
// has its own timeout, size cap and rate limit.
type Docs struct {
	url       string
	userAgent string
	timeout   time.Duration
	maxBytes  int64
	limiter   *LimiterPool
	hc        *http.Client
}

// NewDocs validates opts and returns a Docs client. Nothing is sent.
func NewDocs(opts DocsOptions) (*Docs, error) {
	raw := opts.URL
	if raw == "" {
		raw = DefaultDocsURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("docs URL %q: want http(s)://host/path", raw)
	}
	d := &Docs{url: u.String(), userAgent: opts.UserAgent, timeout: opts.Timeout, maxBytes: opts.MaxResponseBytes}
	if d.timeout <= 0 {
		d.timeout = defaultDocsTimeout
	}
	if d.maxBytes <= 0 {
		d.maxBytes = defaultDocsMaxBytes
	}
	switch {
	case opts.PerMinute == 0:
		d.limiter = NewLimiterPool(defaultPerMinute)
	case opts.PerMinute > 0:
		d.limiter = NewLimiterPool(opts.PerMinute)
	default:
		d.limiter = NewLimiterPool(0)
	}
	rt := http.RoundTripper(newTransport())
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		rt = opts.HTTPClient.Transport
	}
	d.hc = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return d, nil
}

// URL is the endpoint the client posts to.
func (d *Docs) URL() string { return d.url }

// Do posts req's body to the endpoint: req.Path must be empty (the
// endpoint itself) and the method POST. Errors are the Management client's
// kinds: *APIError for a non-2xx answer, ErrResponseTooLarge, ErrNotSent
// when nothing left. A query is a read, so a failed one may be repeated;
// it is not retried here, to keep a slow endpoint from holding the call.
func (d *Docs) Do(ctx context.Context, req *Request) (*Response, error) {
	if req.Path != "" || !strings.EqualFold(req.Method, http.MethodPost) || len(req.Query) > 0 {
		return nil, &notSent{errors.New("docs: only a POST of the endpoint itself is sent")}
	}
	if err := d.limiter.Wait(ctx, docsBucket, DefaultMaxRateWait); err != nil {
		return nil, &notSent{fmt.Errorf("docs search: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(req.Body))
	if err != nil {
		return nil, &notSent{err}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if d.userAgent != "" {
		hr.Header.Set("User-Agent", d.userAgent)
	}
	resp, err := d.hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("docs search: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, d.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("docs search: reading the answer: %w", err)
	}
	if int64(len(body)) > d.maxBytes {
		return nil, fmt.Errorf("%w: the docs answer is over %d bytes; search for something narrower", ErrResponseTooLarge, d.maxBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &APIError{Method: http.MethodPost, Path: "docs", Status: resp.StatusCode, Message: strings.ToValidUTF8(strings.TrimSpace(string(body[:min(len(body), maxSnippet)])), "")}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
