package authserver

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is returned by a Store for a key it does not hold (never
// stored, deleted, taken or expired).
var ErrNotFound = errors.New("authserver: not found")

// Store is everything the authorization server keeps: registered clients,
// pending authorizations, codes, token records (by signature, never the
// token) and the sealed Supabase grants. Values are opaque bytes; keys are
// short ASCII strings with a kind prefix ("client:", "code:", "grant:"...).
// It is small so that a shared store (Redis: SET PX, GET, GETDEL, DEL) can
// back several replicas.
type Store interface {
	// Put stores value under key, replacing any value; ttl > 0 makes it
	// expire then, 0 keeps it until deleted.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get returns the value, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Take returns the value and deletes it in one atomic step, or
	// ErrNotFound: of two concurrent Takes of one key, one gets it. Single
	// use (codes, pending authorizations, refresh rotation) rests on it.
	Take(ctx context.Context, key string) ([]byte, error)
	// Delete removes keys; absent keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// PutNew stores value only if key holds nothing (SET NX PX), and
	// reports whether it did: the lock that lets one replica at a time
	// refresh a Supabase grant (whose refresh token works once).
	PutNew(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
}

// MemoryStore is a Store in process memory, for one replica.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[string]memoryEntry
	now     func() time.Time
}

type memoryEntry struct {
	value   []byte
	expires time.Time // zero: never
}

// maxMemoryEntries bounds a MemoryStore: beyond it expired entries are
// swept before a Put, and a Put that still finds it full fails (closed:
// a flood of registrations cannot grow the process without bound).
const maxMemoryEntries = 1 << 16

// ErrStoreFull is returned by MemoryStore.Put when it holds maxMemoryEntries.
var ErrStoreFull = errors.New("authserver: the in-memory store is full")

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{entries: map[string]memoryEntry{}, now: time.Now}
}

func (m *MemoryStore) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.entries) >= maxMemoryEntries {
		for k, e := range m.entries {
			if e.expired(now) {
				delete(m.entries, k)
			}
		}
		if _, replacing := m.entries[key]; !replacing && len(m.entries) >= maxMemoryEntries {
			return ErrStoreFull
		}
	}
	e := memoryEntry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	m.entries[key] = e
	return nil
}

func (m *MemoryStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.expired(m.now()) {
		return nil, ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (m *MemoryStore) Take(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	delete(m.entries, key)
	if !ok || e.expired(m.now()) {
		return nil, ErrNotFound
	}
	return e.value, nil
}

func (m *MemoryStore) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
	return nil
}

func (e memoryEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

func (m *MemoryStore) PutNew(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return m.putNew(key, value, ttl)
}

func (m *MemoryStore) putNew(key string, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.entries[key]; ok && !e.expired(now) {
		return false, nil
	}
	if len(m.entries) >= maxMemoryEntries {
		return false, ErrStoreFull
	}
	e := memoryEntry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	m.entries[key] = e
	return true, nil
}
