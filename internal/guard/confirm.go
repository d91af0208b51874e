package guard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// ConfirmationTTL is how long a confirmation token or elicitation stays valid.
const ConfirmationTTL = 5 * time.Minute

// Confirmation describes a call that needs the user's consent before it is
// sent.
type Confirmation struct {
	// Action says what will happen, e.g. "projects_write.delete on project abc…".
	Action string
	// Reason says why it needs confirmation.
	Reason string
	// Details are the facts that decide the effect (arguments, body fields,
	// SQL statements), one line each, shown in full under the action.
	Details  []string
	Billable bool
	// Irreversible calls make the user type Target rather than click yes.
	Irreversible bool
	Target       string
}

// Message is the text shown to the user (elicitation) or the model (token).
//
// Every part is shown safely: characters that move the cursor, reorder or
// hide text (controls, bidirectional marks, line separators) are escaped,
// and a line break inside a detail always starts an indented line, so no
// value can forge a line of its own.
func (c *Confirmation) Message() string {
	var b strings.Builder
	b.WriteString(displayable(c.Action, false))
	b.WriteString(": ")
	b.WriteString(displayable(c.Reason, false))
	if c.Irreversible {
		b.WriteString(" This cannot be undone.")
	}
	if c.Billable {
		b.WriteString(" It adds to the bill.")
	}
	for _, d := range c.Details {
		b.WriteString("\n- ")
		for i, line := range strings.Split(displayable(d, true), "\n") {
			if i > 0 {
				b.WriteString("\n")
				if !strings.HasPrefix(line, "    ") {
					b.WriteString("    ")
				}
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// displayable escapes what a reader cannot see as it is: every rune that is
// not printable (C0 and C1 controls, ANSI escapes, bidirectional overrides,
// zero-width and format characters, line and paragraph separators), except
// the line breaks and tabs of multi-line text when keepLines is set. A
// carriage return before a line break is the same break.
func displayable(s string, keepLines bool) string {
	if keepLines {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return !shownAsIs(r, keepLines) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case shownAsIs(r, keepLines):
			b.WriteRune(r)
		case r < 0x10000:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	return b.String()
}

func shownAsIs(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return true
	}
	return r != utf8.RuneError && unicode.IsPrint(r)
}

// Binding identifies exactly what a confirmation approves: the session, the
// tool, the operation, the canonical arguments and the prompt the user saw.
// The prompt is part of it because it can hold what the API said (the
// rollback SQL a rollback would run): if that changed since, the consent
// does not carry over.
func Binding(session, tool, operation string, canonicalArgs []byte, prompt string) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(session), []byte(tool), []byte(operation), canonicalArgs, []byte(prompt)} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Confirmations issues and redeems single-use proofs of consent: tokens for
// the model to pass back (token flow) and sealed request states for
// elicitation round trips. Both are bound to one Binding and expire.
//
// Tokens and states live in separate stores (key namespaces) and are drawn
// independently: a request state (or any part of it) travels through the
// client and is readable by the model, so it must never redeem as a token,
// and a token never opens as a state.
//
// With a shared store (Redis) and shared keys, a token issued by one
// replica redeems on any other, once: redemption takes the entry
// atomically. When the store cannot be reached, nothing is issued and
// nothing redeems (fail closed); a token whose redemption reached the
// store but whose answer was lost is spent, never usable twice.
type Confirmations struct {
	keys   *shared.Keys
	tokens shared.Store // token-flow token -> what it approves
	states shared.Store // elicitation nonce -> what it approves
	ttl    time.Duration
	now    func() time.Time
	// instance tells this server run's tokens and states from an earlier
	// run's. With in-process stores (local), one redeemed after a restart
	// is refused as such; a shared store outlives any one run and simply
	// knows its entries.
	instance string
	local    bool
}

// maxOutstanding bounds each in-process store. When it is full of live
// entries, an arbitrary one is dropped: that confirmation then fails as
// unknown, which is safe, and memory stays bounded whatever a client does.
const maxOutstanding = 4096

// expiredGrace is how long an expired entry stays in its store.
const expiredGrace = time.Minute

// NewConfirmations uses a fresh random key, in-process stores and
// ConfirmationTTL: state sealed by one process is worthless to another.
func NewConfirmations() *Confirmations { return NewConfirmationsWithTTL(ConfirmationTTL) }

// NewConfirmationsWithTTL is NewConfirmations with another lifetime for
// tokens and elicitation states (--confirm-timeout).
func NewConfirmationsWithTTL(ttl time.Duration) *Confirmations {
	c := &Confirmations{now: time.Now, local: true}
	now := func() time.Time { return c.now() }
	return c.init(shared.RandomKeys(), shared.NewMemoryClock(maxOutstanding, now), shared.NewMemoryClock(maxOutstanding, now), ttl)
}

// NewSharedConfirmations keeps tokens and states in store (one shared by
// every replica; nil: in process) and seals states with keys (the same on
// every replica; nil: a random key).
func NewSharedConfirmations(keys *shared.Keys, store shared.Store, ttl time.Duration) *Confirmations {
	if keys == nil {
		keys = shared.RandomKeys()
	}
	c := &Confirmations{now: time.Now}
	if store == nil {
		c.local = true
		now := func() time.Time { return c.now() }
		return c.init(keys, shared.NewMemoryClock(maxOutstanding, now), shared.NewMemoryClock(maxOutstanding, now), ttl)
	}
	return c.init(keys, store, store, ttl)
}

func (c *Confirmations) init(keys *shared.Keys, tokens, states shared.Store, ttl time.Duration) *Confirmations {
	if ttl <= 0 {
		ttl = ConfirmationTTL
	}
	instance := make([]byte, instanceBytes)
	if _, err := rand.Read(instance); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	c.keys, c.tokens, c.states, c.ttl, c.instance = keys, tokens, states, ttl, hex.EncodeToString(instance)
	return c
}

// instanceBytes is the length of a server run's id in tokens and states.
const instanceBytes = 4

// TTL is how long a token or state stays valid.
func (c *Confirmations) TTL() time.Duration { return c.ttl }

// Errors of Redeem and Open; the texts are for the model.
var (
	ErrConfirmationUnknown   = errors.New("the confirmation token is unknown or was already used: call again without confirm to get a new one")
	ErrConfirmationExpired   = errors.New("the confirmation token has expired: call again without confirm to get a new one")
	ErrConfirmationRestarted = errors.New("the confirmation token is unknown to this server: it was issued before the server restarted, and confirmations do not survive a restart. Call again without confirm to get a new one")
	ErrConfirmationMismatch  = errors.New("the confirmation token was issued for a different call (other arguments, operation or session, or what the call would do has changed since): call again without confirm to get a token for this one")
	// ErrConfirmationStore: the shared store could not be asked. Nothing was
	// issued or confirmed; the call did not run.
	ErrConfirmationStore = errors.New("confirmations are unavailable because the shared state store (Redis) cannot be reached; nothing was sent: retry shortly")
)

// IssueToken returns a single-use token approving binding: "confirm-",
// then the server run's id and 160 random bits, in hex.
func (c *Confirmations) IssueToken(ctx context.Context, binding string) (string, error) {
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	token := "confirm-" + c.instance + hex.EncodeToString(raw)
	if _, err := c.remember(ctx, c.tokens, shared.PrefixConfirmToken+token, binding); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemToken consumes token, whatever the outcome, so that a token cannot
// be probed with other arguments or replayed. Only tokens from IssueToken
// redeem; nothing from an elicitation state does.
func (c *Confirmations) RedeemToken(ctx context.Context, token, binding string) error {
	if !strings.HasPrefix(token, "confirm-") || len(token) > 64 {
		return ErrConfirmationUnknown
	}
	err := c.consume(ctx, c.tokens, shared.PrefixConfirmToken+token, binding)
	if hexPart, _ := strings.CutPrefix(token, "confirm-"); errors.Is(err, ErrConfirmationUnknown) && c.local && len(hexPart) == 2*(instanceBytes+20) {
		if _, herr := hex.DecodeString(hexPart); herr == nil && hexPart[:2*instanceBytes] != c.instance {
			return ErrConfirmationRestarted
		}
	}
	return err
}

// Seal returns an opaque request state for an elicitation round trip: a
// nonce and its expiry, signed with the server key so a client cannot
// forge or extend one. The expiry is in the state so that a late answer is
// told apart from a forged or reused one, after the entry itself is gone.
func (c *Confirmations) Seal(ctx context.Context, binding string) (string, error) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	expires, err := c.remember(ctx, c.states, shared.PrefixConfirmState+n, binding)
	if err != nil {
		return "", err
	}
	body := c.instance + "." + n + "." + strconv.FormatInt(expires.UnixMilli(), 10)
	return body + "." + c.sign(body), nil
}

// Open checks and consumes a sealed state for binding. Only states from
// Seal open; a token does not.
func (c *Confirmations) Open(ctx context.Context, state, binding string) error {
	i := strings.LastIndexByte(state, '.')
	if i < 0 {
		return ErrConfirmationUnknown
	}
	mac, err := base64.RawURLEncoding.DecodeString(state[i+1:])
	if err != nil || !c.keys.VerifyMAC(shared.PurposeElicitation, stateMessage(state[:i]), mac) {
		if instance, _, _ := strings.Cut(state, "."); c.local && len(instance) == 2*instanceBytes && instance != c.instance {
			return ErrConfirmationRestarted // or forged; either way nothing opens
		}
		return ErrConfirmationUnknown
	}
	_, rest, _ := strings.Cut(state[:i], ".") // the run's id, checked by the MAC
	nonce, exp, _ := strings.Cut(rest, ".")
	if unix, err := strconv.ParseInt(exp, 10, 64); err != nil || !c.now().Before(time.UnixMilli(unix)) {
		_ = c.states.Delete(ctx, shared.PrefixConfirmState+nonce) // best effort: it expires anyway
		return ErrConfirmationExpired
	}
	return c.consume(ctx, c.states, shared.PrefixConfirmState+nonce, binding)
}

// Outstanding counts the unexpired tokens and states held in this process
// (in-process stores only; a shared store reports 0).
func (c *Confirmations) Outstanding() int {
	now := c.now()
	live := func(v []byte) bool {
		exp, _, _ := strings.Cut(string(v), "\n")
		unix, err := strconv.ParseInt(exp, 10, 64)
		return err == nil && now.Before(time.UnixMilli(unix))
	}
	n := 0
	for _, st := range []shared.Store{c.tokens, c.states} {
		if m, ok := st.(*shared.Memory); ok {
			n += m.Count(live)
		}
	}
	return n
}

func stateMessage(body string) []byte { return []byte("state\x00" + body) }

func (c *Confirmations) sign(body string) string {
	return base64.RawURLEncoding.EncodeToString(c.keys.MAC(shared.PurposeElicitation, stateMessage(body)))
}

// remember stores binding and its expiry under a fresh random id: Add
// never overwrites, so a (practically impossible) collision fails rather
// than replacing another call's consent.
func (c *Confirmations) remember(ctx context.Context, store shared.Store, key, binding string) (time.Time, error) {
	expires := c.now().Add(c.ttl)
	value := strconv.FormatInt(expires.UnixMilli(), 10) + "\n" + binding
	// Kept a little past its expiry so that a late redemption is told it
	// expired rather than that it is unknown.
	added, err := store.Add(ctx, key, []byte(value), c.ttl+expiredGrace)
	switch {
	case err != nil:
		return time.Time{}, ErrConfirmationStore // the store's error names hosts: not for the model
	case !added:
		return time.Time{}, fmt.Errorf("%w (id collision)", ErrConfirmationStore)
	}
	return expires, nil
}

func (c *Confirmations) consume(ctx context.Context, store shared.Store, key, binding string) error {
	v, ok, err := store.Take(ctx, key)
	switch {
	case err != nil:
		return ErrConfirmationStore
	case !ok:
		return ErrConfirmationUnknown
	}
	exp, got, found := strings.Cut(string(v), "\n")
	unix, perr := strconv.ParseInt(exp, 10, 64)
	switch {
	case !found || perr != nil:
		return ErrConfirmationUnknown
	case !c.now().Before(time.UnixMilli(unix)):
		return ErrConfirmationExpired
	case !hmac.Equal([]byte(got), []byte(binding)):
		return ErrConfirmationMismatch
	}
	return nil
}
