package client

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterPool hands out one token bucket per access token, shared by every
// Client built with the same pool, so that several clients (or concurrent
// tool calls) acting for the same user stay under the API's per-user limit.
//
// Buckets are keyed by a SHA-256 of the token so the secret itself is never
// kept as a map key. A refreshed OAuth token gets a fresh bucket; the 429
// handling in Client.Do covers the brief overlap.
//
// Over HTTP every client brings its own token, so the pool may see many:
// once it holds pruneAbove buckets, buckets that are full and unblocked (the
// same as a fresh one) are dropped before a new one is added.
type LimiterPool struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[[sha256.Size]byte]*bucket // one per distinct token
}

// pruneAbove is the bucket count above which idle buckets are dropped.
const pruneAbove = 1024

type bucket struct {
	lim *rate.Limiter

	mu    sync.Mutex
	until time.Time // set by Block after a 429
}

// NewLimiterPool returns a pool allowing perMinute requests per token;
// perMinute <= 0 means unlimited (Block still applies).
//
// A token bucket with burst b and refill rate r admits at most b + r·T
// requests in any window of length T. To guarantee that no 60 s window
// exceeds N we use a small burst b = max(1, N/30) and refill the rest,
// r = (N-b) per minute, so b + (N-b) = N. (For N = 1 the refill is kept at
// 1/min, otherwise the bucket would never refill.)
func NewLimiterPool(perMinute int) *LimiterPool {
	p := &LimiterPool{limit: rate.Inf, burst: 1, buckets: map[[sha256.Size]byte]*bucket{}}
	if perMinute > 0 {
		p.burst = max(1, perMinute/30)
		p.limit = rate.Limit(float64(max(perMinute-p.burst, 1)) / 60)
	}
	return p
}

func (p *LimiterPool) bucket(token string) *bucket {
	key := sha256.Sum256([]byte(token))
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[key]
	if b == nil {
		if len(p.buckets) >= pruneAbove {
			p.pruneLocked(time.Now())
		}
		b = &bucket{lim: rate.NewLimiter(p.limit, p.burst)}
		p.buckets[key] = b
	}
	return b
}

// pruneLocked drops the buckets that are indistinguishable from new ones:
// full and not blocked. A caller queued on a bucket has reserved a token, so
// its bucket is not full and stays.
func (p *LimiterPool) pruneLocked(now time.Time) {
	for key, b := range p.buckets {
		b.mu.Lock()
		blocked := b.until.After(now)
		b.mu.Unlock()
		if !blocked && (p.limit == rate.Inf || b.lim.TokensAt(now) >= float64(p.burst)) {
			delete(p.buckets, key)
		}
	}
}

// size is the number of buckets (for tests).
func (p *LimiterPool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.buckets)
}

// Wait blocks until the token's bucket yields one request (and any Block has
// expired), honouring ctx. If ctx's deadline comes before the wait would end
// it fails at once with an error wrapping context.DeadlineExceeded.
func (p *LimiterPool) Wait(ctx context.Context, token string) error {
	b := p.bucket(token)
	if err := b.waitUnblocked(ctx); err != nil {
		return err
	}
	if err := b.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// rate returns a plain error when the deadline is too close; make it matchable.
		return fmt.Errorf("waiting for rate limit would exceed the deadline: %w", context.DeadlineExceeded)
	}
	// A 429 may have arrived while we queued for the bucket.
	return b.waitUnblocked(ctx)
}

// Block makes every caller with this token wait until `until` (used after a
// 429, when the API rejects the user's requests for a while). It never
// shortens an existing block.
func (p *LimiterPool) Block(token string, until time.Time) {
	b := p.bucket(token)
	b.mu.Lock()
	if until.After(b.until) {
		b.until = until
	}
	b.mu.Unlock()
}

// blockedUntil reports the current block (for tests).
func (p *LimiterPool) blockedUntil(token string) time.Time {
	b := p.bucket(token)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.until
}

func (b *bucket) waitUnblocked(ctx context.Context) error {
	for { // loop: the block may be extended while we sleep
		b.mu.Lock()
		until := b.until
		b.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			return fmt.Errorf("rate limited for another %s, past the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits for d or until ctx is done, returning ctx.Err() in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
