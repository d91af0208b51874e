package client

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the test says so; timers run
// synchronously, in time order, each at its own time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	c   *fakeClock
	at  time.Time
	seq int
	f   func()
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	return true
}

// fireNext moves the clock to the earliest timer and runs it; false when
// no timer is pending.
func (c *fakeClock) fireNext() bool {
	c.mu.Lock()
	if len(c.timers) == 0 {
		c.mu.Unlock()
		return false
	}
	t := slices.MinFunc(c.timers, func(a, b *fakeTimer) int {
		if n := a.at.Compare(b.at); n != 0 {
			return n
		}
		return a.seq - b.seq
	})
	c.timers = slices.DeleteFunc(c.timers, func(x *fakeTimer) bool { return x == t })
	if t.at.After(c.now) {
		c.now = t.at
	}
	c.mu.Unlock()
	t.f()
	return true
}

// elapsed is the fake time since start.
func (c *fakeClock) since(start time.Time) time.Duration { return c.Now().Sub(start) }

type waitResult struct {
	caller string
	i      int
	err    error
}

// queue starts one Wait for caller in the background and returns once it
// has joined the queue (n is the bucket's queue length to wait for), so that
// calls queue in a known order.
func queue(t *testing.T, p *LimiterPool, ctx context.Context, caller string, i int, maxWait time.Duration, n int, out chan<- waitResult) {
	t.Helper()
	go func() { out <- waitResult{caller, i, p.Wait(WithCaller(ctx, caller), "tok", maxWait)} }()
	waitQueued(t, p, n)
}

// waitQueued polls until n calls are queued on "tok". It waits for
// goroutines to get there, not for time to pass.
func waitQueued(t *testing.T, p *LimiterPool, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); p.waitingFor("tok") != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", p.waitingFor("tok"), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// grantOne runs timers until one more queued call is granted (there are
// no cancellations in flight when it is used).
func grantOne(t *testing.T, clk *fakeClock, p *LimiterPool) {
	t.Helper()
	n := p.waitingFor("tok")
	for p.waitingFor("tok") == n {
		if !clk.fireNext() {
			t.Fatalf("no timer pending while %d calls wait", n)
		}
	}
	if got := p.waitingFor("tok"); got != n-1 {
		t.Fatalf("one timer granted %d calls, want 1", n-got)
	}
}

func receive(t *testing.T, out <-chan waitResult) waitResult {
	t.Helper()
	select {
	case r := <-out:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no Wait returned")
		return waitResult{}
	}
}

// spendBurst takes the bucket's burst at once, so that the next calls queue.
func spendBurst(t *testing.T, p *LimiterPool) {
	t.Helper()
	for range int(p.burst) {
		if err := p.Wait(t.Context(), "tok", 0); err != nil {
			t.Fatal(err)
		}
	}
	if p.waitingFor("tok") != 0 {
		t.Fatal("the burst queued")
	}
}

func TestNewLimiterPoolSizing(t *testing.T) {
	for _, tc := range []struct {
		perMinute int
		burst     float64
		perSecond float64
	}{
		{60, 2, 58.0 / 60},
		{600, 20, 580.0 / 60},
		{10, 1, 9.0 / 60},
		{1, 1, 1.0 / 60},
	} {
		p := NewLimiterPool(tc.perMinute)
		if p.burst != tc.burst || p.perSecond != tc.perSecond {
			t.Errorf("NewLimiterPool(%d): burst %v rate %v, want %v %v", tc.perMinute, p.burst, p.perSecond, tc.burst, tc.perSecond)
		}
	}
	if p := NewLimiterPool(0); !math.IsInf(p.perSecond, 1) {
		t.Errorf("NewLimiterPool(0) rate %v, want Inf", p.perSecond)
	}
}

func TestLimiterUnlimited(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(-1, clk)
	for range 1000 {
		if err := p.Wait(t.Context(), "tok", DefaultMaxRateWait); err != nil {
			t.Fatal(err)
		}
	}
	if p.waitingFor("tok") != 0 || clk.fireNext() {
		t.Fatal("an unlimited pool queued or set a timer")
	}
}

// Caller A has 200 calls queued; caller B's single call gets one of the
// next two tokens, and the bucket still yields one token per interval.
func TestLimiterFairnessNewCallerServedWithinOneTurn(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk) // burst 2, then 1 per second
	p.maxQueued = 1000
	spendBurst(t, p)
	out := make(chan waitResult, 300)
	for i := range 200 {
		queue(t, p, t.Context(), "A", i, 0, i+1, out)
	}
	queue(t, p, t.Context(), "B", 0, 0, 201, out)

	start := clk.Now()
	var order []string
	nextA := 0
	for k := 1; k <= 201; k++ {
		grantOne(t, clk, p)
		if d := clk.since(start); d != time.Duration(k)*time.Second {
			t.Fatalf("grant %d at %s, want %ds", k, d, k)
		}
		r := receive(t, out)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.caller == "A" {
			if r.i != nextA {
				t.Fatalf("A's call %d served before %d: a caller's calls go in order", r.i, nextA)
			}
			nextA++
		}
		order = append(order, r.caller)
	}
	if i := slices.Index(order, "B"); i < 0 || i > 1 {
		t.Fatalf("B's call was grant %d of %d after it queued; want one of the next two", i+1, len(order))
	}
}

