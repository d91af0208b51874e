package client

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterPool hands out one token bucket per access token, shared by every
// Client built with the same pool, so that several clients (or concurrent
// tool calls) acting for the same user stay under the API's per-user limit.
//
// Calls that find no token wait in the bucket's queue, one queue per caller
// (see WithCaller), and tokens go round robin across the callers with calls
// waiting: a session with 200 calls queued delays another session's single
// call by at most one turn, not by 200 tokens. Each caller may have at most
// maxQueued calls waiting, and no call waits longer than its max wait: both
// refusals are a *RateLimitError, sent nothing and say when to retry.
//
// Buckets are keyed by a SHA-256 of the token so the secret itself is never
// kept as a map key. A refreshed OAuth token gets a fresh bucket; the 429
// handling in Client.Do covers the brief overlap.
//
// Over HTTP every client brings its own token, so the pool may see many:
// once it holds pruneAbove buckets, buckets that are full, unblocked and
// without waiters (the same as a fresh one) are dropped before a new one is added.
type LimiterPool struct {
	perSecond float64 // refill rate; +Inf means unlimited (Block still applies)
	burst     float64
	maxQueued int // calls one caller may have waiting on one bucket
	clock     clock
	// remote, when set, holds the buckets themselves (Redis, shared by
	// every replica); the local bucket then only queues and orders calls.
	remote SharedBuckets

	mu      sync.Mutex
	buckets map[[sha256.Size]byte]*bucket // one per distinct key (token or user)

	users     userCache // token -> user, once resolved (Options.PerUser)
	userStore UserStore // shares those mappings between replicas; nil: none
}

// SharedBuckets is a rate limit kept outside the process (redisstore.Store):
// Allow takes one request from key's bucket (rate one per interval, with
// burst), atomically for every replica, or says when the next one will be
// there; force charges a request that is sent regardless.
type SharedBuckets interface {
	Allow(ctx context.Context, key string, interval time.Duration, burst int, force bool) (allowed bool, retryAfter time.Duration, err error)
}

// ErrLimiterUnavailable: the shared rate limit could not be asked. The
// call is refused (never sent): without the shared count, replicas could
// together exceed the API's limit.
var ErrLimiterUnavailable = errors.New("the shared rate limiter (Redis) cannot be reached")

// sharedMargin stretches the shared bucket's minute: a request is counted
// by the shared limiter before it travels to the API, and the API counts it
// on arrival, so arrivals can bunch by the network's jitter. A second in
// sixty leaves room for that.
const sharedMargin = 61.0 / 60.0

// remoteTimeout bounds one question to the shared limiter.
const remoteTimeout = 2 * time.Second

const (
	// pruneAbove is the bucket count above which idle buckets are dropped.
	pruneAbove = 1024
	// DefaultMaxQueuedPerCaller is how many calls one caller (session) may
	// have waiting for one token's bucket; more are refused at once.
	DefaultMaxQueuedPerCaller = 50
	// DefaultMaxRateWait is the longest a call waits for the limiter before
	// it is refused (Options.MaxRateWait).
	DefaultMaxRateWait = 60 * time.Second
)

// NewLimiterPool returns a pool allowing perMinute requests per token;
// perMinute <= 0 means unlimited (Block still applies).
//
// A token bucket with burst b and refill rate r admits at most b + r·T
// requests in any window of length T. To guarantee that no 60 s window
// exceeds N we use a small burst b = max(1, N/30) and refill the rest,
// r = (N-b) per minute, so b + (N-b) = N. (For N = 1 the refill is kept at
// 1/min, otherwise the bucket would never refill.) Fair queueing only
// chooses which waiting call gets the next token, never adds one.
func NewLimiterPool(perMinute int) *LimiterPool {
	return newLimiterPool(perMinute, realClock{})
}

// newTokens is a full bucket of this pool's rate and burst.
func (p *LimiterPool) newTokens() *rate.Limiter {
	if p.unlimited() {
		return rate.NewLimiter(rate.Inf, int(p.burst))
	}
	return rate.NewLimiter(rate.Limit(p.perSecond), int(p.burst))
}

func (p *LimiterPool) unlimited() bool { return math.IsInf(p.perSecond, 1) }

// NewSharedLimiterPool is NewLimiterPool with the buckets in remote (every
// replica sharing one budget per key), with a second of margin per minute
// (sharedMargin). Calls still queue fairly in this process; when remote
// cannot be reached they are refused with ErrLimiterUnavailable.
func NewSharedLimiterPool(perMinute int, remote SharedBuckets) *LimiterPool {
	p := newLimiterPool(perMinute, realClock{})
	if !p.unlimited() {
		p.remote = remote
		p.perSecond /= sharedMargin
	}
	return p
}

