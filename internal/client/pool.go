package client

import (
	"container/list"
	"crypto/sha256"
	"sync"

	"golang.org/x/oauth2"
)

// Pool hands out one Client per access token, for servers whose callers
// bring their own tokens (HTTP with bearer tokens). Every Client is built
// from the same Options with that token, and they share one LimiterPool,
// keyed by the tokens' Supabase user (Options.PerUser): a user's tokens
// share one bucket, as the API counts them.
//
// Clients are keyed by a SHA-256 of the token; the least recently used one
// is dropped when the pool is full (a Client holds no goroutines or
// connections of its own, so dropping it is free).
type Pool struct {
	opts Options
	max  int

	mu      sync.Mutex
	lru     *list.List // of *poolEntry, most recent first
	entries map[[sha256.Size]byte]*list.Element
}

type poolEntry struct {
	key    [sha256.Size]byte
	client *Client
}

// DefaultPoolSize bounds a Pool made with size <= 0.
const DefaultPoolSize = 256

// NewPool validates opts (its TokenSource is ignored: each Client gets its
// token) and returns a pool of at most size clients.
func NewPool(opts Options, size int) (*Pool, error) {
	if size <= 0 {
		size = DefaultPoolSize
	}
	if opts.Limiters == nil {
		opts.Limiters = NewLimiterPool(defaultPerMinute)
	}
	// Callers bring their own tokens, and one user may bring several.
	opts.PerUser = true
	opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "validation"})
	if _, err := New(opts); err != nil {
		return nil, err
	}
	opts.TokenSource = nil
	return &Pool{opts: opts, max: size, lru: list.New(), entries: map[[sha256.Size]byte]*list.Element{}}, nil
}

// Get returns the Client for token, building it on first use.
func (p *Pool) Get(token string) *Client {
	key := sha256.Sum256([]byte(token))
	p.mu.Lock()
	defer p.mu.Unlock()
	if el, ok := p.entries[key]; ok {
		p.lru.MoveToFront(el)
		return el.Value.(*poolEntry).client
	}
	opts := p.opts
	opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
	c, err := New(opts)
	if err != nil { // cannot happen: opts were validated by NewPool
		panic(err)
	}
	p.entries[key] = p.lru.PushFront(&poolEntry{key: key, client: c})
	for p.lru.Len() > p.max {
		last := p.lru.Back()
		p.lru.Remove(last)
		delete(p.entries, last.Value.(*poolEntry).key)
	}
	return c
}

// Len is the number of clients held.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lru.Len()
}