// Three callers with calls waiting take turns, one token each.
func TestLimiterFairnessRoundRobin(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	spendBurst(t, p)
	out := make(chan waitResult, 30)
	n := 0
	for _, c := range []string{"A", "B", "C"} {
		for i := range 10 {
			n++
			queue(t, p, t.Context(), c, i, 0, n, out)
		}
	}
	var order []string
	for range 30 {
		grantOne(t, clk, p)
		r := receive(t, out)
		if r.err != nil {
			t.Fatal(r.err)
		}
		order = append(order, r.caller)
	}
	if want := strings.Repeat("ABC", 10); strings.Join(order, "") != want {
		t.Fatalf("served %s, want %s", strings.Join(order, ""), want)
	}
}

func TestLimiterQueueBoundPerCaller(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	spendBurst(t, p)
	ctx, cancel := context.WithCancel(t.Context())
	out := make(chan waitResult, 60)
	for i := range DefaultMaxQueuedPerCaller {
		queue(t, p, ctx, "A", i, 0, i+1, out)
	}
	err := p.Wait(WithCaller(ctx, "A"), "tok", 0)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.QueueFull || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("call beyond the caller's queue: %v, want a full-queue RateLimitError", err)
	}
	// A's next call is served in 1 s: that is when it has room again.
	if rl.RetryAfter != time.Second || err.Error() != "rate limited: too many calls waiting for this session; retry after 1 s" {
		t.Fatalf("refusal %q (retry after %s)", err, rl.RetryAfter)
	}
	// Another caller still gets in.
	queue(t, p, ctx, "B", 0, 0, DefaultMaxQueuedPerCaller+1, out)
	cancel()
	for range DefaultMaxQueuedPerCaller + 1 {
		if r := receive(t, out); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("%s %d: %v, want context.Canceled", r.caller, r.i, r.err)
		}
	}
	if n := p.waitingFor("tok"); n != 0 {
		t.Fatalf("%d calls still queued after cancellation", n)
	}
}

// A call that would wait longer than its max wait is refused at once; one
// pushed back past it by another caller is refused when the time is up.
// Neither takes a token.
func TestLimiterMaxWaitRefusal(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	spendBurst(t, p)
	const maxWait = 10 * time.Second
	out := make(chan waitResult, 20)
	for i := range 10 { // served at 1 s ... 10 s
		queue(t, p, t.Context(), "A", i, maxWait, i+1, out)
	}
	err := p.Wait(WithCaller(t.Context(), "A"), "tok", maxWait)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.QueueFull || rl.RetryAfter != 11*time.Second || err.Error() != "rate limited: retry after 11 s" {
		t.Fatalf("11th call: %v, want a refusal to retry after 11 s", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("a max-wait refusal is not a deadline")
	}

	start := clk.Now()
	queue(t, p, t.Context(), "B", 0, maxWait, 11, out) // takes A's second turn
	for p.waitingFor("tok") > 0 && clk.fireNext() {
	}
	var granted, refused []string
	for range 11 {
		r := receive(t, out)
		switch {
		case r.err == nil:
			granted = append(granted, fmt.Sprint(r.caller, r.i))
		case errors.As(r.err, &rl) && !rl.QueueFull:
			refused = append(refused, fmt.Sprint(r.caller, r.i))
		default:
			t.Fatalf("%s %d: %v", r.caller, r.i, r.err)
		}
	}
	if len(granted) != 10 || !slices.Equal(refused, []string{"A9"}) || !slices.Contains(granted, "B0") {
		t.Fatalf("granted %v, refused %v; want A's last call refused", granted, refused)
	}
	if d := clk.since(start); d != maxWait || p.waitingFor("tok") != 0 {
		t.Fatalf("the queue ran until %s with %d left; want empty at 10s", d, p.waitingFor("tok"))
	}
}

// A call cancelled while queued returns at once, leaves the queue and never
// takes a token: the call after it is served in its place.
func TestLimiterCancelWhileQueued(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	spendBurst(t, p)
	out := make(chan waitResult, 3)
	ctx, cancel := context.WithCancel(t.Context())
	queue(t, p, t.Context(), "A", 0, 0, 1, out)
	queue(t, p, ctx, "A", 1, 0, 2, out)
	queue(t, p, t.Context(), "A", 2, 0, 3, out)
	cancel()
	if r := receive(t, out); r.i != 1 || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("got %+v, want call 1 cancelled", r)
	}
	if n := p.waitingFor("tok"); n != 2 {
		t.Fatalf("%d queued after cancel, want 2", n)
	}
	start := clk.Now()
	for _, want := range []int{0, 2} {
		for n := p.waitingFor("tok"); p.waitingFor("tok") == n; {
			clk.fireNext()
		}
		if r := receive(t, out); r.i != want || r.err != nil {
			t.Fatalf("got %+v, want call %d granted", r, want)
		}
	}
	if d := clk.since(start); d != 2*time.Second {
		t.Fatalf("the two calls left took %s, want 2s: the cancelled one took a token", d)
	}
	// Already cancelled: refused before queueing.
	if err := p.Wait(ctx, "tok", 0); !errors.Is(err, context.Canceled) || p.waitingFor("tok") != 0 {
		t.Fatalf("cancelled context: %v", err)
	}
}