// interval is the shared bucket's emission interval.
func (p *LimiterPool) interval() time.Duration {
	return time.Duration(math.Ceil(float64(time.Second) / p.perSecond))
}

func newLimiterPool(perMinute int, c clock) *LimiterPool {
	p := &LimiterPool{perSecond: math.Inf(1), burst: 1, maxQueued: DefaultMaxQueuedPerCaller, clock: c, buckets: map[[sha256.Size]byte]*bucket{}, users: newUserCache()}
	if perMinute > 0 {
		p.burst = float64(max(1, perMinute/30))
		p.perSecond = float64(max(perMinute-int(p.burst), 1)) / 60
	}
	return p
}

// callerKey is the context key of WithCaller.
type callerKey struct{}

// WithCaller returns ctx marked as coming from caller key (an MCP session
// id, or the credential when there are no sessions). The limiter shares a
// token's requests fairly between callers and bounds each caller's queue;
// calls without a key share one default caller.
func WithCaller(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, callerKey{}, key)
}

func callerOf(ctx context.Context) string {
	key, _ := ctx.Value(callerKey{}).(string)
	return key
}

// bucket is one token's budget and the calls waiting for it.
type bucket struct {
	pool *LimiterPool
	key  string // hex SHA-256 of the token or user: the shared bucket's name

	mu sync.Mutex
	// tokens is the bucket itself; the fair queue only decides which
	// waiting call takes its next token.
	tokens  *rate.Limiter
	until   time.Time // set by Block after a 429
	callers map[string]*list.Element
	ring    *list.List    // of *callerQueue with calls waiting, in serving order
	next    *list.Element // the caller served next; nil when ring is empty
	waiting int           // calls queued over all callers
	timer   stopper       // wakes dispatch when the next token is due
	dropped bool          // pruned from the pool: look the token up again
}

// callerQueue holds one caller's waiting calls, oldest first.
type callerQueue struct {
	key     string
	waiters []*waiter
}

type waiter struct {
	ctx      context.Context
	deadline time.Time     // refused if not served by then; zero: no cap
	ready    chan struct{} // closed once granted or refused
	done     bool          // granted or refused (under bucket.mu)
	err      error         // the refusal, when refused
}

func (p *LimiterPool) bucket(token string) *bucket {
	key := sha256.Sum256([]byte(token))
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[key]
	if b == nil {
		if len(p.buckets) >= pruneAbove {
			p.pruneLocked()
		}
		b = &bucket{pool: p, key: hex.EncodeToString(key[:]), tokens: p.newTokens(), callers: map[string]*list.Element{}, ring: list.New()}
		p.buckets[key] = b
	}
	return b
}

// lockedBucket is token's bucket, locked.
func (p *LimiterPool) lockedBucket(token string) *bucket {
	for {
		b := p.bucket(token)
		b.mu.Lock()
		if !b.dropped {
			return b
		}
		b.mu.Unlock() // pruned between the lookup and the lock: the budget is a new bucket's
	}
}

