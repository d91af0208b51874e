package guard

import (
	"context"
	"errors"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
	"strings"
	"testing"
	"time"
)

func mustIssue(t *testing.T, c *Confirmations, binding string) string {
	t.Helper()
	tok, err := c.IssueToken(t.Context(), binding)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustSeal(t *testing.T, c *Confirmations, binding string) string {
	t.Helper()
	state, err := c.Seal(t.Context(), binding)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func TestConfirmationsAreSingleUseBoundAndExpire(t *testing.T) {
	c := NewConfirmations()
	now := time.Now()
	c.now = func() time.Time { return now }
	a, b := Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`), ""), Binding("s1", "projects", "delete", []byte(`{"ref":"b"}`), "")
	if a == b || a == Binding("s2", "projects", "delete", []byte(`{"ref":"a"}`), "") {
		t.Fatal("bindings do not separate arguments or sessions")
	}
	if a == Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`), "rollback SQL changed") {
		t.Fatal("bindings do not separate what the user was shown")
	}

	tok := mustIssue(t, c, a)
	if err := c.RedeemToken(t.Context(), tok, b); !errors.Is(err, ErrConfirmationMismatch) {
		t.Fatalf("swapped arguments: %v", err)
	}
	if err := c.RedeemToken(t.Context(), tok, a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Fatalf("a token tried with other arguments must be spent: %v", err)
	}
	tok = mustIssue(t, c, a)
	if err := c.RedeemToken(t.Context(), tok, a); err != nil {
		t.Fatal(err)
	}
	if err := c.RedeemToken(t.Context(), tok, a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Fatalf("replay: %v", err)
	}
	tok = mustIssue(t, c, a)
	now = now.Add(ConfirmationTTL + time.Second)
	if err := c.RedeemToken(t.Context(), tok, a); !errors.Is(err, ErrConfirmationExpired) {
		t.Fatalf("expired: %v", err)
	}

	state := mustSeal(t, c, a)
	if err := c.Open(t.Context(), state+"x", a); err == nil {
		t.Fatal("a tampered state opened")
	}
	if err := NewConfirmations().Open(t.Context(), state, a); err == nil {
		t.Fatal("another process's state opened")
	}
	if err := c.Open(t.Context(), state, a); err != nil {
		t.Fatal(err)
	}
	if err := c.Open(t.Context(), state, a); err == nil {
		t.Fatal("a state opened twice")
	}
}

// Nothing of an elicitation state redeems as a token, and no token opens as
// a state: the model can read the state, so it must not confirm itself.
func TestConfirmationStatesAndTokensAreSeparate(t *testing.T) {
	c := NewConfirmationsWithTTL(time.Minute)
	a := Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`), "")
	state := mustSeal(t, c, a)
	nonce, sig, _ := strings.Cut(state, ".")
	for _, v := range []string{state, nonce, sig, "confirm-" + nonce} {
		if err := c.RedeemToken(t.Context(), v, a); err == nil {
			t.Fatalf("%q from the state redeemed as a token", v)
		}
	}
	tok := mustIssue(t, c, a)
	if err := c.Open(t.Context(), tok, a); err == nil {
		t.Fatal("a token opened as a state")
	}
	if err := c.Open(t.Context(), tok+"."+c.sign(tok), a); err == nil {
		t.Fatal("a signed token opened as a state")
	}
	// The state and the token are both still good for their own flow.
	if err := c.Open(t.Context(), state, a); err != nil {
		t.Fatal(err)
	}
	if err := c.RedeemToken(t.Context(), tok, a); err != nil {
		t.Fatal(err)
	}
}

// Expired tokens and states are dropped; the stores stay bounded.
func TestConfirmationsFreeExpiredAndStayBounded(t *testing.T) {
	c := NewConfirmationsWithTTL(time.Minute)
	now := time.Now()
	c.now = func() time.Time { return now }
	a := Binding("s", "t", "o", nil, "")
	mustSeal(t, c, a)
	mustIssue(t, c, a)
	if n := c.Outstanding(); n != 2 {
		t.Fatalf("outstanding = %d", n)
	}
	now = now.Add(time.Minute + time.Second)
	if n := c.Outstanding(); n != 0 {
		t.Fatalf("after expiry, outstanding = %d", n)
	}
	now = now.Add(expiredGrace) // expired entries are kept a while to say "expired"; then they go
	for range maxOutstanding + 10 {
		mustSeal(t, c, a)
	}
	if n := c.Outstanding(); n != maxOutstanding {
		t.Fatalf("outstanding = %d, want the cap %d", n, maxOutstanding)
	}
}

// A token or state of an earlier server run is refused saying the server
// restarted; one of this run that is unknown (used, forged) is not.
func TestConfirmationsFromBeforeARestart(t *testing.T) {
	ctx := context.Background()
	before, now := NewConfirmations(), NewConfirmations()
	a := Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`), "")
	must := func(v string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := now.RedeemToken(ctx, must(before.IssueToken(ctx, a)), a); !errors.Is(err, ErrConfirmationRestarted) || !strings.Contains(err.Error(), "restarted") {
		t.Errorf("an earlier run's token: %v", err)
	}
	if err := now.Open(ctx, must(before.Seal(ctx, a)), a); !errors.Is(err, ErrConfirmationRestarted) {
		t.Errorf("an earlier run's state: %v", err)
	}
	tok := must(now.IssueToken(ctx, a))
	if err := now.RedeemToken(ctx, tok, a); err != nil {
		t.Fatal(err)
	}
	if err := now.RedeemToken(ctx, tok, a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Errorf("a used token of this run: %v", err)
	}
	state := must(now.Seal(ctx, a))
	if err := now.Open(ctx, state+"x", a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Errorf("a tampered state of this run: %v", err)
	}
	if err := now.RedeemToken(ctx, "confirm-"+strings.Repeat("0", 47), a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Errorf("a malformed token: %v", err)
	}
	// With a shared store (replicas), another replica's token is simply
	// unknown or known: the run id says nothing there.
	shared1 := NewSharedConfirmations(nil, shared.NewMemory(100), 0)
	if err := shared1.RedeemToken(ctx, must(before.IssueToken(ctx, a)), a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Errorf("a shared store told a foreign token restarted: %v", err)
	}
}
