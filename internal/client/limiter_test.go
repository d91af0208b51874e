package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestNewLimiterPoolSizing(t *testing.T) {
	for _, tc := range []struct {
		perMinute, burst int
		perSecond        float64
	}{
		{60, 2, 58.0 / 60},
		{600, 20, 580.0 / 60},
		{10, 1, 9.0 / 60},
		{1, 1, 1.0 / 60},
	} {
		p := NewLimiterPool(tc.perMinute)
		if p.burst != tc.burst || float64(p.limit) != tc.perSecond {
			t.Errorf("NewLimiterPool(%d): burst %d rate %v, want %d %v", tc.perMinute, p.burst, p.limit, tc.burst, tc.perSecond)
		}
	}
	if p := NewLimiterPool(0); p.limit != rate.Inf {
		t.Errorf("NewLimiterPool(0) rate %v, want Inf", p.limit)
	}
}

func TestLimiterPoolUnlimited(t *testing.T) {
	p := NewLimiterPool(-1)
	start := time.Now()
	for range 1000 {
		if err := p.Wait(t.Context(), "tok"); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("unlimited pool took %s", d)
	}
}

func TestLimiterPoolBlock(t *testing.T) {
	t.Parallel()
	p := NewLimiterPool(0)
	p.Block("a", time.Now().Add(300*time.Millisecond))
	p.Block("a", time.Now()) // never shortens

	start := time.Now()
	if err := p.Wait(t.Context(), "b"); err != nil || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("other token: err %v after %s", err, time.Since(start))
	}

	// A deadline before the block ends fails at once.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := p.Wait(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("short deadline: err %v after %s", err, time.Since(start))
	}

	// Cancellation while blocked returns promptly.
	ctx, cancel2 := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel2)
	start = time.Now()
	if err := p.Wait(ctx, "a"); !errors.Is(err, context.Canceled) || time.Since(start) > 200*time.Millisecond {
		t.Fatalf("cancel: err %v after %s", err, time.Since(start))
	}

	start = time.Now()
	if err := p.Wait(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	if time.Now().Before(p.blockedUntil("a")) {
		t.Errorf("Wait returned %s after start, before the block ended", time.Since(start))
	}
}
