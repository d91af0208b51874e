package authserver

import (
	"context"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// SharedStore keeps the authorization server's state in a shared.Store
// (Redis with --redis-url), so that every replica knows every client,
// code, token record and sealed grant. Keys are namespaced under "oauth:".
type SharedStore struct{ S shared.Store }

const sharedPrefix = "oauth:"

func (s SharedStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.S.Set(ctx, sharedPrefix+key, value, ttl)
}

func (s SharedStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, ok, err := s.S.Get(ctx, sharedPrefix+key)
	if err == nil && !ok {
		return nil, ErrNotFound
	}
	return v, err
}

func (s SharedStore) Take(ctx context.Context, key string) ([]byte, error) {
	v, ok, err := s.S.Take(ctx, sharedPrefix+key)
	if err == nil && !ok {
		return nil, ErrNotFound
	}
	return v, err
}

func (s SharedStore) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := s.S.Delete(ctx, sharedPrefix+k); err != nil {
			return err
		}
	}
	return nil
}

func (s SharedStore) PutNew(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return s.S.Add(ctx, sharedPrefix+key, value, ttl)
}
