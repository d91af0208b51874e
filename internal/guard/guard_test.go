package guard

import (
	"errors"
	"testing"
	"time"
)

func TestConfirmationsAreSingleUseBoundAndExpire(t *testing.T) {
	c := NewConfirmations()
	now := time.Now()
	c.now = func() time.Time { return now }
	a, b := Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`)), Binding("s1", "projects", "delete", []byte(`{"ref":"b"}`))
	if a == b || a == Binding("s2", "projects", "delete", []byte(`{"ref":"a"}`)) {
		t.Fatal("bindings do not separate arguments or sessions")
	}

	tok := c.IssueToken(a)
	if err := c.RedeemToken(tok, b); !errors.Is(err, ErrConfirmationMismatch) {
		t.Fatalf("swapped arguments: %v", err)
	}
	if err := c.RedeemToken(tok, a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Fatalf("a token tried with other arguments must be spent: %v", err)
	}
	tok = c.IssueToken(a)
	if err := c.RedeemToken(tok, a); err != nil {
		t.Fatal(err)
	}
	if err := c.RedeemToken(tok, a); !errors.Is(err, ErrConfirmationUnknown) {
		t.Fatalf("replay: %v", err)
	}
	tok = c.IssueToken(a)
	now = now.Add(ConfirmationTTL + time.Second)
	if err := c.RedeemToken(tok, a); !errors.Is(err, ErrConfirmationExpired) {
		t.Fatalf("expired: %v", err)
	}

	state := c.Seal(a)
	if err := c.Open(state+"x", a); err == nil {
		t.Fatal("a tampered state opened")
	}
	if err := NewConfirmations().Open(state, a); err == nil {
		t.Fatal("another process's state opened")
	}
	if err := c.Open(state, a); err != nil {
		t.Fatal(err)
	}
	if err := c.Open(state, a); err == nil {
		t.Fatal("a state opened twice")
	}
}