// pruneLocked drops the buckets that are indistinguishable from new ones:
// full, not blocked and with nobody waiting.
func (p *LimiterPool) pruneLocked() {
	now := p.clock.Now()
	for key, b := range p.buckets {
		b.mu.Lock()
		idle := b.waiting == 0 && !b.until.After(now) && b.tokens.TokensAt(now) >= p.burst
		b.dropped = idle
		b.mu.Unlock()
		if idle {
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

// Wait returns once the token's bucket yields one request for this call
// (and any Block has expired), or fails having consumed nothing:
//   - the caller (WithCaller) already has maxQueued calls waiting, or the
//     call would wait longer than maxWait (<= 0: no cap): a *RateLimitError;
//   - ctx's deadline comes before the wait would end: a *RateLimitError
//     wrapping context.DeadlineExceeded, at once;
//   - ctx ends while waiting: ctx.Err(), and the call leaves the queue.
func (p *LimiterPool) Wait(ctx context.Context, token string, maxWait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := callerOf(ctx)
	b := p.lockedBucket(token)
	now := p.clock.Now()
	if b.waiting == 0 && !now.Before(b.until) {
		ok, _, err := b.take(now)
		if err != nil || ok {
			b.mu.Unlock()
			return err
		}
	}
	var cq *callerQueue
	if el := b.callers[key]; el != nil {
		cq = el.Value.(*callerQueue)
	}
	if cq != nil && len(cq.waiters) >= p.maxQueued {
		eta := b.etaLocked(cq, 0, now)
		b.mu.Unlock()
		return &RateLimitError{RetryAfter: eta, QueueFull: true}
	}
	queued := 0
	if cq != nil {
		queued = len(cq.waiters)
	}
	eta := b.etaLocked(cq, queued, now)
	if maxWait > 0 && eta > maxWait {
		b.mu.Unlock()
		return &RateLimitError{RetryAfter: eta}
	}
	if dl, ok := ctx.Deadline(); ok && eta > time.Until(dl) {
		b.mu.Unlock()
		return &RateLimitError{RetryAfter: eta, cause: context.DeadlineExceeded}
	}
	if cq == nil {
		cq = &callerQueue{key: key}
		// Last in the current round: every caller already waiting gets one
		// turn first, then this one.
		if b.next == nil {
			b.next = b.ring.PushBack(cq)
			b.callers[key] = b.next
		} else {
			b.callers[key] = b.ring.InsertBefore(cq, b.next)
		}
	}
	w := &waiter{ctx: ctx, ready: make(chan struct{})}
	if maxWait > 0 {
		w.deadline = now.Add(maxWait)
	}
	cq.waiters = append(cq.waiters, w)
	b.waiting++
	b.dispatchLocked(now)
	var expiry stopper
	if !w.done && maxWait > 0 {
		expiry = p.clock.AfterFunc(maxWait, func() { b.expire(cq, w) })
	}
	b.mu.Unlock()
	if expiry != nil {
		defer expiry.Stop()
	}

	select {
	case <-w.ready:
		return w.err
	case <-ctx.Done():
		b.mu.Lock()
		if !w.done {
			b.removeLocked(cq, w, false)
		}
		// Granted just as ctx ended: the token is spent, but the call still
		// fails here and sends nothing.
		b.mu.Unlock()
		return ctx.Err()
	}
}

// Block makes every caller with this token wait until `until` (used after a
// 429, when the API rejects the user's requests for a while), refusing at
// once the waiting calls it pushes past their max wait. It never shortens
// an existing block.
func (p *LimiterPool) Block(token string, until time.Time) {
	b := p.lockedBucket(token)
	defer b.mu.Unlock()
	if !until.After(b.until) {
		return
	}
	b.until = until
	// Calls that can no longer be served within their max wait are
	// refused now rather than when it is up.
	now := p.clock.Now()
	type refusal struct {
		cq  *callerQueue
		w   *waiter
		eta time.Duration
	}
	var refused []refusal
	for el := b.ring.Front(); el != nil; el = el.Next() {
		cq := el.Value.(*callerQueue)
		for i, w := range cq.waiters {
			if eta := b.etaLocked(cq, i, now); !w.deadline.IsZero() && now.Add(eta).After(w.deadline) {
				refused = append(refused, refusal{cq, w, eta})
			}
		}
	}
	for _, r := range refused {
		b.removeLocked(r.cq, r.w, false)
		b.refuseLocked(r.w, r.eta)
	}
}

// blockedUntil reports the current block (for tests).
func (p *LimiterPool) blockedUntil(token string) time.Time {
	b := p.lockedBucket(token)
	defer b.mu.Unlock()
	return b.until
}

// Waiting is the number of calls waiting for the limiter, over all tokens.
func (p *LimiterPool) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, b := range p.buckets {
		b.mu.Lock()
		n += b.waiting
		b.mu.Unlock()
	}
	return n
}

// waitingFor is the number of calls queued on token's bucket (for tests).
func (p *LimiterPool) waitingFor(token string) int {
	b := p.lockedBucket(token)
	defer b.mu.Unlock()
	return b.waiting
}

func (b *bucket) unlimited() bool { return b.pool.unlimited() }

// take spends one token if one is there at now; else wait is when the next
// one is due. With a shared bucket, err is the refusal when it cannot be asked.
func (b *bucket) take(now time.Time) (ok bool, wait time.Duration, err error) {
	switch {
	case b.unlimited():
		return true, 0, nil
	case b.pool.remote != nil:
		ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
		defer cancel()
		ok, wait, err := b.pool.remote.Allow(ctx, b.key, b.pool.interval(), int(b.pool.burst), false)
		if err != nil {
			return false, 0, &RateLimitError{RetryAfter: time.Second, cause: fmt.Errorf("%w: %w", ErrLimiterUnavailable, err)}
		}
		return ok, wait, nil
	case b.tokens.AllowN(now, 1):
		return true, 0, nil
	}
	return false, durationFor(1-b.tokens.TokensAt(now), b.pool.perSecond), nil
}

// Charge counts one request for key that was sent without waiting (the
// request that found out which user a token belongs to): it may put the
// bucket into debt, which later calls then wait out.
func (p *LimiterPool) Charge(key string) {
	if p.unlimited() {
		return
	}
	b := p.lockedBucket(key)
	defer b.mu.Unlock()
	if p.remote != nil {
		ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
		defer cancel()
		_, _, _ = p.remote.Allow(ctx, b.key, p.interval(), int(p.burst), true) // best effort: Redis down refuses the calls anyway
		return
	}
	b.tokens.ReserveN(p.clock.Now(), 1)
}

// dispatchLocked hands the tokens available now to waiting calls, one per
// caller in turn, and arms the timer for the next token or the block's end.
func (b *bucket) dispatchLocked(now time.Time) {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	for b.waiting > 0 {
		if now.Before(b.until) {
			b.arm(b.until.Sub(now))
			return
		}
		cq := b.next.Value.(*callerQueue)
		w := cq.waiters[0]
		if w.ctx.Err() != nil {
			// Cancelled, its goroutine not back yet: no token for it, and
			// its caller keeps the turn.
			b.removeLocked(cq, w, false)
			continue
		}
		ok, wait, err := b.take(now)
		if err != nil {
			// Nobody can be counted now: every waiting call is refused,
			// none is sent.
			for b.waiting > 0 {
				cq := b.next.Value.(*callerQueue)
				w := cq.waiters[0]
				b.removeLocked(cq, w, false)
				w.done, w.err = true, err
				close(w.ready)
			}
			return
		}
		if !ok {
			b.arm(max(wait, time.Millisecond))
			return
		}
		b.removeLocked(cq, w, true)
		w.done = true
		close(w.ready)
	}
}

func (b *bucket) arm(d time.Duration) {
	b.timer = b.pool.clock.AfterFunc(d, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.dispatchLocked(b.pool.clock.Now())
	})
}

// removeLocked takes w out of cq. After a caller's turn (served) the next
// caller is up; a caller with nothing left leaves the ring.
func (b *bucket) removeLocked(cq *callerQueue, w *waiter, served bool) {
	i := slices.Index(cq.waiters, w)
	if i < 0 {
		return
	}
	cq.waiters = slices.Delete(cq.waiters, i, i+1)
	if b.waiting--; b.waiting == 0 && b.timer != nil {
		b.timer.Stop() // nobody left to wake
		b.timer = nil
	}
	el := b.callers[cq.key]
	if el == b.next && (served || len(cq.waiters) == 0) {
		if b.next = el.Next(); b.next == nil {
			b.next = b.ring.Front()
		}
	}
	if len(cq.waiters) == 0 {
		if b.next == el {
			b.next = nil // it was the only caller
		}
		b.ring.Remove(el)
		delete(b.callers, cq.key)
	}
}

// expire refuses w if it is still waiting when its max wait is up.
func (b *bucket) expire(cq *callerQueue, w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.pool.clock.Now()
	b.dispatchLocked(now) // a token due right now may be w's
	if w.done {
		return
	}
	eta := b.etaLocked(cq, slices.Index(cq.waiters, w), now)
	b.removeLocked(cq, w, false)
	b.refuseLocked(w, eta)
}

func (b *bucket) refuseLocked(w *waiter, retryAfter time.Duration) {
	w.done = true
	w.err = &RateLimitError{RetryAfter: retryAfter}
	close(w.ready)
}

// etaLocked estimates how long until cq's call at index i (i == the
// queue's length: a call about to join) gets a token, if nobody else
// arrives: every caller ahead of cq in the current round gets up to i+1
// turns first, every caller after it up to i. cq nil is a new caller, which
// joins at the end of the round.
func (b *bucket) etaLocked(cq *callerQueue, i int, now time.Time) time.Duration {
	turns := i + 1 // cq's own, this one included
	if b.next != nil {
		ahead := true
		el := b.next
		for range b.ring.Len() {
			other := el.Value.(*callerQueue)
			if other == cq {
				ahead = false
			} else if ahead {
				turns += min(len(other.waiters), i+1)
			} else {
				turns += min(len(other.waiters), i)
			}
			if el = el.Next(); el == nil {
				el = b.ring.Front()
			}
		}
	}
	start := now
	if b.until.After(now) {
		start = b.until
	}
	if b.unlimited() {
		return start.Sub(now)
	}
	tokens := b.tokens.TokensAt(start)
	if b.pool.remote != nil {
		tokens = 0 // not known here: assume none, the estimate errs long
	}
	d := start.Sub(now)
	if need := float64(turns) - tokens; need > 0 {
		d += durationFor(need, b.pool.perSecond)
	}
	return d
}

// durationFor is the time to refill n tokens at perSecond, rounded up so
// that the tokens are there when it has passed.
func durationFor(n, perSecond float64) time.Duration {
	if math.IsInf(perSecond, 1) {
		return 0
	}
	return time.Duration(math.Ceil(n / perSecond * float64(time.Second)))
}

// clock is the limiter's time source; tests drive a fake one.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) stopper
}

type stopper interface{ Stop() bool }

type realClock struct{}

func (realClock) Now() time.Time                              { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

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
