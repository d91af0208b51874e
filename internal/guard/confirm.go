package guard

import (
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
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// ConfirmationTTL is how long a confirmation token or elicitation stays valid.
const ConfirmationTTL = 5 * time.Minute

// Confirmation describes a call that needs the user's consent before it is
// sent.
type Confirmation struct {
	// Action says what will happen, e.g. "projects.delete on project abc…".
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
// Tokens and states live in separate stores and are drawn independently: a
// request state (or any part of it) travels through the client and is
// readable by the model, so it must never redeem as a token, and a token
// never opens as a state.
type Confirmations struct {
	key []byte
	// instance tells this server run's tokens and states from an earlier
	// run's, so that one redeemed after a restart is refused as such.
	instance string
	ttl      time.Duration
	now      func() time.Time

	mu     sync.Mutex
	tokens map[string]issued // token-flow token -> what it approves
	states map[string]issued // elicitation nonce -> what it approves
}

type issued struct {
	binding string
	expires time.Time
}

// maxOutstanding bounds each store. When it is full of live entries, an
// arbitrary one is dropped: that confirmation then fails as unknown, which
// is safe, and memory stays bounded whatever a client does.
const maxOutstanding = 4096

// NewConfirmations uses a fresh random key and ConfirmationTTL: state sealed
// by one process is worthless to another.
func NewConfirmations() *Confirmations { return NewConfirmationsWithTTL(ConfirmationTTL) }

// NewConfirmationsWithTTL is NewConfirmations with another lifetime for
// tokens and elicitation states (--confirm-timeout).
func NewConfirmationsWithTTL(ttl time.Duration) *Confirmations {
	if ttl <= 0 {
		ttl = ConfirmationTTL
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	instance := make([]byte, instanceBytes)
	if _, err := rand.Read(instance); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return &Confirmations{key: key, instance: hex.EncodeToString(instance), ttl: ttl, now: time.Now, tokens: map[string]issued{}, states: map[string]issued{}}
}

// TTL is how long a token or state stays valid.
func (c *Confirmations) TTL() time.Duration { return c.ttl }

// Errors of Redeem and Open; the texts are for the model.
var (
	ErrConfirmationUnknown   = errors.New("the confirmation token is unknown or was already used: call again without confirm to get a new one")
	ErrConfirmationExpired   = errors.New("the confirmation token has expired: call again without confirm to get a new one")
	ErrConfirmationRestarted = errors.New("the confirmation token is unknown to this server: it was issued before the server restarted, and confirmations do not survive a restart. Call again without confirm to get a new one")
	ErrConfirmationMismatch  = errors.New("the confirmation token was issued for a different call (other arguments, operation or session, or what the call would do has changed since): call again without confirm to get a token for this one")
)

// instanceBytes is the length of a server run's id in tokens and states.
const instanceBytes = 4

// IssueToken returns a single-use token approving binding: "confirm-",
// then the server run's id and 160 random bits, in hex.
func (c *Confirmations) IssueToken(binding string) string {
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	token := "confirm-" + c.instance + hex.EncodeToString(raw)
	c.remember(c.tokens, token, binding)
	return token
}

// RedeemToken consumes token, whatever the outcome, so that a token cannot
// be probed with other arguments or replayed. Only tokens from IssueToken
// redeem; nothing from an elicitation state does.
func (c *Confirmations) RedeemToken(token, binding string) error {
	err := c.consume(c.tokens, token, binding)
	if hexPart, ok := strings.CutPrefix(token, "confirm-"); errors.Is(err, ErrConfirmationUnknown) && ok && len(hexPart) == 2*(instanceBytes+20) {
		if _, herr := hex.DecodeString(hexPart); herr == nil && hexPart[:2*instanceBytes] != c.instance {
			return ErrConfirmationRestarted
		}
	}
	return err
}

// Seal returns an opaque request state for an elicitation round trip: a
// nonce and its expiry, signed with the process key so a client cannot
// forge or extend one. The expiry is in the state so that a late answer is
// told apart from a forged or reused one, after the entry itself is gone.
func (c *Confirmations) Seal(binding string) string {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	expires := c.remember(c.states, n, binding)
	body := c.instance + "." + n + "." + strconv.FormatInt(expires.UnixMilli(), 10)
	return body + "." + c.sign(body)
}

// Open checks and consumes a sealed state for binding. Only states from
// Seal open; a token does not.
func (c *Confirmations) Open(state, binding string) error {
	i := strings.LastIndexByte(state, '.')
	if i < 0 || !hmac.Equal([]byte(state[i+1:]), []byte(c.sign(state[:i]))) {
		if instance, _, _ := strings.Cut(state, "."); i >= 0 && len(instance) == 2*instanceBytes && instance != c.instance {
			return ErrConfirmationRestarted // or forged; either way nothing opens
		}
		return ErrConfirmationUnknown
	}
	_, rest, _ := strings.Cut(state[:i], ".")
	nonce, exp, _ := strings.Cut(rest, ".")
	if unix, err := strconv.ParseInt(exp, 10, 64); err != nil || !c.now().Before(time.UnixMilli(unix)) {
		c.mu.Lock()
		delete(c.states, nonce)
		c.mu.Unlock()
		return ErrConfirmationExpired
	}
	return c.consume(c.states, nonce, binding)
}

// Outstanding counts the live tokens and states, after dropping expired
// ones: what pending confirmations hold.
func (c *Confirmations) Outstanding() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.sweep(c.tokens, now)
	c.sweep(c.states, now)
	return len(c.tokens) + len(c.states)
}

func (c *Confirmations) sign(s string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("state\x00")) // domain-separated from anything else the key might sign
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *Confirmations) sweep(store map[string]issued, now time.Time) {
	for k, v := range store {
		if now.After(v.expires) {
			delete(store, k)
		}
	}
}

func (c *Confirmations) remember(store map[string]issued, id, binding string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.sweep(store, now) // expired entries go; the map stays small
	for k := range store {
		if len(store) < maxOutstanding {
			break
		}
		delete(store, k)
	}
	expires := now.Add(c.ttl)
	store[id] = issued{binding: binding, expires: expires}
	return expires
}

func (c *Confirmations) consume(store map[string]issued, id, binding string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	got, ok := store[id]
	if !ok {
		return ErrConfirmationUnknown
	}
	delete(store, id)
	switch {
	case c.now().After(got.expires):
		return ErrConfirmationExpired
	case !hmac.Equal([]byte(got.binding), []byte(binding)):
		return ErrConfirmationMismatch
	}
	return nil
}