// A 429's block holds back every caller of the token, and a wait past the
// max wait or the call's deadline is refused at once.
func TestLimiterBlockPausesEveryCaller(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	start := clk.Now()
	p.Block("tok", start.Add(5*time.Second))
	p.Block("tok", start) // never shortens
	if p.Wait(t.Context(), "other", 0) != nil || p.waitingFor("other") != 0 {
		t.Fatal("another token was held back")
	}
	out := make(chan waitResult, 2)
	queue(t, p, t.Context(), "A", 0, 0, 1, out)
	queue(t, p, t.Context(), "B", 0, 0, 2, out)
	clk.fireNext()
	if d := clk.since(start); d != 5*time.Second || p.waitingFor("tok") != 0 {
		t.Fatalf("at %s %d calls wait; want both served when the block ends at 5s", d, p.waitingFor("tok"))
	}
	for range 2 {
		if r := receive(t, out); r.err != nil {
			t.Fatal(r.err)
		}
	}

	// A block past a queued call's max wait refuses it at once. (The burst
	// went to A and B.)
	queue(t, p, t.Context(), "A", 0, DefaultMaxRateWait, 1, out)
	queue(t, p, t.Context(), "B", 0, 0, 2, out) // no cap: keeps waiting
	p.Block("tok", clk.Now().Add(120*time.Second))
	r := receive(t, out)
	var rl *RateLimitError
	if !errors.As(r.err, &rl) || r.caller != "A" || rl.RetryAfter != 120*time.Second {
		t.Fatalf("queued call after a 120 s block: %+v, want A refused, retry after 120 s", r)
	}
	if p.waitingFor("tok") != 1 {
		t.Fatalf("%d waiting, want B only", p.waitingFor("tok"))
	}

	err := p.Wait(t.Context(), "tok", DefaultMaxRateWait)
	if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked for 120 s with a 60 s max wait: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err = p.Wait(ctx, "tok", 0)
	if !errors.As(err, &rl) || !errors.Is(err, context.DeadlineExceeded) || rl.RetryAfter != 120*time.Second {
		t.Fatalf("blocked past the deadline: %v", err)
	}
	if p.waitingFor("tok") != 1 {
		t.Fatal("a refused call queued")
	}
	for clk.fireNext() {
	}
	if r := receive(t, out); r.caller != "B" || r.err != nil || clk.since(start) != 125*time.Second {
		t.Fatalf("%+v at %s; want B served when the block ends", r, clk.since(start))
	}
}

// However callers arrive, cancel and take turns, no 60 s window holds more
// than the per-minute limit, and the limit is used.
func TestLimiterWindowNeverExceedsLimit(t *testing.T) {
	for _, perMinute := range []int{62, 60, 7} {
		t.Run(fmt.Sprint(perMinute), func(t *testing.T) {
			clk := newFakeClock()
			p := newLimiterPool(perMinute, clk)
			p.maxQueued = 1000
			rng := rand.New(rand.NewPCG(1, uint64(perMinute)))
			var grants []time.Time
			for range int(p.burst) {
				grants = append(grants, clk.Now())
			}
			spendBurst(t, p)
			const calls = 240
			outs := make([]chan waitResult, calls)
			cancels := make([]context.CancelFunc, calls)
			for i := range calls {
				ctx, cancel := context.WithCancel(t.Context())
				outs[i], cancels[i] = make(chan waitResult, 1), cancel
				queue(t, p, ctx, fmt.Sprint("caller", rng.IntN(4)), i, 0, i+1, outs[i])
			}
			finished := make([]bool, calls)
			for p.waitingFor("tok") > 0 {
				if i := rng.IntN(calls); rng.IntN(8) == 0 && !finished[i] {
					// Cancel a call and wait until it is out: granted
					// before (nil) or gone from the queue (Canceled).
					cancels[i]()
					receive(t, outs[i])
					finished[i] = true
					continue
				}
				before := p.waitingFor("tok")
				if !clk.fireNext() {
					t.Fatal("no timer pending while calls wait")
				}
				for range before - p.waitingFor("tok") {
					grants = append(grants, clk.Now())
				}
			}
			for _, c := range cancels {
				c()
			}
			most := 0
			for i, t0 := range grants {
				n := 0
				for _, g := range grants[i:] {
					if g.Sub(t0) <= time.Minute {
						n++
					}
				}
				most = max(most, n)
			}
			if most > perMinute {
				t.Fatalf("%d requests in one 60 s window, limit %d", most, perMinute)
			}
			if len(grants) > perMinute && most < perMinute {
				t.Fatalf("at most %d requests in a 60 s window under a backlog; the limit %d is not used", most, perMinute)
			}
		})
	}
}

