package shared_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/shared"
	"github.com/supabase-mcp/supabase-mcp/internal/shared/sharedtest"
)

// Both stores keep the contract: Add never overwrites, Take hands one
// entry to exactly one of many concurrent takers.
func TestStoresAddOnceTakeOnce(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) shared.Store{
		"memory": func(*testing.T) shared.Store { return shared.NewMemory(0) },
		"redis":  func(t *testing.T) shared.Store { return sharedtest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			st, ctx := open(t), t.Context()
			if ok, err := st.Add(ctx, "k", []byte("v1"), time.Minute); !ok || err != nil {
				t.Fatalf("first add: %v %v", ok, err)
			}
			if ok, err := st.Add(ctx, "k", []byte("v2"), time.Minute); ok || err != nil {
				t.Fatalf("second add replaced the entry: %v %v", ok, err)
			}
			// A ttl of 0 keeps the entry until it is deleted, in both
			// stores alike (Redis's SET without expiry).
			if err := st.Set(ctx, "forever", []byte("v"), 0); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := st.Get(ctx, "forever"); !ok || err != nil || string(v) != "v" {
				t.Fatalf("an entry stored with ttl 0: %q %v %v", v, ok, err)
			}
			var won atomic.Int32
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					v, ok, err := st.Take(ctx, "k")
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
						if string(v) != "v1" {
							t.Errorf("took %q", v)
						}
					}
				})
			}
			wg.Wait()
			if won.Load() != 1 {
				t.Fatalf("%d takers got the entry, want 1", won.Load())
			}
			if _, ok, _ := st.Get(ctx, "k"); ok {
				t.Fatal("the entry is still there")
			}
		})
	}
}

// The shared bucket admits its burst, then refuses with the wait until the
// next request; a forced charge goes into debt.
func TestRedisBucket(t *testing.T) {
	r := sharedtest.Open(t)
	ctx := t.Context()
	for i := range 3 {
		if ok, _, err := r.Allow(ctx, "b", time.Hour, 3, false); !ok || err != nil {
			t.Fatalf("request %d of the burst: %v %v", i+1, ok, err)
		}
	}
	ok, wait, err := r.Allow(ctx, "b", time.Hour, 3, false)
	if ok || err != nil || wait < 59*time.Minute || wait > time.Hour {
		t.Fatalf("over the burst: allowed %v, wait %s, %v", ok, wait, err)
	}
	if ok, _, _ := r.Allow(ctx, "b", time.Hour, 3, true); !ok {
		t.Fatal("a forced charge was not counted")
	}
	if _, wait2, _ := r.Allow(ctx, "b", time.Hour, 3, false); wait2 < wait+59*time.Minute {
		t.Fatalf("the forced charge did not push the next request back: %s then %s", wait, wait2)
	}
}

// A rotated key set still verifies and opens what the old key made; a key
// dropped from the set does not.
func TestKeysRotate(t *testing.T) {
	oldKey, newKey := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="
	before, _ := shared.ParseKeys(oldKey)
	during, err := shared.ParseKeys(newKey + "\n" + oldKey)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := shared.ParseKeys(newKey)
	mac := before.MAC(shared.PurposeSessionID, []byte("m"))
	sealed := before.Sealer(shared.PurposeOAuthGrant).Seal([]byte("grant"), []byte("ad"))
	if !during.VerifyMAC(shared.PurposeSessionID, []byte("m"), mac) {
		t.Fatal("the overlap set refused the old key's MAC")
	}
	if pt, err := during.Sealer(shared.PurposeOAuthGrant).Open(sealed, []byte("ad")); err != nil || string(pt) != "grant" {
		t.Fatalf("the overlap set did not open the old seal: %v", err)
	}
	if after.VerifyMAC(shared.PurposeSessionID, []byte("m"), mac) {
		t.Fatal("a retired key still verifies")
	}
	if during.VerifyMAC(shared.PurposeElicitation, []byte("m"), mac) {
		t.Fatal("a MAC for one purpose verified for another")
	}
	if _, err := during.Sealer(shared.PurposeOAuthGrant).Open(sealed, []byte("other")); err == nil {
		t.Fatal("a seal opened under other associated data")
	}
	if _, err := shared.ParseKeys("short"); err == nil {
		t.Fatal("a short key was accepted")
	}
}
