package guard

import (
	"errors"
	"strings"
	"testing"
	"time"
)

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

func TestSQLClassification(t *testing.T) {
	reads := []string{
		"select 1", "SELECT * FROM t WHERE a = $1", "values (1)", "table t", "show search_path",
		"explain select * from t", "explain analyze select 1", "with x as (select 1) select * from x",
		"select count(*) filter (where a > 1) over (partition by b) from t", "select '; drop table t' as s",
		"select jsonb_build_object('a', 1) -> 'a'", "select * from t1 join t2 on t1.id = t2.id union all select * from t3",
	}
	for _, q := range reads {
		if err := CheckReadOnlySQL(q); err != nil {
			t.Errorf("read %q refused: %v", q, err)
		}
		if _, r := DestructiveSQL(q); r != "" {
			t.Errorf("read %q classified destructive: %s", q, r)
		}
	}
	destructive := map[string]string{
		"drop table t":                        "DROP TABLE",
		"DROP POLICY p ON t":                  "DROP POLICY",
		"truncate t":                          "TRUNCATE",
		"delete from t":                       "DELETE without WHERE",
		"update t set a = 1":                  "UPDATE without WHERE",
		"alter table t drop column a":         "DropColumn",
		"alter table t drop constraint c":     "DropConstraint",
		"revoke all on t from anon":           "REVOKE",
		"drop role r":                         "DropRole",
		"select 1; drop schema s cascade":     "DROP SCHEMA",
		"with d as (delete from t) select 1":  "DELETE without WHERE",
		"explain analyze delete from t":       "DELETE without WHERE",
		"drop database x":                     "Dropdb",
		"create table a(); drop function f()": "DROP FUNCTION",
	}
	for q, want := range destructive {
		stmt, r := DestructiveSQL(q)
		if !strings.Contains(r, want) || stmt == "" {
			t.Errorf("%q: got %q %q, want a reason with %q", q, stmt, r, want)
		}
	}
	for _, q := range []string{"delete from t where id = 1", "update t set a = 1 where id = 2", "create table t (id int)", "insert into t values (1)", "alter table t add column b int", "grant select on t to anon"} {
		if _, r := DestructiveSQL(q); r != "" {
			t.Errorf("%q classified destructive: %s", q, r)
		}
	}
	if err := CheckReadOnlySQL("selec 1"); err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Errorf("syntax error: %v", err)
	}
	if err := CheckReadOnlySQL("  ;  "); err == nil {
		t.Error("empty SQL accepted")
	}
}

// Nothing of an elicitation state redeems as a token, and no token opens as
// a state: the model can read the state, so it must not confirm itself.
func TestConfirmationStatesAndTokensAreSeparate(t *testing.T) {
	c := NewConfirmationsWithTTL(time.Minute)
	a := Binding("s1", "projects", "delete", []byte(`{"ref":"a"}`), "")
	state := c.Seal(a)
	nonce, sig, _ := strings.Cut(state, ".")
	for _, v := range []string{state, nonce, sig, "confirm-" + nonce} {
		if err := c.RedeemToken(v, a); err == nil {
			t.Fatalf("%q from the state redeemed as a token", v)
		}
	}
	tok := c.IssueToken(a)
	if err := c.Open(tok, a); err == nil {
		t.Fatal("a token opened as a state")
	}
	if err := c.Open(tok+"."+c.sign(tok), a); err == nil {
		t.Fatal("a signed token opened as a state")
	}
	// The state and the token are both still good for their own flow.
	if err := c.Open(state, a); err != nil {
		t.Fatal(err)
	}
	if err := c.RedeemToken(tok, a); err != nil {
		t.Fatal(err)
	}
}

// Expired tokens and states are dropped; the stores stay bounded.
func TestConfirmationsFreeExpiredAndStayBounded(t *testing.T) {
	c := NewConfirmationsWithTTL(time.Minute)
	now := time.Now()
	c.now = func() time.Time { return now }
	a := Binding("s", "t", "o", nil, "")
	c.Seal(a)
	c.IssueToken(a)
	if n := c.Outstanding(); n != 2 {
		t.Fatalf("outstanding = %d", n)
	}
	now = now.Add(time.Minute + time.Second)
	if n := c.Outstanding(); n != 0 {
		t.Fatalf("after expiry, outstanding = %d", n)
	}
	for range maxOutstanding + 10 {
		c.Seal(a)
	}
	if n := c.Outstanding(); n != maxOutstanding {
		t.Fatalf("outstanding = %d, want the cap %d", n, maxOutstanding)
	}
}
