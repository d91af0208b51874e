// Package shared holds the state that every replica of an HTTP deployment
// must see alike: single-use entries (confirmation tokens, elicitation
// states), caches (token checks, token-to-user mappings), the shared rate
// limit, and the keys that sign and seal what travels through clients.
//
// Store is a small key-value store with expiry. Memory keeps it in the
// process (one replica, stdio); Redis (--redis-url) shares it between
// replicas. Every operation that decides a single use is atomic in both.
package shared

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Store is a key-value store whose entries expire. Keys are namespaced by
// the caller (see the Prefix* constants); values are opaque bytes.
//
// Errors mean the store could not be asked (Redis unreachable): callers
// fail closed on them. A missing key is not an error.
type Store interface {
	// Add stores value under key for ttl (0: until deleted) if key is absent, atomically; it
	// reports false (and changes nothing) when key is already there.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Set stores value under key for ttl (0: until deleted), replacing any value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get returns key's value; ok is false when it is absent or expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Take returns key's value and deletes it, atomically: of concurrent
	// Takes of one key (on any replica), at most one gets ok.
	Take(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store can be used now (for /healthz).
	Ping(ctx context.Context) error
}

// Key namespaces, so that one kind of entry can never be read as another.
const (
	PrefixConfirmToken = "confirm-token:"
	PrefixConfirmState = "confirm-state:"
	PrefixTokenCheck   = "token-check:"
	PrefixTokenUser    = "token-user:"
	PrefixRateLimit    = "rate:"
	// PrefixOAuthGrant is for the OAuth authorization-server mode: grants
	// kept with Sealed (encrypted at rest).
	PrefixOAuthGrant = "oauth-grant:"
)

// ErrUnavailable wraps every error of a store that could not be reached.
var ErrUnavailable = errors.New("the shared state store (Redis) is unreachable")

// Memory is a Store in this process's memory, bounded to maxEntries: when
// full of live entries an arbitrary one is dropped (a dropped confirmation
// then fails as unknown, which is safe).
type Memory struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memEntry
}

type memEntry struct {
	value   []byte
	expires time.Time // zero: never (a ttl of 0, as in Redis)
}

// DefaultMemoryEntries bounds a Memory made with max <= 0.
const DefaultMemoryEntries = 16384

// NewMemory returns an empty in-process store of at most max entries.
func NewMemory(max int) *Memory { return NewMemoryClock(max, time.Now) }

// NewMemoryClock is NewMemory with another clock (tests move time on).
func NewMemoryClock(max int, now func() time.Time) *Memory {
	if max <= 0 {
		max = DefaultMemoryEntries
	}
	return &Memory{max: max, now: now, entries: map[string]memEntry{}}
}

func (e memEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

func (m *Memory) liveLocked(key string, now time.Time) (memEntry, bool) {
	e, ok := m.entries[key]
	if ok && e.expired(now) {
		delete(m.entries, key)
		return memEntry{}, false
	}
	return e, ok
}

func (m *Memory) putLocked(key string, value []byte, ttl time.Duration, now time.Time) {
	if _, exists := m.entries[key]; !exists && len(m.entries) >= m.max {
		for k, e := range m.entries { // expired entries first
			if e.expired(now) {
				delete(m.entries, k)
			}
		}
		for k := range m.entries {
			if len(m.entries) < m.max {
				break
			}
			delete(m.entries, k)
		}
	}
	e := memEntry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	m.entries[key] = e
}

// Add implements Store.
func (m *Memory) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if _, ok := m.liveLocked(key, now); ok {
		return false, nil
	}
	m.putLocked(key, value, ttl, now)
	return true, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(key, value, ttl, m.now())
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.liveLocked(key, m.now())
	return e.value, ok, nil
}

// Take implements Store.
func (m *Memory) Take(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.liveLocked(key, m.now())
	delete(m.entries, key)
	return e.value, ok, nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

// Ping implements Store: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

// Live drops the expired entries and counts the others.
func (m *Memory) Live() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for k, e := range m.entries {
		if e.expired(now) {
			delete(m.entries, k)
		}
	}
	return len(m.entries)
}

// Count drops the expired entries and counts the others for which keep
// reports true.
func (m *Memory) Count(keep func(value []byte) bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	now, n := m.now(), 0
	for k, e := range m.entries {
		switch {
		case e.expired(now):
			delete(m.entries, k)
		case keep(e.value):
			n++
		}
	}
	return n
}