// Many goroutines queue, cancel and expire at once; every Wait returns and
// the queue ends empty (run with -race).
func TestLimiterConcurrentStress(t *testing.T) {
	clk := newFakeClock()
	p := newLimiterPool(600, clk)
	const callers, calls = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, callers*calls)
	for c := range callers {
		for i := range calls {
			ctx, cancel := context.WithCancel(t.Context())
			wg.Go(func() {
				defer cancel()
				if i%7 == 3 {
					go cancel()
				}
				errs <- p.Wait(WithCaller(ctx, fmt.Sprint(c)), "tok", 3*time.Second)
			})
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			close(errs)
			for err := range errs {
				if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrRateLimited) {
					t.Fatal(err)
				}
			}
			if n := p.waitingFor("tok"); n != 0 {
				t.Fatalf("%d left queued", n)
			}
			return
		default:
			if !clk.fireNext() {
				time.Sleep(100 * time.Microsecond) // let goroutines queue
			}
		}
	}
}

func TestRateLimitErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *RateLimitError
		want string
	}{
		{&RateLimitError{RetryAfter: 0}, "retry after 1 s"},
		{&RateLimitError{RetryAfter: 1500 * time.Millisecond}, "retry after 2 s"},
		{&RateLimitError{RetryAfter: 2 * time.Minute, QueueFull: true}, "too many calls waiting for this session; retry after 120 s"},
	} {
		if got := tc.err.Error(); !strings.HasSuffix(got, tc.want) || !strings.HasPrefix(got, "rate limited: ") {
			t.Errorf("%+v: %q, want ...%q", tc.err, got, tc.want)
		}
	}
}

// Through Client.Do: a call refused by the limiter, or cancelled while it
// waits, sends nothing; a 429 asking for longer than the max wait is
// returned at once instead of slept on.
func TestLimiterRefusalsSendNothing(t *testing.T) {
	srv, count := server(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/busy" {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	clk := newFakeClock()
	p := newLimiterPool(62, clk)
	c := newClient(t, srv.URL, func(o *Options) { o.Limiters = p; o.MaxRateWait = time.Second })
	get := func(ctx context.Context) error {
		_, err := c.Do(ctx, &Request{Path: "/v1/x"})
		return err
	}
	for range 2 { // the burst
		if err := get(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	queued := make(chan error, 1)
	go func() { queued <- get(ctx) }()
	for p.waitingFor(testToken) != 1 {
		time.Sleep(100 * time.Microsecond)
	}
	err := get(t.Context()) // would be served in 2 s, past the 1 s max wait
	if !errors.Is(err, ErrRateLimited) || !errors.Is(err, ErrNotSent) || err.Error() != "GET /v1/x: rate limited: retry after 2 s" {
		t.Fatalf("over the max wait: %v", err)
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) || !errors.Is(err, ErrNotSent) {
		t.Fatalf("cancelled while queued: %v", err)
	}
	for clk.fireNext() {
	}
	if n := count.Load(); n != 2 {
		t.Fatalf("server saw %d requests, want the burst's 2 only", n)
	}

	clk.AfterFunc(time.Second, func() {}) // a second on: a token again
	clk.fireNext()
	_, err = c.Do(t.Context(), &Request{Path: "/v1/busy"})
	if apiErr := apiError(t, err); apiErr.Status != http.StatusTooManyRequests || apiErr.RetryAfter != 5*time.Second || count.Load() != 3 || errors.Is(err, ErrNotSent) {
		t.Fatalf("429 with Retry-After 5 s and a 1 s max wait: %v after %d requests", err, count.Load())
	}
	if until := p.blockedUntil(testToken); !until.Equal(clk.Now().Add(5 * time.Second)) {
		t.Fatalf("blocked until %s, want 5 s from now", until)
	}
}
