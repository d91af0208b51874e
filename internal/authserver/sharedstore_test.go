package authserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// The shared-store adapter keeps the Store contract: missing keys are
// ErrNotFound, Take is single use, PutNew does not overwrite.
func TestSharedStoreKeepsTheContract(t *testing.T) {
	ctx := context.Background()
	s := SharedStore{S: shared.NewMemory(100)}
	if _, err := s.Get(ctx, "code:x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get of a missing key: %v", err)
	}
	if err := s.Put(ctx, "code:x", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "client:c", []byte("kept"), 0); err != nil { // clients are kept until deleted
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "client:c"); err != nil || string(v) != "kept" {
		t.Fatalf("an entry without expiry: %q %v", v, err)
	}
	if v, err := s.Take(ctx, "code:x"); err != nil || string(v) != "v" {
		t.Fatalf("take: %q %v", v, err)
	}
	if _, err := s.Take(ctx, "code:x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second take: %v", err)
	}
	if ok, err := s.PutNew(ctx, "grant-lock:g", []byte("1"), time.Minute); !ok || err != nil {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if ok, err := s.PutNew(ctx, "grant-lock:g", []byte("2"), time.Minute); ok || err != nil {
		t.Fatalf("second lock: %v %v", ok, err)
	}
	if err := s.Delete(ctx, "grant-lock:g", "absent"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "grant-lock:g"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}
